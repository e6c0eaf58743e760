/* kiln drift — per-feature drift of a new CSV file against the training-data
 * summary stored in a model (kiln/drift.h). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "kiln/drift.h"
#include "kiln/util.h"

static const char drift_help[] =
    "usage: kiln drift MODEL DATA [--alpha A] [--psi P] [--json]\n"
    "\n"
    "Compare every feature of DATA (raw CSV; the target may be absent) with the\n"
    "training data summary stored in MODEL: numeric features by the two-sample\n"
    "Kolmogorov-Smirnov statistic and p-value and the population stability index\n"
    "(PSI, ten bins at the training deciles); categorical features by PSI over\n"
    "their levels. A numeric feature is flagged when p < alpha, a categorical one\n"
    "when PSI >= the PSI threshold.\n"
    "\n"
    "  --alpha A   KS significance level for numeric features (default 0.05)\n"
    "  --psi P     PSI threshold for categorical features (default 0.2)\n"
    "  --json      print one JSON object instead of a table\n";

enum { OPT_ALPHA = 256, OPT_PSI, OPT_JSON, OPT_HELP };

static const struct option drift_options[] = {
    {"alpha", required_argument, NULL, OPT_ALPHA}, {"psi", required_argument, NULL, OPT_PSI},
    {"json", no_argument, NULL, OPT_JSON},         {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static void print_table(const kiln_drift_col *c, size_t n, const kiln_drift_options *o, FILE *out)
{
    size_t flagged = 0;
    fprintf(out, "%-24s %-11s %8s %8s %10s %8s  %s\n", "Feature", "Type", "Rows", "KS", "p-value", "PSI", "Drift");
    for (size_t j = 0; j < n; j++) {
        fprintf(out, "%-24s %-11s %8.0f ", c[j].name, c[j].categorical ? "categorical" : "numeric", c[j].n_new);
        if (c[j].categorical)
            fprintf(out, "%8s %10s ", "-", "-");
        else
            fprintf(out, "%8.4f %10.4g ", c[j].ks, c[j].p_value);
        fprintf(out, "%8.4f  %s\n", c[j].psi, c[j].drift ? "yes" : "no");
        flagged += (size_t)c[j].drift;
    }
    fprintf(out, "%zu of %zu features drifted (alpha %g, PSI threshold %g)\n", flagged, n, o->alpha,
            o->psi_threshold);
}

static void print_json(const kiln_drift_col *c, size_t n, const kiln_drift_options *o, FILE *out)
{
    kiln_json j;
    kiln_json_init(&j, out, 0);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "alpha");
    kiln_json_num(&j, o->alpha);
    kiln_json_key(&j, "psi_threshold");
    kiln_json_num(&j, o->psi_threshold);
    kiln_json_key(&j, "features");
    kiln_json_begin_array(&j);
    for (size_t k = 0; k < n; k++) {
        kiln_json_begin_object(&j);
        kiln_json_key(&j, "name");
        kiln_json_str(&j, c[k].name);
        kiln_json_key(&j, "type");
        kiln_json_str(&j, c[k].categorical ? "categorical" : "numeric");
        kiln_json_key(&j, "n_train");
        kiln_json_num(&j, c[k].n_train);
        kiln_json_key(&j, "n_new");
        kiln_json_num(&j, c[k].n_new);
        kiln_json_key(&j, "ks");
        kiln_json_num(&j, c[k].ks);
        kiln_json_key(&j, "p_value");
        kiln_json_num(&j, c[k].p_value);
        kiln_json_key(&j, "psi");
        kiln_json_num(&j, c[k].psi);
        kiln_json_key(&j, "drift");
        kiln_json_bool(&j, c[k].drift);
        kiln_json_end_object(&j);
    }
    kiln_json_end_array(&j);
    kiln_json_key(&j, "drifted");
    kiln_json_begin_array(&j);
    for (size_t k = 0; k < n; k++)
        if (c[k].drift)
            kiln_json_str(&j, c[k].name);
    kiln_json_end_array(&j);
    kiln_json_end_object(&j);
}

static kiln_status run_drift(const char *model_path, const char *data, const kiln_drift_options *o, int json)
{
    kiln_model *m = NULL;
    kiln_frame *f = NULL;
    kiln_drift_col *cols = NULL;
    kiln_status s = cli_load_model_data(model_path, data, &m, &f);
    if (s == KILN_OK && !(cols = kiln_alloc(m->pipe->n_in, sizeof *cols)))
        s = KILN_ENOMEM;
    if (s == KILN_OK)
        s = kiln_drift_check(m->pipe, f, o, cols);
    if (s == KILN_OK && json)
        print_json(cols, m->pipe->n_in, o, stdout);
    else if (s == KILN_OK)
        print_table(cols, m->pipe->n_in, o, stdout);
    free(cols);
    kiln_frame_free(f);
    kiln_model_free(m);
    return s;
}

int cli_drift(int argc, char **argv)
{
    kiln_drift_options o = kiln_drift_options_default();
    int json = 0, c;
    kiln_status s = KILN_OK;
    opterr = 0;
    while (s == KILN_OK && (c = getopt_long(argc, argv, ":", drift_options, NULL)) != -1) {
        switch (c) {
        case OPT_ALPHA: s = cli_parse_double("--alpha", optarg, 0.0, 1.0, &o.alpha); break;
        case OPT_PSI: s = cli_parse_double("--psi", optarg, 0.0, INFINITY, &o.psi_threshold); break;
        case OPT_JSON: json = 1; break;
        case OPT_HELP: fputs(drift_help, stdout); return 0;
        case ':': return cli_usage_error("drift", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("drift", "unknown option %s", argv[optind - 1]);
        }
    }
    if (s != KILN_OK)
        return cli_fail(s);
    if (argc - optind != 2)
        return cli_usage_error("drift", "expected MODEL and DATA");
    return cli_fail(run_drift(argv[optind], argv[optind + 1], &o, json));
}
