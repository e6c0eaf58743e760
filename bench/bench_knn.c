/* kNN prediction time against scikit-learn's brute force, in the same run.
 *
 *   bench_knn [n_train n_test d]     default 60000 10000 784 (MNIST's shape)
 *   bench_knn --auto                 kd-tree vs brute force by feature count
 *
 * The rows are generated (10 Gaussian clusters, one per class). The dgemm rate
 * is measured first; then kiln's brute force with and without the float
 * screen, then scikit-learn's KNeighborsClassifier(algorithm="brute") on the
 * same rows through bench/knn_sklearn.py (run by /usr/bin/python3). Every
 * kiln result is checked against the exact search before its time counts.
 * Threads: 2 (OpenBLAS single-threaded inside each block).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../algos/neighbors/knn_impl.h"
#include "kiln/blas.h"
#include "kiln/knn.h"
#include "kiln/util.h"

#define THREADS 2
#define DIR "/tmp/kiln_bench_knn"

/* n rows of d features in 10 clusters; y = the cluster. */
static void make_rows(kiln_rng *r, const double *centres, size_t n, size_t d, double *X, double *y)
{
    for (size_t i = 0; i < n; i++) {
        size_t c = kiln_rng_below(r, 10);
        y[i] = (double)c;
        for (size_t j = 0; j < d; j++)
            X[i * d + j] = centres[c * d + j] + kiln_rng_normal(r);
    }
}

static void write_raw(const char *name, const double *v, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, DIR "/%s", name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(v, sizeof *v, n, f) != n) {
        fprintf(stderr, "bench_knn: cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
}

static double dgemm_gflops(size_t d)
{
    size_t m = 2048, n = 2048;
    double *A = calloc(m * d, sizeof *A), *B = calloc(n * d, sizeof *B), *C = calloc(m * n, sizeof *C);
    for (size_t i = 0; i < m * d; i++)
        A[i] = B[i % (n * d)] = (double)(i % 7) - 3;
    kiln_blas_threads(THREADS);
    kiln_blas_dgemm_nt(m, n, d, 1.0, A, d, B, d, 0.0, C, n);
    double t0 = kiln_now();
    for (int rep = 0; rep < 3; rep++)
        kiln_blas_dgemm_nt(m, n, d, 1.0, A, d, B, d, 0.0, C, n);
    double t = (kiln_now() - t0) / 3;
    free(A);
    free(B);
    free(C);
    return 2.0 * m * n * d / t / 1e9;
}

static void *fit(const double *X, const double *y, size_t n, size_t d, const char *algorithm, size_t k)
{
    kiln_dataset ds = {0};
    ds.X = (kiln_mat){(double *)X, n, d, d, 0};
    ds.y = y;
    ds.task = KILN_TASK_CLASSIFY;
    ds.n_classes = 10;
    kiln_params p;
    kiln_params_defaults(&p, kiln_algo_knn.params);
    char ka[32];
    snprintf(ka, sizeof ka, "n_neighbors=%zu", k);
    kiln_params_set(&p, ka);
    kiln_params_set_value(&p, "algorithm", algorithm);
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = THREADS;
    void *m = NULL;
    if (kiln_algo_knn.fit(&m, &p, &ds, &ctx) != KILN_OK) {
        fprintf(stderr, "bench_knn: fit: %s\n", kiln_last_error());
        exit(2);
    }
    return m;
}

/* Neighbour search timed; returns seconds. */
static double timed_search(const kiln_knn_model *m, const kiln_mat *Q, size_t k, int screen, size_t *idx, double *r)
{
    double t0 = kiln_now();
    kiln_status s = m->engine == KNN_KD_TREE ? knn_kdtree_search(m, Q, k, idx, r)
                                             : knn_brute_search(m, Q, k, screen, idx, r);
    if (s != KILN_OK) {
        fprintf(stderr, "bench_knn: search: %s\n", kiln_last_error());
        exit(2);
    }
    return kiln_now() - t0;
}

static void labels(const kiln_knn_model *m, const kiln_mat *Q, double *out)
{
    kiln_mat *P = kiln_mat_new(Q->rows, 10);
    double t0 = kiln_now();
    kiln_algo_knn.predict(m, Q, P);
    printf("  kiln predict (search + votes)      %8.3f s\n", kiln_now() - t0);
    for (size_t i = 0; i < Q->rows; i++) {
        size_t b = 0;
        for (size_t c = 1; c < 10; c++)
            if (KILN_MAT_AT(P, i, c) > KILN_MAT_AT(P, i, b))
                b = c;
        out[i] = (double)b;
    }
    kiln_mat_free(P);
}

static void bench_shape(size_t ntr, size_t nte, size_t d, size_t k)
{
    kiln_rng r;
    kiln_rng_seed(&r, 42);
    double *centres = malloc(10 * d * sizeof *centres);
    for (size_t i = 0; i < 10 * d; i++)
        centres[i] = 0.35 * kiln_rng_normal(&r);
    double *Xtr = malloc(ntr * d * sizeof *Xtr), *ytr = malloc(ntr * sizeof *ytr);
    double *Xte = malloc(nte * d * sizeof *Xte), *yte = malloc(nte * sizeof *yte);
    make_rows(&r, centres, ntr, d, Xtr, ytr);
    make_rows(&r, centres, nte, d, Xte, yte);
    double flop = 2.0 * (double)ntr * (double)nte * (double)d;
    printf("kNN predict: %zu queries x %zu training rows x %zu features, k=%zu, %d threads\n", nte, ntr, d, k,
           THREADS);
    double peak = dgemm_gflops(d);
    printf("  dgemm                              %8.1f GFLOP/s\n", peak);

    kiln_knn_model *m = fit(Xtr, ytr, ntr, d, "brute", k);
    kiln_mat Q = {Xte, nte, d, d, 0};
    size_t *i0 = malloc(nte * k * sizeof *i0), *i1 = malloc(nte * k * sizeof *i1);
    double *r0 = malloc(nte * k * sizeof *r0), *r1 = malloc(nte * k * sizeof *r1);
    double te = timed_search(m, &Q, k, 0, i0, r0);
    printf("  kiln exact dgemm search            %8.3f s  %6.1f GFLOP/s effective\n", te, flop / te / 1e9);
    double ts = timed_search(m, &Q, k, 1, i1, r1);
    size_t diff = 0;
    for (size_t i = 0; i < nte * k; i++)
        diff += i0[i] != i1[i];
    printf("  kiln sgemm screen + exact re-rank  %8.3f s  %6.1f GFLOP/s effective, %zu of %zu slots differ\n", ts,
           flop / ts / 1e9, diff, nte * k);
    double *pk = malloc(nte * sizeof *pk);
    labels(m, &Q, pk);

    if (system("mkdir -p " DIR) != 0)
        exit(2);
    write_raw("train.f64", Xtr, ntr * d);
    write_raw("test.f64", Xte, nte * d);
    write_raw("ytrain.f64", ytr, ntr);
    /* knn_sklearn.py sits beside this source file. */
    const char *src = __FILE__, *slash = strrchr(src, '/');
    int dirlen = slash ? (int)(slash - src) : 1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "OMP_NUM_THREADS=%d OPENBLAS_NUM_THREADS=%d /usr/bin/python3 %.*s/knn_sklearn.py %s %zu %zu %zu %zu",
             THREADS, THREADS, dirlen, slash ? src : ".", DIR, ntr, nte, d, k);
    FILE *py = popen(cmd, "r");
    double tsk = 0;
    if (!py || fscanf(py, "%lf", &tsk) != 1 || pclose(py) != 0) {
        fprintf(stderr, "bench_knn: scikit-learn run failed\n");
        exit(2);
    }
    double *psk = malloc(nte * sizeof *psk);
    FILE *f = fopen(DIR "/sklearn_pred.f64", "rb");
    if (!f || fread(psk, sizeof *psk, nte, f) != nte)
        exit(2);
    fclose(f);
    size_t same = 0;
    for (size_t i = 0; i < nte; i++)
        same += pk[i] == psk[i];
    printf("  scikit-learn brute predict         %8.3f s  %6.1f GFLOP/s effective\n", tsk, flop / tsk / 1e9);
    printf("  identical predictions              %zu of %zu\n", same, nte);
    printf("  time ratio kiln/scikit-learn       %8.3f (screened search), %.3f (exact dgemm search)\n", ts / tsk,
           te / tsk);
    kiln_algo_knn.free(m);
    free(centres);
    free(Xtr);
    free(ytr);
    free(Xte);
    free(yte);
    free(i0);
    free(i1);
    free(r0);
    free(r1);
    free(pk);
    free(psk);
}

/* kd-tree against brute force as the feature count grows (auto's threshold). */
static void bench_auto(void)
{
    size_t ntr = 20000, nte = 2000, k = 5;
    printf("kd-tree vs brute: %zu queries x %zu training rows, k=%zu, %d threads\n", nte, ntr, k, THREADS);
    size_t dims[] = {2, 4, 8, 12, 15, 20, 30};
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++) {
        size_t d = dims[di];
        kiln_rng r;
        kiln_rng_seed(&r, 7);
        double *centres = malloc(10 * d * sizeof *centres);
        for (size_t i = 0; i < 10 * d; i++)
            centres[i] = 2 * kiln_rng_normal(&r);
        double *Xtr = malloc(ntr * d * sizeof *Xtr), *ytr = malloc(ntr * sizeof *ytr);
        double *Xte = malloc(nte * d * sizeof *Xte), *yte = malloc(nte * sizeof *yte);
        make_rows(&r, centres, ntr, d, Xtr, ytr);
        make_rows(&r, centres, nte, d, Xte, yte);
        kiln_knn_model *mb = fit(Xtr, ytr, ntr, d, "brute", k), *mt = fit(Xtr, ytr, ntr, d, "kd_tree", k);
        kiln_mat Q = {Xte, nte, d, d, 0};
        size_t *idx = malloc(nte * k * sizeof *idx);
        double *rd = malloc(nte * k * sizeof *rd);
        double tb = timed_search(mb, &Q, k, 1, idx, rd), tt = timed_search(mt, &Q, k, 1, idx, rd);
        printf("  d=%2zu  brute %7.4f s  kd_tree %7.4f s  -> %s\n", d, tb, tt, tt < tb ? "kd_tree" : "brute");
        kiln_algo_knn.free(mb);
        kiln_algo_knn.free(mt);
        free(centres);
        free(Xtr);
        free(ytr);
        free(Xte);
        free(yte);
        free(idx);
        free(rd);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--auto") == 0) {
        bench_auto();
        return 0;
    }
    size_t ntr = argc > 3 ? strtoul(argv[1], NULL, 10) : 60000;
    size_t nte = argc > 3 ? strtoul(argv[2], NULL, 10) : 10000;
    size_t d = argc > 3 ? strtoul(argv[3], NULL, 10) : 784;
    bench_shape(ntr, nte, d, 5);
    return 0;
}
