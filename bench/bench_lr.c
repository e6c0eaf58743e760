/* bench_lr — lr (logistic regression) fit time on rows written by bench/bench_lr_sklearn.py.
 *
 *   bench_lr DATA.bin [repeats] [threads] [param=value ...]
 *
 * DATA.bin: four little-endian int64 (train rows, test rows, features, classes), then
 * the training features (row-major doubles), their labels (class indices as doubles),
 * the test features and labels — standardised already, the same rows scikit-learn is
 * timed on. Fits `repeats` times (default 3) and prints one line:
 *
 *   kiln <median fit seconds> <median fit CPU seconds> <held-out log loss> <held-out accuracy>
 *        <iterations> <converged 0|1>
 *
 * (CPU seconds: the process's, all threads; steadier than wall time on a busy machine.)
 *
 * bench_lr_sklearn.py runs it and prints the two side by side with their ratio.
 */
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"
#include "kiln/metrics.h"
#include "kiln/util.h"

typedef struct bench_data {
    int64_t n_train, n_test, d, k;
    kiln_mat *Xtr, *Xte;
    double *ytr, *yte;
} bench_data;

static int read_block(FILE *f, double *v, size_t n)
{
    return fread(v, sizeof *v, n, f) == n;
}

static int load(const char *path, bench_data *b)
{
    FILE *f = fopen(path, "rb");
    int64_t h[4];
    if (!f || fread(h, sizeof h[0], 4, f) != 4) {
        fprintf(stderr, "bench_lr: cannot read %s\n", path);
        return 0;
    }
    b->n_train = h[0], b->n_test = h[1], b->d = h[2], b->k = h[3];
    b->Xtr = kiln_mat_new((size_t)b->n_train, (size_t)b->d);
    b->Xte = kiln_mat_new((size_t)b->n_test, (size_t)b->d);
    b->ytr = malloc((size_t)b->n_train * sizeof *b->ytr);
    b->yte = malloc((size_t)b->n_test * sizeof *b->yte);
    int ok = read_block(f, b->Xtr->data, (size_t)(b->n_train * b->d)) && read_block(f, b->ytr, (size_t)b->n_train) &&
             read_block(f, b->Xte->data, (size_t)(b->n_test * b->d)) && read_block(f, b->yte, (size_t)b->n_test);
    fclose(f);
    if (!ok)
        fprintf(stderr, "bench_lr: %s is truncated\n", path);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "N iterations, converged" from inspect's first line. */
static void solver_state(const kiln_algo *a, const void *m, unsigned *iters, int *converged)
{
    char line[512] = "";
    FILE *f = tmpfile();
    kiln_inspect_args args = {.format = KILN_INSPECT_TEXT, .tree = -1};
    a->inspect(m, &args, f);
    rewind(f);
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    const char *p = strstr(line, ", ");
    *iters = 0;
    if (p)
        sscanf(p + 2, "%u", iters);
    *converged = strstr(line, "NOT") == NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_lr DATA.bin [repeats] [threads] [param=value ...]\n");
        return 1;
    }
    bench_data b;
    if (!load(argv[1], &b))
        return 1;
    int repeats = argc > 2 ? atoi(argv[2]) : 3, threads = argc > 3 ? atoi(argv[3]) : 2;
    const kiln_algo *a = kiln_algo_find("lr");
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    for (int i = 4; i < argc; i++)
        if (kiln_params_set(&p, argv[i]) != KILN_OK) {
            fprintf(stderr, "bench_lr: %s\n", kiln_last_error());
            return 1;
        }
    kiln_dataset ds = {.X = *b.Xtr, .y = b.ytr, .task = KILN_TASK_CLASSIFY, .n_classes = (size_t)b.k};
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = threads;
    kiln_blas_threads(threads);
    double secs[64], cpu[64];
    repeats = repeats < 1 ? 1 : repeats > 64 ? 64 : repeats;
    void *m = NULL;
    for (int r = 0; r < repeats; r++) {
        a->free(m);
        m = NULL;
        double t0 = kiln_now();
        clock_t c0 = clock();
        if (a->fit(&m, &p, &ds, &ctx) != KILN_OK) {
            fprintf(stderr, "bench_lr: fit failed: %s\n", kiln_last_error());
            return 1;
        }
        secs[r] = kiln_now() - t0;
        cpu[r] = (double)(clock() - c0) / CLOCKS_PER_SEC;
    }
    qsort(secs, (size_t)repeats, sizeof *secs, cmp_double);
    qsort(cpu, (size_t)repeats, sizeof *cpu, cmp_double);
    kiln_mat *P = kiln_mat_new((size_t)b.n_test, (size_t)b.k);
    a->predict(m, b.Xte, P);
    kiln_metrics met;
    kiln_metrics_classify(b.yte, P, 1, &met);
    unsigned iters;
    int converged;
    solver_state(a, m, &iters, &converged);
    printf("kiln %.6f %.6f %.8f %.6f %u %d\n", secs[repeats / 2], cpu[repeats / 2], met.logloss, met.accuracy,
           iters, converged);
    a->free(m);
    kiln_mat_free(P);
    kiln_mat_free(b.Xtr);
    kiln_mat_free(b.Xte);
    free(b.ytr);
    free(b.yte);
    return 0;
}
