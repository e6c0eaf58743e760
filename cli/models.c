/* kiln models — the estimators, their parameters, defaults and ranges, read
 * from each estimator's parameter table. */
#include <getopt.h>
#include <math.h>
#include <string.h>
#include "cli/cli.h"

static const char models_help[] =
    "usage: kiln models [--task classification|regression] [--json]\n"
    "\n"
    "List every estimator with its parameters: type, default, range or choices,\n"
    "the default tuning grid, and what it does.\n";

enum { OPT_TASK = 256, OPT_JSON, OPT_HELP };

static const struct option models_options[] = {
    {"task", required_argument, NULL, OPT_TASK}, {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0},
};

static const char *const type_names[] = {"int", "real", "choice", "bool", "text"};

static void range_text(const kiln_param_spec *p, char *buf, size_t size)
{
    if (p->type == KILN_PARAM_CHOICE)
        snprintf(buf, size, "%s", p->choices);
    else if (p->type == KILN_PARAM_INT || p->type == KILN_PARAM_REAL)
        snprintf(buf, size, "%s%g, %g]", p->min_open ? "(" : "[", p->min, p->max);
    else if (p->type == KILN_PARAM_BOOL)
        snprintf(buf, size, "true|false");
    else
        snprintf(buf, size, "see help");
}

static void tasks_text(const kiln_algo *a, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", (a->tasks & KILN_TASK_CLASSIFY) ? "classification" : "",
             (a->tasks & KILN_TASK_CLASSIFY) && (a->tasks & KILN_TASK_REGRESS) ? ", " : "",
             (a->tasks & KILN_TASK_REGRESS) ? "regression" : "");
}

static void print_json(kiln_task task)
{
    kiln_json j;
    kiln_json_init(&j, stdout, 1);
    kiln_json_begin_array(&j);
    for (size_t i = 0; i < kiln_algo_count(); i++) {
        const kiln_algo *a = kiln_algo_at(i);
        if (task && !(a->tasks & task))
            continue;
        kiln_json_begin_object(&j);
        kiln_json_key(&j, "id");
        kiln_json_str(&j, a->id);
        kiln_json_key(&j, "name");
        kiln_json_str(&j, a->name);
        kiln_json_key(&j, "tasks");
        kiln_json_begin_array(&j);
        if (a->tasks & KILN_TASK_CLASSIFY)
            kiln_json_str(&j, "classification");
        if (a->tasks & KILN_TASK_REGRESS)
            kiln_json_str(&j, "regression");
        kiln_json_end_array(&j);
        kiln_json_key(&j, "params");
        kiln_json_begin_array(&j);
        for (const kiln_param_spec *p = a->params; p->name; p++) {
            char range[256];
            range_text(p, range, sizeof range);
            kiln_json_begin_object(&j);
            kiln_json_key(&j, "name");
            kiln_json_str(&j, p->name);
            kiln_json_key(&j, "type");
            kiln_json_str(&j, type_names[p->type]);
            kiln_json_key(&j, "default");
            kiln_json_str(&j, p->def);
            kiln_json_key(&j, "range");
            kiln_json_str(&j, range);
            kiln_json_key(&j, "grid");
            if (p->grid)
                kiln_json_str(&j, p->grid);
            else
                kiln_json_null(&j);
            kiln_json_key(&j, "help");
            kiln_json_str(&j, p->help);
            kiln_json_end_object(&j);
        }
        kiln_json_end_array(&j);
        kiln_json_end_object(&j);
    }
    kiln_json_end_array(&j);
}

static void print_text(kiln_task task)
{
    for (size_t i = 0; i < kiln_algo_count(); i++) {
        const kiln_algo *a = kiln_algo_at(i);
        if (task && !(a->tasks & task))
            continue;
        char tasks[64];
        tasks_text(a, tasks, sizeof tasks);
        printf("%-8s %s (%s)\n", a->id, a->name, tasks);
        for (const kiln_param_spec *p = a->params; p->name; p++) {
            char range[256];
            range_text(p, range, sizeof range);
            printf("    %-20s %-6s default %-10s %-28s %s\n", p->name, type_names[p->type], p->def, range, p->help);
        }
    }
}

int cli_models(int argc, char **argv)
{
    kiln_task task = 0;
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", models_options, NULL)) != -1) {
        switch (c) {
        case OPT_TASK:
            if (cli_parse_task(optarg, &task) != KILN_OK)
                return cli_fail(KILN_EINPUT);
            break;
        case OPT_JSON: json = 1; break;
        case OPT_HELP: fputs(models_help, stdout); return 0;
        case ':': return cli_usage_error("models", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("models", "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage_error("models", "unexpected argument %s", argv[optind]);
    if (json)
        print_json(task);
    else
        print_text(task);
    return 0;
}
