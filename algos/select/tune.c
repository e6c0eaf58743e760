/* PyCaret's tune_model(): random or grid search over an estimator's search
 * space on the setup's folds, with choose_better (see kiln/compare.h).
 *
 * The space is one axis per parameter whose table row has a `grid` (or that
 * --grid names). A point is a mixed-radix number p in [0, size): axis a takes
 * value (p / prod_{b<a} n_b) mod n_a. Grid search visits every point in that
 * order; random search draws n_iter distinct points with
 * kiln_rng_stream(seed, 0), and is a grid search when the grid has at most
 * n_iter points (as PyCaret). The base parameters are scored on the same
 * folds; the best point is kept only when strictly better than the base on
 * the optimised metric, otherwise the base is (choose_better=True).
 */
#include "setup_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/rng.h"
#include "kiln/util.h"

void kiln_grid_default(const kiln_algo *a, kiln_task task, kiln_grid *g)
{
    memset(g, 0, sizeof *g);
    for (const kiln_param_spec *p = a->params; p->name; p++) {
        if (!p->grid || (task == KILN_TASK_REGRESS && strcmp(p->name, "class_weight") == 0))
            continue;
        kiln_grid_axis *ax = &g->axis[g->n++];
        snprintf(ax->name, sizeof ax->name, "%s", p->name);
        for (const char *v = p->grid; *v && ax->n < KILN_GRID_VALUES;) {
            size_t len = strcspn(v, ",");
            snprintf(ax->value[ax->n++], sizeof ax->value[0], "%.*s", (int)len, v);
            v += len + (v[len] == ',');
        }
    }
}

kiln_status kiln_grid_set(kiln_grid *g, const kiln_algo *a, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment || !eq[1])
        return KILN_ERROR(KILN_EINPUT, "--grid %s: expected NAME=V1,V2,...", assignment);
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    kiln_grid_axis ax = {0};
    snprintf(ax.name, sizeof ax.name, "%.*s", (int)(eq - assignment), assignment);
    if (kiln_params_index(&p, ax.name) < 0)
        return KILN_ERROR(KILN_EINPUT, "--grid %s: model '%s' has no parameter '%s' (kiln models lists them)",
                          assignment, a->id, ax.name);
    for (const char *v = eq + 1; *v;) {
        size_t len = strcspn(v, ",");
        if (ax.n == KILN_GRID_VALUES || len == 0 || len >= KILN_PARAM_TEXT_MAX)
            return KILN_ERROR(KILN_EINPUT, "--grid %s: give 1 to %d non-empty values", assignment,
                              KILN_GRID_VALUES);
        snprintf(ax.value[ax.n], sizeof ax.value[0], "%.*s", (int)len, v);
        if (kiln_params_set_value(&p, ax.name, ax.value[ax.n]) != KILN_OK) {
            char why[256];
            snprintf(why, sizeof why, "%s", kiln_last_error());
            return KILN_ERROR(KILN_EINPUT, "--grid %s: %s", assignment, why);
        }
        ax.n++;
        v += len + (v[len] == ',');
    }
    size_t i = 0;
    while (i < g->n && strcmp(g->axis[i].name, ax.name) != 0)
        i++;
    if (i == g->n)
        g->n++;
    g->axis[i] = ax;
    return KILN_OK;
}

size_t kiln_grid_size(const kiln_grid *g)
{
    size_t size = 1;
    for (size_t a = 0; a < g->n; a++) {
        if (g->axis[a].n && size > SIZE_MAX / g->axis[a].n)
            return SIZE_MAX;
        size *= g->axis[a].n;
    }
    return size;
}

/* The parameters at grid point p: base with every axis set. */
static kiln_status grid_point(const kiln_grid *g, const kiln_params *base, size_t p, kiln_params *out)
{
    *out = *base;
    for (size_t a = 0; a < g->n; a++) {
        KILN_TRY(kiln_params_set_value(out, g->axis[a].name, g->axis[a].value[p % g->axis[a].n]));
        p /= g->axis[a].n;
    }
    return KILN_OK;
}

/* The grid points to score: all of them, or n distinct random ones. */
static kiln_status pick_points(const kiln_grid *g, kiln_search search, size_t n_iter, uint64_t seed, size_t **out,
                               size_t *n)
{
    size_t size = kiln_grid_size(g);
    int all = search == KILN_SEARCH_GRID || size <= n_iter;
    if (all && size > 100000)
        return KILN_ERROR(KILN_EINPUT, "--search grid: %zu points is too many; narrow the grid with --grid", size);
    *n = all ? size : n_iter;
    size_t *pts = kiln_alloc(*n ? *n : 1, sizeof *pts);
    if (!pts)
        return KILN_ENOMEM;
    kiln_rng r;
    kiln_rng_stream(&r, seed, 0);
    for (size_t i = 0; i < *n; i++) {
        if (all) {
            pts[i] = i;
            continue;
        }
        int fresh;
        do {
            pts[i] = kiln_rng_below(&r, size);
            fresh = 1;
            for (size_t j = 0; j < i && fresh; j++)
                fresh = pts[j] != pts[i];
        } while (!fresh);
    }
    *out = pts;
    return KILN_OK;
}

static double oriented(const kiln_cv_result *r, const char *metric)
{
    double v = NAN;
    if (r->state == KILN_CV_OK)
        kiln_cv_metric(r, metric, &v);
    if (isnan(v))
        return -INFINITY;
    return kiln_metric_higher_better(metric) ? v : -v;
}

kiln_status kiln_tune_run(kiln_setup *s, const kiln_algo *a, const kiln_params *base, const kiln_grid *g,
                          kiln_search search, size_t n_iter, const char *metric, const kiln_cv_opts *o,
                          kiln_tune_result *out)
{
    memset(out, 0, sizeof *out);
    KILN_TRY(kiln_algo_check_task(a, s->task));
    KILN_TRY(kiln_cv_check_metric(s->task, metric, "--optimize"));
    size_t *pts = NULL, npts = 0;
    KILN_TRY(pick_points(g, search, n_iter, s->o.seed, &pts, &npts));
    kiln_candidate *c = kiln_alloc(npts + 1, sizeof *c);
    out->results = kiln_alloc(npts + 1, sizeof *out->results);
    kiln_status st = c && out->results ? KILN_OK : KILN_ENOMEM;
    if (st == KILN_OK)
        c[0] = (kiln_candidate){a, *base};
    for (size_t i = 0; st == KILN_OK && i < npts; i++) {
        c[i + 1].algo = a;
        st = grid_point(g, base, pts[i], &c[i + 1].params);
    }
    if (st == KILN_OK && (st = kiln_cv_run(s, c, npts + 1, o, out->results)) == KILN_OK)
        out->n = npts + 1;
    for (size_t i = 1; st == KILN_OK && i < out->n; i++)
        if (out->results[i].state == KILN_CV_OK &&
            (out->best == 0 || oriented(&out->results[i], metric) > oriented(&out->results[out->best], metric)))
            out->best = i;
    if (st == KILN_OK && out->best)
        out->tuned_won = oriented(&out->results[out->best], metric) > oriented(&out->results[0], metric);
    free(pts);
    free(c);
    if (st != KILN_OK) {
        free(out->results);
        out->results = NULL;
    }
    return st;
}

void kiln_tune_result_clear(kiln_tune_result *t)
{
    if (!t)
        return;
    kiln_cv_results_clear(t->results, t->n);
    free(t->results);
    memset(t, 0, sizeof *t);
}
