/* kiln ab — an A/B comparison of two saved models on the same rows: each row
 * goes at random to arm A or arm B, each arm is scored by its own model, and
 * the main metric of each arm and their difference get a 95 % confidence
 * interval by the normal approximation:
 *   classification: accuracy p of n rows, p +- 1.96 sqrt(p (1 - p) / n);
 *   regression: MAE as the mean of |y - yhat|, MAE +- 1.96 s / sqrt(n), with s
 *   the sample standard deviation of the absolute errors;
 *   difference B - A: +- 1.96 sqrt(se_A^2 + se_B^2) (the arms are independent).
 * See docs/scenarios.md (scenario 3). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kiln/rng.h"
#include "kiln/util.h"

static const char ab_help[] =
    "usage: kiln ab MODEL_A MODEL_B DATA [--seed S] [--split F]\n"
    "\n"
    "Send each row of DATA (raw CSV with the target column) at random to arm A (share F)\n"
    "or arm B, score each arm with its model, and print each arm's metrics, the main one\n"
    "(Accuracy, or MAE for regression) with a 95 % confidence interval (normal\n"
    "approximation), and the difference B - A with its interval. Both models must\n"
    "predict the same target.\n"
    "\n"
    "  --seed S    seed of the random assignment (default 1)\n"
    "  --split F   share of the rows sent to A, in (0, 1) (default 0.5)\n";

enum { OPT_SEED = 256, OPT_SPLIT, OPT_HELP };

static const struct option ab_options[] = {
    {"seed", required_argument, NULL, OPT_SEED}, {"split", required_argument, NULL, OPT_SPLIT},
    {"help", no_argument, NULL, OPT_HELP},       {NULL, 0, NULL, 0},
};

#define AB_Z95 1.959963984540054

/* One arm: its model, its rows, the main metric with its standard error. */
typedef struct ab_arm {
    kiln_model *model;
    size_t *rows, n;
    kiln_metrics metrics;
    double value, se;
} ab_arm;

static kiln_status check_same_target(const kiln_model *a, const kiln_model *b)
{
    if (strcmp(a->pipe->target, b->pipe->target) != 0)
        return KILN_ERROR(KILN_EINPUT, "the models predict different targets: '%s' and '%s'", a->pipe->target,
                          b->pipe->target);
    if (a->pipe->task != b->pipe->task)
        return KILN_ERROR(KILN_EINPUT, "one model is for classification, the other for regression");
    return KILN_OK;
}

/* Send each row to A with probability split, else to B; both arms need rows. */
static kiln_status assign_rows(size_t n, double split, uint64_t seed, ab_arm *a, ab_arm *b)
{
    a->rows = malloc((n ? n : 1) * sizeof *a->rows);
    b->rows = malloc((n ? n : 1) * sizeof *b->rows);
    if (!a->rows || !b->rows)
        return KILN_ENOMEM;
    kiln_rng r;
    kiln_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        ab_arm *arm = kiln_rng_uniform(&r) < split ? a : b;
        arm->rows[arm->n++] = i;
    }
    if (a->n < 2 || b->n < 2)
        return KILN_ERROR(KILN_EINPUT, "too few rows for two arms: %zu to A, %zu to B (need 2 each)", a->n, b->n);
    return KILN_OK;
}

/* The arm's metrics, and its main metric with the normal-approximation standard error. */
static kiln_status score_arm(const kiln_frame *f, ab_arm *arm)
{
    kiln_frame *part = NULL;
    kiln_mat *scores = NULL;
    double *y = NULL;
    kiln_status s = kiln_frame_take_rows(f, arm->rows, arm->n, &part);
    if (s == KILN_OK)
        s = kiln_model_evaluate(arm->model, part, &arm->metrics, NULL);
    if (s == KILN_OK)
        s = kiln_model_predict(arm->model, part, &scores, &y);
    if (s == KILN_OK) {
        double nn = (double)arm->n;
        if (arm->model->pipe->task == KILN_TASK_CLASSIFY) {
            double p = arm->metrics.accuracy;
            arm->value = p;
            arm->se = sqrt(p * (1.0 - p) / nn);
        } else {
            double mean = arm->metrics.mae, ss = 0;
            for (size_t i = 0; i < arm->n; i++) {
                double d = fabs(y[i] - scores->data[i]) - mean;
                ss += d * d;
            }
            arm->value = mean;
            arm->se = sqrt(ss / (nn - 1.0) / nn);
        }
    }
    kiln_mat_free(scores);
    free(y);
    kiln_frame_free(part);
    return s;
}

static void print_arm(const char *label, const char *path, const ab_arm *arm, const char *metric)
{
    printf("%s  %-28s %-24s %6zu  %s %.4f  95%% CI [%.4f, %.4f]\n", label,
           kiln_algo_name(arm->model->algo, arm->model->pipe->task), path, arm->n, metric, arm->value,
           arm->value - AB_Z95 * arm->se, arm->value + AB_Z95 * arm->se);
}

static kiln_status run_ab(const char *path_a, const char *path_b, const char *data, uint64_t seed, double split)
{
    ab_arm a = {0}, b = {0};
    kiln_frame *f = NULL;
    kiln_status s = kiln_model_load(path_a, &a.model);
    if (s == KILN_OK)
        s = kiln_model_load(path_b, &b.model);
    if (s == KILN_OK)
        s = check_same_target(a.model, b.model);
    if (s == KILN_OK)
        s = kiln_csv_read(data, NULL, &f);
    if (s == KILN_OK)
        s = assign_rows(f->nrows, split, seed, &a, &b);
    if (s == KILN_OK)
        s = score_arm(f, &a);
    if (s == KILN_OK)
        s = score_arm(f, &b);
    if (s == KILN_OK) {
        const char *metric = a.model->pipe->task == KILN_TASK_CLASSIFY ? "Accuracy" : "MAE";
        printf("A/B on %s: %zu rows, %.0f %% to A at random (seed %llu); 95 %% CI by the normal approximation\n",
               data, f->nrows, 100.0 * split, (unsigned long long)seed);
        print_arm("A", path_a, &a, metric);
        print_arm("B", path_b, &b, metric);
        double d = b.value - a.value, se = sqrt(a.se * a.se + b.se * b.se);
        printf("B - A  %s %+.4f  95%% CI [%+.4f, %+.4f]%s\n", metric, d, d - AB_Z95 * se, d + AB_Z95 * se,
               fabs(d) > AB_Z95 * se ? "" : "  (no significant difference)");
        printf("\narm A:\n");
        cli_print_metrics(&a.metrics, stdout);
        printf("\narm B:\n");
        cli_print_metrics(&b.metrics, stdout);
    }
    free(a.rows);
    free(b.rows);
    kiln_frame_free(f);
    kiln_model_free(a.model);
    kiln_model_free(b.model);
    return s;
}

int cli_ab(int argc, char **argv)
{
    uint64_t seed = 1;
    double split = 0.5;
    kiln_status s = KILN_OK;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", ab_options, NULL)) != -1) {
        switch (c) {
        case OPT_SEED: s = cli_parse_u64("--seed", optarg, &seed); break;
        case OPT_SPLIT: s = cli_parse_double("--split", optarg, 0.0, 1.0, &split); break;
        case OPT_HELP: fputs(ab_help, stdout); return 0;
        case ':': return cli_usage_error("ab", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("ab", "unknown option %s", argv[optind - 1]);
        }
        if (s != KILN_OK)
            return cli_fail(s);
    }
    if (argc - optind != 3)
        return cli_usage_error("ab", "expected MODEL_A, MODEL_B and DATA");
    return cli_fail(run_ab(argv[optind], argv[optind + 1], argv[optind + 2], seed, split));
}
