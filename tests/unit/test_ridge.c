/* ridge: coefficients against scikit-learn's Ridge (diabetes) and RidgeClassifier
 * (breast_cancer, wine, digits) within 1e-8 relative, the singular alpha=0 fallback,
 * bad parameters and the save/load round trip. */
#include <math.h>
#include "linear_fixture.h"
#include "algos/linear/linear_impl.h"
#include "testrun.h"

/* Every coefficient and intercept within rel * (1 + |reference|). */
static void check_coef(const kiln_linmodel *m, const kiln_mat *ref, double rel, const char *what)
{
    ck_assert_msg(ref->rows == m->rows && ref->cols == m->d + 1, "%s: reference has %zu rows of %zu", what, m->rows,
                  m->d + 1);
    for (size_t r = 0; r < m->rows; r++) {
        double b = KILN_MAT_AT(ref, r, 0);
        ck_assert_msg(fabs(m->intercept[r] - b) <= rel * (1 + fabs(b)), "%s row %zu: intercept %.15g vs %.15g", what,
                      r, m->intercept[r], b);
        for (size_t j = 0; j < m->d; j++) {
            double c = KILN_MAT_AT(ref, r, j + 1);
            ck_assert_msg(fabs(m->coef[r * m->d + j] - c) <= rel * (1 + fabs(c)), "%s row %zu coef %zu: %.15g vs %.15g",
                          what, r, j, m->coef[r * m->d + j], c);
        }
    }
}

START_TEST(regression_matches_sklearn)
{
    lin_case lc;
    lin_case_load(&lc, "diabetes", 0, "ridge");
    void *m;
    ck_assert_msg(lin_fit("ridge", "alpha=1", &lc.tr.ds, 1, &m) == KILN_OK, "ridge fits: %s", kiln_last_error());
    check_coef(m, lc.ref, 1e-8, "diabetes ridge");
    lin_check_roundtrip("ridge", m, &lc.te.ds.X, 1);
    kiln_linmodel_free(m);
    lin_case_free(&lc);
}
END_TEST

START_TEST(classifier_matches_sklearn)
{
    for (size_t s = 0; s < LIN_N_CLASSIFY; s++) {
        const lin_set *set = &LIN_CLASSIFY[s];
        lin_case lc;
        lin_case_load(&lc, set->name, set->n_classes, "ridgeclf");
        void *m;
        ck_assert_msg(lin_fit("ridge", "", &lc.tr.ds, 1, &m) == KILN_OK, "ridge classifier fits %s", set->name);
        check_coef(m, lc.ref, 1e-8, set->name);
        lin_check_roundtrip("ridge", m, &lc.te.ds.X, set->n_classes);
        kiln_linmodel_free(m);
        lin_case_free(&lc);
    }
}
END_TEST

START_TEST(singular_system_falls_back_to_least_squares)
{
    /* Column 2 duplicates column 1 and alpha = 0: the normal equations are singular;
     * the minimum-norm solution splits the weight evenly and fits y = 1 + 3 x exactly. */
    kiln_mat *X = kiln_mat_new(6, 2);
    double y[6];
    for (size_t i = 0; i < 6; i++) {
        KILN_MAT_AT(X, i, 0) = KILN_MAT_AT(X, i, 1) = (double)i;
        y[i] = 1 + 3 * (double)i;
    }
    kiln_dataset ds = {.X = *X, .y = y, .task = KILN_TASK_REGRESS};
    void *m;
    ck_assert_msg(lin_fit("ridge", "alpha=0", &ds, 1, &m) == KILN_OK, "singular ridge falls back: %s",
                  kiln_last_error());
    const kiln_linmodel *lm = m;
    ck_assert_msg(fabs(lm->coef[0] - 1.5) < 1e-9 && fabs(lm->coef[1] - 1.5) < 1e-9, "minimum-norm coefficients 1.5, 1.5");
    ck_assert_msg(fabs(lm->intercept[0] - 1) < 1e-9, "intercept 1");
    kiln_linmodel_free(m);
    kiln_mat_free(X);
}
END_TEST

START_TEST(bad_parameters_are_refused)
{
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_find("ridge")->params);
    ck_assert_msg(kiln_params_set(&p, "alpha=-1") == KILN_EINPUT, "alpha < 0 is refused");
    ck_assert_msg(strstr(kiln_last_error(), "alpha") != NULL, "the message names alpha");
    ck_assert_msg(kiln_params_set(&p, "alpha=0") == KILN_OK, "alpha = 0 is allowed");
    lin_split tr;
    lin_split_load(&tr, "breast_cancer", "train", 2);
    tr.ds.n_classes = 1;
    void *m = NULL;
    ck_assert_msg(lin_fit("ridge", "", &tr.ds, 1, &m) == KILN_EINPUT && m == NULL, "one class is refused");
    lin_split_free(&tr);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ridge");
    TCase *tc = tcase_create("ridge");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, regression_matches_sklearn);
    tcase_add_test(tc, classifier_matches_sklearn);
    tcase_add_test(tc, singular_system_falls_back_to_least_squares);
    tcase_add_test(tc, bad_parameters_are_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
