/* Shared pieces of the kiln command line: exit codes, flag parsing, loading
 * data and models, printing metrics. No numerics live in cli/. */
#ifndef KILN_CLI_H
#define KILN_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include "kiln/frame.h"
#include "kiln/metrics.h"
#include "kiln/compare.h"
#include "kiln/pipeline.h"
#include "kiln/serial.h"

/* Print "kiln: <message>" for the last error; return the exit status for s
 * (1 for bad input, 2 for an internal failure, 130 when interrupted, 0 for
 * KILN_OK). */
int cli_fail(kiln_status s);

/* Commands that poll for it (train) call cli_catch_interrupt: SIGINT then sets
 * cli_interrupted, the ctx.cancel flag of long runs, which makes them return
 * KILN_ECANCEL: the command writes no output file and exits with 130, like a
 * shell killed by SIGINT. A second SIGINT kills at once. */
#define CLI_EXIT_INTERRUPTED 130
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_interrupt(void);
/* Print "kiln <cmd>: <message>" for a bad flag and return 1. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a flag's value; errors name the flag. */
/* Each non-NULL path can be written (see kiln_outfile_check): checked before a long run. */
kiln_status cli_check_outputs(const char *const *paths, size_t n);
kiln_status cli_parse_int(const char *flag, const char *text, long min, long max, long *out);
kiln_status cli_parse_double(const char *flag, const char *text, double lo, double hi, double *out);
kiln_status cli_parse_u64(const char *flag, const char *text, uint64_t *out);
kiln_status cli_parse_task(const char *text, kiln_task *out);
kiln_status cli_parse_normalize(const char *text, kiln_normalize *out);

/* The default --threads: every core. */
int cli_default_threads(void);

/* Print metrics as a table (stdout) or add them as keys of an open JSON object. */
void cli_print_metrics(const kiln_metrics *m, FILE *out);
void cli_json_metrics(kiln_json *j, const kiln_metrics *m);

/* Warn once on stderr if the estimator reported a problem with its fit. */
void cli_model_warning(const kiln_model *m);

/* Load the model file and read the data CSV it is to be applied to; on failure
 * neither is kept (*m and *f are NULL). */
kiln_status cli_load_model_data(const char *model_path, const char *data, kiln_model **m, kiln_frame **f);

/* The inspect arguments that name the model's features and classes. */
kiln_inspect_args cli_inspect_args(const kiln_model *m, kiln_inspect_format fmt);

/* Build the HTML report of m on test (train may be NULL: no learning curve)
 * and write it to path. */
kiln_status cli_report_write(const kiln_model *m, const kiln_frame *test, const kiln_frame *train, const char *title,
                             uint64_t seed, int threads, const char *path);

/* ---- the run log (cli/runlog.c) ---------------------------------------------- */

/* What one line of the run log records. */
typedef struct cli_run_record {
    const char *command;          /* "train", "compare", "tune"               */
    int argc;                     /* the command line, recorded as given      */
    char **argv;
    const char *data;             /* the data file (hashed)                   */
    uint64_t seed;
    const kiln_model *model;      /* the chosen model (id, params) or NULL    */
    const kiln_metrics *metrics;  /* held-out metrics or NULL                 */
    const char *cv_metric;        /* tune/compare: the CV score's name, or NULL */
    double cv_score;
    const char *output;           /* the saved model file (hashed) or NULL    */
    const char *log;              /* --log, or NULL: kiln-runs.jsonl beside the output, else here */
    int no_log;                   /* --no-log                                 */
} cli_run_record;

/* Append the record to the run log; a failure is a warning on stderr. */
void cli_runlog_write(const cli_run_record *r);

/* ---- compare and tune (cli/select.c) ----------------------------------------- */

/* Flags shared by compare and tune. */
typedef struct cli_select_opts {
    const char *data, *target;
    kiln_setup_opts setup;
    int errors_raise, progress, finalize;
    const char *json, *save, *log;
    int no_log;
} cli_select_opts;

enum { CLI_SEL_TARGET = 300, CLI_SEL_TASK, CLI_SEL_FOLDS, CLI_SEL_TRAIN_SIZE, CLI_SEL_SEED, CLI_SEL_THREADS,
       CLI_SEL_NORMALIZE, CLI_SEL_IMBALANCE, CLI_SEL_ERRORS, CLI_SEL_PROGRESS, CLI_SEL_FINALIZE, CLI_SEL_JSON,
       CLI_SEL_LOG, CLI_SEL_NO_LOG };

#define CLI_SELECT_OPTIONS                                                                                   \
    {"target", required_argument, NULL, CLI_SEL_TARGET}, {"task", required_argument, NULL, CLI_SEL_TASK},     \
    {"folds", required_argument, NULL, CLI_SEL_FOLDS},                                                        \
    {"train-size", required_argument, NULL, CLI_SEL_TRAIN_SIZE},                                              \
    {"seed", required_argument, NULL, CLI_SEL_SEED}, {"threads", required_argument, NULL, CLI_SEL_THREADS},   \
    {"normalize", required_argument, NULL, CLI_SEL_NORMALIZE},                                                \
    {"fix-imbalance", required_argument, NULL, CLI_SEL_IMBALANCE},                                            \
    {"errors", required_argument, NULL, CLI_SEL_ERRORS}, {"progress", no_argument, NULL, CLI_SEL_PROGRESS},   \
    {"finalize", no_argument, NULL, CLI_SEL_FINALIZE}, {"json", required_argument, NULL, CLI_SEL_JSON},       \
    {"log", required_argument, NULL, CLI_SEL_LOG}, {"no-log", no_argument, NULL, CLI_SEL_NO_LOG}

/* The help lines of the shared flags. */
extern const char cli_select_help[];

void cli_select_defaults(cli_select_opts *o);
/* Handle a shared flag: 1 if `code` was one (with *s set), else 0. */
int cli_select_flag(int code, const char *arg, cli_select_opts *o, kiln_status *s);
/* Checks after parsing (DATA, --target); returns an exit status, 0 when fine. */
int cli_select_check(const char *cmd, int argc, char **argv, cli_select_opts *o);
/* Read DATA and make the setup (the caller frees *f even on failure). */
kiln_status cli_select_setup(const cli_select_opts *o, kiln_frame **f, kiln_setup **s);
/* The first line of the output: the task and how it was chosen, rows, folds, seed. */
void cli_select_banner(const cli_select_opts *o, const kiln_frame *f, const kiln_setup *s);
/* Progress callback for kiln_cv_run: one line per finished model on stderr. */
void cli_select_progress(void *arg, size_t index, const kiln_cv_result *r);
/* Fit the chosen model on the training part and score the held-out rows;
 * with --finalize refit it on every row. *out is the model to save. */
kiln_status cli_select_final(const cli_select_opts *o, const kiln_setup *s, const kiln_algo *a,
                             const kiln_params *p, kiln_metrics *holdout, kiln_model **out);

typedef int (*cli_command_fn)(int argc, char **argv);
int cli_train(int argc, char **argv);
int cli_predict(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_inspect(int argc, char **argv);
int cli_models(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_drift(int argc, char **argv);
int cli_ab(int argc, char **argv);

int cli_compare(int argc, char **argv);
int cli_tune(int argc, char **argv);
int cli_runs(int argc, char **argv);

#endif
