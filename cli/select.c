/* What kiln compare and kiln tune share: the setup flags, reading the data,
 * progress lines, and the final fit scored on the held-out rows. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "kiln/util.h"

const char cli_select_help[] =
    "  --target COL        the column to predict (required)\n"
    "  --task T            classification or regression (default: inferred from the target)\n"
    "  --train-size F      share of the rows for training and CV, in (0, 1) (default 0.7); the rest is\n"
    "                      held out to score the chosen model\n"
    "  --folds K           cross-validation folds, >= 2 (default 10; stratified for classification)\n"
    "  --seed N            seed of the split and of every model (default 1, always printed)\n"
    "  --threads N         threads (default: every core)\n"
    "  --normalize M       auto (z-score for linear models and kNN), none, zscore, minmax\n"
    "  --fix-imbalance M   undersample or oversample the classes of every training fold at random\n"
    "  --errors M          ignore (default: a failing model is reported and the run goes on) or raise\n"
    "  --progress          a line per finished model on stderr even when it is not a terminal\n"
    "  --finalize          refit the chosen model on every row (held-out ones too) before saving\n"
    "  --json FILE         write the results as JSON\n"
    "  --log FILE          the run log to append to (default: kiln-runs.jsonl beside the saved model,\n"
    "                      else in the current directory); --no-log writes none\n";

void cli_select_defaults(cli_select_opts *o)
{
    memset(o, 0, sizeof *o);
    o->setup = kiln_setup_opts_default();
    o->setup.threads = cli_default_threads();
    o->progress = isatty(STDERR_FILENO);
}

static kiln_status parse_imbalance(const char *text, kiln_imbalance *out)
{
    if (strcmp(text, "undersample") == 0)
        *out = KILN_IMBALANCE_UNDERSAMPLE;
    else if (strcmp(text, "oversample") == 0)
        *out = KILN_IMBALANCE_OVERSAMPLE;
    else if (strcmp(text, "none") == 0)
        *out = KILN_IMBALANCE_NONE;
    else
        return KILN_ERROR(KILN_EINPUT, "--fix-imbalance %s: expected undersample, oversample or none", text);
    return KILN_OK;
}

int cli_select_flag(int code, const char *arg, cli_select_opts *o, kiln_status *s)
{
    long v;
    *s = KILN_OK;
    switch (code) {
    case CLI_SEL_TARGET: o->target = arg; break;
    case CLI_SEL_TASK: *s = cli_parse_task(arg, &o->setup.task); break;
    case CLI_SEL_FOLDS:
        if ((*s = cli_parse_int("--folds", arg, 2, 1000, &v)) == KILN_OK)
            o->setup.folds = (int)v;
        break;
    case CLI_SEL_TRAIN_SIZE: *s = cli_parse_double("--train-size", arg, 0.0, 1.0, &o->setup.train_size); break;
    case CLI_SEL_SEED: *s = cli_parse_u64("--seed", arg, &o->setup.seed); break;
    case CLI_SEL_THREADS:
        if ((*s = cli_parse_int("--threads", arg, 1, 1024, &v)) == KILN_OK)
            o->setup.threads = (int)v;
        break;
    case CLI_SEL_NORMALIZE: *s = cli_parse_normalize(arg, &o->setup.normalize); break;
    case CLI_SEL_IMBALANCE: *s = parse_imbalance(arg, &o->setup.imbalance); break;
    case CLI_SEL_ERRORS:
        if (strcmp(arg, "raise") == 0 || strcmp(arg, "ignore") == 0)
            o->errors_raise = strcmp(arg, "raise") == 0;
        else
            *s = KILN_ERROR(KILN_EINPUT, "--errors %s: expected ignore or raise", arg);
        break;
    case CLI_SEL_PROGRESS: o->progress = 1; break;
    case CLI_SEL_FINALIZE: o->finalize = 1; break;
    case CLI_SEL_JSON: o->json = arg; break;
    case CLI_SEL_LOG: o->log = arg; break;
    case CLI_SEL_NO_LOG: o->no_log = 1; break;
    default: return 0;
    }
    return 1;
}

int cli_select_check(const char *cmd, int argc, char **argv, cli_select_opts *o)
{
    if (optind != argc - 1)
        return cli_usage_error(cmd, optind >= argc ? "no DATA file given" : "one DATA file expected");
    o->data = argv[optind];
    if (!o->target)
        return cli_usage_error(cmd, "--target is required");
    return 0;
}

kiln_status cli_select_setup(const cli_select_opts *o, kiln_frame **f, kiln_setup **s)
{
    KILN_TRY(kiln_csv_read(o->data, NULL, f));
    if (kiln_frame_find(*f, o->target) < 0)
        return KILN_ERROR(KILN_EINPUT, "--target %s: %s has no such column", o->target, o->data);
    KILN_TRY(kiln_setup_new(*f, o->target, &o->setup, s));
    kiln_blas_threads(o->setup.threads);
    return KILN_OK;
}

void cli_select_banner(const cli_select_opts *o, const kiln_frame *f, const kiln_setup *s)
{
    kiln_task task = kiln_setup_task(s);
    printf("%s (%s from target '%s'), %zu rows: %zu for training in %d folds, %zu held out; seed %llu\n",
           task == KILN_TASK_CLASSIFY ? "classification" : "regression", o->setup.task ? "forced" : "inferred",
           o->target, f->nrows, kiln_setup_train(s)->nrows, o->setup.folds, kiln_setup_holdout(s)->nrows,
           (unsigned long long)o->setup.seed);
}

void cli_select_progress(void *arg, size_t index, const kiln_cv_result *r)
{
    const cli_select_opts *o = arg;
    (void)index;
    if (!o->progress)
        return;
    if (r->state == KILN_CV_OK)
        fprintf(stderr, "  %-6s done in %.2f s\n", r->cand.algo->id, r->seconds * o->setup.folds);
    else
        fprintf(stderr, "  %-6s %s\n", r->cand.algo->id, r->error);
}

kiln_status cli_select_final(const cli_select_opts *o, const kiln_setup *s, const kiln_algo *a,
                             const kiln_params *p, kiln_metrics *holdout, kiln_model **out)
{
    kiln_model *m;
    KILN_TRY(kiln_setup_fit(s, a, p, 0, &m));
    kiln_status st = kiln_model_evaluate(m, kiln_setup_holdout(s), holdout, NULL);
    if (st == KILN_OK && o->finalize) {
        kiln_model_free(m);
        m = NULL;
        st = kiln_setup_fit(s, a, p, 1, &m);
    }
    if (st == KILN_OK && cli_interrupted) /* the refit does not poll the flag: refuse its result */
        st = KILN_ERROR(KILN_ECANCEL, "%s: interrupted", a->id);
    if (st != KILN_OK) {
        kiln_model_free(m);
        return st;
    }
    *out = m;
    return KILN_OK;
}
