/* lasso, en: coefficients against scikit-learn's Lasso / ElasticNet on diabetes within
 * 1e-4 relative, the converged flag, l1_ratio limits, bad parameters and the round trip. */
#include <math.h>
#include "linear_fixture.h"
#include "algos/linear/linear_impl.h"
#include "testrun.h"

static void check_against(const char *id, const char *settings)
{
    lin_case lc;
    lin_case_load(&lc, "diabetes", 0, id);
    const kiln_mat *ref = lc.ref;
    void *m;
    ck_assert_msg(lin_fit(id, settings, &lc.tr.ds, 1, &m) == KILN_OK, "%s fits: %s", id, kiln_last_error());
    const kiln_linmodel *lm = m;
    ck_assert_msg(lm->converged, "%s converges", id);
    double scale = 0;
    for (size_t j = 0; j < lm->d; j++)
        scale = fmax(scale, fabs(KILN_MAT_AT(ref, 0, j + 1)));
    ck_assert_msg(fabs(lm->intercept[0] - KILN_MAT_AT(ref, 0, 0)) <= 1e-4 * fabs(KILN_MAT_AT(ref, 0, 0)),
                  "%s intercept %.10g vs %.10g", id, lm->intercept[0], KILN_MAT_AT(ref, 0, 0));
    for (size_t j = 0; j < lm->d; j++) {
        double c = KILN_MAT_AT(ref, 0, j + 1);
        ck_assert_msg(fabs(lm->coef[j] - c) <= 1e-4 * scale, "%s coef %zu: %.10g vs %.10g", id, j, lm->coef[j], c);
        ck_assert_msg((lm->coef[j] == 0) == (c == 0), "%s coef %zu: same sparsity as scikit-learn", id, j);
    }
    lin_check_roundtrip(id, m, &lc.te.ds.X, 1);
    kiln_linmodel_free(m);
    lin_case_free(&lc);
}

START_TEST(lasso_matches_sklearn)
{
    check_against("lasso", "alpha=0.5");
}
END_TEST

START_TEST(en_matches_sklearn)
{
    check_against("en", "alpha=0.5 l1_ratio=0.5");
}
END_TEST

START_TEST(en_with_l1_ratio_one_is_lasso)
{
    lin_split tr;
    lin_split_load(&tr, "diabetes", "train", 0);
    void *a, *b;
    ck_assert_msg(lin_fit("en", "alpha=0.5 l1_ratio=1", &tr.ds, 1, &a) == KILN_OK, "en fits");
    ck_assert_msg(lin_fit("lasso", "alpha=0.5", &tr.ds, 1, &b) == KILN_OK, "lasso fits");
    const kiln_linmodel *ma = a, *mb = b;
    ck_assert_msg(memcmp(ma->coef, mb->coef, ma->d * sizeof(double)) == 0, "en(l1_ratio=1) == lasso");
    kiln_linmodel_free(a);
    kiln_linmodel_free(b);
    lin_split_free(&tr);
}
END_TEST

START_TEST(iteration_limit_and_random_selection)
{
    lin_split tr;
    lin_split_load(&tr, "diabetes", "train", 0);
    void *m;
    ck_assert_msg(lin_fit("lasso", "alpha=0.01 max_iter=1 tol=1e-12", &tr.ds, 1, &m) == KILN_OK, "lasso fits");
    ck_assert_msg(kiln_algo_find("lasso")->warning(m) != NULL, "stopping at max_iter is reported");
    kiln_linmodel_free(m);
    ck_assert_msg(lin_fit("en", "selection=random", &tr.ds, 1, &m) == KILN_OK, "random selection fits");
    ck_assert_msg(kiln_algo_find("en")->warning(m) == NULL, "random selection converges");
    kiln_linmodel_free(m);
    lin_split_free(&tr);
}
END_TEST

START_TEST(bad_parameters_are_refused)
{
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_find("en")->params);
    ck_assert_msg(kiln_params_set(&p, "alpha=-0.1") == KILN_EINPUT, "alpha < 0 is refused");
    ck_assert_msg(kiln_params_set(&p, "l1_ratio=1.5") == KILN_EINPUT, "l1_ratio > 1 is refused");
    ck_assert_msg(kiln_params_set(&p, "l1_ratio=-0.5") == KILN_EINPUT, "l1_ratio < 0 is refused");
    ck_assert_msg(strstr(kiln_last_error(), "l1_ratio") != NULL, "the message names l1_ratio");
    lin_split tr;
    lin_split_load(&tr, "wine", "train", 3);
    void *m = NULL;
    ck_assert_msg(lin_fit("lasso", "", &tr.ds, 1, &m) == KILN_EINPUT && m == NULL, "lasso refuses classification");
    lin_split_free(&tr);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lasso");
    TCase *tc = tcase_create("lasso");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, lasso_matches_sklearn);
    tcase_add_test(tc, en_matches_sklearn);
    tcase_add_test(tc, en_with_l1_ratio_one_is_lasso);
    tcase_add_test(tc, iteration_limit_and_random_selection);
    tcase_add_test(tc, bad_parameters_are_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
