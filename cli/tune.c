/* kiln tune — search one estimator's hyperparameters on the same folds as
 * compare, keep the tuned model only if it beats the defaults, save it. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kiln/outfile.h"
#include "kiln/util.h"

static const char tune_help_head[] =
    "usage: kiln tune DATA --target COL --model ID [options] [-o MODEL]\n"
    "\n"
    "Search the hyperparameters of one estimator by cross-validation on the training part (the same\n"
    "split and folds as kiln compare), keep the best point only if it is strictly better than the\n"
    "starting parameters, and score the kept model on the held-out rows.\n"
    "\n"
    "  --model ID          the estimator (required)\n"
    "  --param NAME=VALUE  a starting hyperparameter (the defaults otherwise); repeatable\n"
    "  --grid NAME=V1,V2   the values to search for one parameter (replaces its default grid); repeatable\n"
    "  --n-iter N          random search: points to try (default 10)\n"
    "  --search S          random (default; a full grid when it has no more than --n-iter points) or grid\n"
    "  --optimize METRIC   the CV metric to optimise (default Accuracy or R2)\n"
    "  -o, --save MODEL    save the kept model (preprocessing included)\n";

typedef struct tune_opts {
    cli_select_opts sel;
    const char *model, *optimize, *save;
    const char *params[KILN_PARAMS_MAX * 2];
    size_t nparams;
    const char *grids[KILN_PARAMS_MAX];
    size_t ngrids;
    long n_iter;
    kiln_search search;
} tune_opts;

enum { OPT_MODEL = 256, OPT_PARAM, OPT_GRID, OPT_N_ITER, OPT_SEARCH, OPT_OPTIMIZE, OPT_HELP };

static const struct option tune_options[] = {
    CLI_SELECT_OPTIONS,
    {"model", required_argument, NULL, OPT_MODEL},
    {"param", required_argument, NULL, OPT_PARAM},
    {"grid", required_argument, NULL, OPT_GRID},
    {"n-iter", required_argument, NULL, OPT_N_ITER},
    {"search", required_argument, NULL, OPT_SEARCH},
    {"optimize", required_argument, NULL, OPT_OPTIMIZE},
    {"save", required_argument, NULL, 'o'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int parse_tune(int argc, char **argv, tune_opts *o)
{
    cli_select_defaults(&o->sel);
    o->n_iter = 10;
    int c;
    kiln_status s = KILN_OK;
    opterr = 0;
    while (s == KILN_OK && (c = getopt_long(argc, argv, ":o:", tune_options, NULL)) != -1) {
        if (cli_select_flag(c, optarg, &o->sel, &s))
            continue;
        switch (c) {
        case OPT_MODEL: o->model = optarg; break;
        case OPT_PARAM:
            if (o->nparams == sizeof o->params / sizeof o->params[0])
                return cli_usage_error("tune", "too many --param flags");
            o->params[o->nparams++] = optarg;
            break;
        case OPT_GRID:
            if (o->ngrids == sizeof o->grids / sizeof o->grids[0])
                return cli_usage_error("tune", "too many --grid flags");
            o->grids[o->ngrids++] = optarg;
            break;
        case OPT_N_ITER: s = cli_parse_int("--n-iter", optarg, 1, 100000, &o->n_iter); break;
        case OPT_SEARCH:
            if (strcmp(optarg, "random") == 0 || strcmp(optarg, "grid") == 0)
                o->search = strcmp(optarg, "grid") == 0 ? KILN_SEARCH_GRID : KILN_SEARCH_RANDOM;
            else
                s = KILN_ERROR(KILN_EINPUT, "--search %s: expected random or grid", optarg);
            break;
        case OPT_OPTIMIZE: o->optimize = optarg; break;
        case 'o': o->save = optarg; break;
        case OPT_HELP: printf("%s%s", tune_help_head, cli_select_help); return -1;
        case ':': return cli_usage_error("tune", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("tune", "unknown option %s", argv[optind - 1]);
        }
    }
    if (s != KILN_OK)
        return cli_fail(s);
    int rc = cli_select_check("tune", argc, argv, &o->sel);
    if (rc)
        return rc;
    if (!o->model)
        return cli_usage_error("tune", "--model is required");
    if (!kiln_algo_find(o->model))
        return cli_usage_error("tune", "--model %s: unknown model (kiln models lists them)", o->model);
    return 0;
}

/* "name=value name=value" for the grid axes of a point. */
static void axes_text(const kiln_grid *g, const kiln_params *p, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < g->n && used < size; a++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s=%s", a ? " " : "", g->axis[a].name,
                                 kiln_params_text(p, g->axis[a].name));
}

static void print_points(const tune_opts *o, const kiln_grid *g, const kiln_tune_result *t, const size_t *order)
{
    char text[512];
    printf("%-9s  %15s  %8s  %s\n", "point", o->optimize, "TT (Sec)", "parameters");
    for (size_t i = 0; i < t->n; i++) {
        const kiln_cv_result *r = &t->results[order[i]];
        char name[16];
        snprintf(name, sizeof name, order[i] ? "#%zu" : "start", order[i]);
        axes_text(g, &r->cand.params, text, sizeof text);
        if (r->state != KILN_CV_OK) {
            printf("%-9s  %15s  %8s  %s  (%s)\n", name, "-", "-", text, r->error);
            continue;
        }
        double m, sd = NAN;
        kiln_cv_metric(r, o->optimize, &m);
        kiln_metric_get(&r->std, o->optimize, &sd);
        char score[32];
        snprintf(score, sizeof score, "%.4f (%.4f)", m, sd);
        printf("%-9s  %15s  %8.3f  %s\n", name, score, r->seconds, text);
    }
}

static void json_params(kiln_json *j, const kiln_params *p)
{
    kiln_json_begin_object(j);
    for (size_t i = 0; i < p->n; i++) {
        kiln_json_key(j, p->spec[i].name);
        kiln_json_str(j, p->v[i].text);
    }
    kiln_json_end_object(j);
}

static kiln_status write_json(const tune_opts *o, kiln_task task, const kiln_tune_result *t,
                              const kiln_cv_result *kept, const kiln_metrics *holdout, double seconds)
{
    kiln_outfile *of;
    KILN_TRY(kiln_outfile_open(o->sel.json, &of));
    kiln_json j;
    kiln_json_init(&j, kiln_outfile_stream(of), 1);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "task");
    kiln_json_str(&j, task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    kiln_json_key(&j, "seed");
    kiln_json_int(&j, (long long)o->sel.setup.seed);
    kiln_json_key(&j, "folds");
    kiln_json_int(&j, o->sel.setup.folds);
    kiln_json_key(&j, "model");
    kiln_json_str(&j, o->model);
    kiln_json_key(&j, "optimize");
    kiln_json_str(&j, o->optimize);
    kiln_json_key(&j, "results");
    kiln_json_begin_array(&j);
    for (size_t i = 0; i < t->n; i++) {
        const kiln_cv_result *r = &t->results[i];
        kiln_json_begin_object(&j);
        kiln_json_key(&j, "start");
        kiln_json_bool(&j, i == 0);
        kiln_json_key(&j, "params");
        json_params(&j, &r->cand.params);
        if (r->state == KILN_CV_OK) {
            cli_json_metrics(&j, &r->mean);
            kiln_json_key(&j, "TT (Sec)");
            kiln_json_num(&j, r->seconds);
        } else {
            kiln_json_key(&j, "error");
            kiln_json_str(&j, r->error);
        }
        kiln_json_end_object(&j);
    }
    kiln_json_end_array(&j);
    kiln_json_key(&j, "kept");
    kiln_json_str(&j, t->tuned_won ? "tuned" : "start");
    kiln_json_key(&j, "params");
    json_params(&j, &kept->cand.params);
    kiln_json_key(&j, "holdout");
    kiln_json_begin_object(&j);
    cli_json_metrics(&j, holdout);
    kiln_json_end_object(&j);
    kiln_json_key(&j, "total_seconds");
    kiln_json_num(&j, seconds);
    kiln_json_end_object(&j);
    return kiln_outfile_commit(of);
}

typedef struct tune_run {
    kiln_frame *frame;
    kiln_setup *setup;
    kiln_params base;
    kiln_grid grid;
    kiln_tune_result t;
    kiln_model *model;
    kiln_metrics holdout;
} tune_run;

/* Data, setup, starting parameters, grid and metric: everything checked before any output. */
static kiln_status prepare(tune_opts *o, const kiln_algo *a, tune_run *r)
{
    const char *outputs[] = {o->save, o->sel.json};
    KILN_TRY(cli_check_outputs(outputs, sizeof outputs / sizeof *outputs));
    KILN_TRY(cli_select_setup(&o->sel, &r->frame, &r->setup));
    kiln_task task = kiln_setup_task(r->setup);
    if (kiln_algo_check_task(a, task) != KILN_OK)
        return KILN_ERROR(KILN_EINPUT, "--model %s: %s does not do %s", a->id, a->name,
                          task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    if (!o->optimize)
        o->optimize = task == KILN_TASK_CLASSIFY ? "Accuracy" : "R2";
    KILN_TRY(kiln_cv_check_metric(task, o->optimize, "--optimize"));
    kiln_params_defaults(&r->base, a->params);
    for (size_t i = 0; i < o->nparams; i++)
        KILN_TRY(kiln_params_set(&r->base, o->params[i]));
    kiln_grid_default(a, task, &r->grid);
    for (size_t i = 0; i < o->ngrids; i++)
        KILN_TRY(kiln_grid_set(&r->grid, a, o->grids[i]));
    if (r->grid.n == 0)
        return KILN_ERROR(KILN_EINPUT, "--model %s: nothing to tune; give a space with --grid NAME=V1,V2", a->id);
    return KILN_OK;
}

static kiln_status run_tune(tune_opts *o, int argc, char **argv)
{
    const kiln_algo *a = kiln_algo_find(o->model);
    tune_run r = {0};
    double t0 = kiln_now();
    kiln_status s = prepare(o, a, &r);
    kiln_cv_opts co = {.errors_raise = o->sel.errors_raise, .cancel = &cli_interrupted};
    size_t size = kiln_grid_size(&r.grid);
    int full = o->search == KILN_SEARCH_GRID || size <= (size_t)o->n_iter;
    if (s == KILN_OK) {
        cli_select_banner(&o->sel, r.frame, r.setup);
        printf("tune %s (%s): %s search, %zu of %zu grid points, optimising %s\n", a->id,
               kiln_algo_name(a, kiln_setup_task(r.setup)), full ? "grid" : "random", full ? size : (size_t)o->n_iter,
               size, o->optimize);
        fflush(stdout);
        s = kiln_tune_run(r.setup, a, &r.base, &r.grid, o->search, (size_t)o->n_iter, o->optimize, &co, &r.t);
    }
    size_t *order = s == KILN_OK ? kiln_alloc(r.t.n, sizeof *order) : NULL;
    if (s == KILN_OK && !order)
        s = KILN_ENOMEM;
    if (s == KILN_OK) {
        kiln_cv_sort(r.t.results, r.t.n, o->optimize, order);
        print_points(o, &r.grid, &r.t, order);
        if (r.t.results[0].state != KILN_CV_OK && !r.t.tuned_won)
            s = KILN_ERROR(KILN_EINPUT, "--model %s: the starting parameters failed and no point did better: %s",
                           a->id, r.t.results[0].error);
    }
    const kiln_cv_result *kept = s == KILN_OK ? &r.t.results[r.t.tuned_won ? r.t.best : 0] : NULL;
    double start = NAN, best = NAN, score = NAN;
    if (s == KILN_OK) {
        kiln_cv_metric(&r.t.results[0], o->optimize, &start);
        if (r.t.best)
            kiln_cv_metric(&r.t.results[r.t.best], o->optimize, &best);
        kiln_cv_metric(kept, o->optimize, &score);
        printf("\nkept: %s (%s %.4f tuned, %.4f with the starting parameters)\n",
               r.t.tuned_won ? "tuned" : "starting parameters", o->optimize, best, start);
        s = cli_select_final(&o->sel, r.setup, a, &kept->cand.params, &r.holdout, &r.model);
    }
    if (s == KILN_OK) {
        char text[512];
        axes_text(&r.grid, &kept->cand.params, text, sizeof text);
        printf("parameters: %s\non the %zu held-out rows:\n", text, kiln_setup_holdout(r.setup)->nrows);
        cli_print_metrics(&r.holdout, stdout);
        cli_model_warning(r.model);
    }
    if (s == KILN_OK && o->save && (s = kiln_model_save(r.model, o->save)) == KILN_OK)
        printf("saved %s%s\n", o->save, o->sel.finalize ? " (refitted on every row)" : "");
    if (s == KILN_OK && o->sel.json)
        s = write_json(o, kiln_setup_task(r.setup), &r.t, kept, &r.holdout, kiln_now() - t0);
    if (s == KILN_OK) {
        cli_run_record rec = {.command = "tune", .argc = argc, .argv = argv, .data = o->sel.data,
                              .seed = o->sel.setup.seed, .model = r.model, .metrics = &r.holdout,
                              .cv_metric = o->optimize, .cv_score = score, .output = o->save, .log = o->sel.log,
                              .no_log = o->sel.no_log};
        cli_runlog_write(&rec);
    }
    free(order);
    kiln_tune_result_clear(&r.t);
    kiln_model_free(r.model);
    kiln_setup_free(r.setup);
    kiln_frame_free(r.frame);
    return s;
}

int cli_tune(int argc, char **argv)
{
    tune_opts o = {0};
    int rc = parse_tune(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    cli_catch_interrupt();
    return cli_fail(run_tune(&o, argc, argv));
}
