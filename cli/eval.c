/* kiln eval — metrics of a saved model on a labelled CSV file. */
#include <getopt.h>
#include "cli/cli.h"
#include "kiln/util.h"

static const char eval_help[] =
    "usage: kiln eval MODEL DATA [--json] [--report FILE]\n"
    "\n"
    "Score DATA (raw CSV with the target column) and print the model's metrics:\n"
    "Accuracy, AUC, Recall, Prec., F1, Kappa, MCC (and LogLoss) for classification;\n"
    "MAE, MSE, RMSE, R2, RMSLE, MAPE for regression.\n"
    "\n"
    "  --json          print one JSON object instead of a table\n"
    "  --report FILE   also write the HTML report (see kiln report; no learning curve)\n";

enum { OPT_JSON = 256, OPT_REPORT, OPT_HELP };

static const struct option eval_options[] = {
    {"json", no_argument, NULL, OPT_JSON}, {"report", required_argument, NULL, OPT_REPORT},
    {"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0},
};

static kiln_status run_eval(const char *model_path, const char *data, int json, const char *report)
{
    kiln_model *m = NULL;
    kiln_frame *f = NULL;
    kiln_metrics met;
    kiln_status s = cli_load_model_data(model_path, data, &m, &f);
    if (s == KILN_OK)
        s = kiln_model_evaluate(m, f, &met, NULL);
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
        kiln_json_end_object(&j);
    } else if (s == KILN_OK) {
        printf("%s (%s) on %s, %zu rows\n", kiln_algo_name(m->algo, m->pipe->task), m->algo->id, data, f->nrows);
        cli_print_metrics(&met, stdout);
    }
    kiln_frame_free(f);
    kiln_model_free(m);
    return s;
}

int cli_eval(int argc, char **argv)
{
    int json = 0, c;
    const char *report = NULL;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", eval_options, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = 1; break;
        case OPT_REPORT: report = optarg; break;
        case OPT_HELP: fputs(eval_help, stdout); return 0;
        case ':': return cli_usage_error("eval", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("eval", "unknown option %s", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("eval", "expected MODEL and DATA");
    return cli_fail(run_eval(argv[optind], argv[optind + 1], json, report));
}
