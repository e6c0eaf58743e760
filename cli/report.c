/* kiln report — the self-contained HTML report of a saved model on labelled
 * held-out rows (the charts are computed by kiln_report_build, drawn by
 * kiln_report_write). `kiln eval --report FILE` shares cli_report_write. */
#include <getopt.h>
#include "cli/cli.h"
#include "kiln/report.h"

static const char report_help[] =
    "usage: kiln report MODEL DATA -o REPORT.html [--train FILE] [--title TEXT] [--seed N] [--threads N]\n"
    "\n"
    "Score DATA (raw CSV with the target column, rows the model did not train on)\n"
    "and write one self-contained HTML file: the metrics, ROC and precision-recall\n"
    "curves and the confusion matrix (classification), predicted vs actual and\n"
    "residuals (regression), feature importance and, with --train, a learning curve.\n"
    "\n"
    "  -o, --output FILE   the HTML file to write (required)\n"
    "  --train FILE        the training rows: refit on growing subsets for the learning curve\n"
    "  --title TEXT        the page title (default: kiln report)\n"
    "  --seed N            subsets and permutation shuffles (default 1)\n"
    "  --threads N         threads for the refits (default: every core)\n";

enum { OPT_TRAIN = 256, OPT_TITLE, OPT_SEED, OPT_THREADS, OPT_HELP };

static const struct option report_options[] = {
    {"train", required_argument, NULL, OPT_TRAIN}, {"title", required_argument, NULL, OPT_TITLE},
    {"seed", required_argument, NULL, OPT_SEED},   {"threads", required_argument, NULL, OPT_THREADS},
    {"output", required_argument, NULL, 'o'},      {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

kiln_status cli_report_write(const kiln_model *m, const kiln_frame *test, const kiln_frame *train, const char *title,
                             uint64_t seed, int threads, const char *path)
{
    kiln_report_options o = kiln_report_options_default();
    o.title = title;
    o.train = train;
    o.seed = seed;
    o.threads = threads;
    kiln_report *r;
    KILN_TRY(kiln_report_build(m, test, &o, &r));
    kiln_status s = kiln_report_write(r, NULL, path);
    kiln_report_free(r);
    return s;
}

static kiln_status run_report(const char *model_path, const char *data, const char *train_path, const char *title,
                              uint64_t seed, int threads, const char *out)
{
    kiln_model *m = NULL;
    kiln_frame *test = NULL, *train = NULL;
    kiln_status s = cli_load_model_data(model_path, data, &m, &test);
    if (s == KILN_OK && train_path)
        s = kiln_csv_read(train_path, NULL, &train);
    if (s == KILN_OK)
        s = cli_report_write(m, test, train, title, seed, threads, out);
    kiln_frame_free(train);
    kiln_frame_free(test);
    kiln_model_free(m);
    return s;
}

int cli_report(int argc, char **argv)
{
    const char *train = NULL, *title = NULL, *out = NULL;
    uint64_t seed = 1;
    long threads = cli_default_threads();
    kiln_status s = KILN_OK;
    int c;
    opterr = 0;
    while (s == KILN_OK && (c = getopt_long(argc, argv, ":o:", report_options, NULL)) != -1) {
        switch (c) {
        case OPT_TRAIN: train = optarg; break;
        case OPT_TITLE: title = optarg; break;
        case OPT_SEED: s = cli_parse_u64("--seed", optarg, &seed); break;
        case OPT_THREADS: s = cli_parse_int("--threads", optarg, 1, 1024, &threads); break;
        case 'o': out = optarg; break;
        case OPT_HELP: fputs(report_help, stdout); return 0;
        case ':': return cli_usage_error("report", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("report", "unknown option %s", argv[optind - 1]);
        }
    }
    if (s != KILN_OK)
        return cli_fail(s);
    if (argc - optind != 2)
        return cli_usage_error("report", "expected MODEL and DATA");
    if (!out)
        return cli_usage_error("report", "-o REPORT.html is required");
    return cli_fail(run_report(argv[optind], argv[optind + 1], train, title, seed, (int)threads, out));
}
