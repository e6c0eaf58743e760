/* nb: predictions identical to scikit-learn's GaussianNB on breast_cancer, wine and
 * digits, probabilities within 1e-6 (digits has near-constant pixels whose tiny
 * variances amplify rounding); weights; bad input; the round trip. */
#include <math.h>
#include "linear_fixture.h"
#include "testrun.h"

START_TEST(matches_sklearn)
{
    for (size_t s = 0; s < LIN_N_CLASSIFY; s++) {
        const char *name = LIN_CLASSIFY[s].name;
        size_t k = LIN_CLASSIFY[s].n_classes;
        lin_case lc;
        lin_case_load(&lc, name, k, "nb");
        const kiln_mat *ref = lc.ref;
        void *m;
        ck_assert_msg(lin_fit("nb", "", &lc.tr.ds, 1, &m) == KILN_OK, "nb fits %s", name);
        kiln_mat *p = lin_predict("nb", m, &lc.te.ds.X, k);
        for (size_t i = 0; i < p->rows; i++) {
            size_t best = 0;
            for (size_t c = 0; c < k; c++) {
                if (KILN_MAT_AT(p, i, c) > KILN_MAT_AT(p, i, best))
                    best = c;
                ck_assert_msg(fabs(KILN_MAT_AT(p, i, c) - KILN_MAT_AT(ref, i, c + 1)) < 1e-6,
                              "%s row %zu class %zu: probability %.12g vs %.12g", name, i, c, KILN_MAT_AT(p, i, c),
                              KILN_MAT_AT(ref, i, c + 1));
            }
            ck_assert_msg((double)best == KILN_MAT_AT(ref, i, 0), "%s row %zu: same prediction as scikit-learn",
                          name, i);
        }
        lin_check_roundtrip("nb", m, &lc.te.ds.X, k);
        const kiln_algo *a = kiln_algo_find("nb");
        char *buf;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        kiln_inspect_args args = {.format = KILN_INSPECT_JSON};
        ck_assert_msg(a->inspect(m, &args, f) == KILN_OK, "inspect json");
        args.format = KILN_INSPECT_TEXT;
        ck_assert_msg(a->inspect(m, &args, f) == KILN_OK, "inspect text");
        fclose(f);
        ck_assert_msg(strstr(buf, "\"prior\"") && strstr(buf, "variance"), "inspect shows priors and variances");
        free(buf);
        kiln_mat_free(p);
        a->free(m);
        lin_case_free(&lc);
    }
}
END_TEST

START_TEST(integer_weights_equal_repeated_rows)
{
    /* Weight 2 on every row of class 0 is the same as listing those rows twice. */
    lin_split tr;
    lin_split_load(&tr, "wine", "train", 3);
    size_t n = tr.ds.X.rows, extra = 0;
    double *w = malloc(n * sizeof *w);
    for (size_t i = 0; i < n; i++) {
        w[i] = tr.y[i] == 0 ? 2 : 1;
        extra += tr.y[i] == 0;
    }
    size_t *idx = malloc((n + extra) * sizeof *idx), k = 0;
    for (size_t i = 0; i < n; i++) {
        idx[k++] = i;
        if (tr.y[i] == 0)
            idx[k++] = i;
    }
    kiln_mat *Xr = kiln_mat_take_rows(&tr.ds.X, idx, k);
    double *yr = malloc(k * sizeof *yr);
    for (size_t i = 0; i < k; i++)
        yr[i] = tr.y[idx[i]];
    kiln_dataset wd = tr.ds, rd = tr.ds;
    wd.w = w;
    rd.X = *Xr;
    rd.y = yr;
    void *a, *b;
    ck_assert_msg(lin_fit("nb", "var_smoothing=0", &wd, 1, &a) == KILN_OK, "weighted nb fits");
    ck_assert_msg(lin_fit("nb", "var_smoothing=0", &rd, 1, &b) == KILN_OK, "repeated nb fits");
    kiln_mat *pa = lin_predict("nb", a, &tr.ds.X, 3), *pb = lin_predict("nb", b, &tr.ds.X, 3);
    for (size_t i = 0; i < n * 3; i++)
        ck_assert_msg(fabs(pa->data[i] - pb->data[i]) < 1e-9, "weights act as repetitions");
    kiln_mat_free(pa);
    kiln_mat_free(pb);
    kiln_algo_find("nb")->free(a);
    kiln_algo_find("nb")->free(b);
    kiln_mat_free(Xr);
    free(yr);
    free(idx);
    free(w);
    lin_split_free(&tr);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_find("nb")->params);
    ck_assert_msg(kiln_params_set(&p, "var_smoothing=-1") == KILN_EINPUT, "var_smoothing < 0 is refused");
    lin_split tr;
    lin_split_load(&tr, "diabetes", "train", 0);
    void *m = NULL;
    ck_assert_msg(lin_fit("nb", "", &tr.ds, 1, &m) == KILN_EINPUT && m == NULL, "nb refuses regression");
    lin_split_free(&tr);
    kiln_algo_find("nb")->free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nb");
    TCase *tc = tcase_create("nb");
    tcase_add_test(tc, matches_sklearn);
    tcase_add_test(tc, integer_weights_equal_repeated_rows);
    tcase_add_test(tc, bad_input_is_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
