/* The run log line of a train, compare or tune run (see kiln/runlog.h):
 * {"time", "command", "args", "data", "data_fnv1a", "seed", "model", "params",
 *  "cv_metric", "cv_score", "metrics", "output", "output_fnv1a"}. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "kiln/runlog.h"

/* kiln-runs.jsonl beside the saved model, or in the current directory. */
static void default_log_path(const char *output, char *buf, size_t size)
{
    const char *slash = output ? strrchr(output, '/') : NULL;
    if (slash)
        snprintf(buf, size, "%.*s/kiln-runs.jsonl", (int)(slash - output), output);
    else
        snprintf(buf, size, "kiln-runs.jsonl");
}

static void json_hash(kiln_json *j, const char *key, const char *path)
{
    uint64_t h;
    char hex[17];
    kiln_json_key(j, key);
    if (kiln_file_hash(path, &h) == KILN_OK) {
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
        kiln_json_str(j, hex);
    } else {
        kiln_json_null(j);
    }
}

static void write_record(kiln_json *j, const cli_run_record *r)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    kiln_json_begin_object(j);
    kiln_json_key(j, "time");
    kiln_json_str(j, when);
    kiln_json_key(j, "command");
    kiln_json_str(j, r->command);
    kiln_json_key(j, "args");
    kiln_json_begin_array(j);
    for (int i = 1; i < r->argc; i++)
        kiln_json_str(j, r->argv[i]);
    kiln_json_end_array(j);
    kiln_json_key(j, "data");
    kiln_json_str(j, r->data);
    json_hash(j, "data_fnv1a", r->data);
    kiln_json_key(j, "seed");
    kiln_json_int(j, (long long)r->seed);
    if (r->model) {
        kiln_json_key(j, "model");
        kiln_json_str(j, r->model->algo->id);
        kiln_json_key(j, "params");
        kiln_json_begin_object(j);
        for (size_t i = 0; i < r->model->params.n; i++) {
            kiln_json_key(j, r->model->params.spec[i].name);
            kiln_json_str(j, r->model->params.v[i].text);
        }
        kiln_json_end_object(j);
    }
    if (r->cv_metric) {
        kiln_json_key(j, "cv_metric");
        kiln_json_str(j, r->cv_metric);
        kiln_json_key(j, "cv_score");
        kiln_json_num(j, r->cv_score);
    }
    if (r->metrics) {
        kiln_json_key(j, "metrics");
        kiln_json_begin_object(j);
        cli_json_metrics(j, r->metrics);
        kiln_json_end_object(j);
    }
    if (r->output) {
        kiln_json_key(j, "output");
        kiln_json_str(j, r->output);
        json_hash(j, "output_fnv1a", r->output);
    }
    kiln_json_end_object(j);
}

void cli_runlog_write(const cli_run_record *r)
{
    if (r->no_log)
        return;
    char path[4096];
    if (r->log)
        snprintf(path, sizeof path, "%s", r->log);
    else
        default_log_path(r->output, path, sizeof path);
    char *line = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&line, &len);
    if (!mem) {
        fprintf(stderr, "kiln: warning: run log %s: out of memory\n", path);
        return;
    }
    kiln_json j;
    kiln_json_init(&j, mem, 0);
    write_record(&j, r);
    fclose(mem);
    while (len > 0 && line[len - 1] == '\n')
        line[--len] = '\0';
    if (kiln_runlog_append(path, line) != KILN_OK)
        fprintf(stderr, "kiln: warning: run log not written: %s\n", kiln_last_error());
    free(line);
}
