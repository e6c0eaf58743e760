/* lr with penalty l1 / elasticnet against scikit-learn's LogisticRegression(solver='saga')
 * run to tol=1e-10 (tests/data/lr/penalty_expected.csv, made by
 * make_lr_penalty_fixtures.py) on the standardised splits of tests/data/linear/:
 * scikit-learn's objective C sum_i logloss_i + rho |W|_1 + (1 - rho)/2 |W|^2 within
 * 1e-4 relative and held-out accuracy within 0.2 point, at kiln's default tol. Also:
 * l1 zeroes coefficients, inspect reports the solver, its iterations and
 * convergence, max_iter is reported, l1_ratio outside [0, 1] is refused, and the
 * thread count does not change a fit. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linear_fixture.h"
#include "testrun.h"

typedef struct penalty_case {
    const char *dataset;
    size_t n_classes;
    const char *settings;
    double C, rho;
} penalty_case;

/* The rows of penalty_expected.csv, in order. */
static const penalty_case CASES[] = {
    {"breast_cancer", 2, "penalty=l1 C=1", 1.0, 1.0},
    {"breast_cancer", 2, "penalty=l1 C=0.1", 0.1, 1.0},
    {"breast_cancer", 2, "penalty=elasticnet C=1 l1_ratio=0.5", 1.0, 0.5},
    {"wine", 3, "penalty=l1 C=1", 1.0, 1.0},
    {"wine", 3, "penalty=l1 C=0.1", 0.1, 1.0},
    {"wine", 3, "penalty=elasticnet C=1 l1_ratio=0.5", 1.0, 0.5},
};

/* `kiln inspect`'s text for a model. */
static char *inspect_text(const void *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    kiln_inspect_args a = {.format = KILN_INSPECT_TEXT, .tree = -1};
    ck_assert_msg(kiln_algo_find("lr")->inspect(m, &a, f) == KILN_OK, "lr inspects");
    fclose(f);
    return buf;
}

/* |W|_1 and |W|^2 from the inspect text (every "  x<j> value" line; intercepts excluded). */
static void coefficient_norms(const void *m, double *l1, double *sq, size_t *zeros)
{
    char *text = inspect_text(m);
    *l1 = *sq = 0;
    *zeros = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        size_t j;
        double v;
        if (sscanf(line, " x%zu %lf", &j, &v) == 2) {
            *l1 += fabs(v);
            *sq += v * v;
            *zeros += v == 0;
        }
    }
    free(text);
}

/* C sum_i -log p(y_i | x_i) + penalty, on the training rows. */
static double sklearn_objective(const void *m, const lin_split *tr, const penalty_case *pc)
{
    kiln_mat *P = lin_predict("lr", m, &tr->ds.X, pc->n_classes);
    double loss = 0, l1, sq;
    size_t zeros;
    for (size_t i = 0; i < P->rows; i++)
        loss -= log(KILN_MAT_AT(P, i, (size_t)tr->y[i]));
    kiln_mat_free(P);
    coefficient_norms(m, &l1, &sq, &zeros);
    return pc->C * loss + pc->rho * l1 + 0.5 * (1 - pc->rho) * sq;
}

START_TEST(penalised_objective_matches_sklearn)
{
    const penalty_case *pc = &CASES[_i];
    kiln_mat *expected = test_load_matrix("tests/data/lr/penalty_expected.csv");
    ck_assert_msg(expected && expected->rows == sizeof CASES / sizeof *CASES, "penalty_expected.csv has every case");
    lin_split tr, te;
    lin_split_load(&tr, pc->dataset, "train", pc->n_classes);
    lin_split_load(&te, pc->dataset, "test", pc->n_classes);
    void *m = NULL;
    ck_assert_msg(lin_fit("lr", pc->settings, &tr.ds, 1, &m) == KILN_OK, "%s %s fits: %s", pc->dataset,
                  pc->settings, kiln_last_error());
    ck_assert_msg(kiln_algo_find("lr")->warning(m) == NULL, "%s %s: the solver converged", pc->dataset, pc->settings);
    double obj = sklearn_objective(m, &tr, pc), want = KILN_MAT_AT(expected, _i, 1);
    ck_assert_msg(fabs(obj - want) <= 1e-4 * want, "%s %s: objective %.8f vs scikit-learn %.8f", pc->dataset,
                  pc->settings, obj, want);
    kiln_mat *P = lin_predict("lr", m, &te.ds.X, pc->n_classes);
    double acc = lin_accuracy(P, te.y), want_acc = KILN_MAT_AT(expected, _i, 2);
    ck_assert_msg(fabs(acc - want_acc) <= 0.002, "%s %s: held-out accuracy %.4f vs scikit-learn %.4f", pc->dataset,
                  pc->settings, acc, want_acc);
    lin_check_roundtrip("lr", m, &te.ds.X, pc->n_classes);
    kiln_mat_free(P);
    kiln_algo_find("lr")->free(m);
    lin_split_free(&tr);
    lin_split_free(&te);
    kiln_mat_free(expected);
}
END_TEST

START_TEST(l1_zeroes_coefficients_and_inspect_reports_the_solver)
{
    lin_split tr;
    lin_split_load(&tr, "breast_cancer", "train", 2);
    void *m = NULL;
    ck_assert_msg(lin_fit("lr", "penalty=l1 C=0.1", &tr.ds, 1, &m) == KILN_OK, "fits");
    double l1, sq;
    size_t zeros;
    coefficient_norms(m, &l1, &sq, &zeros);
    ck_assert_msg(zeros >= 5, "l1 at C=0.1 zeroes coefficients exactly (%zu of 30)", zeros);
    char *text = inspect_text(m);
    ck_assert_msg(strstr(text, "proximal Newton") && strstr(text, "iterations, converged"),
                  "inspect names the solver, its iterations and that it converged: %s", text);
    free(text);
    kiln_algo_find("lr")->free(m);
    lin_split_free(&tr);
}
END_TEST

START_TEST(max_iter_reached_warns)
{
    lin_split tr;
    lin_split_load(&tr, "wine", "train", 3);
    void *m = NULL;
    ck_assert_msg(lin_fit("lr", "penalty=l1 max_iter=1", &tr.ds, 1, &m) == KILN_OK, "fits");
    const char *w = kiln_algo_find("lr")->warning(m);
    ck_assert_msg(w && strstr(w, "max_iter"), "a fit stopped at max_iter says so");
    char *text = inspect_text(m);
    ck_assert_msg(strstr(text, "1 iterations, did NOT converge"), "inspect says it did not converge: %s", text);
    free(text);
    kiln_algo_find("lr")->free(m);
    lin_split_free(&tr);
}
END_TEST

/* digits' training rows stacked `copies` times (more than one parallel chunk of rows). */
static kiln_mat *stacked(const lin_split *tr, size_t copies, double **y)
{
    size_t n = tr->ds.X.rows, d = tr->ds.X.cols;
    kiln_mat *X = kiln_mat_new(n * copies, d);
    *y = malloc(n * copies * sizeof **y);
    for (size_t r = 0; r < n * copies; r++) {
        memcpy(KILN_MAT_ROW(X, r), KILN_MAT_ROW(&tr->ds.X, r % n), d * sizeof(double));
        (*y)[r] = tr->y[r % n];
    }
    return X;
}

START_TEST(thread_count_does_not_change_the_fit)
{
    const char *settings[] = {"penalty=l2", "penalty=l1 C=0.1"};
    lin_split tr;
    lin_split_load(&tr, "digits", "train", 10);
    double *y;
    kiln_mat *X = stacked(&tr, 4, &y);
    kiln_dataset ds = {.X = *X, .y = y, .task = KILN_TASK_CLASSIFY, .n_classes = 10};
    for (size_t s = 0; s < 2; s++) {
        void *m1 = NULL, *m2 = NULL;
        ck_assert_msg(lin_fit("lr", settings[s], &ds, 1, &m1) == KILN_OK, "%s fits on 1 thread", settings[s]);
        ck_assert_msg(lin_fit("lr", settings[s], &ds, 2, &m2) == KILN_OK, "%s fits on 2 threads", settings[s]);
        kiln_mat *P1 = lin_predict("lr", m1, &tr.ds.X, 10), *P2 = lin_predict("lr", m2, &tr.ds.X, 10);
        ck_assert_msg(memcmp(P1->data, P2->data, P1->rows * 10 * sizeof(double)) == 0,
                      "%s: 1 and 2 threads give bit-identical models", settings[s]);
        kiln_mat_free(P1);
        kiln_mat_free(P2);
        kiln_algo_find("lr")->free(m1);
        kiln_algo_find("lr")->free(m2);
    }
    kiln_mat_free(X);
    free(y);
    lin_split_free(&tr);
}
END_TEST

START_TEST(l1_ratio_outside_unit_interval_is_refused)
{
    const char *bad[] = {"l1_ratio=1.5", "l1_ratio=-0.1", "l1_ratio=nan", "penalty=l3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        kiln_params p;
        kiln_params_defaults(&p, kiln_algo_find("lr")->params);
        ck_assert_msg(kiln_params_set(&p, bad[i]) == KILN_EINPUT, "%s is an input error", bad[i]);
        const char *name = i < 3 ? "l1_ratio" : "penalty";
        ck_assert_msg(strstr(kiln_last_error(), name), "the message names %s: %s", name, kiln_last_error());
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lr_penalty");
    TCase *tc = tcase_create("lr_penalty");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, penalised_objective_matches_sklearn, 0, (int)(sizeof CASES / sizeof *CASES));
    tcase_add_test(tc, l1_zeroes_coefficients_and_inspect_reports_the_solver);
    tcase_add_test(tc, max_iter_reached_warns);
    tcase_add_test(tc, l1_ratio_outside_unit_interval_is_refused);
    tcase_add_test(tc, thread_count_does_not_change_the_fit);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
