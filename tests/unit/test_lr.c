/* lr against scikit-learn on the same standardised rows (tests/data/lr/, made by
 * make_lr_fixtures.py): LogisticRegression(C=1, max_iter=1000) accuracy within
 * 0.5 point and log loss within 1 %; LinearRegression R2 within 1e-9. Also the
 * save -> load -> predict round trip, bit for bit, and the gradient of the
 * logistic objective against finite differences (through the fitted optimum). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"
#include "kiln/metrics.h"
#include "linear_fixture.h"
#include "testrun.h"

extern const kiln_algo kiln_algo_lr;

typedef struct split {
    kiln_mat *train, *test;
    kiln_mat Xtr, Xte;
    double *ytr, *yte;
    size_t n_classes;
} split;

static double *last_column(const kiln_mat *m)
{
    double *y = malloc(m->rows * sizeof *y);
    for (size_t i = 0; i < m->rows; i++)
        y[i] = KILN_MAT_AT(m, i, m->cols - 1);
    return y;
}

static split load_split(const char *name)
{
    char buf[256];
    split s;
    snprintf(buf, sizeof buf, "tests/data/lr/%s_train.csv", name);
    s.train = test_load_matrix(buf);
    snprintf(buf, sizeof buf, "tests/data/lr/%s_test.csv", name);
    s.test = test_load_matrix(buf);
    ck_assert_msg(s.train && s.test, "fixtures for %s load", name);
    s.Xtr = kiln_mat_view(s.train, 0, 0, s.train->rows, s.train->cols - 1);
    s.Xte = kiln_mat_view(s.test, 0, 0, s.test->rows, s.test->cols - 1);
    s.ytr = last_column(s.train);
    s.yte = last_column(s.test);
    s.n_classes = 0;
    for (size_t i = 0; i < s.train->rows; i++)
        if ((size_t)s.ytr[i] + 1 > s.n_classes)
            s.n_classes = (size_t)s.ytr[i] + 1;
    return s;
}

static void free_split(split *s)
{
    kiln_mat_free(s->train);
    kiln_mat_free(s->test);
    free(s->ytr);
    free(s->yte);
}

static void *fit(const split *s, kiln_task task, kiln_params *p)
{
    kiln_dataset d = {.X = s->Xtr, .y = s->ytr, .task = task, .n_classes = task == KILN_TASK_CLASSIFY ? s->n_classes : 0};
    kiln_ctx ctx = kiln_ctx_default();
    void *m = NULL;
    ck_assert_msg(kiln_algo_lr.fit(&m, p, &d, &ctx) == KILN_OK, "lr fits: %s", kiln_last_error());
    return m;
}

static void check_classifier(const char *name, size_t row)
{
    kiln_mat *expected = test_load_matrix("tests/data/lr/expected.csv");
    split s = load_split(name);
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_lr.params);
    void *m = fit(&s, KILN_TASK_CLASSIFY, &p);
    kiln_mat *out = kiln_mat_new(s.test->rows, s.n_classes);
    ck_assert_msg(kiln_algo_lr.predict(m, &s.Xte, out) == KILN_OK, "lr predicts");
    kiln_metrics met;
    ck_assert_msg(kiln_metrics_classify(s.yte, out, 1, &met) == KILN_OK, "metrics");
    double acc = KILN_MAT_AT(expected, row, 1), ll = KILN_MAT_AT(expected, row, 2);
    ck_assert_msg(fabs(met.accuracy - acc) <= 0.005, "%s: accuracy %.4f vs scikit-learn %.4f", name, met.accuracy, acc);
    ck_assert_msg(fabs(met.logloss - ll) <= 0.01 * ll, "%s: log loss %.5f vs scikit-learn %.5f", name, met.logloss, ll);
    ck_assert_msg(kiln_algo_lr.warning(m) == NULL, "%s: the solver converged", name);
    lin_check_roundtrip("lr", m, &s.Xte, s.n_classes);
    kiln_mat_free(out);
    kiln_algo_lr.free(m);
    kiln_mat_free(expected);
    free_split(&s);
}

START_TEST(logistic_breast_cancer_matches_sklearn) { check_classifier("breast_cancer", 0); }
END_TEST
START_TEST(logistic_digits_matches_sklearn) { check_classifier("digits", 1); }
END_TEST
START_TEST(logistic_iris_matches_sklearn) { check_classifier("iris", 2); }
END_TEST

START_TEST(ols_diabetes_matches_sklearn)
{
    kiln_mat *expected = test_load_matrix("tests/data/lr/expected.csv");
    split s = load_split("diabetes");
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_lr.params);
    void *m = fit(&s, KILN_TASK_REGRESS, &p);
    kiln_mat *out = kiln_mat_new(s.test->rows, 1);
    kiln_algo_lr.predict(m, &s.Xte, out);
    kiln_metrics met;
    kiln_metrics_regress(s.yte, out->data, out->rows, &met);
    double r2 = KILN_MAT_AT(expected, 3, 3);
    ck_assert_msg(fabs(met.r2 - r2) <= 1e-9, "diabetes: R2 %.12f vs scikit-learn %.12f", met.r2, r2);
    kiln_mat_free(out);
    kiln_algo_lr.free(m);
    kiln_mat_free(expected);
    free_split(&s);
}
END_TEST

/* At the optimum the gradient vanishes; moving one coefficient by +-h raises the
 * (weighted) training log loss + penalty symmetrically. We check the optimum
 * against finite differences of the objective computed independently here. */
static double objective(const split *s, const double *coef, double b, double C)
{
    size_t n = s->Xtr.rows, d = s->Xtr.cols;
    double loss = 0, pen = 0;
    for (size_t i = 0; i < n; i++) {
        double f = b;
        for (size_t j = 0; j < d; j++)
            f += KILN_MAT_AT(&s->Xtr, i, j) * coef[j];
        double t = s->ytr[i] == 1 ? 1 : -1;
        loss += log1p(exp(-t * f));
    }
    for (size_t j = 0; j < d; j++)
        pen += coef[j] * coef[j];
    return loss / (double)n + 0.5 * pen / (C * (double)n);
}

START_TEST(logistic_optimum_has_zero_finite_difference_gradient)
{
    split s = load_split("breast_cancer");
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_lr.params);
    kiln_params_set(&p, "tol=1e-8");
    void *m = fit(&s, KILN_TASK_CLASSIFY, &p);
    /* Read the coefficients back through inspect's JSON-free path: predict on unit rows. */
    size_t d = s.Xtr.cols;
    kiln_mat *unit = kiln_mat_new(d + 1, d);
    for (size_t j = 0; j < d; j++)
        KILN_MAT_AT(unit, j + 1, j) = 1.0;
    kiln_mat *out = kiln_mat_new(d + 1, 2);
    kiln_algo_lr.predict(m, unit, out);
    double logit0 = log(KILN_MAT_AT(out, 0, 1) / KILN_MAT_AT(out, 0, 0));
    double *coef = malloc(d * sizeof *coef);
    for (size_t j = 0; j < d; j++)
        coef[j] = log(KILN_MAT_AT(out, j + 1, 1) / KILN_MAT_AT(out, j + 1, 0)) - logit0;
    double h = 1e-4, worst = 0;
    for (size_t j = 0; j < d; j++) {
        double c = coef[j];
        coef[j] = c + h;
        double fp = objective(&s, coef, logit0, 1.0);
        coef[j] = c - h;
        double fm = objective(&s, coef, logit0, 1.0);
        coef[j] = c;
        double g = (fp - fm) / (2 * h);
        worst = fabs(g) > worst ? fabs(g) : worst;
    }
    ck_assert_msg(worst < 1e-6, "finite-difference gradient at the optimum is %.3g", worst);
    free(coef);
    kiln_mat_free(unit);
    kiln_mat_free(out);
    kiln_algo_lr.free(m);
    free_split(&s);
}
END_TEST

START_TEST(max_iter_reached_is_reported)
{
    split s = load_split("digits");
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_lr.params);
    kiln_params_set(&p, "max_iter=2");
    void *m = fit(&s, KILN_TASK_CLASSIFY, &p);
    const char *w = kiln_algo_lr.warning(m);
    ck_assert_msg(w && strstr(w, "max_iter"), "a fit stopped at max_iter says so");
    kiln_algo_lr.free(m);
    free_split(&s);
}
END_TEST

START_TEST(corrupt_shape_is_refused)
{
    kiln_writer *w = kiln_writer_new();
    kiln_writer_section(w, "ESTM");
    kiln_w_u32(w, 1);   /* classification */
    kiln_w_u64(w, 3);   /* d */
    kiln_w_u64(w, 2);   /* k = 2 is wrong for two classes */
    kiln_w_u64(w, 2);
    const unsigned char *bytes;
    size_t len;
    kiln_writer_finish(w, &bytes, &len);
    kiln_reader *r;
    kiln_reader_open_mem(bytes, len, "mem", &r);
    kiln_reader_section(r, "ESTM");
    void *m = NULL;
    ck_assert_msg(kiln_algo_lr.load(&m, r) == KILN_EINPUT && m == NULL, "inconsistent shape is an input error");
    kiln_reader_free(r);
    kiln_writer_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lr");
    TCase *tc = tcase_create("lr");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, logistic_breast_cancer_matches_sklearn);
    tcase_add_test(tc, logistic_digits_matches_sklearn);
    tcase_add_test(tc, logistic_iris_matches_sklearn);
    tcase_add_test(tc, ols_diabetes_matches_sklearn);
    tcase_add_test(tc, logistic_optimum_has_zero_finite_difference_gradient);
    tcase_add_test(tc, max_iter_reached_is_reported);
    tcase_add_test(tc, corrupt_shape_is_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
