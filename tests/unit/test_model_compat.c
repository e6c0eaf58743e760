/* Model file compatibility: the files of every released format version in
 * tests/data/models (written by make_models.py) load and predict what they
 * predicted when they were written; a file of a newer format is refused with a
 * message naming both versions. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"
#include "kiln/frame.h"
#include "kiln/pipeline.h"
#include "kiln/serial.h"

#define MODELS KILN_SOURCE_DIR "/tests/data/models"

/* The expected score columns of a prediction file: prediction_score_<class> in
 * order for classification, prediction_label for regression. */
static size_t expected_columns(const kiln_frame *pred, int *cols, size_t max)
{
    size_t k = 0;
    for (size_t j = 0; j < pred->ncols && k < max; j++)
        if (strncmp(pred->cols[j].name, "prediction_score_", 17) == 0)
            cols[k++] = (int)j;
    if (k == 0)
        cols[k++] = kiln_frame_find(pred, "prediction_label");
    return k;
}

/* Load format-`version` model `id`, predict train.csv, compare with the stored scores. */
static void check_model(unsigned version, const char *id, const kiln_frame *data)
{
    char path[512], pred_path[512];
    snprintf(path, sizeof path, MODELS "/v%u/%s.kiln", version, id);
    snprintf(pred_path, sizeof pred_path, MODELS "/v%u/%s_pred.csv", version, id);
    kiln_model *m;
    ck_assert_msg(kiln_model_load(path, &m) == KILN_OK, "format %u %s loads: %s", version, id, kiln_last_error());
    kiln_frame *pred;
    ck_assert_msg(kiln_csv_read(pred_path, NULL, &pred) == KILN_OK, "%s reads: %s", pred_path, kiln_last_error());
    kiln_mat *scores;
    ck_assert_msg(kiln_model_predict(m, data, &scores, NULL) == KILN_OK, "format %u %s predicts: %s", version, id,
                  kiln_last_error());
    int cols[64];
    size_t k = expected_columns(pred, cols, 64);
    ck_assert_msg(k == scores->cols && cols[0] >= 0, "format %u %s: %zu score columns, the file has %zu", version,
                  id, scores->cols, k);
    ck_assert_msg(scores->rows == pred->nrows, "format %u %s: one score row per data row", version, id);
    for (size_t i = 0; i < scores->rows; i++)
        for (size_t c = 0; c < k; c++) {
            double want = pred->cols[cols[c]].num[i], got = KILN_MAT_AT(scores, i, c);
            ck_assert_msg(fabs(got - want) <= 1e-9 * (1 + fabs(want)),
                          "format %u %s row %zu column %zu: predicted %.17g, the file has %.17g", version, id, i, c,
                          got, want);
        }
    kiln_mat_free(scores);
    kiln_frame_free(pred);
    kiln_model_free(m);
}

START_TEST(every_estimator_reads_its_format_1_file)
{
    kiln_frame *data;
    ck_assert_msg(kiln_csv_read(MODELS "/train.csv", NULL, &data) == KILN_OK, "train.csv reads: %s",
                  kiln_last_error());
    for (size_t i = 0; i < kiln_algo_count(); i++)
        check_model(1, kiln_algo_at(i)->id, data);
    kiln_frame_free(data);
}
END_TEST

START_TEST(a_newer_format_is_refused_naming_both_versions)
{
    kiln_model *m = NULL;
    const char *path = MODELS "/future_v2.kiln";
    ck_assert_msg(kiln_model_load(path, &m) == KILN_EINPUT && m == NULL, "a format-2 file is refused");
    char want[128];
    snprintf(want, sizeof want, "written by model format version 2; this kiln reads version %u",
             KILN_FORMAT_VERSION);
    ck_assert_msg(strstr(kiln_last_error(), want) != NULL, "the message names both versions: %s",
                  kiln_last_error());
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_compat");
    TCase *tc = tcase_create("model_compat");
    tcase_add_test(tc, every_estimator_reads_its_format_1_file);
    tcase_add_test(tc, a_newer_format_is_refused_naming_both_versions);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
