/* api_compliance.c — the ASCI check over the stored posts (api_compliance.h): one scan of
 * the influencers (names) and of the posts, counting per influencer and campaign. Calls
 * asci, store, schema, json and strmap. */
#include "api_compliance.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "schema.h"
#include "strmap.h"

#include "banned.h"

struct group {
    int64_t posts, flagged;
};

struct flagged_post {
    char *post_id, *influencer_id, *campaign, *date, *url, *caption;
};

struct scan {
    const struct asci_labels *labels;
    const struct api_compliance_query *q;
    struct strmap *names_ids; /* influencer ids with a name */
    char **names;
    size_t nnames, cap_names;
    struct strmap *inf_ids, *campaign_ids;
    struct group *infs, *campaigns;
    size_t cap_infs, cap_campaigns;
    int64_t posts, checked, without_caption, flagged;
    struct flagged_post *list;
    size_t nlist;
    struct err *e;
};

static char *dup_col(const struct schema_row *row, int col)
{
    return col >= 0 && row->v[col].present ? xstrdup(row->v[col].s) : NULL;
}

static int read_name(void *ctx, const struct schema_row *row)
{
    struct scan *s = ctx;
    int id = schema_col_index(DS_INFLUENCERS, "influencer_id");
    int name = schema_col_index(DS_INFLUENCERS, "name");
    if (!row->v[id].present || !row->v[name].present)
        return 0;
    int added = 0;
    int32_t k = strmap_put(s->names_ids, row->v[id].s, row->v[id].len, &added);
    if (added) {
        if (s->nnames == s->cap_names) {
            s->cap_names = s->cap_names ? 2 * s->cap_names : 64;
            s->names = xrealloc(s->names, s->cap_names * sizeof *s->names);
        }
        s->names[s->nnames++] = NULL;
    }
    free(s->names[k]);
    s->names[k] = xstrdup(row->v[name].s);
    return 0;
}

/* The group of key in map (grown in step with it). */
static struct group *group_of(struct strmap *map, struct group **groups, size_t *cap,
                              const char *key)
{
    int added = 0;
    int32_t k = strmap_put(map, key, strlen(key), &added);
    if ((size_t)k >= *cap) {
        size_t old = *cap;
        *cap = *cap ? 2 * *cap : 64;
        *groups = xrealloc(*groups, *cap * sizeof **groups);
        memset(*groups + old, 0, (*cap - old) * sizeof **groups);
    }
    return &(*groups)[k];
}

static int read_post(void *ctx, const struct schema_row *row)
{
    struct scan *s = ctx;
    const struct schema_value *v = row->v;
    int inf = schema_col_index(DS_POSTS, "influencer_id");
    int date = schema_col_index(DS_POSTS, "date");
    int campaign = schema_col_index(DS_POSTS, "campaign");
    int caption = schema_col_index(DS_POSTS, "caption");
    const struct api_compliance_query *q = s->q;
    int32_t day = INT32_MIN;
    if (v[date].present && schema_iso_to_days(v[date].s, &day) < 0)
        day = INT32_MIN;
    int open = q->from_day == INT32_MIN && q->to_day == INT32_MAX;
    if (!open && (day == INT32_MIN || day < q->from_day || day > q->to_day))
        return 0;
    const char *who = v[inf].present ? v[inf].s : "";
    const char *camp = v[campaign].present ? v[campaign].s : "";
    if (q->influencer && strcmp(q->influencer, who) != 0)
        return 0;
    if (q->campaign && strcmp(q->campaign, camp) != 0)
        return 0;
    s->posts++;
    if (!v[caption].present || v[caption].len == 0) {
        s->without_caption++;
        return 0;
    }
    s->checked++;
    int found = asci_check(s->labels, v[caption].s, v[caption].len, NULL, s->e);
    if (found < 0)
        return found;
    struct group *gi = group_of(s->inf_ids, &s->infs, &s->cap_infs, who);
    struct group *gc = group_of(s->campaign_ids, &s->campaigns, &s->cap_campaigns, camp);
    gi->posts++;
    gc->posts++;
    if (found)
        return 0;
    gi->flagged++;
    gc->flagged++;
    s->flagged++;
    if (s->nlist < q->list_max) {
        struct flagged_post *p = &s->list[s->nlist++];
        p->post_id = dup_col(row, schema_col_index(DS_POSTS, "post_id"));
        p->influencer_id = xstrdup(who);
        p->campaign = dup_col(row, campaign);
        p->date = dup_col(row, date);
        p->url = dup_col(row, schema_col_index(DS_POSTS, "url"));
        p->caption = dup_col(row, caption);
    }
    return 0;
}

static const char *name_of(const struct scan *s, const char *id)
{
    int32_t k = strmap_get(s->names_ids, id, strlen(id));
    return k >= 0 ? s->names[k] : NULL;
}

static void kv_text(struct json *j, const char *key, const char *v)
{
    if (v && *v)
        json_kv_str(j, key, v);
    else
        json_kv_null(j, key);
}

struct ranked {
    int32_t k;
    const struct group *g;
};

static int by_flagged(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->g->flagged != y->g->flagged)
        return x->g->flagged > y->g->flagged ? -1 : 1;
    if (x->g->posts != y->g->posts)
        return x->g->posts > y->g->posts ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

static void write_groups(struct json *j, const struct scan *s, struct strmap *map,
                         const struct group *groups, const char *key_name, int names)
{
    size_t n = strmap_size(map);
    struct ranked *r = xmalloc((n + 1) * sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] = (struct ranked){(int32_t)i, &groups[i]};
    qsort(r, n, sizeof *r, by_flagged);
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        const char *key = strmap_key(map, r[i].k, NULL);
        json_obj_begin(j);
        kv_text(j, key_name, key);
        if (names)
            kv_text(j, "name", name_of(s, key));
        json_kv_int(j, "posts", r[i].g->posts);
        json_kv_int(j, "flagged", r[i].g->flagged);
        json_obj_end(j);
    }
    json_arr_end(j);
    free(r);
}

int api_compliance_json(struct store *st, const struct asci_labels *labels,
                        const char *const *label_names, size_t nlabels,
                        const struct api_compliance_query *q, struct buf *out, struct err *e)
{
    struct scan s;
    memset(&s, 0, sizeof s);
    s.labels = labels;
    s.q = q;
    s.e = e;
    s.names_ids = strmap_new();
    s.inf_ids = strmap_new();
    s.campaign_ids = strmap_new();
    s.list = xcalloc(q->list_max + 1, sizeof *s.list);
    int rc = store_scan(st, DS_INFLUENCERS, read_name, &s, e);
    if (rc == 0)
        rc = store_scan(st, DS_POSTS, read_post, &s, e);
    if (rc == 0) {
        struct json j;
        json_init(&j, out);
        json_obj_begin(&j);
        json_key(&j, "labels");
        json_arr_begin(&j);
        for (size_t i = 0; i < nlabels; i++)
            json_str(&j, label_names[i]);
        json_arr_end(&j);
        json_kv_int(&j, "posts", s.posts);
        json_kv_int(&j, "checked", s.checked);
        json_kv_int(&j, "without_caption", s.without_caption);
        json_kv_int(&j, "flagged", s.flagged);
        json_key(&j, "by_influencer");
        write_groups(&j, &s, s.inf_ids, s.infs, "influencer_id", 1);
        json_key(&j, "by_campaign");
        write_groups(&j, &s, s.campaign_ids, s.campaigns, "campaign", 0);
        json_key(&j, "flagged_posts");
        json_arr_begin(&j);
        for (size_t i = 0; i < s.nlist; i++) {
            const struct flagged_post *p = &s.list[i];
            json_obj_begin(&j);
            kv_text(&j, "post_id", p->post_id);
            kv_text(&j, "influencer_id", p->influencer_id);
            kv_text(&j, "name", name_of(&s, p->influencer_id));
            kv_text(&j, "campaign", p->campaign);
            kv_text(&j, "date", p->date);
            kv_text(&j, "url", p->url);
            kv_text(&j, "caption", p->caption);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        json_kv_int(&j, "listed", (int64_t)s.nlist);
        json_obj_end(&j);
        rc = json_finish(&j, e);
    }
    for (size_t i = 0; i < s.nlist; i++) {
        struct flagged_post *p = &s.list[i];
        free(p->post_id), free(p->influencer_id), free(p->campaign);
        free(p->date), free(p->url), free(p->caption);
    }
    for (size_t i = 0; i < s.nnames; i++)
        free(s.names[i]);
    free(s.names);
    free(s.list);
    free(s.infs);
    free(s.campaigns);
    strmap_free(s.names_ids);
    strmap_free(s.inf_ids);
    strmap_free(s.campaign_ids);
    return rc;
}
