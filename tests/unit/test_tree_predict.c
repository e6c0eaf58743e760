/* Tree ensembles predict a block of rows through one tree after another
 * (kiln_tree_predict_block): the block sizes, and so how many rows are
 * predicted at once, must not change a single score. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/tree_impl.h"
#include "kiln/algo.h"
#include "kiln/util.h"
#include "testdata.h"

START_TEST(block_sizes_follow_rows_threads_and_cache)
{
    ck_assert_msg(kiln_tree_predict_block(10, 5, 2) == 512, "a few rows: one block of the minimum size");
    ck_assert_msg(kiln_tree_predict_block(100000, 10, 2) == 50000, "narrow rows: one block per thread");
    ck_assert_msg(kiln_tree_predict_block(100001, 10, 2) == 50001, "the per-thread share rounds up");
    ck_assert_msg(kiln_tree_predict_block(100000, 784, 2) == (8u << 20) / (784 * sizeof(double) + 1),
                  "wide rows: as many as 8 MB hold");
    ck_assert_msg(kiln_tree_predict_block(100000, 100000, 2) == 512, "very wide rows: never below the minimum");
}
END_TEST

/* digits' training rows (1258 x 64) split in two blocks on two threads. */
static kiln_mat *digits_rows(double **y)
{
    kiln_mat *all = test_load_matrix("tests/data/trees/digits_train.csv");
    ck_assert_msg(all != NULL, "the digits fixture loads");
    size_t d = all->cols - 1;
    *y = malloc(all->rows * sizeof **y);
    for (size_t i = 0; i < all->rows; i++)
        (*y)[i] = KILN_MAT_AT(all, i, d);
    return all;
}

/* The scores of rows [lo, hi) predicted on their own. */
static kiln_mat *predict_rows(const kiln_algo *a, const void *model, const kiln_mat *X, size_t lo, size_t hi,
                              size_t k)
{
    kiln_mat view = kiln_mat_view(X, lo, 0, hi - lo, X->cols);
    kiln_mat *out = kiln_mat_new(hi - lo, k);
    ck_assert_msg(a->predict(model, &view, out) == KILN_OK, "%s predicts rows %zu..%zu: %s", a->id, lo, hi,
                  kiln_last_error());
    return out;
}

START_TEST(scores_do_not_depend_on_how_many_rows_are_predicted)
{
    static const char *const ids[] = {"rf", "et", "gbm"};
    double *y;
    kiln_mat *all = digits_rows(&y);
    kiln_dataset d = {.X = kiln_mat_view(all, 0, 0, all->rows, all->cols - 1), .y = y,
                      .task = KILN_TASK_CLASSIFY, .n_classes = 10};
    size_t n = d.X.rows, k = 10;
    for (size_t m = 0; m < sizeof ids / sizeof *ids; m++) {
        const kiln_algo *a = kiln_algo_find(ids[m]);
        kiln_params p;
        kiln_params_defaults(&p, a->params);
        ck_assert_msg(kiln_params_set(&p, "n_estimators=20") == KILN_OK, "%s takes n_estimators", ids[m]);
        kiln_ctx c = kiln_ctx_default();
        void *model;
        ck_assert_msg(a->fit(&model, &p, &d, &c) == KILN_OK, "%s fits digits: %s", ids[m], kiln_last_error());
        kiln_mat *whole = predict_rows(a, model, &d.X, 0, n, k);
        ck_assert_msg(kiln_tree_predict_block(n, d.X.cols, kiln_cpu_count()) < n || kiln_cpu_count() == 1,
                      "the whole set is more than one block");
        for (size_t lo = 0; lo < n; lo += 97) {
            size_t hi = lo + 97 < n ? lo + 97 : n;
            kiln_mat *part = predict_rows(a, model, &d.X, lo, hi, k);
            for (size_t i = lo; i < hi; i++)
                ck_assert_msg(memcmp(KILN_MAT_ROW(part, i - lo), KILN_MAT_ROW(whole, i), k * sizeof(double)) == 0,
                              "%s: row %zu scores the same in 97 rows as in %zu", ids[m], i, n);
            kiln_mat_free(part);
        }
        kiln_mat *one = predict_rows(a, model, &d.X, n - 1, n, k);
        ck_assert_msg(memcmp(KILN_MAT_ROW(one, 0), KILN_MAT_ROW(whole, n - 1), k * sizeof(double)) == 0,
                      "%s: the last row scores the same alone", ids[m]);
        kiln_mat_free(one);
        kiln_mat_free(whole);
        a->free(model);
    }
    kiln_dataset_clear_cache(&d);
    kiln_mat_free(all);
    free(y);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tree_predict");
    TCase *tc = tcase_create("blocks");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, block_sizes_follow_rows_threads_and_cache);
    tcase_add_test(tc, scores_do_not_depend_on_how_many_rows_are_predicted);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
