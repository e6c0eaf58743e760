/* algos/neighbors: kNN against scikit-learn (tests/data/knn/make_knn_fixtures.py),
 * the tie rules, thread invariance, screening, save/load, inspect and bad input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "algos/neighbors/knn_impl.h"
#include "kiln/knn.h"
#include "kiln/util.h"
#include "testdata.h"
#include "testrun.h"

/* ---- helpers ---- */

/* A data set from a fixture: features, then the target in the last column. */
typedef struct fixture {
    kiln_mat *train, *test;
    kiln_dataset ds;
    double *ytr;
} fixture;

static void fixture_load(fixture *f, const char *name, kiln_task task)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/knn/%s_train.csv", name);
    f->train = test_load_matrix(rel);
    snprintf(rel, sizeof rel, "tests/data/knn/%s_test.csv", name);
    f->test = test_load_matrix(rel);
    ck_assert_msg(f->train && f->test, "fixture %s loads", name);
    size_t n = f->train->rows, d = f->train->cols - 1;
    f->ytr = malloc(n * sizeof *f->ytr);
    size_t n_classes = 0;
    for (size_t i = 0; i < n; i++) {
        f->ytr[i] = KILN_MAT_AT(f->train, i, d);
        if (task == KILN_TASK_CLASSIFY && (size_t)f->ytr[i] + 1 > n_classes)
            n_classes = (size_t)f->ytr[i] + 1;
    }
    memset(&f->ds, 0, sizeof f->ds);
    f->ds.X = kiln_mat_view(f->train, 0, 0, n, d);
    f->ds.y = f->ytr;
    f->ds.task = task;
    f->ds.n_classes = n_classes;
}

static void fixture_free(fixture *f)
{
    kiln_mat_free(f->train);
    kiln_mat_free(f->test);
    free(f->ytr);
}

static void *fit_with(const kiln_dataset *ds, const char *const *assign, int threads)
{
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_knn.params);
    for (size_t i = 0; assign[i]; i++)
        ck_assert_msg(kiln_params_set(&p, assign[i]) == KILN_OK, "parameter %s is accepted", assign[i]);
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = threads;
    void *m = NULL;
    ck_assert_msg(kiln_algo_knn.fit(&m, &p, ds, &ctx) == KILN_OK, "fit succeeds: %s", kiln_last_error());
    return m;
}

static kiln_mat *predict(const void *m, const kiln_mat *X, size_t cols)
{
    kiln_mat *out = kiln_mat_new(X->rows, cols);
    ck_assert_msg(kiln_algo_knn.predict(m, X, out) == KILN_OK, "predict succeeds: %s", kiln_last_error());
    return out;
}

static size_t argmax(const double *v, size_t n)
{
    size_t b = 0;
    for (size_t c = 1; c < n; c++)
        if (v[c] > v[b])
            b = c;
    return b;
}

/* Whether the k-th and (k+1)-th neighbours of row x tie to the last bits, or a
 * neighbour sits at distance zero up to rounding (weights then hinge on how a
 * library rounds an exact duplicate): the only allowed causes of a difference. */
static int near_tie(const kiln_knn_model *m, const double *x)
{
    size_t k = m->k, kk = k + 1 <= m->X->rows ? k + 1 : k;
    size_t idx[64];
    double r[64];
    kiln_mat q = {(double *)x, 1, m->X->cols, m->X->cols, 0};
    ck_assert_msg(knn_search(m, &q, kk, idx, r) == KILN_OK, "neighbour search for a differing row");
    if (r[0] <= 1e-12)
        return 1;
    return kk > k && fabs(r[k] - r[k - 1]) <= 1e-12 * fmax(r[k], 1e-300);
}

/* ---- agreement with scikit-learn ---- */

static const char *const metric_assign[][2] = {
    {"metric=euclidean", NULL},
    {"metric=manhattan", NULL},
    {"metric=minkowski", "p=3"},
    {"metric=cosine", NULL},
};
static const char *const metric_file[] = {"euclidean", "manhattan", "minkowski3", "cosine"};

/* Compare every (metric, weights) combination of one data set and algorithm;
 * returns the number of rows that differ through a near tie. */
static size_t compare_set(const char *name, kiln_task task, const char *algorithm)
{
    fixture f;
    fixture_load(&f, name, task);
    size_t d = f.train->cols - 1, cols = task == KILN_TASK_CLASSIFY ? f.ds.n_classes : 1;
    kiln_mat Xte = kiln_mat_view(f.test, 0, 0, f.test->rows, d);
    size_t ties = 0;
    for (size_t mi = 0; mi < 4; mi++) {
        if (strcmp(algorithm, "kd_tree") == 0 && mi == 3)
            continue;
        for (int wi = 0; wi < 2; wi++) {
            const char *weights = wi ? "distance" : "uniform";
            char aw[64], aa[64], rel[256];
            snprintf(aw, sizeof aw, "weights=%s", weights);
            snprintf(aa, sizeof aa, "algorithm=%s", algorithm);
            const char *assign[] = {aw, aa, metric_assign[mi][0], metric_assign[mi][1], NULL};
            kiln_knn_model *m = fit_with(&f.ds, assign, 2);
            kiln_mat *out = predict(m, &Xte, cols);
            snprintf(rel, sizeof rel, "tests/data/knn/%s_%s_%s_%s.csv", name, algorithm, metric_file[mi], weights);
            kiln_mat *ref = test_load_matrix(rel);
            ck_assert_msg(ref && ref->rows == Xte.rows, "reference %s loads", rel);
            for (size_t i = 0; i < Xte.rows; i++) {
                const double *o = KILN_MAT_ROW(out, i), *e = KILN_MAT_ROW(ref, i);
                int same = 1;
                if (task == KILN_TASK_CLASSIFY) {
                    for (size_t c = 0; c < cols; c++)
                        same &= fabs(o[c] - e[c]) <= 1e-12;
                    same &= (double)argmax(o, cols) == e[cols];
                } else {
                    same = fabs(o[0] - e[0]) <= 1e-12 * fmax(1, fabs(e[0]));
                }
                if (same)
                    continue;
                ck_assert_msg(near_tie(m, KILN_MAT_ROW(&Xte, i)),
                              "%s row %zu: differs from scikit-learn without a near tie", rel, i);
                ties++;
            }
            kiln_mat_free(ref);
            kiln_mat_free(out);
            kiln_algo_knn.free(m);
        }
    }
    fixture_free(&f);
    return ties;
}

typedef struct knn_set {
    const char *name;
    kiln_task task;
    size_t max_ties;
} knn_set;

/* Every set against scikit-learn with one engine: at most max_ties rows differ,
 * each through a near tie. */
static void check_sets(const knn_set *sets, size_t n, const char *engine)
{
    for (size_t s = 0; s < n; s++) {
        size_t ties = compare_set(sets[s].name, sets[s].task, engine);
        fprintf(stderr, "knn %s %s: %zu rows differ from scikit-learn through near ties\n", engine, sets[s].name,
                ties);
        ck_assert_msg(ties <= sets[s].max_ties, "%s: at most %zu near-tie differences (got %zu)", sets[s].name,
                      sets[s].max_ties, ties);
    }
}

START_TEST(matches_sklearn_brute)
{
    static const knn_set sets[] = {
        {"iris", KILN_TASK_CLASSIFY, 0},          {"wine", KILN_TASK_CLASSIFY, 0},
        {"digits", KILN_TASK_CLASSIFY, 0},        {"breast_cancer", KILN_TASK_CLASSIFY, 0},
        {"diabetes", KILN_TASK_REGRESS, 0},
    };
    check_sets(sets, sizeof sets / sizeof sets[0], "brute");
}
END_TEST

START_TEST(matches_sklearn_kd_tree)
{
    static const knn_set sets[] = {
        {"iris", KILN_TASK_CLASSIFY, 0}, {"wine", KILN_TASK_CLASSIFY, 0}, {"diabetes", KILN_TASK_REGRESS, 0},
    };
    check_sets(sets, sizeof sets / sizeof sets[0], "kd_tree");
}
END_TEST

/* ---- engines agree with each other and with any thread count ---- */

START_TEST(screening_equals_exact_search)
{
    fixture f;
    fixture_load(&f, "digits", KILN_TASK_CLASSIFY);
    const char *assign[] = {"algorithm=brute", "n_neighbors=7", NULL};
    kiln_knn_model *m = fit_with(&f.ds, assign, 2);
    ck_assert_msg(m->X32 != NULL, "64 features: the float screen is prepared");
    kiln_mat Q = kiln_mat_view(f.test, 0, 0, f.test->rows, f.train->cols - 1);
    size_t n = Q.rows * 7, *i0 = malloc(n * sizeof *i0), *i1 = malloc(n * sizeof *i1);
    double *r0 = malloc(n * sizeof *r0), *r1 = malloc(n * sizeof *r1);
    ck_assert_msg(knn_brute_search(m, &Q, 7, 0, i0, r0) == KILN_OK, "exact dgemm search runs");
    ck_assert_msg(knn_brute_search(m, &Q, 7, 1, i1, r1) == KILN_OK, "screened search runs");
    size_t diff = 0;
    for (size_t j = 0; j < n; j++) {
        ck_assert_msg(fabs(r0[j] - r1[j]) <= 1e-12 * fmax(1, r0[j]), "screened rdist %zu equals the exact one", j);
        diff += i0[j] != i1[j];
    }
    fprintf(stderr, "knn screening: %zu of %zu neighbour slots ordered differently (last-bit ties)\n", diff, n);
    ck_assert_msg(diff == 0, "screening finds the same neighbours in the same order");
    free(i0);
    free(i1);
    free(r0);
    free(r1);
    kiln_algo_knn.free(m);
    fixture_free(&f);
}
END_TEST

START_TEST(any_thread_count_same_bits)
{
    fixture f;
    fixture_load(&f, "breast_cancer", KILN_TASK_CLASSIFY);
    kiln_mat Q = kiln_mat_view(f.test, 0, 0, f.test->rows, f.train->cols - 1);
    const char *algos[] = {"algorithm=brute", "algorithm=kd_tree"};
    for (int a = 0; a < 2; a++) {
        const char *assign[] = {algos[a], "weights=distance", NULL};
        kiln_mat *out[3];
        for (int t = 1; t <= 3; t++) {
            kiln_knn_model *m = fit_with(&f.ds, assign, t);
            out[t - 1] = predict(m, &Q, f.ds.n_classes);
            kiln_algo_knn.free(m);
        }
        for (int t = 1; t < 3; t++)
            ck_assert_msg(memcmp(out[0]->data, out[t]->data, Q.rows * f.ds.n_classes * sizeof(double)) == 0,
                          "%s: %d threads give the bits of 1 thread", algos[a], t + 1);
        for (int t = 0; t < 3; t++)
            kiln_mat_free(out[t]);
    }
    fixture_free(&f);
}
END_TEST

START_TEST(kd_tree_equals_brute_on_manhattan)
{
    fixture f;
    fixture_load(&f, "wine", KILN_TASK_CLASSIFY);
    kiln_mat Q = kiln_mat_view(f.test, 0, 0, f.test->rows, f.train->cols - 1);
    const char *a1[] = {"algorithm=brute", "metric=manhattan", "n_neighbors=9", "leaf_size=2", NULL};
    const char *a2[] = {"algorithm=kd_tree", "metric=manhattan", "n_neighbors=9", "leaf_size=2", NULL};
    kiln_knn_model *m1 = fit_with(&f.ds, a1, 1), *m2 = fit_with(&f.ds, a2, 1);
    size_t n = Q.rows * 9, *i1 = malloc(n * sizeof *i1), *i2 = malloc(n * sizeof *i2);
    double *r1 = malloc(n * sizeof *r1), *r2 = malloc(n * sizeof *r2);
    knn_search(m1, &Q, 9, i1, r1);
    knn_search(m2, &Q, 9, i2, r2);
    ck_assert_msg(memcmp(i1, i2, n * sizeof *i1) == 0 && memcmp(r1, r2, n * sizeof *r1) == 0,
                  "manhattan sums the same terms in both engines: identical neighbours and distances");
    free(i1);
    free(i2);
    free(r1);
    free(r2);
    kiln_algo_knn.free(m1);
    kiln_algo_knn.free(m2);
    fixture_free(&f);
}
END_TEST

/* ---- tie rules ---- */

/* Six training rows: 0..3 all equal (the origin), 4 and 5 at distance 1. */
static double tie_X[6][2] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}, {1, 0}, {0, 1}};

static kiln_dataset tie_data(const double *y, kiln_task task, size_t n_classes)
{
    kiln_dataset ds = {0};
    ds.X = (kiln_mat){&tie_X[0][0], 6, 2, 2, 0};
    ds.y = y;
    ds.task = task;
    ds.n_classes = n_classes;
    return ds;
}

START_TEST(equal_distances_lower_index_wins)
{
    const double y[6] = {0, 1, 2, 1, 0, 2};
    kiln_dataset ds = tie_data(y, KILN_TASK_CLASSIFY, 3);
    const char *algos[] = {"algorithm=brute", "algorithm=kd_tree"};
    for (int a = 0; a < 2; a++) {
        const char *assign[] = {algos[a], "n_neighbors=3", "leaf_size=1", NULL};
        void *m = fit_with(&ds, assign, 1);
        double q[2] = {0, 0}, dist[6];
        size_t idx[6];
        ck_assert_msg(kiln_knn_neighbors(m, q, 6, idx, dist) == KILN_OK, "neighbours of a duplicated row");
        for (size_t i = 0; i < 6; i++)
            ck_assert_msg(idx[i] == i, "%s: duplicates come in training order (slot %zu holds %zu)", algos[a], i,
                          idx[i]);
        ck_assert_msg(dist[0] == 0 && dist[3] == 0 && dist[4] == 1 && dist[5] == 1, "distances 0,0,0,0,1,1");
        /* (0.5, 0.5) is at sqrt(1/2) from all six rows: the two lowest indices win. */
        double mid[2] = {0.5, 0.5};
        ck_assert_msg(kiln_knn_neighbors(m, mid, 2, idx, dist) == KILN_OK, "neighbours of (0.5, 0.5)");
        ck_assert_msg(idx[0] == 0 && idx[1] == 1 && dist[0] == dist[1],
                      "%s: all distances equal, rows 0 and 1 win (got %zu, %zu)", algos[a], idx[0], idx[1]);
        kiln_algo_knn.free(m);
    }
}
END_TEST

START_TEST(vote_tie_goes_to_smallest_class)
{
    /* Neighbours 0,1,2,3 of the origin with k=4: classes 2,1,1,2 -> 2 votes each
     * for classes 1 and 2: shares equal, the label is the smaller class. */
    const double y[6] = {2, 1, 1, 2, 0, 0};
    kiln_dataset ds = tie_data(y, KILN_TASK_CLASSIFY, 3);
    const char *assign[] = {"n_neighbors=4", NULL};
    void *m = fit_with(&ds, assign, 1);
    kiln_mat q = {(double[]){0, 0}, 1, 2, 2, 0};
    kiln_mat *out = predict(m, &q, 3);
    ck_assert_msg(out->data[0] == 0 && out->data[1] == 0.5 && out->data[2] == 0.5, "vote shares 0, 1/2, 1/2");
    ck_assert_msg(argmax(out->data, 3) == 1, "the tie goes to class 1, the smaller label");
    kiln_mat_free(out);
    kiln_algo_knn.free(m);
}
END_TEST

START_TEST(zero_distance_takes_all_weight)
{
    const double y[6] = {1, 1, 1, 1, 0, 0};
    kiln_dataset ds = tie_data(y, KILN_TASK_CLASSIFY, 2);
    const char *assign[] = {"n_neighbors=6", "weights=distance", NULL};
    void *m = fit_with(&ds, assign, 1);
    kiln_mat q = {(double[]){0, 0}, 1, 2, 2, 0};
    kiln_mat *out = predict(m, &q, 2);
    ck_assert_msg(out->data[0] == 0 && out->data[1] == 1, "rows at distance 0 take all the weight");
    kiln_mat_free(out);
    kiln_algo_knn.free(m);
    const double yr[6] = {1, 2, 3, 6, 100, 100};
    ds = tie_data(yr, KILN_TASK_REGRESS, 0);
    m = fit_with(&ds, assign, 1);
    out = predict(m, &q, 1);
    ck_assert_msg(out->data[0] == 3, "regression: the mean of the zero-distance rows (got %g)", out->data[0]);
    kiln_mat_free(out);
    kiln_algo_knn.free(m);
}
END_TEST

/* ---- files, inspect, neighbours ---- */

START_TEST(save_load_round_trip)
{
    fixture f;
    fixture_load(&f, "diabetes", KILN_TASK_REGRESS);
    kiln_mat Q = kiln_mat_view(f.test, 0, 0, f.test->rows, f.train->cols - 1);
    const char *assign[] = {"weights=distance", "metric=minkowski", "p=1.5", NULL};
    void *m = fit_with(&f.ds, assign, 2);
    kiln_writer *w = kiln_writer_new();
    ck_assert_msg(kiln_writer_section(w, "ESTM") == KILN_OK && kiln_algo_knn.save(m, w) == KILN_OK, "save");
    const unsigned char *bytes;
    size_t len;
    ck_assert_msg(kiln_writer_finish(w, &bytes, &len) == KILN_OK, "finish the file");
    kiln_reader *r;
    ck_assert_msg(kiln_reader_open_mem(bytes, len, "mem", &r) == KILN_OK, "open it");
    void *m2 = NULL;
    ck_assert_msg(kiln_reader_section(r, "ESTM") == KILN_OK && kiln_algo_knn.load(&m2, r) == KILN_OK,
                  "load: %s", kiln_last_error());
    kiln_mat *a = predict(m, &Q, 1), *b = predict(m2, &Q, 1);
    ck_assert_msg(memcmp(a->data, b->data, Q.rows * sizeof(double)) == 0, "loaded model predicts the same bits");
    kiln_reader_free(r);
    /* A truncated estimator section is refused, never a crash. */
    kiln_writer *w2 = kiln_writer_new();
    kiln_writer_section(w2, "ESTM");
    kiln_w_u64(w2, 5);
    kiln_writer_finish(w2, &bytes, &len);
    kiln_reader_open_mem(bytes, len, "short", &r);
    void *m3 = NULL;
    kiln_reader_section(r, "ESTM");
    ck_assert_msg(kiln_algo_knn.load(&m3, r) == KILN_EINPUT && m3 == NULL, "a truncated model is refused");
    kiln_reader_free(r);
    kiln_writer_free(w2);
    kiln_writer_free(w);
    kiln_mat_free(a);
    kiln_mat_free(b);
    kiln_algo_knn.free(m);
    kiln_algo_knn.free(m2);
    kiln_algo_knn.free(NULL);
    fixture_free(&f);
}
END_TEST

START_TEST(inspect_and_neighbors)
{
    fixture f;
    fixture_load(&f, "iris", KILN_TASK_CLASSIFY);
    const char *assign[] = {NULL};
    void *m = fit_with(&f.ds, assign, 1);
    ck_assert_msg(kiln_knn_n_train(m) == f.train->rows && kiln_knn_n_features(m) == 4, "model size accessors");
    size_t idx[5];
    double dist[5];
    ck_assert_msg(kiln_knn_neighbors(m, KILN_MAT_ROW(f.train, 7), 5, idx, dist) == KILN_OK, "neighbours of row 7");
    ck_assert_msg(dist[0] == 0 && dist[1] >= dist[0] && dist[4] >= dist[3], "a training row is its own nearest");
    ck_assert_msg(kiln_knn_neighbors(m, KILN_MAT_ROW(f.train, 7), 0, idx, dist) == KILN_EINPUT, "k=0 is refused");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    kiln_inspect_args args = {.format = KILN_INSPECT_TEXT};
    ck_assert_msg(kiln_algo_knn.inspect(m, &args, out) == KILN_OK, "text inspect");
    args.format = KILN_INSPECT_JSON;
    ck_assert_msg(kiln_algo_knn.inspect(m, &args, out) == KILN_OK, "json inspect");
    args.format = KILN_INSPECT_DOT;
    ck_assert_msg(kiln_algo_knn.inspect(m, &args, out) == KILN_EINPUT, "dot is refused");
    fclose(out);
    ck_assert_msg(strstr(buf, "n_neighbors  5") && strstr(buf, "\"n_train\": 112") && strstr(buf, "kd_tree"),
                  "inspect names k, the training rows and the search: %s", buf);
    free(buf);
    kiln_algo_knn.free(m);
    fixture_free(&f);
}
END_TEST

/* ---- bad input ---- */

START_TEST(bad_input_is_refused)
{
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_knn.params);
    ck_assert_msg(kiln_params_set(&p, "n_neighbors=0") == KILN_EINPUT, "n_neighbors=0 is refused");
    ck_assert_msg(kiln_params_set(&p, "n_neighbors=-3") == KILN_EINPUT, "negative n_neighbors is refused");
    ck_assert_msg(kiln_params_set(&p, "p=0") == KILN_EINPUT && strstr(kiln_last_error(), "p=0"), "p=0 is refused");
    ck_assert_msg(kiln_params_set(&p, "p=-1") == KILN_EINPUT, "p<0 is refused");
    ck_assert_msg(kiln_params_set(&p, "metric=chebyshev") == KILN_EINPUT &&
                      strstr(kiln_last_error(), "minkowski|euclidean|manhattan|cosine"),
                  "an unknown metric is refused, naming the choices");
    const double y[6] = {0, 1, 0, 1, 0, 1};
    kiln_dataset ds = tie_data(y, KILN_TASK_CLASSIFY, 2);
    kiln_params_set(&p, "n_neighbors=7");
    void *m = NULL;
    kiln_ctx ctx = kiln_ctx_default();
    ck_assert_msg(kiln_algo_knn.check(&p, &ds) == KILN_EINPUT && strstr(kiln_last_error(), "6 training rows"),
                  "n_neighbors above the training rows is refused: %s", kiln_last_error());
    ck_assert_msg(kiln_algo_knn.fit(&m, &p, &ds, &ctx) == KILN_EINPUT && m == NULL, "and fit refuses it too");
    kiln_params_set(&p, "n_neighbors=6");
    kiln_params_set(&p, "metric=cosine");
    kiln_params_set(&p, "algorithm=kd_tree");
    ck_assert_msg(kiln_algo_knn.check(&p, &ds) == KILN_EINPUT, "kd_tree with cosine is refused");
    kiln_params_set(&p, "algorithm=brute");
    ck_assert_msg(kiln_algo_knn.fit(&m, &p, &ds, &ctx) == KILN_OK, "n_neighbors equal to the rows is fine");
    kiln_mat *bad = kiln_mat_new(2, 3), *out = kiln_mat_new(2, 2);
    ck_assert_msg(kiln_algo_knn.predict(m, bad, out) == KILN_EINPUT, "a wrong number of features is refused");
    kiln_mat_free(bad);
    kiln_mat_free(out);
    kiln_algo_knn.free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("knn");
    TCase *tc = tcase_create("knn");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, matches_sklearn_brute);
    tcase_add_test(tc, matches_sklearn_kd_tree);
    tcase_add_test(tc, screening_equals_exact_search);
    tcase_add_test(tc, any_thread_count_same_bits);
    tcase_add_test(tc, kd_tree_equals_brute_on_manhattan);
    tcase_add_test(tc, equal_distances_lower_index_wins);
    tcase_add_test(tc, vote_tie_goes_to_smallest_class);
    tcase_add_test(tc, zero_distance_takes_all_weight);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, inspect_and_neighbors);
    tcase_add_test(tc, bad_input_is_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
