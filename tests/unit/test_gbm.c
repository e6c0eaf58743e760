/* algos/tree/gbm.c: agreement with XGBoost on held-out rows, the Newton step,
 * monotone training loss, early stopping, determinism across thread counts,
 * save/load round trips and every bad-input error. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/gbm_impl.h"
#include "kiln/util.h"
#include "testdata.h"

/* A fixture split: features, then the target in the last column. */
typedef struct split {
    kiln_mat *all;
    double *y;
    kiln_dataset d;
} split;

static void split_load(split *s, const char *rel, kiln_task task, size_t n_classes)
{
    memset(s, 0, sizeof *s);
    s->all = test_load_matrix(rel);
    ck_assert_msg(s->all != NULL, "fixture %s loads (run tests/data/gbm/make_gbm_fixtures.py)", rel);
    size_t n = s->all->rows, d = s->all->cols - 1;
    s->y = malloc(n * sizeof *s->y);
    for (size_t i = 0; i < n; i++)
        s->y[i] = KILN_MAT_AT(s->all, i, d);
    s->d.X = kiln_mat_view(s->all, 0, 0, n, d);
    s->d.y = s->y;
    s->d.task = task;
    s->d.n_classes = n_classes;
}

static void split_free(split *s)
{
    kiln_dataset_clear_cache(&s->d);
    kiln_mat_free(s->all);
    free(s->y);
}

static kiln_ctx test_ctx(int threads)
{
    kiln_ctx c = kiln_ctx_default();
    c.seed = 0;
    c.threads = threads;
    return c;
}

static void defaults(kiln_params *p)
{
    kiln_params_defaults(p, kiln_algo_gbm.params);
}

static double held_out_log_loss(const void *m, const split *te, size_t k)
{
    kiln_mat *P = kiln_mat_new(te->d.X.rows, k);
    ck_assert_msg(kiln_algo_gbm.predict(m, &te->d.X, P) == KILN_OK, "predict succeeds");
    double s = 0;
    for (size_t i = 0; i < P->rows; i++) {
        double p = KILN_MAT_AT(P, i, (size_t)te->y[i]);
        s -= log(fmax(p, 1e-15));
    }
    kiln_mat_free(P);
    return s / (double)te->d.X.rows;
}

static double held_out_r2(const void *m, const split *te)
{
    size_t n = te->d.X.rows;
    kiln_mat *P = kiln_mat_new(n, 1);
    ck_assert_msg(kiln_algo_gbm.predict(m, &te->d.X, P) == KILN_OK, "predict succeeds");
    double mean = 0, ss_res = 0, ss_tot = 0;
    for (size_t i = 0; i < n; i++)
        mean += te->y[i] / (double)n;
    for (size_t i = 0; i < n; i++) {
        ss_res += (te->y[i] - P->data[i]) * (te->y[i] - P->data[i]);
        ss_tot += (te->y[i] - mean) * (te->y[i] - mean);
    }
    kiln_mat_free(P);
    return 1 - ss_res / ss_tot;
}

/* Fit round by round on the training split, checking that the training loss never rises. */
static void *fit_monotone(const split *tr, const kiln_params *p, const char *name)
{
    kiln_ctx ctx = test_ctx(2);
    kiln_gbm_fit *f;
    ck_assert_msg(kiln_gbm_init(&f, p, &tr->d, &ctx) == KILN_OK, "%s: init: %s", name, kiln_last_error());
    double prev = kiln_gbm_train_loss(f);
    int done = 0;
    while (!done) {
        ck_assert_msg(kiln_gbm_iterate(f, &done) == KILN_OK, "%s: iterate: %s", name, kiln_last_error());
        double cur = kiln_gbm_train_loss(f);
        ck_assert_msg(cur <= prev + 1e-12 * fabs(prev), "%s: training loss rose from %.10g to %.10g", name, prev,
                      cur);
        prev = cur;
    }
    void *m;
    ck_assert_msg(kiln_gbm_finish(f, &m) == KILN_OK, "%s: finish", name);
    return m;
}

/* r2_tol: how far below XGBoost's held-out R2 kiln may land (regression only). */
static void check_against_xgboost(const char *name, kiln_task task, size_t k, double r2_tol)
{
    char rel[256];
    split tr, te;
    snprintf(rel, sizeof rel, "tests/data/gbm/%s_train.csv", name);
    split_load(&tr, rel, task, k);
    snprintf(rel, sizeof rel, "tests/data/gbm/%s_test.csv", name);
    split_load(&te, rel, task, k);
    snprintf(rel, sizeof rel, "tests/data/gbm/%s_ref.csv", name);
    kiln_mat *ref = test_load_matrix(rel);
    kiln_params p;
    defaults(&p);
    void *m = fit_monotone(&tr, &p, name);
    ck_assert_msg(kiln_gbm_rounds(m) == 100, "%s: 100 rounds grown", name);
    if (task == KILN_TASK_CLASSIFY) {
        double ll = held_out_log_loss(m, &te, k), xgb = ref->data[0];
        fprintf(stderr, "%-14s log loss kiln %.6f xgboost %.6f\n", name, ll, xgb);
        ck_assert_msg(ll <= 1.01 * xgb, "%s: held-out log loss %.6f within 1%% of XGBoost's %.6f", name, ll, xgb);
    } else {
        double r2 = held_out_r2(m, &te), xgb = ref->data[0];
        fprintf(stderr, "%-14s R2 kiln %.6f xgboost %.6f\n", name, r2, xgb);
        ck_assert_msg(r2 >= xgb - r2_tol, "%s: held-out R2 %.6f within %g of XGBoost's %.6f", name, r2, r2_tol,
                      xgb);
    }
    kiln_algo_gbm.free(m);
    kiln_mat_free(ref);
    split_free(&tr);
    split_free(&te);
}

START_TEST(matches_xgboost_binary)
{
    check_against_xgboost("breast_cancer", KILN_TASK_CLASSIFY, 2, 0);
    check_against_xgboost("generated", KILN_TASK_CLASSIFY, 2, 0);
}
END_TEST

START_TEST(matches_xgboost_multiclass)
{
    check_against_xgboost("digits", KILN_TASK_CLASSIFY, 10, 0);
    check_against_xgboost("generated5", KILN_TASK_CLASSIFY, 5, 0);
}
END_TEST

START_TEST(matches_xgboost_regression)
{
    /* 0.02 on diabetes, not 0.005: with 309 training rows and depth 6 the fit over-fits, and XGBoost's own
       held-out R2 moves from 0.113 (exact) to 0.131 (hist, 255 bins) to 0.200 (128 bins) with the bin edges
       alone. kiln puts thresholds halfway between distinct values, as the exact method does. */
    check_against_xgboost("diabetes", KILN_TASK_REGRESS, 0, 0.02);
    check_against_xgboost("categorical", KILN_TASK_REGRESS, 0, 0.005);
}
END_TEST

/* A tiny regression set: x in {0,1,2,3}, y = {1,1,5,5}. */
static double tiny_X[4] = {0, 1, 2, 3}, tiny_y[4] = {1, 1, 5, 5};

static kiln_dataset tiny(void)
{
    kiln_dataset d = {0};
    d.X = (kiln_mat){tiny_X, 4, 1, 1, 0};
    d.y = tiny_y;
    d.task = KILN_TASK_REGRESS;
    return d;
}

START_TEST(one_round_is_the_newton_step)
{
    kiln_dataset d = tiny();
    kiln_params p;
    defaults(&p);
    kiln_params_set(&p, "n_estimators=1");
    kiln_params_set(&p, "learning_rate=1");
    kiln_params_set(&p, "max_depth=1");
    kiln_params_set(&p, "reg_lambda=1");
    kiln_params_set(&p, "min_child_weight=0");
    void *m;
    kiln_ctx ctx = test_ctx(1);
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_OK, "fit: %s", kiln_last_error());
    /* Start at the mean 3; g = F - y = {2,2,-2,-2}, h = 1. The best split is x <= 1.5:
     * left G = 4, H = 2 -> w = -4/3; right w = +4/3. */
    kiln_mat *out = kiln_mat_new(4, 1);
    kiln_algo_gbm.predict(m, &d.X, out);
    ck_assert_msg(fabs(out->data[0] - (3 - 4.0 / 3)) < 1e-12 && fabs(out->data[1] - (3 - 4.0 / 3)) < 1e-12,
                  "left leaf: mean 3 plus -G/(H+lambda) = -4/3, got %.15g", out->data[0]);
    ck_assert_msg(fabs(out->data[3] - (3 + 4.0 / 3)) < 1e-12, "right leaf: 3 + 4/3, got %.15g", out->data[3]);
    kiln_mat_free(out);
    kiln_algo_gbm.free(m);
    kiln_dataset_clear_cache(&d);
}
END_TEST

START_TEST(constant_target_predicts_the_constant)
{
    double y[4] = {7, 7, 7, 7};
    kiln_dataset d = tiny();
    d.y = y;
    kiln_params p;
    defaults(&p);
    void *m;
    kiln_ctx ctx = test_ctx(1);
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_OK, "fit on a constant target");
    kiln_mat *out = kiln_mat_new(4, 1);
    kiln_algo_gbm.predict(m, &d.X, out);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(out->data[i] == 7.0, "a constant target predicts the constant, got %g", out->data[i]);
    kiln_mat_free(out);
    kiln_algo_gbm.free(m);
    kiln_dataset_clear_cache(&d);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    kiln_params p;
    defaults(&p);
    ck_assert_msg(kiln_params_set(&p, "learning_rate=0") == KILN_EINPUT, "learning_rate <= 0 is refused");
    ck_assert_msg(kiln_params_set(&p, "n_estimators=0") == KILN_EINPUT, "n_estimators = 0 is refused");
    ck_assert_msg(kiln_params_set(&p, "subsample=0") == KILN_EINPUT, "subsample = 0 is refused");
    ck_assert_msg(kiln_params_set(&p, "subsample=1.5") == KILN_EINPUT, "subsample > 1 is refused");
    ck_assert_msg(kiln_params_set(&p, "loss=hinge") == KILN_EINPUT, "an unknown loss is refused");
    kiln_dataset d = tiny();
    kiln_ctx ctx = test_ctx(1);
    void *m;
    kiln_params_set(&p, "validation_fraction=0.1");
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_EINPUT, "a validation fraction leaving no rows");
    ck_assert_msg(strstr(kiln_last_error(), "validation_fraction") != NULL, "the message names the parameter: %s",
                  kiln_last_error());
    defaults(&p);
    kiln_params_set(&p, "max_depth=0");
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_EINPUT, "max_depth=0 is refused");
    defaults(&p);
    double y[4] = {1, NAN, 2, 3};
    d.y = y;
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_EINPUT, "a NaN target is refused");
    ck_assert_msg(strstr(kiln_last_error(), "row 2") != NULL, "the message names the row: %s", kiln_last_error());
    d.y = (double[4]){1, 0, 2, 3};
    kiln_params_set(&p, "loss=log_loss");
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_EINPUT, "log_loss on a regression target is refused");
    ck_assert_msg(strstr(kiln_last_error(), "loss=log_loss") != NULL, "the message names it: %s", kiln_last_error());
    d.y = (double[4]){0, 1, 1, 0};
    d.task = KILN_TASK_CLASSIFY;
    d.n_classes = 2;
    kiln_params_set(&p, "loss=huber");
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_EINPUT, "a regression loss on classes is refused");
    ck_assert_msg(strstr(kiln_last_error(), "loss=huber") != NULL, "the message names it: %s", kiln_last_error());
    kiln_params_set(&p, "loss=log_loss");
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_OK, "log_loss on classes: %s", kiln_last_error());
    kiln_algo_gbm.free(m);
    defaults(&p);
    d.task = KILN_TASK_REGRESS;
    d.n_classes = 0;
    double yc[4] = {0, 1, 2, 1};
    d.y = yc;
    d.task = KILN_TASK_CLASSIFY;
    d.n_classes = 2;
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &d, &ctx) == KILN_EINPUT, "a class index out of range is refused");
    kiln_algo_gbm.free(NULL);
    kiln_dataset_clear_cache(&d); /* the bins of the log_loss fit */
}
END_TEST

static void fit_bytes(const split *tr, int threads, const kiln_params *p, unsigned char **bytes, size_t *len)
{
    kiln_ctx ctx = test_ctx(threads);
    ctx.seed = 42;
    void *m;
    ck_assert_msg(kiln_algo_gbm.fit(&m, p, &tr->d, &ctx) == KILN_OK, "fit: %s", kiln_last_error());
    kiln_writer *w = kiln_writer_new();
    ck_assert_msg(kiln_algo_gbm.save(m, w) == KILN_OK, "save");
    const unsigned char *b;
    kiln_writer_finish(w, &b, len);
    *bytes = malloc(*len);
    memcpy(*bytes, b, *len);
    kiln_writer_free(w);
    kiln_algo_gbm.free(m);
}

START_TEST(same_seed_same_bytes_at_any_thread_count)
{
    /* With subsampling (leaf values from a descent of the tree) and without
     * (from the builder's row_leaf, which the parallel node split renumbers). */
    static const char *const sampling[][2] = {{"subsample=0.7", "colsample_bytree=0.6"},
                                              {"subsample=1", "colsample_bytree=1"}};
    split tr;
    split_load(&tr, "tests/data/gbm/generated5_train.csv", KILN_TASK_CLASSIFY, 5);
    for (size_t k = 0; k < 2; k++) {
        kiln_params p;
        defaults(&p);
        kiln_params_set(&p, "n_estimators=10");
        kiln_params_set(&p, sampling[k][0]);
        kiln_params_set(&p, sampling[k][1]);
        unsigned char *a;
        size_t la;
        fit_bytes(&tr, 1, &p, &a, &la);
        for (int threads = 2; threads <= 3; threads++) {
            unsigned char *b;
            size_t lb;
            fit_bytes(&tr, threads, &p, &b, &lb);
            ck_assert_msg(la == lb && memcmp(a, b, la) == 0, "%s: 1 and %d threads give byte-identical model files",
                          sampling[k][0], threads);
            free(b);
        }
        free(a);
    }
    split_free(&tr);
}
END_TEST

START_TEST(save_load_predicts_bit_exactly)
{
    split tr;
    split_load(&tr, "tests/data/gbm/breast_cancer_train.csv", KILN_TASK_CLASSIFY, 2);
    kiln_params p;
    defaults(&p);
    kiln_params_set(&p, "n_estimators=20");
    unsigned char *bytes;
    size_t len;
    fit_bytes(&tr, 2, &p, &bytes, &len);
    kiln_reader *r;
    ck_assert_msg(kiln_reader_open_mem(bytes, len, "mem", &r) == KILN_OK, "reader opens the saved bytes");
    void *m;
    ck_assert_msg(kiln_algo_gbm.load(&m, r) == KILN_OK, "load: %s", kiln_last_error());
    kiln_reader_free(r);
    kiln_ctx ctx = test_ctx(1);
    ctx.seed = 42;
    void *m0;
    kiln_algo_gbm.fit(&m0, &p, &tr.d, &ctx);
    kiln_mat *a = kiln_mat_new(tr.d.X.rows, 2), *b = kiln_mat_new(tr.d.X.rows, 2);
    kiln_algo_gbm.predict(m0, &tr.d.X, a);
    kiln_algo_gbm.predict(m, &tr.d.X, b);
    ck_assert_msg(memcmp(a->data, b->data, a->rows * 2 * sizeof(double)) == 0, "loaded model predicts bit-exactly");
    /* A corrupted tree section is refused, never a crash. */
    bytes[len / 2] ^= 0x5a;
    ck_assert_msg(kiln_reader_open_mem(bytes, len, "mem", &r) != KILN_OK, "a corrupted file is refused");
    FILE *devnull = fopen("/dev/null", "w");
    kiln_inspect_args ia = {.format = KILN_INSPECT_JSON, .tree = -1};
    ck_assert_msg(kiln_algo_gbm.inspect(m, &ia, devnull) == KILN_OK, "inspect json");
    ia.format = KILN_INSPECT_TEXT;
    ck_assert_msg(kiln_algo_gbm.inspect(m, &ia, devnull) == KILN_OK, "inspect text");
    ia.format = KILN_INSPECT_DOT;
    ia.tree = 3;
    ck_assert_msg(kiln_algo_gbm.inspect(m, &ia, devnull) == KILN_OK, "inspect dot of one tree");
    fclose(devnull);
    double imp[30], s = 0;
    ck_assert_msg(kiln_algo_gbm.importance(m, imp, 30) == KILN_OK, "importance");
    for (int j = 0; j < 30; j++)
        s += imp[j];
    ck_assert_msg(fabs(s - 1) < 1e-12, "gain importances sum to 1");
    kiln_mat_free(a);
    kiln_mat_free(b);
    kiln_algo_gbm.free(m);
    kiln_algo_gbm.free(m0);
    free(bytes);
    split_free(&tr);
}
END_TEST

START_TEST(early_stopping_keeps_the_best_round)
{
    split tr;
    split_load(&tr, "tests/data/gbm/diabetes_train.csv", KILN_TASK_REGRESS, 0);
    kiln_params p;
    defaults(&p);
    kiln_params_set(&p, "n_estimators=500");
    kiln_params_set(&p, "learning_rate=0.3");
    kiln_params_set(&p, "validation_fraction=0.2");
    kiln_params_set(&p, "n_iter_no_change=5");
    kiln_ctx ctx = test_ctx(2);
    void *m;
    ck_assert_msg(kiln_algo_gbm.fit(&m, &p, &tr.d, &ctx) == KILN_OK, "fit: %s", kiln_last_error());
    size_t rounds = kiln_gbm_rounds(m), best = kiln_gbm_best_round(m);
    ck_assert_msg(rounds < 500 && best + 5 == rounds, "stopped 5 rounds after the best (%zu of %zu)", best, rounds);
    for (size_t r = 0; r < rounds; r++)
        ck_assert_msg(kiln_gbm_round_loss(m, r, 1) >= kiln_gbm_round_loss(m, best - 1, 1),
                      "round %zu's validation loss is not below the best's", r + 1);
    kiln_algo_gbm.free(m);
    split_free(&tr);
}
END_TEST

START_TEST(robust_losses_and_leafwise_growth_fit)
{
    split tr;
    split_load(&tr, "tests/data/gbm/categorical_train.csv", KILN_TASK_REGRESS, 0);
    const char *variants[][2] = {{"loss=absolute_error", "max_depth=6"},
                                 {"loss=huber", "huber_delta=2"},
                                 {"max_depth=-1", "max_leaf_nodes=31"}};
    for (size_t v = 0; v < 3; v++) {
        kiln_params p;
        defaults(&p);
        kiln_params_set(&p, "n_estimators=30");
        ck_assert_msg(kiln_params_set(&p, variants[v][0]) == KILN_OK && kiln_params_set(&p, variants[v][1]) == KILN_OK,
                      "params %s %s", variants[v][0], variants[v][1]);
        void *m = fit_monotone(&tr, &p, variants[v][0]);
        kiln_algo_gbm.free(m);
    }
    split_free(&tr);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gbm");
    TCase *tc = tcase_create("gbm");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, one_round_is_the_newton_step);
    tcase_add_test(tc, constant_target_predicts_the_constant);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, matches_xgboost_binary);
    tcase_add_test(tc, matches_xgboost_multiclass);
    tcase_add_test(tc, matches_xgboost_regression);
    tcase_add_test(tc, same_seed_same_bytes_at_any_thread_count);
    tcase_add_test(tc, save_load_predicts_bit_exactly);
    tcase_add_test(tc, early_stopping_keeps_the_best_round);
    tcase_add_test(tc, robust_losses_and_leafwise_growth_fit);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
