/* kiln compare — cross-validate every estimator on the same folds, print the
 * leaderboard, score the winner on the held-out rows, save it. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kiln/outfile.h"
#include "kiln/report.h"
#include "kiln/util.h"

static const char compare_help_head[] =
    "usage: kiln compare DATA --target COL [options]\n"
    "\n"
    "Cross-validate every estimator that fits the task on the same folds of the training part, print\n"
    "the leaderboard (mean over folds), then refit the best one and score it on the held-out rows.\n"
    "\n"
    "  --sort METRIC       leaderboard order (default Accuracy or R2; errors and TT (Sec) ascending)\n"
    "  --include IDS       only these models, comma-separated, in this order\n"
    "  --exclude IDS       leave these models out\n"
    "  --param ID.NAME=V   a hyperparameter of one model (--param rf.n_estimators=300); repeatable\n"
    "  --class-weight W    class_weight of every model that takes it (none, balanced, k:w,...)\n"
    "  --budget-time MIN   start no new model after this many minutes\n"
    "  --n-select N        keep the best N rows in the leaderboard\n"
    "  --std               show the standard deviation over folds beside each mean\n"
    "  --save-best MODEL   save the winner (preprocessing included)\n"
    "  --csv FILE          write the leaderboard as CSV\n"
    "  --report FILE       write an HTML report: the leaderboard and the winner's curves, confusion\n"
    "                      matrix, importances and learning curve on the held-out rows\n";

typedef struct compare_opts {
    cli_select_opts sel;
    const char *sort, *include, *exclude, *class_weight, *csv, *save, *report;
    const char *params[64];
    size_t nparams;
    double budget_minutes;
    long n_select;
    int std;
} compare_opts;

enum { OPT_SORT = 256, OPT_INCLUDE, OPT_EXCLUDE, OPT_PARAM, OPT_CLASS_WEIGHT, OPT_BUDGET, OPT_N_SELECT, OPT_STD,
       OPT_SAVE_BEST, OPT_CSV, OPT_REPORT, OPT_HELP };

static const struct option compare_options[] = {
    CLI_SELECT_OPTIONS,
    {"sort", required_argument, NULL, OPT_SORT},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"param", required_argument, NULL, OPT_PARAM},
    {"class-weight", required_argument, NULL, OPT_CLASS_WEIGHT},
    {"budget-time", required_argument, NULL, OPT_BUDGET},
    {"n-select", required_argument, NULL, OPT_N_SELECT},
    {"std", no_argument, NULL, OPT_STD},
    {"save-best", required_argument, NULL, OPT_SAVE_BEST},
    {"csv", required_argument, NULL, OPT_CSV},
    {"report", required_argument, NULL, OPT_REPORT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Every id of a comma-separated list must name an estimator. */
static kiln_status check_ids(const char *flag, const char *list)
{
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)len, p);
        if (!kiln_algo_find(id))
            return KILN_ERROR(KILN_EINPUT, "%s %s: unknown model '%s' (kiln models lists them)", flag, list, id);
        p += len + (p[len] == ',');
    }
    return KILN_OK;
}

static int in_list(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, id, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int parse_compare(int argc, char **argv, compare_opts *o)
{
    cli_select_defaults(&o->sel);
    int c;
    long v;
    kiln_status s = KILN_OK;
    opterr = 0;
    while (s == KILN_OK && (c = getopt_long(argc, argv, ":", compare_options, NULL)) != -1) {
        if (cli_select_flag(c, optarg, &o->sel, &s))
            continue;
        switch (c) {
        case OPT_SORT: o->sort = optarg; break;
        case OPT_INCLUDE: s = check_ids("--include", o->include = optarg); break;
        case OPT_EXCLUDE: s = check_ids("--exclude", o->exclude = optarg); break;
        case OPT_PARAM:
            if (o->nparams == sizeof o->params / sizeof o->params[0])
                return cli_usage_error("compare", "too many --param flags");
            o->params[o->nparams++] = optarg;
            break;
        case OPT_CLASS_WEIGHT: o->class_weight = optarg; break;
        case OPT_BUDGET: s = cli_parse_double("--budget-time", optarg, 0.0, 1e9, &o->budget_minutes); break;
        case OPT_N_SELECT:
            if ((s = cli_parse_int("--n-select", optarg, 1, 1000, &v)) == KILN_OK)
                o->n_select = v;
            break;
        case OPT_STD: o->std = 1; break;
        case OPT_SAVE_BEST: o->save = optarg; break;
        case OPT_REPORT: o->report = optarg; break;
        case OPT_CSV: o->csv = optarg; break;
        case OPT_HELP: printf("%s%s", compare_help_head, cli_select_help); return -1;
        case ':': return cli_usage_error("compare", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("compare", "unknown option %s", argv[optind - 1]);
        }
    }
    if (s != KILN_OK)
        return cli_fail(s);
    for (size_t i = 0; i < o->nparams; i++) {
        const char *dot = strchr(o->params[i], '.');
        char id[64];
        snprintf(id, sizeof id, "%.*s", dot ? (int)(dot - o->params[i]) : 0, o->params[i]);
        if (!dot || !kiln_algo_find(id))
            return cli_usage_error("compare", "--param %s: expected MODEL.NAME=VALUE with a known model id",
                                   o->params[i]);
    }
    return cli_select_check("compare", argc, argv, &o->sel);
}

/* The parameters of one candidate: defaults, --class-weight, then its --param flags. */
static kiln_status candidate_params(const compare_opts *o, const kiln_algo *a, kiln_task task, kiln_params *p)
{
    kiln_params_defaults(p, a->params);
    if (o->class_weight && task == KILN_TASK_CLASSIFY && kiln_params_index(p, "class_weight") >= 0 &&
        kiln_params_set_value(p, "class_weight", o->class_weight) != KILN_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", kiln_last_error());
        return KILN_ERROR(KILN_EINPUT, "--class-weight %s: model '%s': %s", o->class_weight, a->id, why);
    }
    size_t n = strlen(a->id);
    for (size_t i = 0; i < o->nparams; i++)
        if (strncmp(o->params[i], a->id, n) == 0 && o->params[i][n] == '.')
            KILN_TRY(kiln_params_set(p, o->params[i] + n + 1));
    return KILN_OK;
}

static kiln_status add_candidate(const compare_opts *o, const kiln_algo *a, kiln_task task, kiln_candidate *c,
                                 size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (c[i].algo == a)
            return KILN_OK;
    c[*n].algo = a;
    KILN_TRY(candidate_params(o, a, task, &c[*n].params));
    (*n)++;
    return KILN_OK;
}

/* The models to compare: --include in its order, else every estimator of the task minus --exclude. */
static kiln_status build_candidates(const compare_opts *o, kiln_task task, kiln_candidate *c, size_t *n)
{
    *n = 0;
    for (const char *p = o->include; p && *p;) {
        size_t len = strcspn(p, ",");
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)len, p);
        const kiln_algo *a = kiln_algo_find(id);
        if (kiln_algo_check_task(a, task) != KILN_OK)
            return KILN_ERROR(KILN_EINPUT, "--include %s: model '%s' (%s) does not do %s", o->include, id,
                              a->name, task == KILN_TASK_CLASSIFY ? "classification" : "regression");
        if (!in_list(o->exclude, id))
            KILN_TRY(add_candidate(o, a, task, c, n));
        p += len + (p[len] == ',');
    }
    for (size_t i = 0; !o->include && i < kiln_algo_count(); i++) {
        const kiln_algo *a = kiln_algo_at(i);
        if ((a->tasks & (unsigned)task) && !in_list(o->exclude, a->id))
            KILN_TRY(add_candidate(o, a, task, c, n));
    }
    if (*n == 0)
        return KILN_ERROR(KILN_EINPUT, "--exclude %s: no model left to compare", o->exclude ? o->exclude : "");
    return KILN_OK;
}

/* ---- output ---------------------------------------------------------------- */

typedef struct board {
    const compare_opts *o;
    kiln_task task;
    const kiln_cv_result *r;
    const size_t *order;
    size_t rows;              /* shown (after --n-select) */
    const char *const *names; /* metric names of the task */
    size_t nnames;
    int any_error;
} board;

static void cell(const board *b, const kiln_cv_result *r, const char *name, char *buf, size_t size)
{
    double m = NAN, sd = NAN;
    if (r->state != KILN_CV_OK) {
        snprintf(buf, size, "-");
        return;
    }
    kiln_cv_metric(r, name, &m);
    if (b->o->std && strcmp(name, "TT (Sec)") != 0)
        kiln_metric_get(&r->std, name, &sd);
    if (strcmp(name, "TT (Sec)") == 0)
        snprintf(buf, size, "%.3f", m);
    else if (b->o->std)
        snprintf(buf, size, "%.4f (%.4f)", m, sd);
    else
        snprintf(buf, size, "%.4f", m);
}

static void print_board(const board *b)
{
    size_t wname = strlen("Model");
    for (size_t i = 0; i < b->rows; i++) {
        size_t len = strlen(kiln_algo_name(b->r[b->order[i]].cand.algo, b->task));
        if (len > wname)
            wname = len;
    }
    int w = b->o->std ? 15 : 8;
    printf("%-*s", (int)wname, "Model");
    for (size_t j = 0; j < b->nnames; j++)
        printf("  %*s", w, b->names[j]);
    printf("  %8s%s\n", "TT (Sec)", b->any_error ? "  Error" : "");
    char buf[64];
    for (size_t i = 0; i < b->rows; i++) {
        const kiln_cv_result *r = &b->r[b->order[i]];
        printf("%-*s", (int)wname, kiln_algo_name(r->cand.algo, b->task));
        for (size_t j = 0; j < b->nnames; j++) {
            cell(b, r, b->names[j], buf, sizeof buf);
            printf("  %*s", w, buf);
        }
        cell(b, r, "TT (Sec)", buf, sizeof buf);
        printf("  %8s%s%s\n", buf, r->state != KILN_CV_OK ? "  " : "", r->state != KILN_CV_OK ? r->error : "");
    }
}

static kiln_status write_csv(const board *b, const char *path)
{
    kiln_outfile *of;
    KILN_TRY(kiln_outfile_open(path, &of));
    FILE *out = kiln_outfile_stream(of);
    fputs("Model,ID", out);
    for (size_t j = 0; j < b->nnames; j++) {
        fputc(',', out);
        kiln_csv_write_text(out, b->names[j]);
        if (b->o->std)
            fprintf(out, ",%s SD", b->names[j]);
    }
    fputs(",TT (Sec),Error\n", out);
    for (size_t i = 0; i < b->rows; i++) {
        const kiln_cv_result *r = &b->r[b->order[i]];
        kiln_csv_write_text(out, kiln_algo_name(r->cand.algo, b->task));
        fprintf(out, ",%s", r->cand.algo->id);
        for (size_t j = 0; j < b->nnames; j++) {
            double m = NAN, sd = NAN;
            if (r->state == KILN_CV_OK) {
                kiln_metric_get(&r->mean, b->names[j], &m);
                kiln_metric_get(&r->std, b->names[j], &sd);
            }
            fputc(',', out);
            kiln_csv_write_number(out, m);
            if (b->o->std) {
                fputc(',', out);
                kiln_csv_write_number(out, sd);
            }
        }
        fputc(',', out);
        kiln_csv_write_number(out, r->state == KILN_CV_OK ? r->seconds : NAN);
        fputc(',', out);
        kiln_csv_write_text(out, r->error);
        fputc('\n', out);
    }
    return kiln_outfile_commit(of);
}

static void json_result(kiln_json *j, const board *b, const kiln_cv_result *r)
{
    kiln_json_begin_object(j);
    kiln_json_key(j, "Model");
    kiln_json_str(j, kiln_algo_name(r->cand.algo, b->task));
    kiln_json_key(j, "id");
    kiln_json_str(j, r->cand.algo->id);
    if (r->state == KILN_CV_OK) {
        for (size_t k = 0; k < b->nnames; k++) {
            double v;
            kiln_metric_get(&r->mean, b->names[k], &v);
            kiln_json_key(j, b->names[k]);
            kiln_json_num(j, v);
        }
        kiln_json_key(j, "TT (Sec)");
        kiln_json_num(j, r->seconds);
        kiln_json_key(j, "std");
        kiln_json_begin_object(j);
        for (size_t k = 0; k < b->nnames; k++) {
            double v;
            kiln_metric_get(&r->std, b->names[k], &v);
            kiln_json_key(j, b->names[k]);
            kiln_json_num(j, v);
        }
        kiln_json_end_object(j);
    } else {
        kiln_json_key(j, "error");
        kiln_json_str(j, r->error);
    }
    kiln_json_end_object(j);
}

static kiln_status write_json(const board *b, const char *path, const kiln_metrics *holdout, const char *best,
                              double seconds)
{
    kiln_outfile *of;
    KILN_TRY(kiln_outfile_open(path, &of));
    kiln_json j;
    kiln_json_init(&j, kiln_outfile_stream(of), 1);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "task");
    kiln_json_str(&j, b->task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    kiln_json_key(&j, "seed");
    kiln_json_int(&j, (long long)b->o->sel.setup.seed);
    kiln_json_key(&j, "folds");
    kiln_json_int(&j, b->o->sel.setup.folds);
    kiln_json_key(&j, "train_size");
    kiln_json_num(&j, b->o->sel.setup.train_size);
    kiln_json_key(&j, "sort");
    kiln_json_str(&j, b->o->sort);
    kiln_json_key(&j, "leaderboard");
    kiln_json_begin_array(&j);
    for (size_t i = 0; i < b->rows; i++)
        json_result(&j, b, &b->r[b->order[i]]);
    kiln_json_end_array(&j);
    kiln_json_key(&j, "holdout");
    kiln_json_begin_object(&j);
    cli_json_metrics(&j, holdout);
    kiln_json_end_object(&j);
    kiln_json_key(&j, "best");
    kiln_json_str(&j, best);
    kiln_json_key(&j, "total_seconds");
    kiln_json_num(&j, seconds);
    kiln_json_end_object(&j);
    return kiln_outfile_commit(of);
}

/* The HTML report: the shown leaderboard rows, then the winner on the held-out rows
 * with a learning curve over the training part. */
static kiln_status write_report(const board *b, const kiln_model *best, const kiln_setup *setup, const char *path)
{
    size_t cols = b->nnames + 1;
    const char **columns = kiln_alloc(cols, sizeof *columns);
    const char **models = kiln_alloc(b->rows, sizeof *models);
    const char **errors = kiln_alloc(b->rows, sizeof *errors);
    double *values = kiln_alloc(b->rows * cols, sizeof *values);
    kiln_status s = columns && models && errors && values ? KILN_OK : KILN_ENOMEM;
    for (size_t j = 0; s == KILN_OK && j < cols; j++)
        columns[j] = j < b->nnames ? b->names[j] : "TT (Sec)";
    for (size_t i = 0; s == KILN_OK && i < b->rows; i++) {
        const kiln_cv_result *r = &b->r[b->order[i]];
        models[i] = kiln_algo_name(r->cand.algo, b->task);
        errors[i] = r->state != KILN_CV_OK ? r->error : NULL;
        for (size_t j = 0; j < cols; j++) {
            values[i * cols + j] = NAN;
            if (r->state == KILN_CV_OK)
                kiln_cv_metric(r, columns[j], &values[i * cols + j]);
        }
    }
    kiln_report *rep = NULL;
    if (s == KILN_OK) {
        kiln_report_options ro = kiln_report_options_default();
        ro.title = "kiln compare";
        ro.data_name = b->o->sel.data;
        ro.train = kiln_setup_train(setup);
        ro.seed = b->o->sel.setup.seed;
        ro.threads = b->o->sel.setup.threads;
        s = kiln_report_build(best, kiln_setup_holdout(setup), &ro, &rep);
    }
    if (s == KILN_OK) {
        kiln_report_leaderboard lb = {.rows = b->rows, .cols = cols, .columns = columns, .models = models,
                                      .values = values, .errors = errors};
        s = kiln_report_write(rep, &lb, path);
    }
    kiln_report_free(rep);
    free(columns);
    free(models);
    free(errors);
    free(values);
    return s;
}

/* ---- the run ----------------------------------------------------------------- */

typedef struct compare_run {
    kiln_frame *frame;
    kiln_setup *setup;
    kiln_candidate *cand;
    size_t ncand;
    kiln_cv_result *res;
    size_t *order;
    kiln_model *best;
    kiln_metrics holdout;
} compare_run;

static void compare_run_free(compare_run *r)
{
    kiln_cv_results_clear(r->res, r->ncand);
    free(r->res);
    free(r->order);
    free(r->cand);
    kiln_model_free(r->best);
    kiln_setup_free(r->setup);
    kiln_frame_free(r->frame);
}

/* Everything up to the first line of output: data, setup, models, sort metric. */
static kiln_status prepare(compare_opts *o, compare_run *r)
{
    const char *outputs[] = {o->save, o->csv, o->report, o->sel.json};
    KILN_TRY(cli_check_outputs(outputs, sizeof outputs / sizeof *outputs));
    KILN_TRY(cli_select_setup(&o->sel, &r->frame, &r->setup));
    kiln_task task = kiln_setup_task(r->setup);
    if (!o->sort)
        o->sort = task == KILN_TASK_CLASSIFY ? "Accuracy" : "R2";
    KILN_TRY(kiln_cv_check_metric(task, o->sort, "--sort"));
    r->cand = kiln_alloc(kiln_algo_count(), sizeof *r->cand);
    if (!r->cand)
        return KILN_ENOMEM;
    return build_candidates(o, task, r->cand, &r->ncand);
}

static kiln_status run_compare(compare_opts *o, int argc, char **argv)
{
    compare_run r = {0};
    double t0 = kiln_now();
    kiln_status s = prepare(o, &r);
    if (s == KILN_OK) {
        cli_select_banner(&o->sel, r.frame, r.setup);
        fflush(stdout);
        r.res = kiln_alloc(r.ncand, sizeof *r.res);
        r.order = kiln_alloc(r.ncand, sizeof *r.order);
        s = r.res && r.order ? KILN_OK : KILN_ENOMEM;
    }
    kiln_cv_opts co = {.errors_raise = o->sel.errors_raise, .budget_seconds = o->budget_minutes * 60,
                       .progress = cli_select_progress, .progress_arg = &o->sel, .cancel = &cli_interrupted};
    if (s == KILN_OK)
        s = kiln_cv_run(r.setup, r.cand, r.ncand, &co, r.res);
    kiln_task task = r.setup ? kiln_setup_task(r.setup) : KILN_TASK_CLASSIFY;
    board b = {.o = o, .task = task, .r = r.res, .order = r.order, .rows = r.ncand};
    b.nnames = kiln_metric_names(task, &b.names);
    if (s == KILN_OK) {
        kiln_cv_sort(r.res, r.ncand, o->sort, r.order);
        if (o->n_select > 0 && (size_t)o->n_select < b.rows)
            b.rows = (size_t)o->n_select;
        for (size_t i = 0; i < b.rows; i++)
            b.any_error |= r.res[r.order[i]].state != KILN_CV_OK;
        print_board(&b);
        if (r.res[r.order[0]].state != KILN_CV_OK)
            s = KILN_ERROR(KILN_EINPUT, "%s: every model failed; the first: %s", o->sel.data,
                           r.res[r.order[0]].error);
    }
    const kiln_cv_result *win = s == KILN_OK ? &r.res[r.order[0]] : NULL;
    if (s == KILN_OK)
        s = cli_select_final(&o->sel, r.setup, win->cand.algo, &win->cand.params, &r.holdout, &r.best);
    if (s == KILN_OK) {
        printf("\nbest: %s (%s); on the %zu held-out rows:\n", kiln_algo_name(win->cand.algo, task),
               win->cand.algo->id, kiln_setup_holdout(r.setup)->nrows);
        cli_print_metrics(&r.holdout, stdout);
        cli_model_warning(r.best);
    }
    if (s == KILN_OK && o->save && (s = kiln_model_save(r.best, o->save)) == KILN_OK)
        printf("saved %s%s\n", o->save, o->sel.finalize ? " (refitted on every row)" : "");
    if (s == KILN_OK && o->csv)
        s = write_csv(&b, o->csv);
    if (s == KILN_OK && o->sel.json)
        s = write_json(&b, o->sel.json, &r.holdout, win->cand.algo->id, kiln_now() - t0);
    if (s == KILN_OK && o->report)
        s = write_report(&b, r.best, r.setup, o->report);
    if (s == KILN_OK) {
        double score = NAN;
        kiln_cv_metric(win, o->sort, &score);
        cli_run_record rec = {.command = "compare", .argc = argc, .argv = argv, .data = o->sel.data,
                              .seed = o->sel.setup.seed, .model = r.best, .metrics = &r.holdout,
                              .cv_metric = o->sort, .cv_score = score, .output = o->save, .log = o->sel.log,
                              .no_log = o->sel.no_log};
        cli_runlog_write(&rec);
    }
    compare_run_free(&r);
    return s;
}

int cli_compare(int argc, char **argv)
{
    compare_opts o = {0};
    int rc = parse_compare(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    cli_catch_interrupt();
    return cli_fail(run_compare(&o, argc, argv));
}
