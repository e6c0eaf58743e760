/* Binning: each feature's training values cut into at most max_bins bins, once
 * per data set, shared by every tree (see tree_impl.h).
 *
 * Feature j's non-missing values are sorted. With u distinct values and
 * u <= max_bins, every distinct value gets its own bin and the cut between
 * two of them is their midpoint (scikit-learn's threshold rule). Otherwise a
 * cut follows the first distinct value whose cumulative count reaches the next
 * multiple of n / max_bins (quantile bins, as LightGBM and XGBoost's hist do).
 * A value x falls in bin b (1-based) when cut[b-1] < x <= cut[b]; NaN gets
 * code 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/tree_impl.h"
#include "kiln/dataset.h"
#include "kiln/util.h"

/* The cut halfway between a < b, kept strictly below b (rounding). */
static double midpoint(double a, double b)
{
    double m = a / 2.0 + b / 2.0;
    return m >= b ? a : m;
}

/* Ascending sort of v[0..n) (no NaN): quicksort with a median-of-three pivot,
 * recursing into the smaller part, insertion sort below 16 elements. */
static void sort_doubles(double *v, size_t n)
{
    while (n > 16) {
        double a = v[0], b = v[n / 2], c = v[n - 1];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            double t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        size_t left = j + 1;
        if (left < n - left) {
            sort_doubles(v, left);
            v += left;
            n -= left;
        } else {
            sort_doubles(v + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

typedef struct bin_job {
    const kiln_mat *X;
    kiln_bins *b;
    double *cuts;      /* cols x (max_bins - 1) scratch, compacted later */
    uint16_t *n_bins;
} bin_job;

/* Cuts of one column into job->cuts + j * (max_bins - 1); sets n_bins[j]. */
static kiln_status find_cuts(bin_job *job, size_t j, double *v)
{
    const kiln_mat *X = job->X;
    size_t n = 0, max_bins = (size_t)job->b->max_bins;
    for (size_t i = 0; i < X->rows; i++) {
        double x = KILN_MAT_AT(X, i, j);
        if (!isnan(x))
            v[n++] = x;
    }
    sort_doubles(v, n);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || v[i] != v[i - 1])
            u++;
    double *cut = job->cuts + j * (max_bins - 1);
    size_t nc = 0;
    if (u <= max_bins) {
        for (size_t i = 1; i < n; i++)
            if (v[i] != v[i - 1])
                cut[nc++] = midpoint(v[i - 1], v[i]);
    } else {
        for (size_t i = 0; i + 1 < n && nc + 1 < max_bins; i++) {
            if (v[i] == v[i + 1])
                continue;
            if ((double)(i + 1) >= (double)(nc + 1) * (double)n / (double)max_bins)
                cut[nc++] = midpoint(v[i], v[i + 1]);
        }
    }
    job->n_bins[j] = (uint16_t)(n ? nc + 1 : 0);
    return KILN_OK;
}

static kiln_status cuts_task(void *arg, size_t j)
{
    bin_job *job = arg;
    double *v = kiln_alloc(job->X->rows, sizeof *v);
    if (!v)
        return KILN_ENOMEM;
    kiln_status s = find_cuts(job, j, v);
    free(v);
    return s;
}

/* Codes of column j and the value range of every bin. */
static kiln_status codes_task(void *arg, size_t j)
{
    bin_job *job = arg;
    kiln_bins *b = job->b;
    const double *cut = b->cuts + b->cut_start[j];
    size_t nc = b->n_bins[j] ? b->n_bins[j] - 1u : 0;
    double *lo = b->bin_lo + b->hist_start[j], *hi = b->bin_hi + b->hist_start[j];
    for (size_t k = 0; k <= b->n_bins[j]; k++) {
        lo[k] = INFINITY;
        hi[k] = -INFINITY;
    }
    uint8_t *col = b->codes + j * b->rows;
    for (size_t i = 0; i < b->rows; i++) {
        double x = KILN_MAT_AT(job->X, i, j);
        if (isnan(x)) {
            col[i] = KILN_BIN_MISSING;
            continue;
        }
        size_t a = 0, z = nc; /* first cut >= x */
        while (a < z) {
            size_t mid = (a + z) / 2;
            if (cut[mid] < x)
                a = mid + 1;
            else
                z = mid;
        }
        col[i] = (uint8_t)(a + 1);
        if (x < lo[a + 1])
            lo[a + 1] = x;
        if (x > hi[a + 1])
            hi[a + 1] = x;
    }
    return KILN_OK;
}

void kiln_bins_free(kiln_bins *b)
{
    if (!b)
        return;
    free(b->codes);
    free(b->n_bins);
    free(b->cut_start);
    free(b->cuts);
    free(b->hist_start);
    free(b->bin_lo);
    free(b->bin_hi);
    free(b);
}

/* Move each column's cuts from the fixed-stride scratch into b->cuts. */
static kiln_status compact_cuts(kiln_bins *b, const double *scratch)
{
    size_t total = 0, slots = 0, stride = (size_t)b->max_bins - 1;
    for (size_t j = 0; j < b->cols; j++) {
        b->cut_start[j] = total;
        b->hist_start[j] = slots;
        total += b->n_bins[j] ? b->n_bins[j] - 1u : 0;
        slots += b->n_bins[j] + 1u;
    }
    b->hist_slots = slots;
    b->cuts = kiln_alloc(total, sizeof *b->cuts);
    b->bin_lo = kiln_alloc(slots, sizeof *b->bin_lo);
    b->bin_hi = kiln_alloc(slots, sizeof *b->bin_hi);
    if (!b->cuts || !b->bin_lo || !b->bin_hi)
        return KILN_ENOMEM;
    for (size_t j = 0; j < b->cols; j++) {
        size_t nc = b->n_bins[j] ? b->n_bins[j] - 1u : 0;
        memcpy(b->cuts + b->cut_start[j], scratch + j * stride, nc * sizeof *b->cuts);
    }
    return KILN_OK;
}

kiln_status kiln_bins_build(const kiln_mat *X, int max_bins, int threads, kiln_bins **out)
{
    *out = NULL;
    if (max_bins < 2 || max_bins > 255)
        return KILN_ERROR(KILN_EINPUT, "max_bins must be in 2..255 (got %d)", max_bins);
    kiln_bins *b = kiln_alloc(1, sizeof *b);
    if (!b)
        return KILN_ENOMEM;
    b->rows = X->rows;
    b->cols = X->cols;
    b->max_bins = max_bins;
    b->codes = kiln_alloc(X->rows * X->cols, 1);
    b->n_bins = kiln_alloc(X->cols, sizeof *b->n_bins);
    b->cut_start = kiln_alloc(X->cols, sizeof *b->cut_start);
    b->hist_start = kiln_alloc(X->cols, sizeof *b->hist_start);
    double *scratch = kiln_alloc(X->cols * (size_t)(max_bins - 1), sizeof *scratch);
    kiln_status s = KILN_ENOMEM;
    if (b->codes && b->n_bins && b->cut_start && b->hist_start && scratch) {
        bin_job job = {X, b, scratch, b->n_bins};
        s = kiln_parallel_for(X->cols, threads, cuts_task, &job);
        if (s == KILN_OK)
            s = compact_cuts(b, scratch);
        if (s == KILN_OK)
            s = kiln_parallel_for(X->cols, threads, codes_task, &job);
    }
    free(scratch);
    if (s != KILN_OK) {
        kiln_bins_free(b);
        return s;
    }
    *out = b;
    return KILN_OK;
}

double kiln_bins_cut(const kiln_bins *b, size_t j, unsigned bin)
{
    if (bin >= b->n_bins[j])
        return INFINITY;
    return b->cuts[b->cut_start[j] + bin - 1];
}

static void bins_free_void(void *p)
{
    kiln_bins_free(p);
}

typedef struct bins_args {
    int max_bins, threads;
} bins_args;

static kiln_status bins_build_cached(const kiln_dataset *d, void *arg, void **value, void (**free_fn)(void *))
{
    const bins_args *a = arg;
    kiln_bins *b;
    KILN_TRY(kiln_bins_build(&d->X, a->max_bins, a->threads, &b));
    *value = b;
    *free_fn = bins_free_void;
    return KILN_OK;
}

kiln_status kiln_bins_cached(const kiln_dataset *d, int max_bins, int threads, const kiln_bins **out)
{
    char key[16];
    snprintf(key, sizeof key, "bins%d", max_bins);
    bins_args a = {max_bins, threads};
    void *b;
    KILN_TRY(kiln_dataset_cache_get(d, key, bins_build_cached, &a, &b));
    *out = b;
    return KILN_OK;
}
