/* The checks of the C API that the command line cannot reach (it checks the
 * same things earlier, or never hands such arguments): estimators fitted on
 * degenerate data or asked for the wrong shapes, metrics, splits, curves,
 * the dataset cache, frames, reports and drift. Each case asserts the status
 * and the message (docs/errors.md lists them). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/tree_impl.h"
#include "kiln/algo.h"
#include "kiln/curves.h"
#include "kiln/drift.h"
#include "kiln/frame.h"
#include "kiln/knn.h"
#include "kiln/metrics.h"
#include "kiln/pipeline.h"
#include "kiln/report.h"
#include "kiln/split.h"
#include "testrun.h"

#define MODELS KILN_SOURCE_DIR "/tests/data/models/v1/"

static void expect(kiln_status got, kiln_status want, const char *needle, const char *what)
{
    ck_assert_msg(got == want, "%s: status %d, expected %d (%s)", what, (int)got, (int)want, kiln_last_error());
    ck_assert_msg(strstr(kiln_last_error(), needle) != NULL, "%s: message '%s' holds '%s'", what, kiln_last_error(),
                  needle);
}

/* ---- estimators ---------------------------------------------------------- */

enum { N = 8, D = 2 };

/* Eight rows of two features, classes 0 and 1 alternating. */
static double X8[N * D] = {0, 1, 1, 0, 2, 1, 3, 0, 4, 1, 5, 0, 6, 1, 7, 0};
static double Y8[N] = {0, 1, 0, 1, 0, 1, 0, 1};

typedef struct fit_case {
    const char *algo;
    const char *params; /* name=value;name=value, or NULL   */
    kiln_task task;
    size_t n_classes;
    size_t rows;        /* of the eight                     */
    double x00, y0, w0; /* X[0][0], y[0], w[0] (NaN: as is) */
    const char *want;
} fit_case;

#define ASIS NAN

static const fit_case fits[] = {
    {"nb", NULL, KILN_TASK_REGRESS, 0, N, ASIS, ASIS, ASIS, "nb: classification only"},
    {"nb", NULL, KILN_TASK_CLASSIFY, 1, N, ASIS, ASIS, ASIS, "nb: the target has 1 class; need at least 2"},
    {"nb", NULL, KILN_TASK_CLASSIFY, 2, 0, ASIS, ASIS, ASIS, "nb: no training rows"},
    {"nb", NULL, KILN_TASK_CLASSIFY, 2, N, 1e200, ASIS, ASIS, "nb: a feature's variance overflows a double"},
    {"lasso", NULL, KILN_TASK_CLASSIFY, 2, N, ASIS, ASIS, ASIS, "lasso/en: regression only"},
    {"ridge", NULL, KILN_TASK_CLASSIFY, 1, N, ASIS, ASIS, ASIS, "ridge: the target has 1 class; need at least 2"},
    {"svm", "penalty=l1;loss=hinge", KILN_TASK_CLASSIFY, 2, N, ASIS, ASIS, ASIS,
     "svm: penalty=l1 with loss=hinge is not supported"},
    {"svm", "penalty=l1;dual=true", KILN_TASK_CLASSIFY, 2, N, ASIS, ASIS, ASIS, "svm: penalty=l1 has no dual solver"},
    {"svm", "loss=hinge;dual=false", KILN_TASK_CLASSIFY, 2, N, ASIS, ASIS, ASIS,
     "svm: loss=hinge has no primal solver"},
    {"svm", NULL, KILN_TASK_REGRESS, 0, N, ASIS, ASIS, ASIS, "svm: classification only"},
    {"svm", NULL, KILN_TASK_CLASSIFY, 1, N, ASIS, ASIS, ASIS, "svm: the target has 1 class; need at least 2"},
    {"knn", NULL, KILN_TASK_CLASSIFY, 2, 0, ASIS, ASIS, ASIS, "knn: no training rows"},
    {"knn", NULL, KILN_TASK_CLASSIFY, 0, N, ASIS, ASIS, ASIS, "knn: classification needs at least one class"},
    {"dt", NULL, KILN_TASK_CLASSIFY, 2, 0, ASIS, ASIS, ASIS, "trees need at least one row and one feature"},
    {"dt", NULL, KILN_TASK_CLASSIFY, 0, N, ASIS, ASIS, ASIS, "classification needs at least one class"},
    {"dt", NULL, KILN_TASK_REGRESS, 0, N, ASIS, INFINITY, ASIS, "target of row 1 is missing or not finite"},
    {"dt", NULL, KILN_TASK_CLASSIFY, 2, N, ASIS, 5, ASIS, "class index 5 of row 1 is not in 0..1"},
    {"rf", "class_weight=balanced", KILN_TASK_REGRESS, 0, N, ASIS, ASIS, ASIS,
     "--param class_weight: only for classification"},
    {"gbm", "max_depth=0", KILN_TASK_CLASSIFY, 2, N, ASIS, ASIS, ASIS, "--param max_depth=0: must be >= 1"},
    {"gbm", "validation_fraction=1", KILN_TASK_CLASSIFY, 2, N, ASIS, ASIS, ASIS,
     "--param validation_fraction=1: must be < 1"},
    {"gbm", NULL, KILN_TASK_CLASSIFY, 1, N, ASIS, ASIS, ASIS, "gbm: classification needs at least 2 classes, got 1"},
    {"gbm", NULL, KILN_TASK_CLASSIFY, 2, 0, ASIS, ASIS, ASIS, "gbm: the training set has 0 rows and 2 features"},
    {"gbm", NULL, KILN_TASK_REGRESS, 0, N, ASIS, INFINITY, ASIS, "target of row 1 is inf; targets must be finite"},
    {"gbm", NULL, KILN_TASK_CLASSIFY, 2, N, ASIS, 5, ASIS, "target of row 1 is 5, not a class index below 2"},
    {"gbm", NULL, KILN_TASK_CLASSIFY, 2, N, ASIS, ASIS, -1, "weight of row 1 is -1"},
    {"gbm", NULL, KILN_TASK_REGRESS, 0, N, ASIS, ASIS, 0, "the row weights sum to 0: nothing to fit"},
};

/* Check and fit as the pipeline does; the status of the first that fails. */
static kiln_status fit_one(const fit_case *c, void **model)
{
    static double X[N * D], y[N], w[N];
    memcpy(X, X8, sizeof X);
    memcpy(y, Y8, sizeof y);
    for (size_t i = 0; i < N; i++)
        w[i] = isnan(c->w0) ? 1 : c->w0 == 0 ? 0 : i ? 1 : c->w0;
    if (!isnan(c->x00))
        for (size_t i = 0; i < N; i++)
            X[i * D] = i % 2 ? -c->x00 : c->x00;
    if (!isnan(c->y0))
        y[0] = c->y0;
    const kiln_algo *a = kiln_algo_find(c->algo);
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    char list[64];
    snprintf(list, sizeof list, "%s", c->params ? c->params : "");
    for (char *one = strtok(list, ";"); one; one = strtok(NULL, ";"))
        ck_assert_msg(kiln_params_set(&p, one) == KILN_OK, "%s takes %s", c->algo, one);
    kiln_dataset d = {.X = {X, c->rows, D, D, 0}, .y = y, .w = isnan(c->w0) ? NULL : w, .task = c->task,
                      .n_classes = c->n_classes};
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = 1;
    kiln_status s = a->check ? a->check(&p, &d) : KILN_OK;
    if (s == KILN_OK)
        s = a->fit(model, &p, &d, &ctx);
    kiln_dataset_clear_cache(&d);
    return s;
}

START_TEST(degenerate_fits_are_refused)
{
    const fit_case *c = &fits[_i];
    void *m = NULL;
    kiln_status s = fit_one(c, &m);
    if (s == KILN_OK)
        kiln_algo_find(c->algo)->free(m);
    expect(s, KILN_EINPUT, c->want, c->algo);
}
END_TEST

/* A model of `algo` fitted on the eight rows (regression for lasso). */
static void *fitted(const char *algo)
{
    int regress = strcmp(algo, "lasso") == 0;
    fit_case c = {algo, NULL, regress ? KILN_TASK_REGRESS : KILN_TASK_CLASSIFY, regress ? 0 : 2, N, ASIS, ASIS,
                  ASIS, ""};
    void *m = NULL;
    ck_assert_msg(fit_one(&c, &m) == KILN_OK, "%s fits: %s", algo, kiln_last_error());
    return m;
}

typedef struct shape_case {
    const char *algo;
    const char *wrong_width;  /* predicting three features       */
    kiln_status out_status;   /* an output of the wrong shape ... */
    const char *wrong_output; /* ... and its message              */
} shape_case;

static const shape_case shapes[] = {
    {"nb", "nb: the model has 2 features, the data 3", KILN_EINTERNAL, "nb: output is 8x5, expected 8x2"},
    {"lasso", "lasso: the model has 2 features, the data 3", KILN_EINTERNAL, "lasso: output is 8x5, expected 8x1"},
    {"knn", "knn: 3 features given, the model was fitted on 2", KILN_EINTERNAL,
     "knn: output is 8 x 5, expected 8 x 2"},
    {"dt", "the model expects 2 features, the data has 3", KILN_EINTERNAL,
     "prediction matrix is 8x5, expected 8x2"},
    {"gbm", "gbm: the model has 2 features, the data 3", KILN_EINPUT, "gbm: the output must be 8 x 2"},
};

START_TEST(predictions_of_the_wrong_shape_are_refused)
{
    const shape_case *c = &shapes[_i];
    const kiln_algo *a = kiln_algo_find(c->algo);
    void *m = fitted(c->algo);
    kiln_mat *wide = kiln_mat_new(N, 3), *out = kiln_mat_new(N, 5);
    kiln_mat X = {X8, N, D, D, 0};
    expect(a->predict(m, wide, out), KILN_EINPUT, c->wrong_width, "three features");
    expect(a->predict(m, &X, out), c->out_status, c->wrong_output, "five output columns");
    kiln_mat_free(wide);
    kiln_mat_free(out);
    a->free(m);
}
END_TEST

START_TEST(views_and_importances_a_model_lacks_are_refused)
{
    static const struct {
        const char *algo, *dot;
    } dots[] = {
        {"nb", "nb: naive Bayes has no DOT view"},
        {"lasso", "lasso: a linear model has no DOT view"},
        {"knn", "knn: no DOT form (it has no tree to draw)"},
    };
    for (size_t i = 0; i < sizeof dots / sizeof dots[0]; i++) {
        const kiln_algo *a = kiln_algo_find(dots[i].algo);
        void *m = fitted(dots[i].algo);
        kiln_inspect_args args = {.format = KILN_INSPECT_DOT, .tree = -1};
        FILE *sink = fopen("/dev/null", "w");
        expect(a->inspect(m, &args, sink), KILN_EINPUT, dots[i].dot, dots[i].algo);
        fclose(sink);
        a->free(m);
    }
    double imp[3];
    void *lasso = fitted("lasso");
    expect(kiln_algo_find("lasso")->importance(lasso, imp, 3), KILN_EINTERNAL,
           "lasso: importance of 3 features asked, model has 2", "lasso importance");
    kiln_algo_find("lasso")->free(lasso);
    void *gbm = fitted("gbm");
    expect(kiln_algo_find("gbm")->importance(gbm, imp, 3), KILN_EINPUT,
           "gbm: importance asked for 3 features, the model has 2", "gbm importance");
    kiln_algo_find("gbm")->free(gbm);
    void *knn = fitted("knn");
    size_t idx[N + 1];
    double dist[N + 1];
    expect(kiln_knn_neighbors(knn, X8, N + 1, idx, dist), KILN_EINPUT,
           "knn: cannot list 9 neighbours of 8 training rows", "too many neighbours");
    kiln_algo_find("knn")->free(knn);
}
END_TEST

START_TEST(a_validation_set_of_another_width_is_refused)
{
    const kiln_algo *a = kiln_algo_find("gbm");
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    double y[N];
    memcpy(y, Y8, sizeof y);
    kiln_dataset train = {.X = {X8, N, D, D, 0}, .y = y, .task = KILN_TASK_CLASSIFY, .n_classes = 2};
    kiln_mat *vx = kiln_mat_new(N, 3);
    kiln_dataset valid = {.X = *vx, .y = y, .task = KILN_TASK_CLASSIFY, .n_classes = 2};
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = 1;
    ctx.valid = &valid;
    void *m = NULL;
    expect(a->fit(&m, &p, &train, &ctx), KILN_EINPUT, "gbm: the validation set has 3 features, the training set 2",
           "a wider validation set");
    kiln_dataset_clear_cache(&train);
    kiln_dataset_clear_cache(&valid);
    kiln_mat_free(vx);
}
END_TEST

/* A fit whose cancel flag is already set stops at its first check. */
START_TEST(a_cancelled_fit_says_interrupted)
{
    static const struct {
        const char *algo, *params, *want;
    } cases[] = {
        {"rf", NULL, "forest: interrupted"},
        {"gbm", NULL, "gbm: interrupted after 0 rounds"},
        {"svm", NULL, "svm: interrupted"},
        {"lr", "penalty=l1", "interrupted"},
    };
    static const int cancel = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const kiln_algo *a = kiln_algo_find(cases[i].algo);
        kiln_params p;
        kiln_params_defaults(&p, a->params);
        if (cases[i].params)
            ck_assert_msg(kiln_params_set(&p, cases[i].params) == KILN_OK, "%s takes %s", a->id, cases[i].params);
        double y[N];
        memcpy(y, Y8, sizeof y);
        kiln_dataset d = {.X = {X8, N, D, D, 0}, .y = y, .task = KILN_TASK_CLASSIFY, .n_classes = 2};
        kiln_ctx ctx = kiln_ctx_default();
        ctx.threads = 1;
        ctx.cancel = &cancel;
        void *m = NULL;
        kiln_status s = a->fit(&m, &p, &d, &ctx);
        if (s == KILN_OK)
            a->free(m);
        kiln_dataset_clear_cache(&d);
        expect(s, KILN_ECANCEL, cases[i].want, cases[i].algo);
    }
}
END_TEST

START_TEST(tree_building_blocks_refuse_empty_input)
{
    kiln_mat X = {X8, N, D, D, 0};
    kiln_bins *b = NULL;
    expect(kiln_bins_build(&X, 1, 1, &b), KILN_EINPUT, "max_bins must be in 2..255 (got 1)", "one bin");
    kiln_tree *t = NULL;
    expect(kiln_tree_grow(NULL, NULL, NULL, 0, NULL, NULL, NULL, &t, NULL), KILN_EINPUT,
           "cannot grow a tree on zero rows", "no rows");
    kiln_criterion crit = {.name = "gini", .n_stats = 3};
    kiln_tree_stats stats = {.m = 2};
    uint32_t row = 0;
    expect(kiln_tree_grow(NULL, &stats, &row, 1, NULL, &crit, NULL, &t, NULL), KILN_EINTERNAL,
           "criterion gini wants 3 statistics per row, got 2", "statistics of another criterion");
    kiln_criterion newton = kiln_criterion_newton(1.0);
    float g = 1, h = 1;
    kiln_tree_stats gh = {.m = 2, .g = &g, .h = &h, .stride = 1, .repeat = &row};
    expect(kiln_tree_grow(NULL, &gh, &row, 1, NULL, &newton, NULL, &t, NULL), KILN_EINTERNAL,
           "statistics as g, h take no repeat counts", "g, h with repeats");
}
END_TEST

/* ---- models loaded from tests/data/models/v1 ------------------------------ */

START_TEST(inspecting_a_tree_the_model_lacks_is_refused)
{
    static const struct {
        const char *file, *want;
    } cases[] = {
        {MODELS "dt.kiln", "--tree 7: the model has 1 tree (0..0)"},
        {MODELS "gbm.kiln", "--tree 7000: the model has"},
    };
    for (size_t i = 0; i < 2; i++) {
        kiln_model *m;
        ck_assert_msg(kiln_model_load(cases[i].file, &m) == KILN_OK, "%s loads", cases[i].file);
        kiln_inspect_args args = {.format = KILN_INSPECT_TEXT, .tree = i ? 7000 : 7};
        FILE *sink = fopen("/dev/null", "w");
        expect(m->algo->inspect(m->est, &args, sink), KILN_EINPUT, cases[i].want, cases[i].file);
        fclose(sink);
        kiln_model_free(m);
    }
}
END_TEST

START_TEST(reports_drift_and_summaries_refuse_bad_input)
{
    kiln_model *m;
    ck_assert_msg(kiln_model_load(MODELS "lr.kiln", &m) == KILN_OK, "lr.kiln loads");
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(KILN_SOURCE_DIR "/tests/data/models/train.csv", NULL, &f) == KILN_OK, "data reads");
    kiln_report_options ro = kiln_report_options_default();
    ro.learning_points = 0;
    kiln_report *rep = NULL;
    expect(kiln_report_build(m, f, &ro, &rep), KILN_EINPUT, "report: importance repeats, learning points and threads",
           "no learning points");
    kiln_drift_options dopt = kiln_drift_options_default();
    dopt.alpha = 2;
    kiln_drift_col *cols = calloc(m->pipe->n_in, sizeof *cols);
    expect(kiln_drift_check(m->pipe, f, &dopt, cols), KILN_EINPUT,
           "drift: alpha must be in (0, 1) and the PSI threshold above 0", "alpha 2");
    m->pipe->has_summary = 0; /* as in a file written before the summary existed */
    expect(kiln_drift_check(m->pipe, f, &dopt, cols), KILN_EINPUT, "the model has no training-data summary",
           "no summary");
    free(cols);
    kiln_frame_free(f);
    static const char *const x1[] = {"x1", NULL};
    kiln_csv_options as_text = {0, x1};
    ck_assert_msg(kiln_csv_read(KILN_SOURCE_DIR "/tests/data/models/train.csv", &as_text, &f) == KILN_OK,
                  "data reads with x1 as text");
    expect(kiln_pipeline_summarize(m->pipe, f, 1), KILN_EINPUT, "column 'x1' holds text; the model saw numbers there",
           "summarising text where the model saw numbers");
    kiln_frame_free(f);
    kiln_model_free(m);
}
END_TEST

/* ---- metrics, splits, curves ---------------------------------------------- */

START_TEST(metrics_refuse_what_they_cannot_score)
{
    kiln_metrics out;
    kiln_mat *one = kiln_mat_new(2, 1), *two = kiln_mat_new(2, 2), *none = kiln_mat_new(0, 2);
    double y[2] = {0, 1}, bad[2] = {0, 2}, pred[2] = {1, NAN}, inf[2] = {INFINITY, 0};
    expect(kiln_metrics_classify(y, none, 1, &out), KILN_EINPUT, "metrics: no rows to score", "no rows");
    expect(kiln_metrics_classify(y, one, 1, &out), KILN_EINPUT,
           "metrics: classification needs at least 2 score columns, got 1", "one column");
    expect(kiln_metrics_classify(bad, two, 1, &out), KILN_EINPUT,
           "metrics: row 1: target 2 is not a class index in [0, 2)", "a class out of range");
    KILN_MAT_AT(two, 1, 1) = NAN;
    expect(kiln_metrics_classify(y, two, 1, &out), KILN_EINPUT, "metrics: row 1: score of class 1 is NaN",
           "a NaN score");
    expect(kiln_metrics_regress(y, pred, 0, &out), KILN_EINPUT, "metrics: no rows to score", "no rows (regression)");
    expect(kiln_metrics_regress(inf, y, 2, &out), KILN_EINPUT, "metrics: row 0: target inf is not finite",
           "an infinite target");
    expect(kiln_metrics_regress(y, pred, 2, &out), KILN_EINPUT, "metrics: row 1: prediction is NaN",
           "a NaN prediction");
    kiln_mat_free(one);
    kiln_mat_free(two);
    kiln_mat_free(none);
}
END_TEST

START_TEST(splits_refuse_impossible_requests)
{
    double y[6] = {0, 1, 0, 1, 0, NAN};
    size_t *tr = NULL, *te = NULL, ntr, nte;
    int fold[6];
    expect(kiln_split_train_test(y, 6, 0, 1.5, 1, &tr, &ntr, &te, &nte), KILN_EINPUT,
           "split: test fraction 1.5 is not in (0, 1)", "a fraction above 1");
    expect(kiln_split_train_test(NULL, 6, 1, 0.5, 1, &tr, &ntr, &te, &nte), KILN_EINPUT,
           "split: stratifying needs the class of every row", "stratifying without classes");
    expect(kiln_split_train_test(y, 6, 1, 0.5, 1, &tr, &ntr, &te, &nte), KILN_EINPUT,
           "split: row 5: cannot stratify on a missing class", "a missing class");
    expect(kiln_split_kfold(6, 7, fold), KILN_EINPUT, "folds: 7 folds need 2 <= folds <= rows (6)", "7 of 6 rows");
    expect(kiln_split_stratified_kfold(y, 5, 2, 1, fold), KILN_EINPUT, "folds: 1 folds; need at least 2", "1 fold");
    expect(kiln_split_stratified_kfold(y, 6, 2, 2, fold), KILN_EINPUT,
           "folds: row 5: target nan is not a class index in [0, 2)", "a NaN class");
    expect(kiln_split_stratified_kfold(y, 5, 2, 3, fold), KILN_EINPUT,
           "folds: 3 stratified folds need at least 3 rows of every class; the smallest class has 2", "3 folds");
}
END_TEST

START_TEST(curves_refuse_nan_scores_and_one_sided_data)
{
    double score[3] = {0.1, NAN, 0.3};
    unsigned char pos[3] = {1, 0, 1}, all[3] = {1, 1, 1};
    kiln_curve c;
    expect(kiln_curve_roc(score, pos, 3, &c), KILN_EINPUT, "curve: row 1: score is NaN", "a NaN score");
    score[1] = 0.2;
    expect(kiln_curve_pr(score, all, 3, &c), KILN_EINPUT, "curve: needs positive and negative rows (3 positive, 0",
           "positives only");
}
END_TEST

/* ---- the dataset cache and frames ----------------------------------------- */

static kiln_status build_nothing(const kiln_dataset *d, void *arg, void **value, void (**free_fn)(void *))
{
    (void)d, (void)arg;
    *value = malloc(1);
    *free_fn = free;
    return KILN_OK;
}

START_TEST(the_dataset_cache_refuses_long_keys_and_a_fifth_entry)
{
    kiln_dataset d = {.X = {X8, N, D, D, 0}, .y = Y8};
    void *v;
    expect(kiln_dataset_cache_get(&d, "a key that is longer than twenty-three", build_nothing, NULL, &v),
           KILN_EINTERNAL, "dataset cache key 'a key that is longer", "a long key");
    const char *keys[] = {"k1", "k2", "k3", "k4"};
    for (int i = 0; i < KILN_CACHE_MAX; i++)
        ck_assert_msg(kiln_dataset_cache_get(&d, keys[i], build_nothing, NULL, &v) == KILN_OK, "entry %d", i);
    expect(kiln_dataset_cache_get(&d, "k5", build_nothing, NULL, &v), KILN_EINTERNAL, "dataset cache is full",
           "a fifth key");
    kiln_dataset_clear_cache(&d);
}
END_TEST

START_TEST(rows_outside_a_frame_are_refused)
{
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(KILN_SOURCE_DIR "/tests/data/models/train.csv", NULL, &f) == KILN_OK, "data reads");
    size_t idx[2] = {0, 4000};
    kiln_frame *t = NULL;
    expect(kiln_frame_take_rows(f, idx, 2, &t), KILN_EINTERNAL, "take_rows: row 4000 of a frame with 40 rows",
           "row 4000");
    kiln_frame_free(f);
}
END_TEST

static Suite *api_errors_suite(void)
{
    Suite *s = suite_create("api_errors");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, degenerate_fits_are_refused, 0, (int)(sizeof fits / sizeof fits[0]));
    tcase_add_loop_test(tc, predictions_of_the_wrong_shape_are_refused, 0, (int)(sizeof shapes / sizeof shapes[0]));
    tcase_add_test(tc, views_and_importances_a_model_lacks_are_refused);
    tcase_add_test(tc, a_validation_set_of_another_width_is_refused);
    tcase_add_test(tc, a_cancelled_fit_says_interrupted);
    tcase_add_test(tc, tree_building_blocks_refuse_empty_input);
    tcase_add_test(tc, inspecting_a_tree_the_model_lacks_is_refused);
    tcase_add_test(tc, reports_drift_and_summaries_refuse_bad_input);
    tcase_add_test(tc, metrics_refuse_what_they_cannot_score);
    tcase_add_test(tc, splits_refuse_impossible_requests);
    tcase_add_test(tc, curves_refuse_nan_scores_and_one_sided_data);
    tcase_add_test(tc, the_dataset_cache_refuses_long_keys_and_a_fifth_entry);
    tcase_add_test(tc, rows_outside_a_frame_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(api_errors_suite());
}
