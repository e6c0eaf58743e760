/* Binning: each feature's training values cut into at most max_bins bins, once
 * per data set, shared by every tree (see tree_impl.h).
 *
 * Feature j's non-missing values are sorted with their row indices (an LSD
 * radix sort of order-preserving integer keys of the doubles), so one walk
 * over them then finds the cuts and one more writes every row's code (no
 * search per value). With u distinct values and
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

typedef struct bin_job {
    const kiln_mat *X;
    kiln_bins *b;
    double *cuts;      /* cols x (max_bins - 1): each feature's cuts, compacted later */
    double *lo, *hi;   /* cols x (max_bins + 1): each bin's value range, likewise  */
    size_t tasks;      /* features are spread over this many tasks               */
} bin_job;

/* Feature j's cuts from its sorted values v[0..n) (keys): with u distinct
 * values and u <= max_bins, the midpoints between them; otherwise after the
 * first distinct value whose cumulative count reaches the next multiple of
 * n / max_bins. Returns the number of cuts. */
static size_t find_cuts(const uint64_t *key, size_t n, size_t max_bins, double *cut)
{
    size_t u = 0, nc = 0;
    for (size_t i = 0; i < n && u <= max_bins; i++)
        u += i == 0 || kiln_radix_value(key[i]) != kiln_radix_value(key[i - 1]);
    for (size_t i = 0; i + 1 < n && nc + 1 < max_bins; i++) {
        double a = kiln_radix_value(key[i]), z = kiln_radix_value(key[i + 1]);
        if (a == z)
            continue;
        if (u <= max_bins || (double)(i + 1) >= (double)(nc + 1) * (double)n / (double)max_bins)
            cut[nc++] = midpoint(a, z);
    }
    return nc;
}

/* Codes of column j and the value range of every bin, walking the sorted
 * values: the bin advances as the values pass its cut. */
static void assign_codes(bin_job *job, size_t j, const kiln_radix *sb, size_t n, const double *cut, size_t nc)
{
    kiln_bins *b = job->b;
    size_t stride = (size_t)b->max_bins + 1;
    double *lo = job->lo + j * stride, *hi = job->hi + j * stride;
    for (size_t k = 0; k < stride; k++) {
        lo[k] = INFINITY;
        hi[k] = -INFINITY;
    }
    uint8_t *col = b->codes + j * b->rows;
    memset(col, KILN_BIN_MISSING, b->rows);
    size_t a = 0; /* the first cut >= x */
    for (size_t i = 0; i < n; i++) {
        double x = kiln_radix_value(sb->key[i]);
        while (a < nc && cut[a] < x)
            a++;
        col[sb->row[i]] = (uint8_t)(a + 1);
        if (x < lo[a + 1])
            lo[a + 1] = x;
        hi[a + 1] = x;
    }
}

/* Distinct values up to which a column is binned without sorting it. */
#define FEW_VALUES 4

/* The distinct keys of key[0..n) into few[], ascending, when there are at
 * most FEW_VALUES and max_bins of them and no two stand for equal doubles (-0
 * and +0, which the sort would put in one bin): returns how many; 0 when the
 * column must be sorted. */
static size_t few_values(const uint64_t *key, size_t n, size_t max_bins, uint64_t *few)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < u && few[k] != key[i])
            k++;
        if (k == u) {
            if (u == FEW_VALUES || u == max_bins)
                return 0;
            few[u++] = key[i];
        }
    }
    for (size_t i = 1; i < u; i++) /* insertion sort */
        for (size_t k = i; k > 0 && few[k - 1] > few[k]; k--) {
            uint64_t t = few[k];
            few[k] = few[k - 1];
            few[k - 1] = t;
        }
    for (size_t i = 1; i < u; i++)
        if (kiln_radix_value(few[i]) == kiln_radix_value(few[i - 1]))
            return 0;
    return u;
}

/* Column j of u <= FEW_VALUES distinct values few[] (ascending, keys): the
 * bins find_cuts and assign_codes would give it, one per value with the
 * midpoints between them as cuts, the codes written in row order. */
static void bin_few(bin_job *job, size_t j, const kiln_radix *sb, size_t n, const uint64_t *few, size_t u)
{
    kiln_bins *b = job->b;
    size_t stride = (size_t)b->max_bins + 1;
    double *lo = job->lo + j * stride, *hi = job->hi + j * stride, *cut = job->cuts + j * (stride - 2);
    for (size_t k = 0; k < stride; k++) {
        lo[k] = INFINITY;
        hi[k] = -INFINITY;
    }
    for (size_t k = 0; k < u; k++) {
        lo[k + 1] = hi[k + 1] = kiln_radix_value(few[k]);
        if (k > 0)
            cut[k - 1] = midpoint(lo[k], lo[k + 1]);
    }
    b->n_bins[j] = (uint16_t)u;
    uint8_t *col = b->codes + j * b->rows;
    memset(col, KILN_BIN_MISSING, b->rows);
    for (size_t i = 0; i < n; i++) {
        uint8_t code = 1;
        while (few[code - 1] != sb->key[i])
            code++;
        col[sb->row[i]] = code;
    }
}

/* Rows ahead of the one being read that a column gather prefetches: a
 * column of a row-major matrix is a strided read the hardware prefetcher
 * loses at every page. */
#define GATHER_AHEAD 16

/* Bin feature j with the sort buffers sb (room for every row). */
static void bin_column(bin_job *job, kiln_radix *sb, size_t j)
{
    const kiln_mat *X = job->X;
    size_t rows = X->rows, max_bins = (size_t)job->b->max_bins;
    size_t n = 0;
    for (size_t i = 0; i < rows; i++) {
        if (i + GATHER_AHEAD < rows)
            __builtin_prefetch(&KILN_MAT_AT(X, i + GATHER_AHEAD, j));
        double x = KILN_MAT_AT(X, i, j);
        if (!isnan(x)) {
            sb->key[n] = kiln_radix_key(x);
            sb->row[n++] = (uint32_t)i;
        }
    }
    uint64_t few[FEW_VALUES];
    size_t u = few_values(sb->key, n, max_bins, few);
    if (u > 0) {
        bin_few(job, j, sb, n, few, u);
        return;
    }
    kiln_radix_sort(sb, n);
    double *cut = job->cuts + j * (max_bins - 1);
    size_t nc = find_cuts(sb->key, n, max_bins, cut);
    job->b->n_bins[j] = (uint16_t)(n ? nc + 1 : 0);
    assign_codes(job, j, sb, n, cut, nc);
}

/* Task t bins the features t, t + tasks, t + 2 tasks, ... with one set of
 * sort buffers (a feature's bins do not depend on which task made them). */
static kiln_status bin_task(void *arg, size_t t)
{
    bin_job *job = arg;
    kiln_radix sb;
    KILN_TRY(kiln_radix_init(&sb, job->X->rows, 1));
    for (size_t j = t; j < job->X->cols; j += job->tasks)
        bin_column(job, &sb, j);
    kiln_radix_free(&sb);
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
    free(b->bundle_start);
    free(b->bundle_feat);
    free(b->bundle_codes);
    free(b->bundle_of);
    free(b);
}

/* Move each column's cuts and bin ranges from the fixed-stride scratch into b. */
static kiln_status compact(kiln_bins *b, const bin_job *job)
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
        size_t nc = b->n_bins[j] ? b->n_bins[j] - 1u : 0, ns = b->n_bins[j] + 1u;
        memcpy(b->cuts + b->cut_start[j], job->cuts + j * stride, nc * sizeof *b->cuts);
        memcpy(b->bin_lo + b->hist_start[j], job->lo + j * (stride + 2), ns * sizeof *b->bin_lo);
        memcpy(b->bin_hi + b->hist_start[j], job->hi + j * (stride + 2), ns * sizeof *b->bin_hi);
    }
    return KILN_OK;
}

/* Feature j has two values and no missing one: its codes are 1 and 2. */
static int bundle_eligible(const kiln_bins *b, size_t j)
{
    if (b->n_bins[j] != 2)
        return 0;
    const uint8_t *c = b->codes + j * b->rows;
    unsigned missing = 0; /* no early exit: the loop is vectorised */
    for (size_t i = 0; i < b->rows; i++)
        missing |= (unsigned)(c[i] == KILN_BIN_MISSING);
    return !missing;
}

/* Whether feature j's upper value shares a row with a member of the bundle
 * whose codes are `open` (nonzero where a member has its upper value). */
static int bundle_conflicts(const kiln_bins *b, size_t j, const uint8_t *restrict open)
{
    const uint8_t *restrict c = b->codes + j * b->rows;
    unsigned clash = 0;
    for (size_t i = 0; i < b->rows; i++)
        clash |= (unsigned)(c[i] == 2) & (unsigned)(open[i] != 0);
    return clash != 0;
}

/* Add feature j as member `index` of the bundle whose codes are `open`. */
static void bundle_add(const kiln_bins *b, size_t j, uint8_t *restrict open, size_t index)
{
    const uint8_t *restrict c = b->codes + j * b->rows;
    for (size_t i = 0; i < b->rows; i++)
        open[i] = c[i] == 2 ? (uint8_t)(index + 1) : open[i];
}

/* The bundles' members: each eligible feature joins the open bundle unless a
 * row conflicts or it is full, else opens the next; bundles of one member
 * are then dropped (members counted in sizes[k]; returns the bundles). */
static size_t bundle_members(const kiln_bins *b, uint8_t *open, uint32_t *feat, size_t *sizes)
{
    size_t n = 0, at = 0;
    for (size_t j = 0; j < b->cols; j++) {
        if (!bundle_eligible(b, j))
            continue;
        if (n == 0 || sizes[n - 1] == 254 || bundle_conflicts(b, j, open)) {
            if (n > 0 && sizes[n - 1] == 1) /* the open one had one member: reuse its place */
                at--, n--;
            memset(open, 0, b->rows);
            sizes[n++] = 0;
        }
        bundle_add(b, j, open, sizes[n - 1]);
        feat[at++] = (uint32_t)j;
        sizes[n - 1]++;
    }
    if (n > 0 && sizes[n - 1] == 1)
        n--;
    return n;
}

/* The bundles of b (tree_impl.h). */
static kiln_status bundle(kiln_bins *b)
{
    uint8_t *open = kiln_alloc(b->rows, 1);
    uint32_t *feat = kiln_alloc(b->cols, sizeof *feat);
    size_t *sizes = kiln_alloc(b->cols, sizeof *sizes);
    kiln_status s = open && feat && sizes ? KILN_OK : KILN_ENOMEM;
    size_t n = s == KILN_OK ? bundle_members(b, open, feat, sizes) : 0;
    if (n > 0) {
        b->bundle_start = kiln_alloc(n + 1, sizeof *b->bundle_start);
        b->bundle_codes = kiln_alloc(n * b->rows, 1);
        b->bundle_of = kiln_alloc(b->cols, sizeof *b->bundle_of);
        s = b->bundle_start && b->bundle_codes && b->bundle_of ? KILN_OK : KILN_ENOMEM;
    }
    for (size_t k = 0; k < n && s == KILN_OK; k++) {
        b->bundle_start[k + 1] = b->bundle_start[k] + sizes[k];
        for (size_t i = 0; i < sizes[k]; i++) {
            uint32_t j = feat[b->bundle_start[k] + i];
            bundle_add(b, j, b->bundle_codes + k * b->rows, i);
            b->bundle_of[j] = (uint32_t)k + 1;
        }
    }
    if (s == KILN_OK && n > 0) {
        b->n_bundles = n;
        b->bundle_feat = feat;
        feat = NULL;
    }
    free(open);
    free(feat);
    free(sizes);
    return s;
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
    bin_job job = {X, b, kiln_alloc(X->cols * (size_t)(max_bins - 1), sizeof(double)),
                   kiln_alloc(X->cols * (size_t)(max_bins + 1), sizeof(double)),
                   kiln_alloc(X->cols * (size_t)(max_bins + 1), sizeof(double)),
                   threads < 1 ? 1 : (size_t)threads < X->cols ? (size_t)threads : X->cols};
    kiln_status s = KILN_ENOMEM;
    if (b->codes && b->n_bins && b->cut_start && b->hist_start && job.cuts && job.lo && job.hi) {
        s = kiln_parallel_for(job.tasks, threads, bin_task, &job);
        if (s == KILN_OK)
            s = compact(b, &job);
        if (s == KILN_OK)
            s = bundle(b);
    }
    free(job.cuts);
    free(job.lo);
    free(job.hi);
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
