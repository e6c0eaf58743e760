/* Histogram building speed of the shared tree builder, beside the machine's
 * memory read bandwidth.
 *
 *     bench_hist [rows=1000000] [features=28] [threads=2]
 *
 * Rows x features standard normal doubles are binned once (kiln_bins_build,
 * 255 bins, timed too); then gradient-boosting statistics (g, h: m = 2) are
 * summed into histograms by growing stumps (max_depth = 1) with the Newton
 * criterion: the root's histograms of every feature over all rows, and the
 * smaller child's (the larger one comes by subtraction). Row-features counted
 * are exactly those two nodes' rows x features, read from the stump's node
 * counts. Bytes per row-feature: its 1-byte code, the 4-byte row index and the
 * m doubles of statistics the loop loads. The limit printed beside: the best
 * of 3 sums over a 256 MB array with the same threads (read bandwidth).
 * Medians of 5 stumps.
 */
#include <stdio.h>
#include <stdlib.h>
#include "algos/tree/tree_impl.h"
#include "kiln/util.h"

#define BW_DOUBLES (32u << 20) /* 256 MB */

typedef struct sum_job {
    const double *a;
    size_t chunk, n;
    double part[64];
} sum_job;

static kiln_status sum_task(void *arg, size_t k)
{
    sum_job *j = arg;
    size_t lo = k * j->chunk, hi = lo + j->chunk < j->n ? lo + j->chunk : j->n;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = lo;
    for (; i + 4 <= hi; i += 4) {
        s0 += j->a[i];
        s1 += j->a[i + 1];
        s2 += j->a[i + 2];
        s3 += j->a[i + 3];
    }
    for (; i < hi; i++)
        s0 += j->a[i];
    j->part[k] = s0 + s1 + s2 + s3;
    return KILN_OK;
}

/* Memory read bandwidth in GB/s with `threads` workers. */
static double read_bandwidth(int threads)
{
    double *a = malloc(BW_DOUBLES * sizeof *a);
    if (!a)
        return 0;
    for (size_t i = 0; i < BW_DOUBLES; i++)
        a[i] = (double)(i & 1023);
    sum_job j = {.a = a, .n = BW_DOUBLES, .chunk = (BW_DOUBLES + threads - 1) / (size_t)threads};
    double best = 1e300, check = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = kiln_now();
        kiln_parallel_for((size_t)threads, threads, sum_task, &j);
        double t = kiln_now() - t0;
        best = t < best ? t : best;
        for (int k = 0; k < threads; k++)
            check += j.part[k];
    }
    free(a);
    if (check < 0)
        fprintf(stderr, "bench_hist: impossible sum\n");
    return (double)BW_DOUBLES * sizeof(double) / best / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t d = argc > 2 ? strtoul(argv[2], NULL, 10) : 28;
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    if (threads < 1 || threads > 64) {
        fprintf(stderr, "bench_hist: threads must be 1..64\n");
        return 1;
    }
    kiln_mat *X = kiln_mat_new(n, d);
    double *gh = malloc(2 * n * sizeof *gh);
    uint32_t *rows = malloc(n * sizeof *rows);
    if (!X || !gh || !rows) {
        fprintf(stderr, "bench_hist: out of memory\n");
        return 2;
    }
    kiln_rng r;
    kiln_rng_seed(&r, 11);
    for (size_t i = 0; i < n * d; i++)
        X->data[i] = kiln_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        gh[2 * i] = kiln_rng_normal(&r);
        gh[2 * i + 1] = 0.25;
        rows[i] = (uint32_t)i;
    }
    printf("histograms: %zu rows x %zu features, 255 bins, g/h statistics, %d threads\n", n, d, threads);
    double bw = read_bandwidth(threads);
    printf("  memory read bandwidth                 %8.1f GB/s\n", bw);

    kiln_bins *b;
    double t0 = kiln_now();
    if (kiln_bins_build(X, 255, threads, &b) != KILN_OK) {
        fprintf(stderr, "bench_hist: %s\n", kiln_last_error());
        return 2;
    }
    double tb = kiln_now() - t0;
    printf("  binning (quantile cuts + codes)       %8.3f s  %6.1f M row-features/s\n", tb, n * d / tb / 1e6);

    kiln_criterion c = kiln_criterion_newton(1.0);
    kiln_tree_params p = kiln_tree_params_default();
    p.max_depth = 1;
    p.threads = threads;
    kiln_tree_stats st = {.m = 2, .row = gh};
    double secs[5];
    size_t counted = 0;
    for (int rep = 0; rep < 5; rep++) {
        kiln_tree *t;
        t0 = kiln_now();
        if (kiln_tree_grow(b, &st, rows, n, &p, &c, &r, &t, NULL) != KILN_OK) {
            fprintf(stderr, "bench_hist: %s\n", kiln_last_error());
            return 2;
        }
        secs[rep] = kiln_now() - t0;
        size_t small = t->n_nodes == 3 ? (t->count[1] < t->count[2] ? t->count[1] : t->count[2]) : 0;
        counted = (n + small) * d;
        kiln_tree_free(t);
    }
    qsort(secs, 5, sizeof *secs, cmp_double);
    double th = secs[2], bytes = (double)counted * (1 + 4 + 2 * sizeof(double));
    printf("  histogram stump (root + smaller child) %7.3f s  %6.1f M row-features/s  %6.1f GB/s touched "
           "(%.0f%% of the read bandwidth)\n",
           th, counted / th / 1e6, bytes / th / 1e9, 100 * bytes / th / 1e9 / bw);
    kiln_bins_free(b);
    kiln_mat_free(X);
    free(gh);
    free(rows);
    return 0;
}
