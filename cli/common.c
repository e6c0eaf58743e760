/* Flag parsing, error reporting and metric printing shared by the subcommands. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kiln/outfile.h"
#include "kiln/util.h"

int cli_fail(kiln_status s)
{
    if (s == KILN_OK)
        return 0;
    fprintf(stderr, "kiln: %s\n", kiln_last_error());
    if (s == KILN_ECANCEL)
        return CLI_EXIT_INTERRUPTED;
    return s == KILN_EINPUT ? 1 : 2;
}

volatile sig_atomic_t cli_interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    cli_interrupted = 1;
}

void cli_catch_interrupt(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kiln %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see kiln %s --help)\n", cmd);
    va_end(ap);
    return 1;
}

kiln_status cli_check_outputs(const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (paths[i])
            KILN_TRY(kiln_outfile_check(paths[i]));
    return KILN_OK;
}

kiln_status cli_parse_int(const char *flag, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || v < min || v > max)
        return KILN_ERROR(KILN_EINPUT, "%s %s: expected a whole number from %ld to %ld", flag, text, min, max);
    *out = v;
    return KILN_OK;
}

kiln_status cli_parse_u64(const char *flag, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || text[0] == '-')
        return KILN_ERROR(KILN_EINPUT, "%s %s: expected a non-negative whole number", flag, text);
    *out = v;
    return KILN_OK;
}

kiln_status cli_parse_double(const char *flag, const char *text, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v > lo && v < hi))
        return KILN_ERROR(KILN_EINPUT, "%s %s: expected a number strictly between %g and %g", flag, text, lo, hi);
    *out = v;
    return KILN_OK;
}

kiln_status cli_parse_task(const char *text, kiln_task *out)
{
    if (strcmp(text, "classification") == 0)
        *out = KILN_TASK_CLASSIFY;
    else if (strcmp(text, "regression") == 0)
        *out = KILN_TASK_REGRESS;
    else
        return KILN_ERROR(KILN_EINPUT, "--task %s: expected classification or regression", text);
    return KILN_OK;
}

kiln_status cli_parse_normalize(const char *text, kiln_normalize *out)
{
    static const char *const names[] = {"auto", "none", "zscore", "minmax"};
    for (int i = 0; i < 4; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (kiln_normalize)i;
            return KILN_OK;
        }
    return KILN_ERROR(KILN_EINPUT, "--normalize %s: expected auto, none, zscore or minmax", text);
}

int cli_default_threads(void)
{
    return kiln_cpu_count();
}

void cli_print_metrics(const kiln_metrics *m, FILE *out)
{
    const char *const *names;
    size_t n = kiln_metric_names(m->task, &names);
    for (size_t i = 0; i < n; i++) {
        double v;
        kiln_metric_get(m, names[i], &v);
        fprintf(out, "%-9s %.4f\n", names[i], v);
    }
    if (m->task == KILN_TASK_CLASSIFY && !isnan(m->logloss))
        fprintf(out, "%-9s %.4f\n", "LogLoss", m->logloss);
}

void cli_json_metrics(kiln_json *j, const kiln_metrics *m)
{
    const char *const *names;
    size_t n = kiln_metric_names(m->task, &names);
    for (size_t i = 0; i < n; i++) {
        double v;
        kiln_metric_get(m, names[i], &v);
        kiln_json_key(j, names[i]);
        kiln_json_num(j, v);
    }
    if (m->task == KILN_TASK_CLASSIFY) {
        kiln_json_key(j, "LogLoss");
        kiln_json_num(j, m->logloss);
    }
}

void cli_model_warning(const kiln_model *m)
{
    const char *w = m->algo->warning ? m->algo->warning(m->est) : NULL;
    if (w)
        fprintf(stderr, "kiln: warning: %s\n", w);
}

kiln_status cli_load_model_data(const char *model_path, const char *data, kiln_model **m, kiln_frame **f)
{
    *m = NULL;
    *f = NULL;
    kiln_status s = kiln_model_load(model_path, m);
    if (s == KILN_OK && (s = kiln_csv_read(data, NULL, f)) != KILN_OK) {
        kiln_model_free(*m);
        *m = NULL;
    }
    return s;
}

kiln_inspect_args cli_inspect_args(const kiln_model *m, kiln_inspect_format fmt)
{
    kiln_inspect_args a = {
        .format = fmt,
        .feature_names = (const char *const *)m->pipe->out_names,
        .n_features = m->pipe->n_out,
        .class_names = m->pipe->task == KILN_TASK_CLASSIFY ? (const char *const *)m->pipe->classes : NULL,
        .n_classes = m->pipe->n_classes,
        .tree = -1,
        .unscale = kiln_pipeline_unscale,
        .unscale_arg = m->pipe,
    };
    return a;
}
