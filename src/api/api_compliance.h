/* api_compliance.h — GET /api/compliance (SPEC §11): the ASCI disclosure check on the stored
 * posts' captions, flagged posts counted per influencer and per campaign and listed. Reads
 * the store (the engine keeps no captions). Calls asci, store, schema, json and strmap. */
#ifndef INFLUDASH_API_COMPLIANCE_H
#define INFLUDASH_API_COMPLIANCE_H

#include <stdint.h>

#include "asci.h"
#include "buf.h"
#include "err.h"
#include "store.h"

/* Which posts: dates from_day..to_day inclusive (INT32_MIN / INT32_MAX for open ends; a
 * post without a date passes only an open range), and, when not NULL, one influencer id
 * and one campaign. At most list_max flagged posts are listed (all are counted). */
struct api_compliance_query {
    int32_t from_day, to_day;
    const char *influencer;
    const char *campaign;
    size_t list_max;
};

/* {"labels":[…],"posts":N,"checked":N,"without_caption":N,"flagged":N,
 *  "by_influencer":[{"influencer_id","name","posts","flagged"}],
 *  "by_campaign":[{"campaign","posts","flagged"}],
 *  "flagged_posts":[{"post_id","influencer_id","name","campaign","date","url","caption"}],
 *  "listed":N}
 * by flagged count descending. A post is flagged when its caption carries none of the
 * labels; a post without a caption is counted apart (nothing to check), not flagged. */
int api_compliance_json(struct store *s, const struct asci_labels *labels,
                        const char *const *label_names, size_t nlabels,
                        const struct api_compliance_query *q, struct buf *out, struct err *e);

#endif
