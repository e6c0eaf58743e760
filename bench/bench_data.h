/* bench_data.h — the generated data sets of the tree benchmarks (bench_tree,
 * bench_gbm) and the raw file both kiln and the Python peers read, so every
 * side fits exactly the same rows.
 *
 *   binary       28 normal features (4 decimals); y = [a nonlinear score of
 *                ten of them plus N(0, 0.5^2) noise > 0.5]; the rest distract.
 *   multiclass   28 normal features, 10 classes: y = argmax_k of a class
 *                score (a product, a sine and a linear term of features that
 *                depend on k) plus N(0, 0.5^2) noise.
 *   categorical  12 normal features and 4 categorical ones with 8 levels,
 *                one-hot encoded as kiln's pipeline does (8 0/1 columns each,
 *                44 columns); y = a nonlinear function of both kinds plus
 *                N(0, 0.5^2) noise; `task` says whether y is thresholded into
 *                two classes or kept as a regression target.
 *
 * The file: int64 rows, cols, task (1 classify, 2 regress), n_classes; then
 * rows x cols float64 row-major; then rows float64 targets.
 *
 * Every timed fit runs in a fresh child process (kiln's bench with --fit, or
 * the peer's Python script) that prints one line of seven numbers, read into
 * a bench_run: fit seconds, held-out score (loss or accuracy), resident MB
 * before the fit, peak resident MB after it, nodes, model file bytes, and one
 * more figure of the bench's choosing. */
#ifndef KILN_BENCH_DATA_H
#define KILN_BENCH_DATA_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kiln/dataset.h"
#include "kiln/rng.h"

#define BENCH_CAT_NUMERIC 12
#define BENCH_CAT_COLUMNS 4
#define BENCH_CAT_LEVELS 8

typedef enum bench_set { BENCH_BINARY, BENCH_MULTICLASS, BENCH_CATEGORICAL } bench_set;

/* A generated set: X (owned), y (owned), the task and class count. */
typedef struct bench_data {
    kiln_mat *X;
    double *y;
    kiln_task task;
    size_t n_classes;
} bench_data;

static double bench_r4(kiln_rng *r)
{
    return round(kiln_rng_normal(r) * 1e4) / 1e4;
}

static void bench_binary_row(kiln_rng *r, double *x, double *y)
{
    for (size_t j = 0; j < 28; j++)
        x[j] = bench_r4(r);
    double s = x[0] * x[1] + sin(2 * x[2]) + 0.5 * x[3] * x[3] - x[4] + 0.3 * (x[5] + x[6] - x[7]) +
               (x[8] > 0.5 ? 0.8 : 0.0) * x[9] + 0.5 * kiln_rng_normal(r);
    *y = s > 0.5;
}

static void bench_multiclass_row(kiln_rng *r, double *x, double *y)
{
    for (size_t j = 0; j < 28; j++)
        x[j] = bench_r4(r);
    size_t best = 0;
    double top = -INFINITY;
    for (size_t k = 0; k < 10; k++) {
        double s = x[k] * x[(k + 3) % 28] + sin((1.0 + 0.2 * (double)k) * x[(2 * k + 1) % 28]) +
                   0.7 * x[(k + 11) % 28] + 0.5 * kiln_rng_normal(r);
        if (s > top) {
            top = s;
            best = k;
        }
    }
    *y = (double)best;
}

static void bench_categorical_row(kiln_rng *r, double *x, double *y, int classify)
{
    static const double effect[BENCH_CAT_LEVELS] = {-1.2, -0.6, -0.2, 0.0, 0.3, 0.5, 0.9, 1.4};
    for (size_t j = 0; j < BENCH_CAT_NUMERIC; j++)
        x[j] = bench_r4(r);
    size_t lv[BENCH_CAT_COLUMNS];
    for (size_t c = 0; c < BENCH_CAT_COLUMNS; c++) {
        lv[c] = kiln_rng_below(r, BENCH_CAT_LEVELS);
        for (size_t l = 0; l < BENCH_CAT_LEVELS; l++)
            x[BENCH_CAT_NUMERIC + c * BENCH_CAT_LEVELS + l] = l == lv[c];
    }
    double s = x[0] * x[1] + sin(2 * x[2]) + effect[lv[0]] + (lv[1] % 2 ? x[3] : -x[3]) +
               effect[lv[2]] * x[4] + 0.5 * effect[(lv[3] + lv[0]) % BENCH_CAT_LEVELS] + 0.5 * kiln_rng_normal(r);
    *y = classify ? s > 0.3 : s;
}

/* rows of set `which` from seed; nonzero on allocation failure. */
static int bench_generate(bench_set which, kiln_task task, size_t rows, uint64_t seed, bench_data *d)
{
    size_t cols = which == BENCH_CATEGORICAL ? BENCH_CAT_NUMERIC + BENCH_CAT_COLUMNS * BENCH_CAT_LEVELS : 28;
    d->X = kiln_mat_new(rows, cols);
    d->y = malloc(rows * sizeof *d->y);
    if (!d->X || !d->y)
        return 1;
    d->task = which == BENCH_CATEGORICAL ? task : KILN_TASK_CLASSIFY;
    d->n_classes = d->task == KILN_TASK_REGRESS ? 0 : which == BENCH_MULTICLASS ? 10 : 2;
    kiln_rng r;
    kiln_rng_seed(&r, seed);
    for (size_t i = 0; i < rows; i++) {
        double *x = KILN_MAT_ROW(d->X, i);
        if (which == BENCH_BINARY)
            bench_binary_row(&r, x, &d->y[i]);
        else if (which == BENCH_MULTICLASS)
            bench_multiclass_row(&r, x, &d->y[i]);
        else
            bench_categorical_row(&r, x, &d->y[i], task == KILN_TASK_CLASSIFY);
    }
    return 0;
}

static void bench_data_free(bench_data *d)
{
    kiln_mat_free(d->X);
    free(d->y);
}

static int bench_write(const char *path, const bench_data *d)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    int64_t head[4] = {(int64_t)d->X->rows, (int64_t)d->X->cols, d->task, (int64_t)d->n_classes};
    int bad = fwrite(head, sizeof head, 1, f) != 1;
    for (size_t i = 0; i < d->X->rows && !bad; i++)
        bad = fwrite(KILN_MAT_ROW(d->X, i), sizeof(double), d->X->cols, f) != d->X->cols;
    bad = bad || fwrite(d->y, sizeof(double), d->X->rows, f) != d->X->rows;
    return fclose(f) != 0 || bad;
}

static int bench_read(const char *path, bench_data *d)
{
    FILE *f = fopen(path, "rb");
    int64_t head[4];
    if (!f || fread(head, sizeof head, 1, f) != 1) {
        if (f)
            fclose(f);
        return 1;
    }
    size_t rows = (size_t)head[0], cols = (size_t)head[1];
    d->X = kiln_mat_new(rows, cols);
    d->y = malloc(rows * sizeof *d->y);
    d->task = (kiln_task)head[2];
    d->n_classes = (size_t)head[3];
    int bad = !d->X || !d->y;
    for (size_t i = 0; i < rows && !bad; i++)
        bad = fread(KILN_MAT_ROW(d->X, i), sizeof(double), cols, f) != cols;
    bad = bad || fread(d->y, sizeof(double), rows, f) != rows;
    fclose(f);
    return bad;
}

/* Resident and peak resident memory of this process in MB (/proc/self/status). */
static void bench_memory(double *rss_mb, double *peak_mb)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    *rss_mb = *peak_mb = 0;
    while (f && fgets(line, sizeof line, f)) {
        long kb;
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            *rss_mb = (double)kb / 1024.0;
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            *peak_mb = (double)kb / 1024.0;
    }
    if (f)
        fclose(f);
}

/* One child's line (see the top of this file). */
typedef struct bench_run {
    double secs, score, rss, peak, nodes, file_bytes, extra;
} bench_run;

#define BENCH_MAX_REPEATS 15

/* Run cmd and read its line; nonzero (and a message) when it gave none. */
static int bench_child(const char *cmd, bench_run *r)
{
    FILE *f = popen(cmd, "r");
    int got = f && fscanf(f, "%lf %lf %lf %lf %lf %lf %lf", &r->secs, &r->score, &r->rss, &r->peak, &r->nodes,
                          &r->file_bytes, &r->extra) == 7;
    if (f)
        pclose(f);
    if (!got)
        fprintf(stderr, "bench: no result from: %s\n", cmd);
    return !got;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median over runs r[0..n) of the double field at `offset`. */
static double bench_median(const bench_run *r, size_t n, size_t offset)
{
    double v[BENCH_MAX_REPEATS];
    for (size_t i = 0; i < n; i++)
        v[i] = *(const double *)((const char *)&r[i] + offset);
    qsort(v, n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The directory of this benchmark's sources (the peer scripts sit there) and
 * the path of the running executable (to start --fit children). */
/* The closing line of a comparison: every pair of fit times, kiln's then the peer's. */
static void bench_print_runs(const char *peer, const bench_run *kiln, const bench_run *other, int n)
{
    printf("  runs (kiln / %s s):", peer);
    for (int i = 0; i < n; i++)
        printf(" %.3f/%.3f", kiln[i].secs, other[i].secs);
    printf("\n");
    fflush(stdout);
}

static int bench_paths(const char *file, char *dir, size_t dir_size, char *self, size_t self_size)
{
    snprintf(dir, dir_size, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, dir_size, ".");
    ssize_t len = readlink("/proc/self/exe", self, self_size - 1);
    if (len <= 0)
        return 1;
    self[len] = '\0';
    return 0;
}

#endif
