/* api_simulate.c — the simulator's document (api_simulate.h): one engine_run over the
 * filters, engine_simulate over its influencers, then the JSON. Calls engine_simulate,
 * engine, filter, json and number. */
#include "api_simulate.h"

#include <string.h>

#include "json.h"
#include "number.h"

#include "banned.h"

static int number_param(filter_get_fn get, void *ctx, const char *name, int required, double *out,
                        struct err *e)
{
    const char *raw = get(ctx, name);
    if (!raw || !*raw) {
        if (required)
            return err_set(e, ERR_USAGE, "%s: missing (a number, e.g. %s=5000)", name, name);
        return 0;
    }
    if (number_parse_double(raw, strlen(raw), out) < 0)
        return err_set(e, ERR_USAGE, "%s: \"%.40s\" is not a number", name, raw);
    return 0;
}

int api_simulate_terms(struct engine_sim_terms *t, filter_get_fn get, void *ctx, struct err *e)
{
    memset(t, 0, sizeof *t);
    const char *basis = get(ctx, "basis");
    int b = engine_sim_basis_parse(basis);
    if (b < 0)
        return err_set(e, ERR_USAGE,
                       "basis: \"%.40s\" is not one of post, order, revenue_share, hybrid, actual",
                       basis ? basis : "");
    t->basis = (enum engine_sim_basis)b;
    int rc = number_param(get, ctx, "rate", t->basis != ENGINE_SIM_ACTUAL, &t->rate, e);
    if (rc == 0 && t->basis == ENGINE_SIM_HYBRID)
        rc = number_param(get, ctx, "share", 0, &t->share, e);
    return rc;
}

static void kv_ratio(struct json *j, const char *key, struct engine_ratio r)
{
    if (r.has)
        json_kv_double(j, key, r.value);
    else
        json_kv_null(j, key);
}

int api_simulate_json(const struct engine *eng, const struct filter *f,
                      const struct engine_sim_terms *t, struct buf *out, struct err *e)
{
    struct engine_result *r;
    int rc = engine_run_views(eng, &f->f, 0, &r, e);
    if (rc < 0)
        return rc;
    struct engine_sim sim;
    if ((rc = engine_simulate(r, t, &sim, e)) < 0) {
        engine_result_free(r);
        return rc;
    }
    struct json j;
    json_init(&j, out);
    json_obj_begin(&j);
    json_key(&j, "filters");
    filter_json(f, &j);
    json_kv_str(&j, "basis", engine_sim_basis_name(t->basis));
    if (t->basis == ENGINE_SIM_ACTUAL)
        json_kv_null(&j, "rate");
    else
        json_kv_double(&j, "rate", t->rate);
    if (t->basis == ENGINE_SIM_HYBRID)
        json_kv_double(&j, "share", t->share);
    else
        json_kv_null(&j, "share");
    json_key(&j, "total");
    json_obj_begin(&j);
    json_kv_money(&j, "cost", sim.cost);
    json_kv_money(&j, "revenue", sim.revenue);
    kv_ratio(&j, "roas", sim.roas);
    json_kv_money(&j, "actual_cost", sim.actual_cost);
    kv_ratio(&j, "actual_roas", sim.actual_roas);
    json_kv_money(&j, "change", sim.cost - sim.actual_cost);
    json_kv_int(&j, "influencers", (int64_t)sim.n);
    json_obj_end(&j);
    json_key(&j, "influencers");
    json_arr_begin(&j);
    for (size_t i = 0; i < sim.n; i++) {
        const struct engine_sim_row *row = &sim.rows[i];
        json_obj_begin(&j);
        json_kv_str(&j, "influencer_id", row->inf->id);
        if (row->inf->name[0])
            json_kv_str(&j, "name", row->inf->name);
        else
            json_kv_null(&j, "name");
        json_kv_money(&j, "revenue", row->inf->revenue);
        json_kv_int(&j, "posts", row->inf->posts);
        json_kv_int(&j, "orders", row->inf->orders);
        json_kv_money(&j, "cost", row->cost);
        kv_ratio(&j, "roas", row->roas);
        json_kv_money(&j, "actual_cost", row->actual_cost);
        json_kv_money(&j, "change", row->cost - row->actual_cost);
        kv_ratio(&j, "break_even_rate", row->break_even_rate);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    engine_sim_release(&sim);
    engine_result_free(r);
    return json_finish(&j, e);
}
