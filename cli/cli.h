/* Shared pieces of the kiln command line: exit codes, flag parsing, loading
 * data and models, printing metrics. No numerics live in cli/. */
#ifndef KILN_CLI_H
#define KILN_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include "kiln/frame.h"
#include "kiln/metrics.h"
#include "kiln/pipeline.h"

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

/* The inspect arguments that name the model's features and classes. */
kiln_inspect_args cli_inspect_args(const kiln_model *m, kiln_inspect_format fmt);

typedef int (*cli_command_fn)(int argc, char **argv);
int cli_train(int argc, char **argv);
int cli_predict(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_inspect(int argc, char **argv);
int cli_models(int argc, char **argv);

#endif
