/* kiln predict — score a raw CSV file with a saved model. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kiln/outfile.h"
#include "kiln/util.h"

static const char predict_help[] =
    "usage: kiln predict MODEL DATA [-o OUT.csv] [--raw-score]\n"
    "\n"
    "Write DATA's columns plus prediction_label and prediction_score (the probability of\n"
    "the predicted class, or its decision score for models without probabilities). DATA\n"
    "is raw CSV: the model applies its own preprocessing. A target column may be absent.\n"
    "\n"
    "  -o, --output OUT   write to OUT (default: standard output)\n"
    "  --raw-score        add prediction_score_<class> for every class\n"
    "  --threads N        threads (default: every core)\n";

enum { OPT_RAW = 256, OPT_THREADS, OPT_HELP };

static const struct option predict_options[] = {
    {"output", required_argument, NULL, 'o'}, {"raw-score", no_argument, NULL, OPT_RAW},
    {"threads", required_argument, NULL, OPT_THREADS}, {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static void write_header(FILE *out, const kiln_frame *f, const kiln_model *m, int raw)
{
    for (size_t j = 0; j < f->ncols; j++) {
        kiln_csv_write_text(out, f->cols[j].name);
        fputc(',', out);
    }
    fputs("prediction_label", out);
    if (m->pipe->task == KILN_TASK_CLASSIFY) {
        fputs(",prediction_score", out);
        for (size_t k = 0; raw && k < m->pipe->n_classes; k++) {
            char name[512];
            snprintf(name, sizeof name, "prediction_score_%s", m->pipe->classes[k]);
            fputc(',', out);
            kiln_csv_write_text(out, name);
        }
    }
    fputc('\n', out);
}

static void write_row(FILE *out, const kiln_frame *f, size_t i, const kiln_model *m, const kiln_mat *scores, int raw)
{
    for (size_t j = 0; j < f->ncols; j++) {
        const kiln_column *c = &f->cols[j];
        if (c->type == KILN_COL_NUMERIC)
            kiln_csv_write_number(out, c->num[i]);
        else if (c->code[i] >= 0)
            kiln_csv_write_text(out, c->levels[c->code[i]]);
        fputc(',', out);
    }
    const double *s = KILN_MAT_ROW(scores, i);
    if (m->pipe->task == KILN_TASK_REGRESS) {
        kiln_csv_write_number(out, s[0]);
    } else {
        size_t k = kiln_argmax_row(s, scores->cols);
        kiln_csv_write_text(out, m->pipe->classes[k]);
        fputc(',', out);
        kiln_csv_write_number(out, s[k]);
        for (size_t c = 0; raw && c < scores->cols; c++) {
            fputc(',', out);
            kiln_csv_write_number(out, s[c]);
        }
    }
    fputc('\n', out);
}

static kiln_status run_predict(const char *model_path, const char *data, const char *output, int raw)
{
    kiln_model *m = NULL;
    kiln_frame *f = NULL;
    kiln_mat *scores = NULL;
    kiln_outfile *o = NULL;
    kiln_status s = cli_load_model_data(model_path, data, &m, &f);
    if (s == KILN_OK)
        s = kiln_model_predict(m, f, &scores, NULL);
    if (s == KILN_OK)
        s = kiln_outfile_open(output, &o);
    if (s == KILN_OK) {
        FILE *out = kiln_outfile_stream(o);
        write_header(out, f, m, raw);
        for (size_t i = 0; i < f->nrows; i++)
            write_row(out, f, i, m, scores, raw);
        s = kiln_outfile_commit(o);
    }
    kiln_mat_free(scores);
    kiln_frame_free(f);
    kiln_model_free(m);
    return s;
}

int cli_predict(int argc, char **argv)
{
    const char *output = "-";
    int raw = 0, c;
    long threads = cli_default_threads();
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", predict_options, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_RAW: raw = 1; break;
        case OPT_THREADS:
            if (cli_parse_int("--threads", optarg, 1, 1024, &threads) != KILN_OK)
                return cli_fail(KILN_EINPUT);
            break;
        case OPT_HELP: fputs(predict_help, stdout); return 0;
        case ':': return cli_usage_error("predict", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("predict", "unknown option %s", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("predict", "expected MODEL and DATA");
    kiln_blas_threads((int)threads);
    return cli_fail(run_predict(argv[optind], argv[optind + 1], output, raw));
}
