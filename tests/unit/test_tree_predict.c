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

/* A tree of n nodes (contents unset: only its size is read). */
static kiln_tree *sized_tree(size_t n)
{
    kiln_tree *t = kiln_tree_new(8, 1);
    ck_assert_msg(t && kiln_tree_alloc(t, n, NULL) == KILN_OK, "a tree of %zu nodes", n);
    return t;
}

START_TEST(block_sizes_follow_trees_rows_threads_and_cache)
{
    kiln_tree *small = sized_tree(100), *large = sized_tree(100000); /* 5.8 KB, 5.8 MB */
    const kiln_tree *smalls[] = {small, small}, *mixed[] = {small, large};
    kiln_mat narrow = {.rows = 100000, .cols = 10}, wide = {.rows = 100000, .cols = 784};
    kiln_mat few = {.rows = 10, .cols = 5}, odd = {.rows = 100001, .cols = 10}, huge = {.rows = 100000, .cols = 100000};
    /* small trees: blocks whose rows fit 512 KB */
    ck_assert_msg(kiln_tree_predict_block(smalls, 2, &narrow, 2) == (512u << 10) / (10 * sizeof(double) + 1),
                  "small trees, narrow rows: as many as 512 KB hold");
    ck_assert_msg(kiln_tree_predict_block(smalls, 2, &wide, 2) == (512u << 10) / (784 * sizeof(double) + 1),
                  "small trees, wide rows: as many as 512 KB hold");
    ck_assert_msg(kiln_tree_predict_block(smalls, 2, &few, 2) == 5, "small trees, a few rows: one block per thread");
    ck_assert_msg(kiln_tree_predict_block(smalls, 2, &huge, 2) == 1, "small trees, very wide rows: one row at least");
    /* a large tree among them: large blocks */
    ck_assert_msg(kiln_tree_predict_block(mixed, 2, &few, 2) == 512, "a few rows: one block of the minimum size");
    ck_assert_msg(kiln_tree_predict_block(mixed, 2, &narrow, 2) == 50000, "narrow rows: one block per thread");
    ck_assert_msg(kiln_tree_predict_block(mixed, 2, &odd, 2) == 50001, "the per-thread share rounds up");
    ck_assert_msg(kiln_tree_predict_block(mixed, 2, &wide, 2) == (8u << 20) / (784 * sizeof(double) + 1),
                  "wide rows: as many as 8 MB hold");
    ck_assert_msg(kiln_tree_predict_block(mixed, 2, &huge, 2) == 512, "very wide rows: never below the minimum");
    kiln_tree_free(small);
    kiln_tree_free(large);
}
END_TEST

/* Rows walk a tree eight side by side (kiln_tree_predict_add): the leaves
 * they reach are those of kiln_tree_leaf, one row at a time, with missing
 * values sent their node's default way, leaves at different depths, and a
 * last group of fewer than eight rows. */
START_TEST(rows_side_by_side_reach_the_leaves_of_one_at_a_time)
{
    /* 0: x0 <= 0.5 (missing: right) -> 1, 2;  1: leaf;  2: x1 <= 2 (missing: left) -> 3, 4;
     * 3: x0 <= 3 -> 5, 6;  4, 5, 6: leaves */
    kiln_tree *t = kiln_tree_new(2, 1);
    ck_assert(t && kiln_tree_alloc(t, 7, NULL) == KILN_OK);
    const int32_t feature[] = {0, -1, 1, 0, -1, -1, -1}, left[] = {1, -1, 3, 5, -1, -1, -1};
    const double threshold[] = {0.5, 0, 2, 3, 0, 0, 0};
    const uint8_t dleft[] = {0, 0, 1, 0, 0, 0, 0};
    for (size_t k = 0; k < 7; k++) {
        t->feature[k] = feature[k];
        t->left[k] = left[k];
        t->threshold[k] = threshold[k];
        t->default_left[k] = dleft[k];
        t->value[k] = 10.0 * (double)k;
    }
    const double rows[][2] = {{0, 0}, {1, 1}, {1, 3}, {5, 1}, {NAN, 1}, {NAN, NAN}, {4, NAN}, {0.5, 9},
                              {2, 2}, {NAN, 5}, {3, 0}, {-1, NAN}, {7, 7}};
    size_t n = sizeof rows / sizeof rows[0];
    kiln_mat *X = kiln_mat_new(n, 2), *out = kiln_mat_new(n, 1);
    for (size_t i = 0; i < n; i++)
        memcpy(KILN_MAT_ROW(X, i), rows[i], sizeof rows[i]);
    kiln_tree_predict_add(t, X, out, 0, 1.0);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(KILN_MAT_AT(out, i, 0) == t->value[kiln_tree_leaf(t, KILN_MAT_ROW(X, i))],
                      "row %zu reaches leaf %g, one at a time %zu", i, KILN_MAT_AT(out, i, 0),
                      kiln_tree_leaf(t, KILN_MAT_ROW(X, i)));
    ck_assert_msg(KILN_MAT_AT(out, 4, 0) == 60 && KILN_MAT_AT(out, 5, 0) == 60 && KILN_MAT_AT(out, 0, 0) == 10,
                  "missing x0 goes right (twice), missing x1 left; x0 = 0 stops at the shallow leaf");
    kiln_mat_free(X);
    kiln_mat_free(out);
    kiln_tree_free(t);
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
        kiln_tree *small = sized_tree(1000);
        const kiln_tree *trees[] = {small};
        ck_assert_msg(kiln_tree_predict_block(trees, 1, &d.X, kiln_cpu_count()) < n,
                      "the whole set is more than one block");
        kiln_tree_free(small);
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
    tcase_add_test(tc, block_sizes_follow_trees_rows_threads_and_cache);
    tcase_add_test(tc, scores_do_not_depend_on_how_many_rows_are_predicted);
    tcase_add_test(tc, rows_side_by_side_reach_the_leaves_of_one_at_a_time);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
