/* algos/select/split.c: folds identical to scikit-learn's KFold and
 * StratifiedKFold (tests/data/split/make_split_fixtures.py), train/test sizes as
 * train_test_split's, stratification, determinism and the error cases. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln/split.h"
#include "testrun.h"

#define FIXTURE KILN_SOURCE_DIR "/tests/data/split/split_fixtures.txt"

static void read_tag(FILE *f, const char *tag)
{
    char word[16];
    ck_assert_msg(fscanf(f, "%15s", word) == 1 && strcmp(word, tag) == 0, "fixture line starts with '%s'", tag);
}

static void read_ints(FILE *f, int *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fscanf(f, "%d", &out[i]) == 1, "fixture holds %zu integers", n);
}

static int same_folds(const int *got, const int *want, size_t n, size_t *where)
{
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            *where = i;
            return 0;
        }
    return 1;
}

START_TEST(folds_match_scikit_learn)
{
    FILE *f = fopen(FIXTURE, "r");
    ck_assert_msg(f != NULL, "fixture %s opens", FIXTURE);
    char kind[16];
    int n_kfold = 0, n_skfold = 0, n_tts = 0;
    while (fscanf(f, "%15s", kind) == 1) {
        size_t n, n_classes = 0, where = 0;
        int k;
        if (strcmp(kind, "tts") == 0) {
            double frac;
            size_t want, *tr, *te, ntr, nte;
            ck_assert_msg(fscanf(f, "%zu %lf %zu", &n, &frac, &want) == 3, "tts record");
            ck_assert_msg(kiln_split_train_test(NULL, n, 0, frac, 1, &tr, &ntr, &te, &nte) == KILN_OK,
                          "split of %zu rows at %.17g", n, frac);
            ck_assert_msg(nte == want && ntr == n - want, "%zu rows at %.17g: %zu test rows, as scikit-learn", n,
                          frac, want);
            free(tr);
            free(te);
            n_tts++;
            continue;
        }
        if (strcmp(kind, "kfold") == 0)
            ck_assert_msg(fscanf(f, "%zu %d", &n, &k) == 2, "kfold record");
        else
            ck_assert_msg(fscanf(f, "%zu %zu %d", &n, &n_classes, &k) == 3, "skfold record");
        int *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got), *yi = malloc(n * sizeof *yi);
        double *y = malloc(n * sizeof *y);
        if (n_classes) {
            read_tag(f, "y");
            read_ints(f, yi, n);
            for (size_t i = 0; i < n; i++)
                y[i] = yi[i];
        }
        read_tag(f, "fold");
        read_ints(f, want, n);
        if (n_classes) {
            ck_assert_msg(kiln_split_stratified_kfold(y, n, n_classes, k, got) == KILN_OK,
                          "stratified %d-fold of %zu rows (%s)", k, n, kiln_last_error());
            ck_assert_msg(same_folds(got, want, n, &where),
                          "stratified %d-fold of %zu rows: row %zu in fold %d, scikit-learn says %d", k, n, where,
                          got[where], want[where]);
            n_skfold++;
        } else {
            ck_assert_msg(kiln_split_kfold(n, k, got) == KILN_OK, "%d-fold of %zu rows", k, n);
            ck_assert_msg(same_folds(got, want, n, &where), "%d-fold of %zu rows: row %zu in fold %d, not %d", k, n,
                          where, got[where], want[where]);
            n_kfold++;
        }
        free(want);
        free(got);
        free(yi);
        free(y);
    }
    fclose(f);
    ck_assert_msg(n_kfold == 7 && n_skfold == 8 && n_tts == 7, "every fixture record was checked (%d, %d, %d)",
                  n_kfold, n_skfold, n_tts);
}
END_TEST

START_TEST(fold_errors)
{
    int fold[6];
    double y[6] = {0, 0, 0, 1, 1, 2};
    ck_assert_msg(kiln_split_kfold(6, 1, fold) == KILN_EINPUT, "one fold refused");
    ck_assert_msg(kiln_split_kfold(6, 7, fold) == KILN_EINPUT, "more folds than rows refused");
    ck_assert_msg(kiln_split_kfold(6, 6, fold) == KILN_OK && fold[5] == 5, "leave-one-out is allowed");
    ck_assert_msg(kiln_split_stratified_kfold(y, 6, 3, 2, fold) == KILN_EINPUT,
                  "2 folds with a class of 1 row refused");
    ck_assert_msg(strstr(kiln_last_error(), "smallest class has 1") != NULL, "message names the smallest count: %s",
                  kiln_last_error());
    y[5] = 1;
    ck_assert_msg(kiln_split_stratified_kfold(y, 6, 3, 2, fold) == KILN_OK, "an absent class is no obstacle");
    ck_assert_msg(kiln_split_stratified_kfold(y, 6, 3, 1, fold) == KILN_EINPUT, "one stratified fold refused");
    y[0] = 3;
    ck_assert_msg(kiln_split_stratified_kfold(y, 6, 3, 2, fold) == KILN_EINPUT, "class index >= n_classes refused");
    y[0] = 0.5;
    ck_assert_msg(kiln_split_stratified_kfold(y, 6, 3, 2, fold) == KILN_EINPUT, "fractional class refused");
    ck_assert_msg(kiln_split_stratified_kfold(y, 0, 3, 2, fold) == KILN_EINPUT, "no rows refused");
}
END_TEST

/* Checks that train and test are ascending, disjoint and cover 0..n-1. */
static void check_partition(const size_t *tr, size_t ntr, const size_t *te, size_t nte, size_t n)
{
    ck_assert_msg(ntr + nte == n, "the parts hold %zu rows", n);
    unsigned char *seen = calloc(n, 1);
    for (size_t i = 0; i < ntr; i++) {
        ck_assert_msg(i == 0 || tr[i] > tr[i - 1], "train indices ascend");
        ck_assert_msg(tr[i] < n && !seen[tr[i]], "train index %zu in range and unique", tr[i]);
        seen[tr[i]] = 1;
    }
    for (size_t i = 0; i < nte; i++) {
        ck_assert_msg(i == 0 || te[i] > te[i - 1], "test indices ascend");
        ck_assert_msg(te[i] < n && !seen[te[i]], "test index %zu in range and not in train", te[i]);
        seen[te[i]] = 1;
    }
    free(seen);
}

START_TEST(train_test_partitions_and_is_seeded)
{
    size_t n = 101, *tr, *te, ntr, nte, *tr2, *te2, ntr2, nte2;
    ck_assert_msg(kiln_split_train_test(NULL, n, 0, 0.3, 42, &tr, &ntr, &te, &nte) == KILN_OK, "split succeeds");
    ck_assert_msg(nte == 31 && ntr == 70, "ceil(0.3 * 101) = 31 test rows");
    check_partition(tr, ntr, te, nte, n);
    ck_assert_msg(kiln_split_train_test(NULL, n, 0, 0.3, 42, &tr2, &ntr2, &te2, &nte2) == KILN_OK, "split again");
    ck_assert_msg(nte2 == nte && memcmp(te, te2, nte * sizeof *te) == 0, "same seed, same test rows");
    free(tr2);
    free(te2);
    ck_assert_msg(kiln_split_train_test(NULL, n, 0, 0.3, 43, &tr2, &ntr2, &te2, &nte2) == KILN_OK, "other seed");
    ck_assert_msg(memcmp(te, te2, nte * sizeof *te) != 0, "another seed draws other test rows");
    size_t low = 0;
    for (size_t i = 0; i < nte; i++)
        low += te[i] < 50;
    ck_assert_msg(low > 5 && low < 26, "test rows come from both halves (shuffled): %zu below 50", low);
    free(tr);
    free(te);
    free(tr2);
    free(te2);
}
END_TEST

START_TEST(stratified_keeps_class_shares)
{
    /* 50 / 30 / 20 rows of classes 2, 0, 1, interleaved. */
    size_t n = 100, *tr, *te, ntr, nte;
    double y[100];
    for (size_t i = 0; i < n; i++)
        y[i] = i % 10 < 5 ? 2 : i % 10 < 8 ? 0 : 1;
    const double share[3] = {0.3, 0.2, 0.5};
    const double fracs[3] = {0.3, 0.25, 0.07};
    for (int t = 0; t < 3; t++) {
        ck_assert_msg(kiln_split_train_test(y, n, 1, fracs[t], 7, &tr, &ntr, &te, &nte) == KILN_OK,
                      "stratified split at %g", fracs[t]);
        ck_assert_msg(nte == (size_t)ceil(fracs[t] * (double)n), "test size ceil(frac * n) at %g", fracs[t]);
        check_partition(tr, ntr, te, nte, n);
        size_t count[3] = {0, 0, 0};
        for (size_t i = 0; i < nte; i++)
            count[(int)y[te[i]]]++;
        for (int c = 0; c < 3; c++)
            ck_assert_msg(fabs((double)count[c] - share[c] * (double)nte) < 1.0,
                          "class %d gets its share of %zu test rows within one row (%zu)", c, nte, count[c]);
        free(tr);
        free(te);
    }
    /* 25 test rows: quotas 7.5, 5, 12.5 -> the tie on remainders goes to label 0. */
    ck_assert_msg(kiln_split_train_test(y, n, 1, 0.25, 7, &tr, &ntr, &te, &nte) == KILN_OK, "split at 0.25");
    size_t c0 = 0;
    for (size_t i = 0; i < nte; i++)
        c0 += y[te[i]] == 0;
    ck_assert_msg(c0 == 8, "largest remainder, ties to the smaller label: class 0 gets 8 of 25");
    free(tr);
    free(te);
}
END_TEST

START_TEST(stratified_keeps_a_training_row_per_class)
{
    size_t *tr, *te, ntr, nte;
    double y[5] = {0, 0, 0, 0, 1};
    ck_assert_msg(kiln_split_train_test(y, 5, 1, 0.2, 3, &tr, &ntr, &te, &nte) == KILN_OK, "split succeeds");
    ck_assert_msg(nte == 1 && y[te[0]] == 0, "the single row of class 1 stays in train");
    free(tr);
    free(te);
    double y2[6] = {0, 0, 1, 1, 2, 2};
    ck_assert_msg(kiln_split_train_test(y2, 6, 1, 0.5, 3, &tr, &ntr, &te, &nte) == KILN_OK, "half of 3 pairs");
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < ntr; i++)
        count[(int)y2[tr[i]]]++;
    ck_assert_msg(count[0] == 1 && count[1] == 1 && count[2] == 1, "each pair splits one and one");
    free(tr);
    free(te);
    ck_assert_msg(kiln_split_train_test(y2, 6, 1, 0.6, 3, &tr, &ntr, &te, &nte) == KILN_EINPUT,
                  "4 test rows of 3 pairs would empty a class's training rows");
    ck_assert_msg(tr == NULL && te == NULL && ntr == 0 && nte == 0, "a failed split returns nothing");
}
END_TEST

START_TEST(train_test_errors)
{
    size_t *tr, *te, ntr, nte;
    double y[3] = {0, 1, NAN};
    const double bad[4] = {0.0, 1.0, -0.2, NAN};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(kiln_split_train_test(NULL, 10, 0, bad[i], 1, &tr, &ntr, &te, &nte) == KILN_EINPUT,
                      "test fraction %g refused", bad[i]);
    ck_assert_msg(kiln_split_train_test(NULL, 3, 0, 0.9, 1, &tr, &ntr, &te, &nte) == KILN_EINPUT,
                  "ceil(0.9 * 3) = 3 test rows leave no training row");
    ck_assert_msg(strstr(kiln_last_error(), "empty train part") != NULL, "message names the empty part: %s",
                  kiln_last_error());
    ck_assert_msg(kiln_split_train_test(NULL, 1, 0, 0.5, 1, &tr, &ntr, &te, &nte) == KILN_EINPUT,
                  "one row cannot be split");
    ck_assert_msg(kiln_split_train_test(NULL, 0, 0, 0.5, 1, &tr, &ntr, &te, &nte) == KILN_EINPUT,
                  "no rows cannot be split");
    ck_assert_msg(kiln_split_train_test(y, 3, 1, 0.4, 1, &tr, &ntr, &te, &nte) == KILN_EINPUT,
                  "a missing class refused when stratifying");
    ck_assert_msg(tr == NULL && te == NULL, "failed splits return no arrays");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("split");
    TCase *tc = tcase_create("split");
    tcase_add_test(tc, folds_match_scikit_learn);
    tcase_add_test(tc, fold_errors);
    tcase_add_test(tc, train_test_partitions_and_is_seeded);
    tcase_add_test(tc, stratified_keeps_class_shares);
    tcase_add_test(tc, stratified_keeps_a_training_row_per_class);
    tcase_add_test(tc, train_test_errors);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
