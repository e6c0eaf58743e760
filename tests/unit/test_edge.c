/* Numeric edge cases, each with a defined outcome: infinities are refused
 * naming line and column, NaN is missing; huge and tiny magnitudes, constant
 * columns, duplicated rows, a single row and more features than rows either
 * train to finite predictions or are refused with KILN_EINPUT, for every
 * estimator; 10,000 classes train and predict; a 100 MB field reads whole. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kiln/algo.h"
#include "kiln/frame.h"
#include "kiln/pipeline.h"

static char dir[64];
static char path[96];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/kiln_edge_XXXXXX");
    ck_assert_msg(mkdtemp(dir) != NULL, "a temporary directory");
    snprintf(path, sizeof path, "%s/data.csv", dir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
}

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f && fputs(text, f) >= 0 && fclose(f) == 0, "the CSV is written");
}

static kiln_frame *read_ok(const char *text)
{
    write_file(text);
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(path, NULL, &f) == KILN_OK, "reads: %s", kiln_last_error());
    return f;
}

START_TEST(infinity_is_an_error_naming_line_and_column_nan_is_missing)
{
    static const char *const infinities[] = {"inf", "-inf", "Infinity", "+INF", "1e999"};
    for (size_t k = 0; k < sizeof infinities / sizeof *infinities; k++) {
        char text[128];
        snprintf(text, sizeof text, "a,b,y\n1,2,0\n3,%s,1\n", infinities[k]);
        write_file(text);
        kiln_frame *f = NULL;
        ck_assert_msg(kiln_csv_read(path, NULL, &f) == KILN_EINPUT && f == NULL, "%s is refused", infinities[k]);
        ck_assert_msg(strstr(kiln_last_error(), "data.csv:3:2: infinite value") != NULL,
                      "the message names line 3, column 2: %s", kiln_last_error());
    }
    kiln_frame *f = read_ok("a,b,y\n1,NaN,0\n3,nan,1\n5,7,1\n");
    ck_assert_msg(f->cols[1].type == KILN_COL_NUMERIC && isnan(f->cols[1].num[0]) && isnan(f->cols[1].num[1]) &&
                      f->cols[1].num[2] == 7,
                  "NaN reads as a missing number");
    kiln_frame_free(f);
}
END_TEST

/* Train every estimator on f (target y, task `prefer` if it does it, else the
 * other); each must either give finite predictions on f or refuse with
 * KILN_EINPUT. Returns how many trained. */
static size_t train_all_finite_or_refused(const kiln_frame *f, const char *what, kiln_task prefer)
{
    size_t trained = 0;
    for (size_t i = 0; i < kiln_algo_count(); i++) {
        const kiln_algo *a = kiln_algo_at(i);
        kiln_task other = prefer == KILN_TASK_CLASSIFY ? KILN_TASK_REGRESS : KILN_TASK_CLASSIFY;
        kiln_task task = kiln_algo_check_task(a, prefer) == KILN_OK ? prefer : other;
        kiln_params p;
        kiln_params_defaults(&p, a->params);
        kiln_ctx ctx = kiln_ctx_default();
        ctx.threads = 1;
        kiln_model *m = NULL;
        kiln_status s = kiln_model_train(f, NULL, "y", a, &p, task, KILN_NORMALIZE_AUTO, &ctx, &m);
        ck_assert_msg(s == KILN_OK || s == KILN_EINPUT, "%s, %s: trains or refuses the input, not status %d (%s)",
                      what, a->id, (int)s, kiln_last_error());
        if (s != KILN_OK)
            continue;
        kiln_mat *scores;
        ck_assert_msg(kiln_model_predict(m, f, &scores, NULL) == KILN_OK, "%s, %s predicts: %s", what, a->id,
                      kiln_last_error());
        for (size_t r = 0; r < scores->rows; r++)
            for (size_t c = 0; c < scores->cols; c++)
                ck_assert_msg(isfinite(KILN_MAT_AT(scores, r, c)), "%s, %s: score (%zu,%zu) is %g", what, a->id, r,
                              c, KILN_MAT_AT(scores, r, c));
        kiln_mat_free(scores);
        kiln_model_free(m);
        trained++;
    }
    return trained;
}

START_TEST(huge_and_tiny_magnitudes)
{
    kiln_frame *f = read_ok("big,tiny,y\n1e300,1e-300,0\n-1e300,-1e-300,1\n2e300,3e-300,0\n-3e300,-2e-300,1\n"
                            "5e299,4e-300,0\n-5e299,-4e-300,1\n1.5e300,2e-300,0\n-1.5e300,-3e-300,1\n");
    ck_assert_msg(f->cols[0].num[0] == 1e300 && f->cols[1].num[0] == 1e-300, "1e300 and 1e-300 read exactly");
    size_t trained = train_all_finite_or_refused(f, "1e300 and 1e-300", KILN_TASK_CLASSIFY);
    ck_assert_msg(trained == kiln_algo_count() - 1, "all but nb train on them (%zu)", trained);
    kiln_frame_free(f);
}
END_TEST

START_TEST(constant_columns_and_duplicated_rows)
{
    kiln_frame *f = read_ok("c,x,y\n5,1,0\n5,1,0\n5,2,1\n5,2,1\n5,1,0\n5,2,1\n5,1,0\n5,2,1\n");
    size_t trained = train_all_finite_or_refused(f, "a constant column and duplicated rows", KILN_TASK_CLASSIFY);
    ck_assert_msg(trained == kiln_algo_count(), "every estimator trains (%zu of %zu)", trained, kiln_algo_count());
    kiln_frame_free(f);
    f = read_ok("c,d,y\n5,1,0\n5,1,0\n5,1,1\n5,1,1\n");
    train_all_finite_or_refused(f, "only constant columns", KILN_TASK_CLASSIFY);
    kiln_frame_free(f);
}
END_TEST

START_TEST(a_single_row)
{
    kiln_frame *f = read_ok("x,z,y\n1.5,2,3\n");
    size_t trained = train_all_finite_or_refused(f, "a single row", KILN_TASK_REGRESS);
    ck_assert_msg(trained == kiln_algo_count() - 3,
                  "all but knn (5 neighbours of 1 row), nb and svm (classifiers only) regress on one row (%zu)",
                  trained);
    kiln_frame_free(f);
}
END_TEST

START_TEST(more_features_than_rows)
{
    char text[4096];
    size_t n = 0;
    for (int j = 0; j < 50; j++)
        n += (size_t)snprintf(text + n, sizeof text - n, "f%d,", j);
    n += (size_t)snprintf(text + n, sizeof text - n, "y\n");
    for (int i = 0; i < 6; i++) {
        for (int j = 0; j < 50; j++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%d,", (i * 7 + j * 3) % 11);
        n += (size_t)snprintf(text + n, sizeof text - n, "%d\n", i % 2);
    }
    kiln_frame *f = read_ok(text);
    size_t trained = train_all_finite_or_refused(f, "50 features, 6 rows", KILN_TASK_CLASSIFY);
    ck_assert_msg(trained == kiln_algo_count(), "every estimator trains (%zu of %zu)", trained, kiln_algo_count());
    kiln_frame_free(f);
}
END_TEST

START_TEST(ten_thousand_classes)
{
    enum { N = 10000 };
    FILE *out = fopen(path, "w");
    ck_assert_msg(out != NULL, "the CSV opens");
    fputs("x,y\n", out);
    for (int i = 0; i < N; i++)
        fprintf(out, "%d,class%d\n", i, i);
    ck_assert_msg(fclose(out) == 0, "the CSV is written");
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(path, NULL, &f) == KILN_OK, "reads: %s", kiln_last_error());
    const kiln_algo *a = kiln_algo_find("knn");
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    ck_assert_msg(kiln_params_set(&p, "n_neighbors=1") == KILN_OK, "n_neighbors=1");
    kiln_ctx ctx = kiln_ctx_default();
    kiln_model *m;
    ck_assert_msg(kiln_model_train(f, NULL, "y", a, &p, KILN_TASK_CLASSIFY, KILN_NORMALIZE_AUTO, &ctx, &m) == KILN_OK,
                  "1-NN trains on 10,000 classes: %s", kiln_last_error());
    ck_assert_msg(kiln_model_outputs(m) == N, "one score column per class (%zu)", kiln_model_outputs(m));
    kiln_mat *scores;
    double *y;
    ck_assert_msg(kiln_model_predict(m, f, &scores, &y) == KILN_OK, "predicts: %s", kiln_last_error());
    size_t right = 0;
    for (size_t i = 0; i < scores->rows; i++) {
        size_t best = 0;
        for (size_t c = 1; c < scores->cols; c++)
            if (KILN_MAT_AT(scores, i, c) > KILN_MAT_AT(scores, i, best))
                best = c;
        right += (double)best == y[i];
    }
    ck_assert_msg(right == N, "1-NN gives every training row its own class (%zu of %d)", right, N);
    free(y);
    kiln_mat_free(scores);
    kiln_model_free(m);
    kiln_frame_free(f);
}
END_TEST

START_TEST(a_100_mb_field_reads_whole)
{
    enum { FIELD = 100 << 20 };
    FILE *out = fopen(path, "w");
    ck_assert_msg(out != NULL, "the CSV opens");
    fputs("text,x\n\"", out);
    char block[4096];
    memset(block, 'a', sizeof block);
    for (size_t k = 0; k < FIELD / sizeof block; k++)
        fwrite(block, 1, sizeof block, out);
    fputs("\",1\nshort,2\n", out);
    ck_assert_msg(fclose(out) == 0, "the 100 MB CSV is written");
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(path, NULL, &f) == KILN_OK, "reads: %s", kiln_last_error());
    const kiln_column *c = &f->cols[0];
    ck_assert_msg(f->nrows == 2 && c->type == KILN_COL_CATEGORICAL && c->nlevels == 2, "two rows, two levels");
    ck_assert_msg(strlen(c->levels[c->code[0]]) == FIELD && c->levels[c->code[0]][FIELD - 1] == 'a',
                  "the field is kept whole (%zu bytes)", strlen(c->levels[c->code[0]]));
    ck_assert_msg(f->cols[1].num[1] == 2 && f->line[1] == 3, "the row after it reads, on line 3");
    kiln_frame_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("edge");
    TCase *tc = tcase_create("edge");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, infinity_is_an_error_naming_line_and_column_nan_is_missing);
    tcase_add_test(tc, huge_and_tiny_magnitudes);
    tcase_add_test(tc, constant_columns_and_duplicated_rows);
    tcase_add_test(tc, a_single_row);
    tcase_add_test(tc, more_features_than_rows);
    tcase_add_test(tc, ten_thousand_classes);
    tcase_add_test(tc, a_100_mb_field_reads_whole);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
