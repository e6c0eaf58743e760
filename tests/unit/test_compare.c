/* algos/select/{setup,compare,tune}.c and io/runlog.c: the setup's split and
 * folds, per-fold metrics equal to fitting and scoring each fold by hand, the
 * same results at any thread count, failures recorded, the leaderboard order,
 * tune never worse than its starting point, and the run log helpers. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln/compare.h"
#include "kiln/runlog.h"
#include "testrun.h"

#define IRIS KILN_SOURCE_DIR "/datasets/iris.csv"
#define CANCER KILN_SOURCE_DIR "/datasets/breast_cancer.csv"
#define DIABETES KILN_SOURCE_DIR "/datasets/diabetes.csv"

static kiln_frame *read_csv(const char *path)
{
    kiln_frame *f = NULL;
    ck_assert_msg(kiln_csv_read(path, NULL, &f) == KILN_OK, "read %s: %s", path, kiln_last_error());
    return f;
}

static kiln_setup *make_setup(const kiln_frame *f, int folds, int threads)
{
    kiln_setup_opts o = kiln_setup_opts_default();
    o.folds = folds;
    o.threads = threads;
    kiln_setup *s = NULL;
    ck_assert_msg(kiln_setup_new(f, "target", &o, &s) == KILN_OK, "setup: %s", kiln_last_error());
    return s;
}

static kiln_candidate candidate(const char *id)
{
    kiln_candidate c = {kiln_algo_find(id), {0}};
    ck_assert_msg(c.algo != NULL, "estimator %s is registered", id);
    kiln_params_defaults(&c.params, c.algo->params);
    return c;
}

START_TEST(setup_splits_like_pycaret)
{
    kiln_frame *f = read_csv(CANCER);
    kiln_setup *s = make_setup(f, 10, 1);
    ck_assert_msg(kiln_setup_train(s)->nrows == 398, "floor(0.7 * 569) = 398 training rows, got %zu",
                  kiln_setup_train(s)->nrows);
    ck_assert_msg(kiln_setup_holdout(s)->nrows == 171, "569 - 398 = 171 held-out rows");
    ck_assert_msg(kiln_setup_task(s) == KILN_TASK_CLASSIFY, "a 0/1 target is classification");
    int count[10] = {0};
    for (size_t i = 0; i < kiln_setup_train(s)->nrows; i++)
        count[kiln_setup_folds(s)[i]]++;
    for (int k = 0; k < 10; k++)
        ck_assert_msg(count[k] == 39 || count[k] == 40, "fold %d has 39 or 40 of 398 rows (%d)", k, count[k]);
    kiln_setup_free(s);
    kiln_frame_free(f);
}
END_TEST

START_TEST(setup_errors)
{
    kiln_frame *f = read_csv(IRIS);
    kiln_setup *s = NULL;
    kiln_setup_opts o = kiln_setup_opts_default();
    o.folds = 40; /* 35 training rows per class */
    ck_assert_msg(kiln_setup_new(f, "target", &o, &s) == KILN_EINPUT && strstr(kiln_last_error(), "--folds"),
                  "more folds than rows of the smallest class is refused naming --folds: %s", kiln_last_error());
    o.folds = 1;
    ck_assert_msg(kiln_setup_new(f, "target", &o, &s) == KILN_EINPUT, "one fold is refused");
    o = kiln_setup_opts_default();
    o.train_size = 1.0;
    ck_assert_msg(kiln_setup_new(f, "target", &o, &s) == KILN_EINPUT && strstr(kiln_last_error(), "--train-size"),
                  "train size 1 is refused naming --train-size");
    o.train_size = 0.001;
    ck_assert_msg(kiln_setup_new(f, "target", &o, &s) == KILN_EINPUT, "a train size leaving no row is refused");
    kiln_frame_free(f);

    FILE *t = fopen("one_class.csv", "w");
    ck_assert_msg(t != NULL, "write a one-class file");
    fputs("x,target\n", t);
    for (int i = 0; i < 30; i++)
        fprintf(t, "%d,a\n", i);
    fclose(t);
    f = read_csv("one_class.csv");
    o = kiln_setup_opts_default();
    ck_assert_msg(kiln_setup_new(f, "target", &o, &s) == KILN_EINPUT && strstr(kiln_last_error(), "one class"),
                  "a one-class target is refused: %s", kiln_last_error());
    kiln_frame_free(f);
    remove("one_class.csv");
}
END_TEST

/* The fold's training and scored rows of the setup's training part, as frames. */
static void fold_frames(const kiln_setup *s, int f, kiln_frame **train, kiln_frame **valid)
{
    const kiln_frame *all = kiln_setup_train(s);
    size_t *tr = malloc(all->nrows * sizeof *tr), *va = malloc(all->nrows * sizeof *va), nt = 0, nv = 0;
    for (size_t i = 0; i < all->nrows; i++) {
        if (kiln_setup_folds(s)[i] == f)
            va[nv++] = i;
        else
            tr[nt++] = i;
    }
    ck_assert_msg(kiln_frame_take_rows(all, tr, nt, train) == KILN_OK, "fold %d training frame", f);
    ck_assert_msg(kiln_frame_take_rows(all, va, nv, valid) == KILN_OK, "fold %d scored frame", f);
    free(tr);
    free(va);
}

static void check_fold_metrics_by_hand(const char *path, const char *const *ids, size_t n, int folds)
{
    kiln_frame *f = read_csv(path);
    kiln_setup *s = make_setup(f, folds, 2);
    kiln_candidate c[8];
    kiln_cv_result r[8];
    for (size_t i = 0; i < n; i++)
        c[i] = candidate(ids[i]);
    ck_assert_msg(kiln_cv_run(s, c, n, NULL, r) == KILN_OK, "cv run: %s", kiln_last_error());
    const char *const *names;
    size_t nnames = kiln_metric_names(kiln_setup_task(s), &names);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(r[i].state == KILN_CV_OK, "%s ran on every fold: %s", ids[i], r[i].error);
        for (int k = 0; k < folds; k++) {
            kiln_frame *tf, *vf;
            fold_frames(s, k, &tf, &vf);
            kiln_ctx ctx = kiln_ctx_default();
            ctx.seed = kiln_setup_options(s)->seed;
            ctx.threads = 1;
            kiln_model *m;
            ck_assert_msg(kiln_model_train(tf, NULL, "target", c[i].algo, &c[i].params, kiln_setup_task(s),
                                           KILN_NORMALIZE_AUTO, &ctx, &m) == KILN_OK,
                          "%s fold %d trains by hand", ids[i], k);
            kiln_metrics want;
            ck_assert_msg(kiln_model_evaluate(m, vf, &want, NULL) == KILN_OK, "%s fold %d scores", ids[i], k);
            for (size_t j = 0; j < nnames; j++) {
                double a, b;
                kiln_metric_get(&r[i].fold[k], names[j], &a);
                kiln_metric_get(&want, names[j], &b);
                ck_assert_msg(a == b || (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-12 * fabs(b),
                              "%s fold %d %s: cv %.17g, by hand %.17g", ids[i], k, names[j], a, b);
            }
            kiln_model_free(m);
            kiln_frame_free(tf);
            kiln_frame_free(vf);
        }
        for (size_t j = 0; j < nnames; j++) {
            double sum = 0, mean;
            for (int k = 0; k < folds; k++) {
                double v;
                kiln_metric_get(&r[i].fold[k], names[j], &v);
                sum += v;
            }
            kiln_metric_get(&r[i].mean, names[j], &mean);
            ck_assert_msg(fabs(mean - sum / folds) <= 1e-12 * fabs(mean) || (isnan(mean) && isnan(sum)),
                          "%s mean %s is the average of its folds", ids[i], names[j]);
        }
    }
    kiln_cv_results_clear(r, n);
    kiln_setup_free(s);
    kiln_frame_free(f);
}

START_TEST(fold_metrics_equal_fitting_by_hand)
{
    static const char *const cls[] = {"lr", "knn", "nb", "dt", "svm", "rf", "gbm"};
    check_fold_metrics_by_hand(CANCER, cls, 7, 5);
    static const char *const reg[] = {"lr", "ridge", "lasso", "knn", "et"};
    check_fold_metrics_by_hand(DIABETES, reg, 5, 4);
}
END_TEST

static void run_all(const kiln_frame *f, int threads, kiln_cv_result *r, size_t *n)
{
    kiln_setup *s = make_setup(f, 5, threads);
    kiln_candidate c[16];
    *n = 0;
    for (size_t i = 0; i < kiln_algo_count(); i++)
        if (kiln_algo_at(i)->tasks & KILN_TASK_CLASSIFY)
            c[(*n)++] = candidate(kiln_algo_at(i)->id);
    ck_assert_msg(kiln_cv_run(s, c, *n, NULL, r) == KILN_OK, "cv run with %d threads: %s", threads,
                  kiln_last_error());
    kiln_setup_free(s);
}

START_TEST(same_results_at_any_thread_count)
{
    kiln_frame *f = read_csv(IRIS);
    kiln_cv_result a[16], b[16];
    size_t na, nb;
    run_all(f, 1, a, &na);
    run_all(f, 2, b, &nb);
    ck_assert_msg(na == nb && na >= 8, "the same candidates (%zu)", na);
    for (size_t i = 0; i < na; i++) {
        ck_assert_msg(a[i].state == b[i].state, "%s: same state", a[i].cand.algo->id);
        const char *const *names;
        size_t nn = kiln_metric_names(KILN_TASK_CLASSIFY, &names);
        for (int k = 0; k < 5; k++)
            for (size_t j = 0; j < nn; j++) {
                double x, y;
                kiln_metric_get(&a[i].fold[k], names[j], &x);
                kiln_metric_get(&b[i].fold[k], names[j], &y);
                ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "%s fold %d %s: identical at 1 and 2 threads (%.17g, %.17g)",
                              a[i].cand.algo->id, k, names[j], x, y);
            }
    }
    size_t oa[16], ob[16];
    kiln_cv_sort(a, na, "Accuracy", oa);
    kiln_cv_sort(b, nb, "Accuracy", ob);
    ck_assert_msg(memcmp(oa, ob, na * sizeof oa[0]) == 0, "the same leaderboard order");
    kiln_cv_results_clear(a, na);
    kiln_cv_results_clear(b, nb);
    kiln_frame_free(f);
}
END_TEST

START_TEST(failures_are_recorded)
{
    kiln_frame *f = read_csv(IRIS);
    kiln_setup *s = make_setup(f, 5, 2);
    kiln_candidate c[3] = {candidate("lr"), candidate("knn"), candidate("dt")};
    ck_assert_msg(kiln_params_set(&c[1].params, "n_neighbors=500") == KILN_OK, "n_neighbors=500 parses");
    kiln_cv_result r[3];
    ck_assert_msg(kiln_cv_run(s, c, 3, NULL, r) == KILN_OK, "a failing model does not stop the run");
    ck_assert_msg(r[0].state == KILN_CV_OK && r[2].state == KILN_CV_OK, "the other models ran");
    ck_assert_msg(r[1].state == KILN_CV_FAILED && strstr(r[1].error, "fold 1") && strlen(r[1].error) > 10,
                  "knn with more neighbours than rows is recorded with its error: '%s'", r[1].error);
    size_t order[3];
    kiln_cv_sort(r, 3, "Accuracy", order);
    ck_assert_msg(order[2] == 1, "the failed model sorts last");
    kiln_cv_results_clear(r, 3);

    kiln_cv_opts raise = {.errors_raise = 1};
    ck_assert_msg(kiln_cv_run(s, c, 3, &raise, r) == KILN_EINPUT && strstr(kiln_last_error(), "knn"),
                  "errors_raise returns the failure naming the model: %s", kiln_last_error());

    kiln_cv_opts budget = {.budget_seconds = 1e-12};
    ck_assert_msg(kiln_cv_run(s, c, 3, &budget, r) == KILN_OK, "a spent budget is not an error");
    ck_assert_msg(r[2].state == KILN_CV_SKIPPED, "the last model is not started once the budget is spent");
    kiln_cv_results_clear(r, 3);
    kiln_setup_free(s);
    kiln_frame_free(f);
}
END_TEST

START_TEST(sort_orders_errors_ascending)
{
    kiln_cv_result r[4] = {0};
    double mae[4] = {3.0, 1.00001, 1.0, 2.0};
    for (int i = 0; i < 4; i++) {
        r[i].mean.task = KILN_TASK_REGRESS;
        r[i].mean.mae = mae[i];
        r[i].mean.r2 = -mae[i];
        r[i].seconds = 4 - i;
    }
    size_t o[4];
    kiln_cv_sort(r, 4, "MAE", o);
    ck_assert_msg(o[0] == 1 && o[1] == 2 && o[2] == 3 && o[3] == 0,
                  "MAE ascending, values rounded to 4 places first so ties keep input order");
    kiln_cv_sort(r, 4, "R2", o);
    ck_assert_msg(o[0] == 1 && o[3] == 0, "R2 descending");
    kiln_cv_sort(r, 4, "TT (Sec)", o);
    ck_assert_msg(o[0] == 3 && o[3] == 0, "time ascending");
    ck_assert_msg(kiln_cv_check_metric(KILN_TASK_REGRESS, "Accuracy", "--sort") == KILN_EINPUT &&
                      strstr(kiln_last_error(), "--sort Accuracy"),
                  "a classification metric for regression is refused naming the flag");
    ck_assert_msg(kiln_cv_check_metric(KILN_TASK_CLASSIFY, "auc", "--sort") == KILN_OK, "names are case-blind");
}
END_TEST

static void check_tune(const char *path, const char *id, const char *metric)
{
    kiln_frame *f = read_csv(path);
    kiln_setup *s = make_setup(f, 5, 2);
    const kiln_algo *a = kiln_algo_find(id);
    kiln_params base;
    kiln_params_defaults(&base, a->params);
    kiln_grid g;
    kiln_grid_default(a, kiln_setup_task(s), &g);
    kiln_tune_result t;
    ck_assert_msg(kiln_tune_run(s, a, &base, &g, KILN_SEARCH_RANDOM, 6, metric, NULL, &t) == KILN_OK,
                  "tune %s: %s", id, kiln_last_error());
    double start, kept;
    kiln_cv_metric(&t.results[0], metric, &start);
    kiln_cv_metric(&t.results[t.tuned_won ? t.best : 0], metric, &kept);
    int higher = kiln_metric_higher_better(metric);
    ck_assert_msg(higher ? kept >= start : kept <= start, "tune %s: kept %s %.6f is no worse than the defaults' %.6f",
                  id, metric, kept, start);
    if (t.tuned_won) {
        double best;
        kiln_cv_metric(&t.results[t.best], metric, &best);
        ck_assert_msg(higher ? best > start : best < start, "tune %s: the tuned point wins only when strictly better", id);
    }
    size_t points = kiln_grid_size(&g) < 6 ? kiln_grid_size(&g) : 6;
    ck_assert_msg(t.n == points + 1, "tune %s: the start and %zu points (%zu)", id, points, t.n);
    kiln_tune_result_clear(&t);
    kiln_setup_free(s);
    kiln_frame_free(f);
}

START_TEST(tune_never_worse_than_defaults)
{
    check_tune(CANCER, "lr", "Accuracy");
    check_tune(CANCER, "dt", "AUC");
    check_tune(IRIS, "knn", "F1");
    check_tune(DIABETES, "ridge", "MAE");
}
END_TEST

START_TEST(grid_points_and_overrides)
{
    const kiln_algo *a = kiln_algo_find("knn");
    kiln_grid g;
    kiln_grid_default(a, KILN_TASK_CLASSIFY, &g);
    ck_assert_msg(g.n >= 2, "knn's table gives a grid");
    ck_assert_msg(kiln_grid_set(&g, a, "n_neighbors=3,7") == KILN_OK, "--grid n_neighbors=3,7 parses");
    ck_assert_msg(kiln_grid_size(&g) == 2 * g.axis[1].n * (g.n > 2 ? g.axis[2].n : 1), "size is the product");
    ck_assert_msg(kiln_grid_set(&g, a, "n_neighbors=0") == KILN_EINPUT && strstr(kiln_last_error(), "--grid"),
                  "an out-of-range value is refused naming --grid");
    ck_assert_msg(kiln_grid_set(&g, a, "bogus=1") == KILN_EINPUT, "an unknown parameter is refused");
    for (size_t i = 0; i < kiln_algo_count(); i++) {
        const kiln_algo *e = kiln_algo_at(i);
        kiln_grid d;
        kiln_grid_default(e, (e->tasks & KILN_TASK_CLASSIFY) ? KILN_TASK_CLASSIFY : KILN_TASK_REGRESS, &d);
        kiln_params p;
        kiln_params_defaults(&p, e->params);
        for (size_t x = 0; x < d.n; x++)
            for (size_t v = 0; v < d.axis[x].n; v++)
                ck_assert_msg(kiln_params_set_value(&p, d.axis[x].name, d.axis[x].value[v]) == KILN_OK,
                              "%s: grid value %s=%s is valid", e->id, d.axis[x].name, d.axis[x].value[v]);
    }
}
END_TEST

START_TEST(runlog_helpers)
{
    FILE *t = fopen("runlog_a.txt", "w");
    fputs("a", t);
    fclose(t);
    uint64_t h = 0;
    ck_assert_msg(kiln_file_hash("runlog_a.txt", &h) == KILN_OK && h == 0xaf63dc4c8601ec8cull,
                  "FNV-1a 64 of \"a\" is af63dc4c8601ec8c (got %016llx)", (unsigned long long)h);
    remove("runlog_a.txt");
    const char *line = "{\"command\":\"tune\",\"args\":[\"a\",{\"b\":1}],\"metrics\":{\"Prec.\":0.5,"
                       "\"R2\":-1e-3},\"s\":\"x\\\"y\\u00e9\",\"n\":null}";
    char buf[32];
    ck_assert_msg(kiln_json_lookup(line, "command", buf, sizeof buf) && strcmp(buf, "tune") == 0, "a string");
    ck_assert_msg(kiln_json_lookup(line, "metrics.Prec.", buf, sizeof buf) && strcmp(buf, "0.5") == 0,
                  "a nested key with a dot in its name");
    ck_assert_msg(kiln_json_lookup(line, "metrics.R2", buf, sizeof buf) && strcmp(buf, "-1e-3") == 0,
                  "a number as written");
    ck_assert_msg(kiln_json_lookup(line, "s", buf, sizeof buf) && strcmp(buf, "x\"y\xc3\xa9") == 0,
                  "escapes are decoded");
    ck_assert_msg(!kiln_json_lookup(line, "metrics.MAE", buf, sizeof buf), "a missing key");
    ck_assert_msg(!kiln_json_lookup("{\"a\":", "a", buf, sizeof buf), "a truncated line");
    remove("runlog_test.jsonl");
    ck_assert_msg(kiln_runlog_append("runlog_test.jsonl", line) == KILN_OK, "append");
    ck_assert_msg(kiln_runlog_append("runlog_test.jsonl", line) == KILN_OK, "append again");
    t = fopen("runlog_test.jsonl", "r");
    int lines = 0, ch;
    while ((ch = fgetc(t)) != EOF)
        lines += ch == '\n';
    fclose(t);
    ck_assert_msg(lines == 2, "two appends make two lines");
    remove("runlog_test.jsonl");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, setup_splits_like_pycaret);
    tcase_add_test(tc, setup_errors);
    tcase_add_test(tc, fold_metrics_equal_fitting_by_hand);
    tcase_add_test(tc, same_results_at_any_thread_count);
    tcase_add_test(tc, failures_are_recorded);
    tcase_add_test(tc, sort_orders_errors_ascending);
    tcase_add_test(tc, tune_never_worse_than_defaults);
    tcase_add_test(tc, grid_points_and_overrides);
    tcase_add_test(tc, runlog_helpers);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
