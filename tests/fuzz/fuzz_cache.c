/* fuzz_cache.c — libFuzzer target for the engine cache reader (src/engine/engine_cache.c),
 * the file a server reads beside its database at start: outside input like any file.
 * Input: one option byte, then the file's bytes. Option bit 0: reseal the bytes first
 * (engine_cache_seal: the header's stamp, size and checksum made right for the body), so
 * that the reader's checks of the body itself are what is fuzzed; without it the header and
 * checksum must refuse nearly everything.
 * Invariants: the reader never reads or writes out of bounds (ASan, UBSan); it refuses with
 * a message or gives an engine; an engine it gives answers the dashboard, the influencers
 * and the payouts check without a fault, and is freed whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_data.h"
#include "buf.h"
#include "engine.h"
#include "err.h"
#include "filter.h"
#include "fuzz_util.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned opt = data[0];
    size_t len = size - 1;
    unsigned char *bytes = malloc(len ? len : 1);
    memcpy(bytes, data + 1, len);
    struct store_stamp stamp = {1, 1, 0};
    if (opt & 1)
        engine_cache_seal(bytes, len, &stamp, "default");
    struct err e;
    err_clear(&e);
    struct engine *eng = engine_cache_parse(bytes, len, &stamp, "default", &e);
    FUZZ_CHECK(eng || e.msg[0], "a refusal without a reason");
    if (eng) {
        static const char *const none[] = {NULL};
        static const char *const ranged[] = {"from",     "2025-02-01", "to", "2025-03-31",
                                             "platform", "Instagram",  NULL};
        const char *const *kvs[] = {none, ranged};
        for (size_t i = 0; i < 2; i++) {
            struct filter f;
            struct api_settings s;
            api_settings_default(&s);
            if (filter_parse(&f, filter_kv_get, (void *)kvs[i], &e) < 0)
                abort();
            struct buf out = BUF_INIT;
            api_dashboard_json(eng, &f, &s, &out, &e);
            api_influencers_json(eng, &f, &s, &out, &e);
            api_payouts_json(eng, &f, &s, &out, &e);
            buf_release(&out);
            filter_release(&f);
        }
        engine_free(eng);
    }
    free(bytes);
    return 0;
}
