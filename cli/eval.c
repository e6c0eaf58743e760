/* kiln eval — metrics of a saved model on a labelled CSV file. */
#include <getopt.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "kiln/util.h"

static const char eval_help[] =
    "usage: kiln eval MODEL DATA [--json] [--per-class] [--report FILE]\n"
    "\n"
    "Score DATA (raw CSV with the target column) and print the model's metrics:\n"
    "Accuracy, AUC, Recall, Prec., F1, Kappa, MCC (and LogLoss) for classification;\n"
    "MAE, MSE, RMSE, R2, RMSLE, MAPE for regression.\n"
    "\n"
    "  --json          print one JSON object instead of a table\n"
    "  --per-class     classification: also precision, recall, F1 and support of each class\n"
    "                  (scikit-learn's classification_report)\n"
    "  --report FILE   also write the HTML report (see kiln report; no learning curve)\n";

enum { OPT_JSON = 256, OPT_PER_CLASS, OPT_REPORT, OPT_HELP };

static const struct option eval_options[] = {
    {"json", no_argument, NULL, OPT_JSON}, {"per-class", no_argument, NULL, OPT_PER_CLASS},
    {"report", required_argument, NULL, OPT_REPORT},
    {"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0},
};

/* Per-class precision, recall, F1 and support of m on f: k rows of 4 values. */
static kiln_status per_class_table(const kiln_model *m, const kiln_frame *f, double **out)
{
    if (m->pipe->task != KILN_TASK_CLASSIFY)
        return KILN_ERROR(KILN_EINPUT, "--per-class needs a classification model (%s is regression)", m->algo->id);
    kiln_mat *scores = NULL;
    double *y = NULL;
    size_t k = m->pipe->n_classes;
    double *t = kiln_alloc(4 * k, sizeof *t);
    kiln_status s = t ? kiln_model_predict(m, f, &scores, &y) : KILN_ENOMEM;
    if (s == KILN_OK)
        s = kiln_metrics_per_class(y, scores, t, t + k, t + 2 * k, t + 3 * k);
    kiln_mat_free(scores);
    free(y);
    if (s != KILN_OK)
        free(t);
    else
        *out = t;
    return s;
}

static void print_per_class(const kiln_model *m, const double *t, FILE *out)
{
    size_t k = m->pipe->n_classes;
    fprintf(out, "\n%-20s %9s %9s %9s %9s\n", "class", "precision", "recall", "f1-score", "support");
    for (size_t c = 0; c < k; c++)
        fprintf(out, "%-20s %9.4f %9.4f %9.4f %9.0f\n", m->pipe->classes[c], t[c], t[k + c], t[2 * k + c],
                t[3 * k + c]);
}

static void json_per_class(kiln_json *j, const kiln_model *m, const double *t)
{
    size_t k = m->pipe->n_classes;
    static const char *const keys[] = {"precision", "recall", "f1", "support"};
    kiln_json_key(j, "per_class");
    kiln_json_begin_array(j);
    for (size_t c = 0; c < k; c++) {
        kiln_json_begin_object(j);
        kiln_json_key(j, "class");
        kiln_json_str(j, m->pipe->classes[c]);
        for (size_t q = 0; q < 4; q++) {
            kiln_json_key(j, keys[q]);
            kiln_json_num(j, t[q * k + c]);
        }
        kiln_json_end_object(j);
    }
    kiln_json_end_array(j);
}

static kiln_status run_eval(const char *model_path, const char *data, int json, int per_class, const char *report)
{
    kiln_model *m = NULL;
    kiln_frame *f = NULL;
    double *table = NULL;
    kiln_metrics met;
    kiln_status s = cli_load_model_data(model_path, data, &m, &f);
    if (s == KILN_OK)
        s = kiln_model_evaluate(m, f, &met, NULL);
    if (s == KILN_OK && per_class)
        s = per_class_table(m, f, &table);
    if (s == KILN_OK && report)
        s = cli_report_write(m, f, NULL, NULL, 1, cli_default_threads(), report);
    if (s == KILN_OK && json) {
        kiln_json j;
        kiln_json_init(&j, stdout, 0);
        kiln_json_begin_object(&j);
        kiln_json_key(&j, "model");
        kiln_json_str(&j, m->algo->id);
        kiln_json_key(&j, "rows");
        kiln_json_int(&j, (long long)f->nrows);
        cli_json_metrics(&j, &met);
        if (table)
            json_per_class(&j, m, table);
        kiln_json_end_object(&j);
    } else if (s == KILN_OK) {
        printf("%s (%s) on %s, %zu rows\n", kiln_algo_name(m->algo, m->pipe->task), m->algo->id, data, f->nrows);
        cli_print_metrics(&met, stdout);
        if (table)
            print_per_class(m, table, stdout);
    }
    free(table);
    kiln_frame_free(f);
    kiln_model_free(m);
    return s;
}

int cli_eval(int argc, char **argv)
{
    int json = 0, per_class = 0, c;
    const char *report = NULL;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", eval_options, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = 1; break;
        case OPT_PER_CLASS: per_class = 1; break;
        case OPT_REPORT: report = optarg; break;
        case OPT_HELP: fputs(eval_help, stdout); return 0;
        case ':': return cli_usage_error("eval", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("eval", "unknown option %s", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("eval", "expected MODEL and DATA");
    return cli_fail(run_eval(argv[optind], argv[optind + 1], json, per_class, report));
}
