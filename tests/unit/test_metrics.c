/* algos/select/metrics.c: every metric against scikit-learn's values
 * (tests/data/metrics/make_metrics_fixtures.py), names, lookups and errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln/metrics.h"
#include "testrun.h"

#define FIXTURE KILN_SOURCE_DIR "/tests/data/metrics/metrics_fixtures.txt"
#define REL_TOL 1e-12

/* One fixture case as read from the file. */
typedef struct fixture_case {
    char name[64];
    kiln_task task;
    size_t n, k;
    int proba;
    double *y, *p; /* y: n targets; p: n x k scores or n predictions */
    size_t n_expect;
    char metric[16][16];
    double value[16];
} fixture_case;

/* Read `count` doubles from the rest of a line that starts with `tag`. */
static void read_values(FILE *f, const char *tag, double *out, size_t count)
{
    char word[32];
    ck_assert_msg(fscanf(f, "%31s", word) == 1 && strcmp(word, tag) == 0, "fixture line starts with '%s'", tag);
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(fscanf(f, "%lf", &out[i]) == 1, "fixture '%s' line has %zu values", tag, count);
}

/* Next case of the fixture file; 0 at the end of the file. */
static int read_case(FILE *f, fixture_case *c)
{
    char kind[16];
    memset(c, 0, sizeof *c);
    if (fscanf(f, " case %63s %15s", c->name, kind) != 2)
        return 0;
    if (strcmp(kind, "classify") == 0) {
        c->task = KILN_TASK_CLASSIFY;
        ck_assert_msg(fscanf(f, "%zu %zu %d", &c->n, &c->k, &c->proba) == 3, "classify case header");
    } else {
        c->task = KILN_TASK_REGRESS;
        c->k = 1;
        ck_assert_msg(fscanf(f, "%zu", &c->n) == 1, "regress case header");
    }
    c->y = malloc(c->n * sizeof *c->y);
    c->p = malloc(c->n * c->k * sizeof *c->p);
    read_values(f, "y", c->y, c->n);
    if (c->task == KILN_TASK_CLASSIFY)
        for (size_t i = 0; i < c->n; i++)
            read_values(f, "s", c->p + i * c->k, c->k);
    else
        read_values(f, "p", c->p, c->n);
    char word[32];
    while (fscanf(f, "%31s", word) == 1 && strcmp(word, "end") != 0) {
        ck_assert_msg(strcmp(word, "expect") == 0 && c->n_expect < 16, "fixture expect line");
        ck_assert_msg(fscanf(f, "%15s %lf", c->metric[c->n_expect], &c->value[c->n_expect]) == 2,
                      "expect line has a metric and a value");
        c->n_expect++;
    }
    return 1;
}

static int agrees(double got, double want)
{
    if (isnan(want))
        return isnan(got);
    return fabs(got - want) <= REL_TOL * fmax(fabs(got), fabs(want)) || fabs(got - want) <= 1e-15;
}

START_TEST(metrics_match_scikit_learn)
{
    FILE *f = fopen(FIXTURE, "r");
    ck_assert_msg(f != NULL, "fixture %s opens", FIXTURE);
    fixture_case c;
    int cases = 0;
    while (read_case(f, &c)) {
        kiln_metrics m;
        kiln_status s;
        if (c.task == KILN_TASK_CLASSIFY) {
            kiln_mat scores = {c.p, c.n, c.k, c.k, 0};
            s = kiln_metrics_classify(c.y, &scores, c.proba, &m);
        } else {
            s = kiln_metrics_regress(c.y, c.p, c.n, &m);
        }
        ck_assert_msg(s == KILN_OK, "%s: metrics computed (%s)", c.name, kiln_last_error());
        ck_assert_msg(m.task == c.task, "%s: result carries its task", c.name);
        for (size_t j = 0; j < c.n_expect; j++) {
            double got;
            ck_assert_msg(kiln_metric_get(&m, c.metric[j], &got) == KILN_OK, "%s: metric %s exists", c.name,
                          c.metric[j]);
            ck_assert_msg(agrees(got, c.value[j]), "%s: %s is %.17g, scikit-learn gives %.17g", c.name,
                          c.metric[j], got, c.value[j]);
        }
        free(c.y);
        free(c.p);
        cases++;
    }
    fclose(f);
    ck_assert_msg(cases == 15, "all 15 fixture cases were read (read %d)", cases);
}
END_TEST

START_TEST(per_class_matches_classification_report)
{
    const char *path = KILN_SOURCE_DIR "/tests/data/metrics/per_class_fixture.txt";
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "fixture %s opens", path);
    size_t n, k;
    ck_assert_msg(fscanf(f, "%zu %zu", &n, &k) == 2 && k == 5, "fixture header: rows and 5 classes");
    double *y = malloc(n * sizeof *y), want[5][4], prec[5], rec[5], f1[5], sup[5];
    kiln_mat *scores = kiln_mat_new(n, k);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fscanf(f, "%lf", &y[i]) == 1, "fixture target %zu", i);
    for (size_t i = 0; i < n * k; i++)
        ck_assert_msg(fscanf(f, "%lf", &scores->data[i]) == 1, "fixture score %zu", i);
    for (size_t c = 0; c < k; c++)
        ck_assert_msg(fscanf(f, "%lf %lf %lf %lf", &want[c][0], &want[c][1], &want[c][2], &want[c][3]) == 4,
                      "fixture report line of class %zu", c);
    fclose(f);
    ck_assert_msg(kiln_metrics_per_class(y, scores, prec, rec, f1, sup) == KILN_OK, "per-class metrics succeed");
    for (size_t c = 0; c < k; c++) {
        ck_assert_msg(fabs(prec[c] - want[c][0]) < 1e-12, "class %zu precision %g, sklearn %g", c, prec[c], want[c][0]);
        ck_assert_msg(fabs(rec[c] - want[c][1]) < 1e-12, "class %zu recall %g, sklearn %g", c, rec[c], want[c][1]);
        ck_assert_msg(fabs(f1[c] - want[c][2]) < 1e-12, "class %zu F1 %g, sklearn %g", c, f1[c], want[c][2]);
        ck_assert_msg(sup[c] == want[c][3], "class %zu support %g, sklearn %g", c, sup[c], want[c][3]);
    }
    y[0] = 7;
    ck_assert_msg(kiln_metrics_per_class(y, scores, prec, rec, f1, sup) == KILN_EINPUT,
                  "a target outside the classes is refused");
    kiln_mat_free(scores);
    free(y);
}
END_TEST

START_TEST(argmax_takes_lowest_index_on_ties)
{
    double s[4] = {0.2, 0.4, 0.4, 0.0};
    ck_assert_msg(kiln_argmax_row(s, 4) == 1, "tie between columns 1 and 2 goes to 1");
    double neg[3] = {-3, -1, -2};
    ck_assert_msg(kiln_argmax_row(neg, 3) == 1, "argmax of negative scores");
    ck_assert_msg(kiln_argmax_row(neg, 1) == 0, "a single column is the argmax");
}
END_TEST

START_TEST(auc_handles_infinite_scores_and_ties)
{
    /* y = 0 1 0 1, scores -inf, inf, 0, 0: the tie at 0 counts half. */
    double y[4] = {0, 1, 0, 1};
    double sc[8] = {0, -INFINITY, 0, INFINITY, 0, 0, 0, 0};
    kiln_mat scores = {sc, 4, 2, 2, 0};
    kiln_metrics m;
    ck_assert_msg(kiln_metrics_classify(y, &scores, 0, &m) == KILN_OK, "infinite decision scores accepted");
    ck_assert_msg(m.auc == 0.875, "AUC = (1 + 1 + 1 + 0.5) / 4 = 0.875, got %.17g", m.auc);
    ck_assert_msg(isnan(m.logloss), "LogLoss is NaN without probabilities");
    ck_assert_msg(isnan(m.mae) && isnan(m.r2), "regression fields are NaN for classification");
}
END_TEST

START_TEST(names_follow_pycaret_tables)
{
    const char *const *names;
    size_t nc = kiln_metric_names(KILN_TASK_CLASSIFY, &names);
    const char *want_c[] = {"Accuracy", "AUC", "Recall", "Prec.", "F1", "Kappa", "MCC"};
    ck_assert_msg(nc == 7, "7 classification metrics in the table");
    for (size_t i = 0; i < nc; i++)
        ck_assert_msg(strcmp(names[i], want_c[i]) == 0, "classification name %zu is %s", i, want_c[i]);
    size_t nr = kiln_metric_names(KILN_TASK_REGRESS, &names);
    const char *want_r[] = {"MAE", "MSE", "RMSE", "R2", "RMSLE", "MAPE"};
    ck_assert_msg(nr == 6, "6 regression metrics in the table");
    for (size_t i = 0; i < nr; i++)
        ck_assert_msg(strcmp(names[i], want_r[i]) == 0, "regression name %zu is %s", i, want_r[i]);

    ck_assert_msg(kiln_metric_higher_better("Accuracy") && kiln_metric_higher_better("R2") &&
                      kiln_metric_higher_better("AUC") && kiln_metric_higher_better("MCC"),
                  "scores are higher-better");
    ck_assert_msg(!kiln_metric_higher_better("MAE") && !kiln_metric_higher_better("LogLoss") &&
                      !kiln_metric_higher_better("RMSLE") && !kiln_metric_higher_better("MAPE"),
                  "errors are lower-better");
}
END_TEST

START_TEST(metric_get_checks_the_name_and_task)
{
    double y[3] = {1, 2, 4}, p[3] = {1, 2, 5}, v = 0;
    kiln_metrics m;
    ck_assert_msg(kiln_metrics_regress(y, p, 3, &m) == KILN_OK, "regression metrics computed");
    ck_assert_msg(kiln_metric_get(&m, "mae", &v) == KILN_OK && v == 1.0 / 3.0, "names match case-insensitively");
    ck_assert_msg(kiln_metric_get(&m, "Accuracy", &v) == KILN_EINPUT, "a classification metric is refused");
    ck_assert_msg(strstr(kiln_last_error(), "unknown metric 'Accuracy' for regression; choose one of MAE") != NULL,
                  "the message names the metric, the task and the choices: %s", kiln_last_error());
    ck_assert_msg(isnan(m.accuracy) && isnan(m.auc), "classification fields are NaN for regression");

    double yc[2] = {0, 1}, sc[4] = {0.9, 0.1, 0.2, 0.8};
    kiln_mat scores = {sc, 2, 2, 2, 0};
    ck_assert_msg(kiln_metrics_classify(yc, &scores, 1, &m) == KILN_OK, "classification metrics computed");
    ck_assert_msg(kiln_metric_get(&m, "LogLoss", &v) == KILN_OK && fabs(v - (-log(0.9) - log(0.8)) / 2) < 1e-15,
                  "LogLoss reachable by name");
    ck_assert_msg(kiln_metric_get(&m, "Bogus", &v) == KILN_EINPUT, "an unknown name is refused");
    ck_assert_msg(strstr(kiln_last_error(),
                         "unknown metric 'Bogus' for classification; choose one of Accuracy, AUC, Recall, "
                         "Prec., F1, Kappa, MCC, LogLoss") != NULL,
                  "the message lists every classification metric: %s", kiln_last_error());
}
END_TEST

START_TEST(bad_input_is_refused)
{
    kiln_metrics m;
    double y[2] = {0, 2}, sc[4] = {0.5, 0.5, 0.5, 0.5};
    kiln_mat scores = {sc, 2, 2, 2, 0};
    ck_assert_msg(kiln_metrics_classify(y, &scores, 1, &m) == KILN_EINPUT, "class index out of range refused");
    y[1] = 0.5;
    ck_assert_msg(kiln_metrics_classify(y, &scores, 1, &m) == KILN_EINPUT, "fractional class refused");
    y[1] = 1;
    sc[3] = NAN;
    ck_assert_msg(kiln_metrics_classify(y, &scores, 1, &m) == KILN_EINPUT, "NaN score refused");
    kiln_mat one = {sc, 2, 1, 2, 0};
    ck_assert_msg(kiln_metrics_classify(y, &one, 1, &m) == KILN_EINPUT, "a single score column refused");
    kiln_mat none = {sc, 0, 2, 2, 0};
    ck_assert_msg(kiln_metrics_classify(y, &none, 1, &m) == KILN_EINPUT, "no rows refused");

    double yr[2] = {1, NAN}, pr[2] = {1, 2};
    ck_assert_msg(kiln_metrics_regress(yr, pr, 2, &m) == KILN_EINPUT, "NaN target refused");
    yr[1] = 2;
    pr[0] = NAN;
    ck_assert_msg(kiln_metrics_regress(yr, pr, 2, &m) == KILN_EINPUT, "NaN prediction refused");
    ck_assert_msg(kiln_metrics_regress(yr, pr, 0, &m) == KILN_EINPUT, "no rows refused");
}
END_TEST

START_TEST(rmsle_takes_magnitudes_as_pycaret_does)
{
    kiln_metrics m;
    double y[2] = {0, -3}, p[2] = {-1, 3};
    ck_assert_msg(kiln_metrics_regress(y, p, 2, &m) == KILN_OK, "metrics computed");
    ck_assert_msg(fabs(m.rmsle - sqrt(log(2) * log(2) / 2)) < 1e-15,
                  "a prediction of -1 counts as 1 and -3 against 3 as no error: %.17g", m.rmsle);
    p[0] = -0.5;
    ck_assert_msg(kiln_metrics_regress(y, p, 2, &m) == KILN_OK && fabs(m.rmsle - sqrt(log(1.5) * log(1.5) / 2)) < 1e-15,
                  "RMSLE of |p| = 0.5 against y = 0: %.17g", m.rmsle);
    ck_assert_msg(m.mape == 2.0, "MAPE leaves out the y = 0 row: %g", m.mape);
}
END_TEST

START_TEST(long_means_stay_accurate)
{
    /* A million errors of 0.1 around a large offset: the mean must stay 0.1. */
    size_t n = 1000000;
    double *y = malloc(n * sizeof *y), *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        y[i] = 1e6 + (double)(i % 7);
        p[i] = y[i] - 0.125;
    }
    kiln_metrics m;
    ck_assert_msg(kiln_metrics_regress(y, p, n, &m) == KILN_OK, "metrics computed");
    ck_assert_msg(m.mae == 0.125 && m.mse == 0.015625, "MAE and MSE exact over a million rows");
    free(y);
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, metrics_match_scikit_learn);
    tcase_add_test(tc, per_class_matches_classification_report);
    tcase_add_test(tc, argmax_takes_lowest_index_on_ties);
    tcase_add_test(tc, auc_handles_infinite_scores_and_ties);
    tcase_add_test(tc, names_follow_pycaret_tables);
    tcase_add_test(tc, metric_get_checks_the_name_and_task);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, rmsle_takes_magnitudes_as_pycaret_does);
    tcase_add_test(tc, long_means_stay_accurate);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
