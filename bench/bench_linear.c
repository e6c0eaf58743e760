/* bench_linear — LinearSVC fit time on generated data, to set beside scikit-learn's.
 *
 *   bench_linear [rows] [features] [threads] [out.csv]
 *
 * Rows x ~ N(0, I), labels sign(x.w* + 2 e) with w*, e ~ N(0, 1) (so about 15% of
 * labels are noisy and the hinge losses stay active), 20% more rows held out. Before
 * reporting, the primal Newton and dual coordinate-descent solutions are checked to
 * reach the same objective (1e-3 relative: both stop on relative gradient rules).
 * Prints one line per solver: fit seconds, converged, objective, held-out accuracy.
 * With out.csv it also writes the data (features then label, the first `rows` lines
 * are training) for bench/bench_linear_sklearn.py, which times scikit-learn on the
 * same rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"
#include "kiln/util.h"

/* The decision scores f(x) (column 1) of every row of X. */
static double *scores(const void *m, const kiln_mat *X)
{
    kiln_mat *s = kiln_mat_new(X->rows, 2);
    kiln_algo_find("svm")->predict(m, X, s);
    double *f = malloc(X->rows * sizeof *f);
    for (size_t i = 0; i < X->rows; i++)
        f[i] = KILN_MAT_AT(s, i, 1);
    kiln_mat_free(s);
    return f;
}

static void generate(kiln_mat *X, double *y, size_t d)
{
    kiln_rng r;
    kiln_rng_seed(&r, 2024);
    double *w = malloc(d * sizeof *w);
    for (size_t j = 0; j < d; j++)
        w[j] = kiln_rng_normal(&r);
    for (size_t i = 0; i < X->rows; i++) {
        double f = 2 * kiln_rng_normal(&r);
        for (size_t j = 0; j < d; j++)
            f += w[j] * (KILN_MAT_AT(X, i, j) = kiln_rng_normal(&r));
        y[i] = f > 0;
    }
    free(w);
}

/* liblinear's objective; w and b are read back through predict at 0 and the unit vectors. */
static double objective(const void *m, const kiln_dataset *ds)
{
    size_t d = ds->X.cols;
    kiln_mat *E = kiln_mat_new(d + 1, d);
    for (size_t j = 0; j < d; j++)
        KILN_MAT_AT(E, j + 1, j) = 1;
    double *wb = scores(m, E), *z = scores(m, &ds->X), f = 0.5 * wb[0] * wb[0];
    for (size_t j = 1; j <= d; j++)
        f += 0.5 * (wb[j] - wb[0]) * (wb[j] - wb[0]);
    for (size_t i = 0; i < ds->X.rows; i++) {
        double h = fmax(0, 1 - (ds->y[i] > 0 ? 1 : -1) * z[i]);
        f += h * h;
    }
    free(wb);
    free(z);
    kiln_mat_free(E);
    return f;
}

static double accuracy(const void *m, const kiln_mat *X, const double *y)
{
    double *f = scores(m, X);
    size_t hit = 0;
    for (size_t i = 0; i < X->rows; i++)
        hit += (f[i] > 0) == (y[i] > 0);
    free(f);
    return (double)hit / (double)X->rows;
}

static void *fit(const char *dual, const kiln_dataset *ds, int threads, double *secs)
{
    kiln_params p;
    const kiln_algo *svm = kiln_algo_find("svm");
    kiln_params_defaults(&p, svm->params);
    kiln_params_set_value(&p, "dual", dual);
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = threads;
    void *m = NULL;
    double t0 = kiln_now();
    if (svm->fit(&m, &p, ds, &ctx) != KILN_OK) {
        fprintf(stderr, "bench_linear: %s\n", kiln_last_error());
        exit(2);
    }
    *secs = kiln_now() - t0;
    return m;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, d = argc > 2 ? strtoul(argv[2], NULL, 10) : 28;
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    size_t nt = n / 5;
    kiln_mat *X = kiln_mat_new(n + nt, d);
    double *y = malloc((n + nt) * sizeof *y);
    generate(X, y, d);
    kiln_blas_threads(threads);
    if (argc > 4) {
        FILE *f = fopen(argv[4], "w");
        for (size_t j = 0; j < d; j++)
            fprintf(f, "x%zu,", j);
        fprintf(f, "y\n");
        for (size_t i = 0; i < n + nt; i++) {
            for (size_t j = 0; j < d; j++)
                fprintf(f, "%.17g,", KILN_MAT_AT(X, i, j));
            fprintf(f, "%g\n", y[i]);
        }
        fclose(f);
    }
    kiln_dataset tr = {.X = kiln_mat_view(X, 0, 0, n, d), .y = y, .task = KILN_TASK_CLASSIFY, .n_classes = 2};
    kiln_mat test = kiln_mat_view(X, n, 0, nt, d);
    const char *solvers[] = {"false", "true"};
    void *m[2];
    double secs[2];
    for (int s = 0; s < 2; s++)
        m[s] = fit(solvers[s], &tr, threads, &secs[s]);
    double f0 = objective(m[0], &tr), f1 = objective(m[1], &tr);
    int conv[2] = {kiln_algo_find("svm")->warning(m[0]) == NULL, kiln_algo_find("svm")->warning(m[1]) == NULL};
    if (fabs(f0 - f1) > 1e-3 * fmin(f0, f1) && conv[0] && conv[1]) {
        fprintf(stderr, "bench_linear: primal objective %.10g and dual %.10g disagree\n", f0, f1);
        return 2;
    }
    for (int s = 0; s < 2; s++) {
        printf("kiln svm %zux%zu threads=%d dual=%-5s fit %.4f s  converged %d  objective %.8g  accuracy %.4f\n", n,
               d, threads, solvers[s], secs[s], conv[s], s ? f1 : f0, accuracy(m[s], &test, y + n));
        kiln_algo_find("svm")->free(m[s]);
    }
    kiln_mat_free(X);
    free(y);
    return 0;
}
