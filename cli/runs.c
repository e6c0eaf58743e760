/* kiln runs — the run log as a table: one row per train, compare or tune run. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kiln/runlog.h"

static const char runs_help[] =
    "usage: kiln runs [--log FILE]\n"
    "\n"
    "List the runs recorded in the run log (default kiln-runs.jsonl in the current directory):\n"
    "when, which command, model, data file and its hash, seed, CV score, held-out score, saved model.\n";

enum { OPT_LOG = 256, OPT_HELP };

static const struct option runs_options[] = {
    {"log", required_argument, NULL, OPT_LOG}, {"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0},
};

static void field(const char *line, const char *key, char *buf, size_t size)
{
    if (!kiln_json_lookup(line, key, buf, size))
        snprintf(buf, size, "-");
}

/* A number with 4 decimals, or the text as it is. */
static void number(const char *line, const char *key, char *buf, size_t size)
{
    char raw[64], *end;
    field(line, key, raw, sizeof raw);
    double v = strtod(raw, &end);
    if (end != raw && *end == '\0')
        snprintf(buf, size, "%.4f", v);
    else
        snprintf(buf, size, "%s", raw);
}

typedef struct runs_table {
    const char *path;
    int header_done;
} runs_table;

static void print_header(void)
{
    printf("%4s  %-20s  %-7s  %-6s  %-24s  %-8s  %6s  %-16s  %-16s  %s\n", "line", "time (UTC)", "command", "model",
           "data", "data#", "seed", "CV score", "held-out", "saved model");
}

static kiln_status print_run(void *arg, const char *line, size_t lineno)
{
    runs_table *t = arg;
    const char *path = t->path;
    char when[32], cmd[16], model[16], data[256], hash[20], seed[24], cvm[16], cv[64], ho[64], hom[16], out[256];
    if (!kiln_json_lookup(line, "command", cmd, sizeof cmd))
        return KILN_ERROR(KILN_EINPUT, "%s:%zu: not a run log line", path, lineno);
    field(line, "time", when, sizeof when);
    field(line, "model", model, sizeof model);
    field(line, "data", data, sizeof data);
    field(line, "data_fnv1a", hash, sizeof hash);
    field(line, "seed", seed, sizeof seed);
    field(line, "cv_metric", cvm, sizeof cvm);
    number(line, "cv_score", cv, sizeof cv);
    snprintf(hom, sizeof hom, "Accuracy");
    char probe[64];
    if (!kiln_json_lookup(line, "metrics.Accuracy", probe, sizeof probe))
        snprintf(hom, sizeof hom, "R2");
    char key[32];
    snprintf(key, sizeof key, "metrics.%s", hom);
    number(line, key, ho, sizeof ho);
    field(line, "output", out, sizeof out);
    const char *base = strrchr(data, '/');
    if (!t->header_done++)
        print_header();
    printf("%4zu  %-20s  %-7s  %-6s  %-24s  %-8.8s  %6s  %-8s %7s  %-8s %7s  %s\n", lineno, when, cmd, model,
           base ? base + 1 : data, hash, seed, cvm, cv, strcmp(ho, "-") ? hom : "-", ho, out);
    return KILN_OK;
}

int cli_runs(int argc, char **argv)
{
    const char *log = "kiln-runs.jsonl";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", runs_options, NULL)) != -1) {
        switch (c) {
        case OPT_LOG: log = optarg; break;
        case OPT_HELP: fputs(runs_help, stdout); return 0;
        case ':': return cli_usage_error("runs", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("runs", "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage_error("runs", "unexpected argument %s", argv[optind]);
    runs_table t = {log, 0};
    return cli_fail(kiln_runlog_read(log, print_run, &t));
}
