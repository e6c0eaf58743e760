/* kiln train — fit one model, report held-out metrics, save it. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "cli/cli.h"
#include "kiln/split.h"
#include "kiln/util.h"

static const char train_help[] =
    "usage: kiln train DATA --target COL --model ID [options] [-o MODEL]\n"
    "\n"
    "Fit one model on DATA (CSV) and report its metrics on held-out rows.\n"
    "\n"
    "  --target COL        the column to predict (required)\n"
    "  --model ID          the estimator (kiln models lists them; required)\n"
    "  --param NAME=VALUE  a hyperparameter; repeat for several\n"
    "  --task T            classification or regression (default: inferred from the target)\n"
    "  --normalize M       auto (z-score for linear models and kNN), none, zscore, minmax\n"
    "  --test FILE         held-out rows from another CSV file\n"
    "  --test-size F       hold out this fraction of DATA, stratified for classification (default 0.3;\n"
    "                      0 trains on every row and reports no metrics)\n"
    "  --valid FILE        a validation file for early stopping (gbm)\n"
    "  --seed N            seed of the split and of every random choice (default 1)\n"
    "  --threads N         threads (default: every core)\n"
    "  --trace             print per-iteration losses on stderr (iterative models)\n"
    "  --json              print one JSON object: fit_seconds, predict_seconds, peak_rss_mb (the\n"
    "                      process's peak resident memory), the test metrics\n"
    "  -o, --output MODEL  save the fitted model (preprocessing included)\n"
    "  --log FILE          the run log to append to (default: kiln-runs.jsonl beside the saved model,\n"
    "                      else in the current directory); --no-log writes none\n";

typedef struct train_opts {
    const char *data, *target, *model, *test, *valid, *output, *log;
    kiln_params params;
    kiln_task task;
    kiln_normalize normalize;
    double test_size;
    uint64_t seed;
    int threads, json, trace, no_log;
} train_opts;

enum { OPT_TARGET = 256, OPT_MODEL, OPT_PARAM, OPT_TASK, OPT_NORMALIZE, OPT_TEST, OPT_TEST_SIZE, OPT_VALID, OPT_SEED,
       OPT_THREADS, OPT_TRACE, OPT_JSON, OPT_LOG, OPT_NO_LOG, OPT_HELP };

static const struct option train_options[] = {
    {"target", required_argument, NULL, OPT_TARGET}, {"model", required_argument, NULL, OPT_MODEL},
    {"param", required_argument, NULL, OPT_PARAM},   {"task", required_argument, NULL, OPT_TASK},
    {"normalize", required_argument, NULL, OPT_NORMALIZE}, {"test", required_argument, NULL, OPT_TEST},
    {"test-size", required_argument, NULL, OPT_TEST_SIZE}, {"valid", required_argument, NULL, OPT_VALID},
    {"seed", required_argument, NULL, OPT_SEED},     {"threads", required_argument, NULL, OPT_THREADS},
    {"trace", no_argument, NULL, OPT_TRACE},         {"json", no_argument, NULL, OPT_JSON},
    {"output", required_argument, NULL, 'o'},        {"help", no_argument, NULL, OPT_HELP},
    {"log", required_argument, NULL, OPT_LOG},       {"no-log", no_argument, NULL, OPT_NO_LOG},
    {NULL, 0, NULL, 0},
};

/* Parameters are parsed after --model is known, so their order on the line is free. */
static int parse_train(int argc, char **argv, train_opts *o)
{
    const char *params[KILN_PARAMS_MAX * 2];
    size_t nparams = 0;
    long threads = cli_default_threads();
    o->test_size = 0.3;
    o->seed = 1;
    int c;
    kiln_status s = KILN_OK;
    opterr = 0;
    while (s == KILN_OK && (c = getopt_long(argc, argv, ":o:", train_options, NULL)) != -1) {
        switch (c) {
        case OPT_TARGET: o->target = optarg; break;
        case OPT_MODEL: o->model = optarg; break;
        case OPT_PARAM:
            if (nparams == sizeof params / sizeof params[0])
                return cli_usage_error("train", "too many --param flags");
            params[nparams++] = optarg;
            break;
        case OPT_TASK: s = cli_parse_task(optarg, &o->task); break;
        case OPT_NORMALIZE: s = cli_parse_normalize(optarg, &o->normalize); break;
        case OPT_TEST: o->test = optarg; break;
        case OPT_TEST_SIZE:
            o->test_size = strtod(optarg, NULL);
            if (strcmp(optarg, "0") != 0)
                s = cli_parse_double("--test-size", optarg, 0.0, 1.0, &o->test_size);
            break;
        case OPT_VALID: o->valid = optarg; break;
        case OPT_SEED: s = cli_parse_u64("--seed", optarg, &o->seed); break;
        case OPT_THREADS: s = cli_parse_int("--threads", optarg, 1, 1024, &threads); break;
        case OPT_TRACE: o->trace = 1; break;
        case OPT_JSON: o->json = 1; break;
        case 'o': o->output = optarg; break;
        case OPT_LOG: o->log = optarg; break;
        case OPT_NO_LOG: o->no_log = 1; break;
        case OPT_HELP: fputs(train_help, stdout); return -1;
        case ':': return cli_usage_error("train", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("train", "unknown option %s", argv[optind - 1]);
        }
    }
    if (s != KILN_OK)
        return cli_fail(s);
    o->threads = (int)threads;
    if (optind != argc - 1)
        return cli_usage_error("train", optind >= argc ? "no DATA file given" : "one DATA file expected");
    o->data = argv[optind];
    if (!o->target)
        return cli_usage_error("train", "--target is required");
    if (!o->model)
        return cli_usage_error("train", "--model is required");
    const kiln_algo *a = kiln_algo_find(o->model);
    if (!a)
        return cli_usage_error("train", "--model %s: unknown model (kiln models lists them)", o->model);
    kiln_params_defaults(&o->params, a->params);
    for (size_t i = 0; i < nparams; i++)
        if ((s = kiln_params_set(&o->params, params[i])) != KILN_OK)
            return cli_fail(s);
    return 0;
}

/* Split DATA into train and test frames, stratified on the target for classification. */
static kiln_status split_frame(const train_opts *o, const kiln_frame *all, kiln_frame **train, kiln_frame **test)
{
    kiln_task task;
    size_t n_classes;
    double *y;
    KILN_TRY(kiln_pipeline_labels(all, o->target, o->task, &task, &n_classes, &y));
    size_t *tr = NULL, *te = NULL, ntr, nte;
    kiln_status s = kiln_split_train_test(y, all->nrows, task == KILN_TASK_CLASSIFY, o->test_size, o->seed, &tr,
                                          &ntr, &te, &nte);
    if (s == KILN_OK)
        s = kiln_frame_take_rows(all, tr, ntr, train);
    if (s == KILN_OK && (s = kiln_frame_take_rows(all, te, nte, test)) != KILN_OK) {
        kiln_frame_free(*train);
        *train = NULL;
    }
    free(tr);
    free(te);
    free(y);
    return s;
}

/* The peak resident memory of the process so far, in MB (Linux reports kB). */
static double peak_rss_mb(void)
{
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? (double)u.ru_maxrss / 1024.0 : NAN;
}

static void report(const train_opts *o, const kiln_model *m, size_t ntrain, size_t ntest, double fit_s,
                   double pred_s, const kiln_metrics *met)
{
    const char *task = m->pipe->task == KILN_TASK_CLASSIFY ? "classification" : "regression";
    if (o->json) {
        kiln_json j;
        kiln_json_init(&j, stdout, 0);
        kiln_json_begin_object(&j);
        kiln_json_key(&j, "model");
        kiln_json_str(&j, m->algo->id);
        kiln_json_key(&j, "task");
        kiln_json_str(&j, task);
        kiln_json_key(&j, "seed");
        kiln_json_int(&j, (long long)o->seed);
        kiln_json_key(&j, "threads");
        kiln_json_int(&j, o->threads);
        kiln_json_key(&j, "train_rows");
        kiln_json_int(&j, (long long)ntrain);
        kiln_json_key(&j, "test_rows");
        kiln_json_int(&j, (long long)ntest);
        kiln_json_key(&j, "fit_seconds");
        kiln_json_num(&j, fit_s);
        kiln_json_key(&j, "predict_seconds");
        kiln_json_num(&j, pred_s);
        kiln_json_key(&j, "peak_rss_mb");
        kiln_json_num(&j, peak_rss_mb());
        if (met)
            cli_json_metrics(&j, met);
        kiln_json_end_object(&j);
        return;
    }
    printf("%s (%s) on %s: %s, %zu training rows, seed %llu\n", kiln_algo_name(m->algo, m->pipe->task), m->algo->id,
           o->data, task, ntrain, (unsigned long long)o->seed);
    printf("fit %.3f s", fit_s);
    if (met) {
        printf(", predict %.3f s on %zu held-out rows\n", pred_s, ntest);
        cli_print_metrics(met, stdout);
    } else {
        printf("\n");
    }
    if (o->output)
        printf("saved %s\n", o->output);
}

/* A progress bar on stderr for fits that report their steps: drawn only on a
 * terminal, once the fit has run PROGRESS_AFTER seconds, and erased at the end. */
#define PROGRESS_AFTER 1.0
#define PROGRESS_WIDTH 30

typedef struct progress_bar {
    double t0, last; /* the fit's start, the last redraw */
    int drawn;
} progress_bar;

static void progress_draw(void *arg, size_t done, size_t total)
{
    progress_bar *b = arg;
    double elapsed = kiln_now() - b->t0;
    if (elapsed < PROGRESS_AFTER || total == 0 || (b->drawn && elapsed - b->last < 0.1 && done < total))
        return;
    b->last = elapsed;
    size_t full = done * PROGRESS_WIDTH / total;
    char bar[PROGRESS_WIDTH + 1];
    for (size_t k = 0; k < PROGRESS_WIDTH; k++)
        bar[k] = k < full ? '#' : '.';
    bar[PROGRESS_WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %zu/%zu  %.1f s", bar, done, total, elapsed);
    fflush(stderr);
    b->drawn = 1;
}

static void progress_erase(const progress_bar *b)
{
    if (b->drawn)
        fprintf(stderr, "\r\033[K");
}

static kiln_status run_train(const train_opts *o, int argc, char **argv)
{
    kiln_frame *all = NULL, *train = NULL, *test = NULL, *valid = NULL;
    kiln_model *m = NULL;
    kiln_status s = cli_check_outputs(&o->output, 1);
    if (s == KILN_OK)
        s = kiln_csv_read(o->data, NULL, &all);
    if (s == KILN_OK && o->test)
        s = kiln_csv_read(o->test, NULL, &test);
    if (s == KILN_OK && o->valid)
        s = kiln_csv_read(o->valid, NULL, &valid);
    if (s == KILN_OK && !o->test && o->test_size > 0)
        s = split_frame(o, all, &train, &test);
    kiln_ctx ctx = kiln_ctx_default();
    ctx.seed = o->seed;
    ctx.threads = o->threads;
    ctx.trace = o->trace ? stderr : NULL;
    ctx.cancel = &cli_interrupted;
    progress_bar bar = {kiln_now(), 0, 0};
    if (!o->trace && isatty(fileno(stderr))) {
        ctx.progress = progress_draw;
        ctx.progress_arg = &bar;
    }
    kiln_blas_threads(o->threads);
    double t0 = kiln_now(), fit_s = 0, pred_s = 0;
    const kiln_frame *fit_on = train ? train : all;
    if (s == KILN_OK)
        s = kiln_model_train(fit_on, valid, o->target, kiln_algo_find(o->model), &o->params, o->task, o->normalize,
                             &ctx, &m);
    fit_s = kiln_now() - t0;
    progress_erase(&bar);
    kiln_metrics met;
    if (s == KILN_OK && test)
        s = kiln_model_evaluate(m, test, &met, &pred_s);
    if (s == KILN_OK && cli_interrupted)
        s = KILN_ERROR(KILN_ECANCEL, "interrupted");
    if (s == KILN_OK && o->output)
        s = kiln_model_save(m, o->output);
    if (s == KILN_OK) {
        cli_model_warning(m);
        report(o, m, fit_on->nrows, test ? test->nrows : 0, fit_s, pred_s, test ? &met : NULL);
        cli_run_record rec = {.command = "train", .argc = argc, .argv = argv, .data = o->data, .seed = o->seed,
                              .model = m, .metrics = test ? &met : NULL, .output = o->output, .log = o->log,
                              .no_log = o->no_log};
        cli_runlog_write(&rec);
    }
    kiln_model_free(m);
    kiln_frame_free(all);
    kiln_frame_free(train);
    kiln_frame_free(test);
    kiln_frame_free(valid);
    return s;
}

int cli_train(int argc, char **argv)
{
    train_opts o = {0};
    int rc = parse_train(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    cli_catch_interrupt();
    return cli_fail(run_train(&o, argc, argv));
}
