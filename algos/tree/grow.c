/* The histogram tree builder (see tree_impl.h for the model it grows).
 *
 * A node owns the range [begin, end) of the row index array; splitting it
 * partitions that range in place (stably, so rows stay ascending and column
 * reads stay sequential). The rows' statistics (scaled by their repeat
 * counts) are gathered once per tree and partitioned with the rows, so a
 * node's statistics are contiguous and histograms read them in order. For each candidate feature the node's histogram
 * holds, per bin, the m summed statistics and (except for Newton, whose
 * positive hessians mark the nonempty bins) the row count. Scanning the
 * value bins in ascending order gives, for every boundary, the left sums L;
 * the right sums are S - L. Rows with a missing value (bin 0) are added to
 * the left or to the right, whichever gains more (XGBoost's sparsity-aware
 * split finding, Chen & Guestrin 2016, Alg. 3).
 *
 * Histogram subtraction (LightGBM, Ke et al. 2017): when all features are
 * candidates and a node is large, its histograms of all features are kept;
 * after the split only the smaller child's are built from its rows and the
 * larger child's are the parent's minus the smaller's, so each level costs
 * about half the rows. Smaller nodes (and forests, which look at a few
 * features per node) build the candidate features' histograms directly into
 * a 256-bin scratch that only its touched bins are cleared from, so a small
 * node costs O(rows) rather than O(bins).
 *
 * Candidate features: with max_features = k < d, features are drawn without
 * replacement until k of them had a possible split (scikit-learn's rule:
 * constant features do not count). Extra trees (Geurts et al. 2006) draw one
 * threshold per feature uniformly between the node's smallest and largest
 * value instead of scanning every boundary. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/tree_impl.h"
#include "kiln/util.h"

/* Nodes with at least this many rows keep histograms of all features
 * (unless kiln_tree_params.dense_min_rows says otherwise). */
#define DENSE_MIN 2048
/* Build one node's dense histograms in parallel above this many row-features. */
#define PARALLEL_MIN (1u << 18)

typedef struct split {
    int feature; /* -1: none found */
    unsigned bin;
    int default_left;
    double gain, threshold;
} split;

typedef struct pending {
    int32_t node;
    size_t begin, end;
    int depth;
    double *hist; /* dense histograms of all features, or NULL */
    split best;
} pending;

typedef struct grow_ws {
    const kiln_bins *b;
    const kiln_tree_stats *st;
    const kiln_tree_params *p;
    const kiln_criterion *c;
    kiln_rng *rng;
    size_t m, slot, n_features, max_features;
    int counted;    /* histograms count rows (criterion presence < 0)   */
    size_t present; /* the histogram entry that is > 0 in a nonempty bin */
    size_t *cand, n_cand; /* the features this tree may split on, ascending */
    int dense; /* all features are candidates: subtraction applies */
    size_t dense_min;
    uint32_t *rows, *tmp;
    double *nst, *tmp_st; /* the statistics of rows[k] at nst[k * m]: a node's are contiguous */
    double *acc;          /* 256 x slot scratch for one feature's histogram */
    double *sum, *L, *R;  /* slot doubles each */
    double *value;        /* n_outputs */
    size_t *order;        /* feature draw order */
    uint8_t *nonempty;    /* 256 bins of one feature, ascending */
    pending *stack;
    size_t n_pending, cap_pending, cap_rows;
    double **pool; /* free dense histogram buffers */
    size_t n_pool, cap_pool;
    kiln_tree *t;
    int32_t *row_leaf;
} grow_ws;

kiln_tree_params kiln_tree_params_default(void)
{
    return (kiln_tree_params){.max_depth = -1, .min_samples_split = 2, .min_samples_leaf = 1, .threads = 1};
}

/* ---- histogram buffers --------------------------------------------------- */

static double *hist_get(grow_ws *w)
{
    size_t n = w->b->hist_slots * w->slot;
    if (w->n_pool) {
        double *h = w->pool[--w->n_pool];
        memset(h, 0, n * sizeof *h);
        return h;
    }
    return kiln_alloc(n, sizeof(double));
}

static kiln_status hist_put(grow_ws *w, double *h)
{
    if (!h)
        return KILN_OK;
    if (w->n_pool == w->cap_pool) {
        size_t cap = w->cap_pool ? 2 * w->cap_pool : 8;
        double **p = kiln_realloc(w->pool, cap, sizeof *p);
        if (!p) {
            free(h);
            return KILN_ENOMEM;
        }
        w->pool = p;
        w->cap_pool = cap;
    }
    w->pool[w->n_pool++] = h;
    return KILN_OK;
}

/* Accumulate rows[begin, end) of feature j into h (indexed by code), m
 * statistics per row and the row count when `counted`; mark the codes seen in
 * `seen` (256 bits). Inlined with constant m and counted for the common
 * criteria, so the inner loop unrolls. */
static inline void hist_rows(const grow_ws *w, const uint8_t *col, size_t begin, size_t end, size_t m, int counted,
                             double *h, uint64_t seen[4])
{
    size_t slot = m + 1;
    for (size_t k = begin; k < end; k++) {
        uint8_t code = col[w->rows[k]];
        double *e = h + (size_t)code * slot;
        const double *s = w->nst + k * m;
        seen[code >> 6] |= (uint64_t)1 << (code & 63);
        if (counted)
            e[0] += 1.0;
        for (size_t q = 0; q < m; q++)
            e[1 + q] += s[q];
    }
}

static void hist_add_feature(const grow_ws *w, size_t j, size_t begin, size_t end, double *h, uint64_t seen[4])
{
    const uint8_t *col = w->b->codes + j * w->b->rows;
    if (!w->counted) /* Newton (g, h) */
        hist_rows(w, col, begin, end, 2, 0, h, seen);
    else if (w->m == 2) /* two-class counts */
        hist_rows(w, col, begin, end, 2, 1, h, seen);
    else if (w->m == 3) /* squared error (w, wy, wy^2), three classes */
        hist_rows(w, col, begin, end, 3, 1, h, seen);
    else
        hist_rows(w, col, begin, end, w->m, 1, h, seen);
}

typedef struct dense_job {
    const grow_ws *w;
    size_t begin, end;
    double *h;
} dense_job;

/* Four features' histograms in one pass over the rows, so each row's index
 * and statistics are read once for the four (m constant when inlined). */
static inline void hist_rows4(const grow_ws *w, const size_t *j, double *h, size_t begin, size_t end, size_t m,
                              int counted)
{
    const kiln_bins *b = w->b;
    size_t slot = m + 1;
    const uint8_t *c0 = b->codes + j[0] * b->rows, *c1 = b->codes + j[1] * b->rows;
    const uint8_t *c2 = b->codes + j[2] * b->rows, *c3 = b->codes + j[3] * b->rows;
    double *h0 = h + b->hist_start[j[0]] * slot, *h1 = h + b->hist_start[j[1]] * slot;
    double *h2 = h + b->hist_start[j[2]] * slot, *h3 = h + b->hist_start[j[3]] * slot;
    for (size_t k = begin; k < end; k++) {
        uint32_t r = w->rows[k];
        const double *s = w->nst + k * m;
        double *e0 = h0 + (size_t)c0[r] * slot, *e1 = h1 + (size_t)c1[r] * slot;
        double *e2 = h2 + (size_t)c2[r] * slot, *e3 = h3 + (size_t)c3[r] * slot;
        if (counted) {
            e0[0] += 1.0;
            e1[0] += 1.0;
            e2[0] += 1.0;
            e3[0] += 1.0;
        }
        for (size_t q = 0; q < m; q++) {
            e0[1 + q] += s[q];
            e1[1 + q] += s[q];
            e2[1 + q] += s[q];
            e3[1 + q] += s[q];
        }
    }
}

/* Task i: the candidate features 4i .. 4i+3 (fewer in the last group). */
static kiln_status dense_task(void *arg, size_t i)
{
    dense_job *d = arg;
    const grow_ws *w = d->w;
    size_t first = 4 * i, last = first + 4 < w->n_cand ? first + 4 : w->n_cand;
    if (last - first == 4) {
        const size_t *j = w->cand + first;
        if (!w->counted)
            hist_rows4(w, j, d->h, d->begin, d->end, 2, 0);
        else if (w->m == 2)
            hist_rows4(w, j, d->h, d->begin, d->end, 2, 1);
        else if (w->m == 3)
            hist_rows4(w, j, d->h, d->begin, d->end, 3, 1);
        else
            hist_rows4(w, j, d->h, d->begin, d->end, w->m, 1);
        return KILN_OK;
    }
    for (size_t q = first; q < last; q++) {
        size_t j = w->cand[q];
        uint64_t seen[4] = {0};
        hist_add_feature(w, j, d->begin, d->end, d->h + w->b->hist_start[j] * w->slot, seen);
    }
    return KILN_OK;
}

/* Dense histograms of all features for rows[begin, end). */
static kiln_status hist_build(grow_ws *w, size_t begin, size_t end, double **out)
{
    double *h = hist_get(w);
    if (!h)
        return KILN_ENOMEM;
    dense_job d = {w, begin, end, h};
    int threads = (end - begin) * w->n_cand >= PARALLEL_MIN ? w->p->threads : 1;
    kiln_status s = kiln_parallel_for((w->n_cand + 3) / 4, threads, dense_task, &d);
    if (s != KILN_OK) {
        free(h);
        return s;
    }
    *out = h;
    return KILN_OK;
}

/* ---- split search ---------------------------------------------------------- */

typedef struct node_ctx {
    size_t count;
    double loss, cover;
} node_ctx;

/* Try the split L | S - L of one feature at `bin`; keep it if it beats best. */
static void try_split(grow_ws *w, const node_ctx *nc, size_t j, unsigned bin, int default_left, double threshold,
                      split *best)
{
    const kiln_criterion *c = w->c;
    const kiln_tree_params *p = w->p;
    for (size_t q = 0; q < w->slot; q++)
        w->R[q] = w->sum[q] - w->L[q];
    if (w->counted && (w->L[0] < (double)p->min_samples_leaf || w->R[0] < (double)p->min_samples_leaf))
        return;
    if (p->min_child_weight > 0 &&
        (c->cover(c, w->L + 1) < p->min_child_weight || c->cover(c, w->R + 1) < p->min_child_weight))
        return;
    double gain = nc->loss - c->loss(c, w->L + 1) - c->loss(c, w->R + 1);
    if (best->feature < 0 || gain > best->gain || (gain == best->gain && (int)j < best->feature)) {
        *best = (split){(int)j, bin, default_left, gain, threshold};
    }
}

/* The threshold between the node's bins `lo_bin` and `hi_bin` of feature j. */
static double gap_threshold(const kiln_bins *b, size_t j, unsigned lo_bin, unsigned hi_bin)
{
    double a = b->bin_hi[b->hist_start[j] + lo_bin], z = b->bin_lo[b->hist_start[j] + hi_bin];
    double mid = a / 2.0 + z / 2.0;
    return mid >= z ? a : mid;
}

/* Evaluate the boundary after the k-th nonempty value bin, with missing rows
 * (histogram entry miss, or NULL if none) tried on both sides. L holds the
 * sums of the value bins on the left. */
static void try_boundary(grow_ws *w, const node_ctx *nc, size_t j, unsigned bin, double threshold,
                         const double *miss, split *best)
{
    if (!miss) {
        /* No missing value seen: missing follows the larger child. */
        double cl = w->c->cover(w->c, w->L + 1), cr = nc->cover - cl;
        try_split(w, nc, j, bin, cl >= cr, threshold, best);
        return;
    }
    try_split(w, nc, j, bin, 0, threshold, best);
    for (size_t q = 0; q < w->slot; q++)
        w->L[q] += miss[q];
    try_split(w, nc, j, bin, 1, threshold, best);
    for (size_t q = 0; q < w->slot; q++)
        w->L[q] -= miss[q];
}

/* Scan one feature's histogram h (indexed by code) whose nonempty value bins
 * are ne[0..n_ne) ascending. Returns 1 when the feature had a possible split. */
static int scan_feature(grow_ws *w, const node_ctx *nc, size_t j, const double *h, const uint8_t *ne,
                        size_t n_ne, split *best)
{
    size_t slot = w->slot;
    const double *miss = h[w->present] > 0 ? h : NULL;
    memset(w->L, 0, slot * sizeof *w->L);
    if (n_ne == 0)
        return 0;
    if (n_ne == 1) {
        if (!miss)
            return 0;
        /* Values on the left, missing on the right. */
        memcpy(w->L, h + (size_t)ne[0] * slot, slot * sizeof *w->L);
        try_split(w, nc, j, ne[0], 0, INFINITY, best);
        return 1;
    }
    size_t last = n_ne - 1; /* boundaries after ne[0..last) */
    size_t pick = last;
    double t_random = 0;
    if (w->p->random_splits) {
        const kiln_bins *b = w->b;
        double lo = b->bin_lo[b->hist_start[j] + ne[0]], hi = b->bin_hi[b->hist_start[j] + ne[last]];
        t_random = lo + (hi - lo) * kiln_rng_uniform(w->rng);
        pick = 0;
        while (pick + 1 < last && b->bin_lo[b->hist_start[j] + ne[pick + 1]] <= t_random)
            pick++;
    }
    for (size_t k = 0; k < last; k++) {
        const double *e = h + (size_t)ne[k] * slot;
        for (size_t q = 0; q < slot; q++)
            w->L[q] += e[q];
        if (w->p->random_splits && k != pick)
            continue;
        double t = gap_threshold(w->b, j, ne[k], ne[k + 1]);
        if (w->p->random_splits && t_random >= w->b->bin_hi[w->b->hist_start[j] + ne[k]] &&
            t_random < w->b->bin_lo[w->b->hist_start[j] + ne[k + 1]])
            t = t_random;
        try_boundary(w, nc, j, ne[k], t, miss, best);
    }
    return 1;
}

/* The nonempty value bins of a dense feature histogram, ascending. */
static size_t dense_nonempty(const grow_ws *w, size_t j, const double *h)
{
    size_t n = 0;
    for (unsigned k = 1; k <= w->b->n_bins[j]; k++)
        if (h[(size_t)k * w->slot + w->present] > 0)
            w->nonempty[n++] = (uint8_t)k;
    return n;
}

/* Build feature j's histogram of the node into the scratch; returns the
 * nonempty value bins in w->nonempty, read from the bitmap of codes seen so
 * that a small node never walks all bins. The caller clears it (sparse_clear). */
static size_t sparse_build(grow_ws *w, size_t j, size_t begin, size_t end)
{
    uint64_t seen[4] = {0};
    hist_add_feature(w, j, begin, end, w->acc, seen);
    seen[0] &= ~(uint64_t)1; /* code 0: missing, not a value bin */
    size_t n = 0;
    for (unsigned q = 0; q < 4; q++)
        for (uint64_t bits = seen[q]; bits; bits &= bits - 1)
            w->nonempty[n++] = (uint8_t)(q * 64 + (unsigned)__builtin_ctzll(bits));
    return n;
}

static void sparse_clear(grow_ws *w, size_t n_ne)
{
    memset(w->acc, 0, w->slot * sizeof *w->acc);
    for (size_t k = 0; k < n_ne; k++)
        memset(w->acc + (size_t)w->nonempty[k] * w->slot, 0, w->slot * sizeof *w->acc);
}

/* The best split of a node over its candidate features. */
static void find_split(grow_ws *w, pending *pd, const node_ctx *nc)
{
    split best = {.feature = -1};
    size_t d = w->n_cand, evaluated = 0;
    memcpy(w->order, w->cand, d * sizeof *w->order);
    for (size_t i = 0; i < d && evaluated < w->max_features; i++) {
        if (w->max_features < d) {
            size_t r = i + kiln_rng_below(w->rng, d - i);
            size_t tmp = w->order[i];
            w->order[i] = w->order[r];
            w->order[r] = tmp;
        }
        size_t j = w->order[i];
        if (w->b->n_bins[j] == 0)
            continue;
        if (pd->hist) {
            const double *h = pd->hist + w->b->hist_start[j] * w->slot;
            evaluated += (size_t)scan_feature(w, nc, j, h, w->nonempty, dense_nonempty(w, j, h), &best);
        } else {
            size_t n_ne = sparse_build(w, j, pd->begin, pd->end);
            evaluated += (size_t)scan_feature(w, nc, j, w->acc, w->nonempty, n_ne, &best);
            sparse_clear(w, n_ne);
        }
    }
    pd->best = best;
}

/* ---- nodes ------------------------------------------------------------------ */

static kiln_status tree_reserve(kiln_tree *t, size_t n)
{
    if (n <= t->cap)
        return KILN_OK;
    size_t cap = t->cap ? 2 * t->cap : 64;
    while (cap < n)
        cap *= 2;
#define GROW(f)                                            \
    do {                                                   \
        void *q = kiln_realloc(t->f, cap, sizeof *t->f);   \
        if (!q)                                            \
            return KILN_ENOMEM;                            \
        t->f = q;                                          \
    } while (0)
    GROW(feature);
    GROW(threshold);
    GROW(bin);
    GROW(default_left);
    GROW(left);
    GROW(right);
    GROW(gain);
    GROW(impurity);
    GROW(cover);
    GROW(count);
#undef GROW
    double *v = kiln_realloc(t->value, cap * t->n_outputs, sizeof *v);
    if (!v)
        return KILN_ENOMEM;
    t->value = v;
    t->cap = cap;
    return KILN_OK;
}

/* Sum the statistics of rows[begin, end) into w->sum. */
static void node_sum(grow_ws *w, size_t begin, size_t end)
{
    memset(w->sum, 0, w->slot * sizeof *w->sum);
    for (size_t k = begin; k < end; k++) {
        const double *s = w->nst + k * w->m;
        for (size_t q = 0; q < w->m; q++)
            w->sum[1 + q] += s[q];
    }
    w->sum[0] = (double)(end - begin);
}

/* The sums of a node with dense histograms: any one feature's histogram
 * holds every row of the node (missing ones in bin 0), so its bins add up to
 * the node's statistics without a pass over the rows. */
static void hist_sum(grow_ws *w, const pending *pd)
{
    size_t j = w->cand[0], slot = w->slot;
    const double *h = pd->hist + w->b->hist_start[j] * slot;
    memset(w->sum, 0, slot * sizeof *w->sum);
    for (size_t k = 0; k <= w->b->n_bins[j]; k++)
        for (size_t q = 1; q < slot; q++)
            w->sum[q] += h[k * slot + q];
    w->sum[0] = (double)(pd->end - pd->begin);
}

/* Whether a node of this size and depth may be split (purity aside). */
static int may_split(const grow_ws *w, const pending *pd)
{
    const kiln_tree_params *p = w->p;
    size_t n = pd->end - pd->begin;
    if (p->max_depth >= 0 && pd->depth >= p->max_depth)
        return 0;
    return n >= p->min_samples_split && n >= 2 * p->min_samples_leaf;
}

/* Record node pd->node (a leaf until split) and find its best split. */
static kiln_status node_open(grow_ws *w, pending *pd)
{
    kiln_tree *t = w->t;
    const kiln_criterion *c = w->c;
    int32_t id = pd->node;
    int splittable = may_split(w, pd);
    if (splittable && !pd->hist && w->dense && pd->end - pd->begin >= w->dense_min)
        KILN_TRY(hist_build(w, pd->begin, pd->end, &pd->hist));
    if (pd->hist)
        hist_sum(w, pd);
    else
        node_sum(w, pd->begin, pd->end);
    node_ctx nc = {pd->end - pd->begin, c->loss(c, w->sum + 1), c->cover(c, w->sum + 1)};
    t->feature[id] = -1;
    t->threshold[id] = 0;
    t->bin[id] = 0;
    t->default_left[id] = 0;
    t->left[id] = t->right[id] = -1;
    t->gain[id] = 0;
    t->impurity[id] = c->impurity(c, w->sum + 1);
    t->cover[id] = nc.cover;
    t->count[id] = (uint32_t)nc.count;
    c->leaf(c, w->sum + 1, t->value + (size_t)id * t->n_outputs);
    pd->best.feature = -1;
    if (splittable && !(c->stop_when_pure && t->impurity[id] <= 1e-12))
        find_split(w, pd, &nc);
    if (pd->best.feature >= 0 && pd->best.gain < w->p->min_split_gain)
        pd->best.feature = -1;
    if (pd->best.feature < 0 && pd->hist) {
        double *h = pd->hist;
        pd->hist = NULL;
        return hist_put(w, h);
    }
    return KILN_OK;
}

/* Stable partition of rows[begin, end) and their statistics: rows going
 * left first. Every row is written to both sides and only the side it
 * belongs to advances, so the loop has no branch to mispredict (inlined with
 * a constant m for the common criteria). Returns the split point. */
static inline size_t partition_m(grow_ws *w, const pending *pd, size_t m)
{
    const split *s = &pd->best;
    const uint8_t *col = w->b->codes + (size_t)s->feature * w->b->rows;
    unsigned bin = s->bin, miss_left = (unsigned)s->default_left;
    size_t nl = pd->begin, nr = 0;
    for (size_t k = pd->begin; k < pd->end; k++) {
        uint32_t r = w->rows[k];
        unsigned code = col[r];
        size_t left = code == KILN_BIN_MISSING ? miss_left : code <= bin;
        const double *st = w->nst + k * m;
        double *to_l = w->nst + nl * m, *to_r = w->tmp_st + nr * m;
        for (size_t q = 0; q < m; q++) {
            double v = st[q];
            to_l[q] = v;
            to_r[q] = v;
        }
        w->rows[nl] = r;
        w->tmp[nr] = r;
        nl += left;
        nr += 1 - left;
    }
    memcpy(w->rows + nl, w->tmp, nr * sizeof *w->rows);
    memcpy(w->nst + nl * m, w->tmp_st, nr * m * sizeof *w->nst);
    return nl;
}

static size_t partition(grow_ws *w, const pending *pd)
{
    switch (w->m) {
    case 2:
        return partition_m(w, pd, 2);
    case 3:
        return partition_m(w, pd, 3);
    default:
        return partition_m(w, pd, w->m);
    }
}

static void leaf_rows(grow_ws *w, const pending *pd)
{
    if (!w->row_leaf)
        return;
    for (size_t k = pd->begin; k < pd->end; k++)
        w->row_leaf[w->rows[k]] = pd->node;
}

/* Histograms for the children of a dense parent: build the smaller child's,
 * turn the parent's into the larger child's by subtraction. */
static kiln_status child_hists(grow_ws *w, double *parent, pending *small, pending *large)
{
    if (!parent)
        return KILN_OK;
    if (large->end - large->begin < w->dense_min || !may_split(w, large))
        return hist_put(w, parent);
    double *h;
    kiln_status s = hist_build(w, small->begin, small->end, &h);
    if (s != KILN_OK) {
        free(parent);
        return s;
    }
    size_t n = w->b->hist_slots * w->slot;
    for (size_t k = 0; k < n; k++)
        parent[k] -= h[k];
    large->hist = parent;
    if (small->end - small->begin >= w->dense_min)
        small->hist = h;
    else
        return hist_put(w, h);
    return KILN_OK;
}

static kiln_status push(grow_ws *w, pending pd)
{
    if (w->n_pending == w->cap_pending) {
        size_t cap = w->cap_pending ? 2 * w->cap_pending : 64;
        pending *q = kiln_realloc(w->stack, cap, sizeof *q);
        if (!q) {
            free(pd.hist);
            return KILN_ENOMEM;
        }
        w->stack = q;
        w->cap_pending = cap;
    }
    w->stack[w->n_pending++] = pd;
    return KILN_OK;
}

/* Split node pd (its best split is valid) and open both children. */
static kiln_status node_split(grow_ws *w, pending *pd)
{
    kiln_tree *t = w->t;
    KILN_TRY(tree_reserve(t, t->n_nodes + 2));
    int32_t id = pd->node, l = (int32_t)t->n_nodes, r = l + 1;
    t->n_nodes += 2;
    const split *s = &pd->best;
    t->feature[id] = s->feature;
    t->threshold[id] = s->threshold;
    t->bin[id] = (uint8_t)s->bin;
    t->default_left[id] = (uint8_t)s->default_left;
    t->left[id] = l;
    t->right[id] = r;
    t->gain[id] = s->gain;
    size_t mid = partition(w, pd);
    pending a = {l, pd->begin, mid, pd->depth + 1, NULL, {.feature = -1}};
    pending b = {r, mid, pd->end, pd->depth + 1, NULL, {.feature = -1}};
    int left_small = mid - pd->begin <= pd->end - mid;
    KILN_TRY(child_hists(w, pd->hist, left_small ? &a : &b, left_small ? &b : &a));
    pd->hist = NULL;
    kiln_status st = node_open(w, &a);
    if (st == KILN_OK)
        st = node_open(w, &b);
    if (st != KILN_OK) {
        free(a.hist);
        free(b.hist);
        return st;
    }
    /* Depth-first pops the left child first. */
    st = push(w, b);
    if (st != KILN_OK) {
        free(a.hist);
        return st;
    }
    return push(w, a);
}

/* The next pending node: the top of the stack, or the best gain (ties: the
 * lower node id) when growing best-first. */
static size_t pick_next(const grow_ws *w)
{
    if (w->p->max_leaf_nodes == 0)
        return w->n_pending - 1;
    size_t best = w->n_pending;
    for (size_t i = 0; i < w->n_pending; i++) {
        const pending *q = &w->stack[i];
        if (q->best.feature < 0)
            continue;
        if (best == w->n_pending || q->best.gain > w->stack[best].best.gain ||
            (q->best.gain == w->stack[best].best.gain && q->node < w->stack[best].node))
            best = i;
    }
    return best == w->n_pending ? w->n_pending - 1 : best;
}

static kiln_status grow_loop(grow_ws *w)
{
    size_t leaves = 1;
    while (w->n_pending) {
        size_t i = pick_next(w);
        pending pd = w->stack[i];
        w->stack[i] = w->stack[--w->n_pending]; /* the top itself when depth-first */
        int can = pd.best.feature >= 0 && (w->p->max_leaf_nodes == 0 || leaves < w->p->max_leaf_nodes);
        if (!can) {
            leaf_rows(w, &pd);
            free(pd.hist);
            continue;
        }
        kiln_status s = node_split(w, &pd);
        if (s != KILN_OK)
            return s;
        leaves++;
    }
    return KILN_OK;
}

/* ---- buffers kept between trees ------------------------------------------ */

struct kiln_tree_ws {
    size_t cap_rows, m, n_features; /* the sizes the buffers were made for */
    size_t hist_n;                  /* doubles per pooled histogram        */
    uint32_t *rows, *tmp;
    double *nst, *tmp_st, *acc, *sum;
    size_t *order, *cand;
    uint8_t *nonempty;
    pending *stack;
    size_t cap_pending;
    double **pool;
    size_t n_pool, cap_pool;
};

kiln_tree_ws *kiln_tree_ws_new(void)
{
    return kiln_alloc(1, sizeof(kiln_tree_ws));
}

static void pool_clear(double **pool, size_t *n_pool)
{
    for (size_t i = 0; i < *n_pool; i++)
        free(pool[i]);
    *n_pool = 0;
}

static void kept_clear(kiln_tree_ws *k)
{
    free(k->rows);
    free(k->tmp);
    free(k->nst);
    free(k->tmp_st);
    free(k->acc);
    free(k->sum);
    free(k->order);
    free(k->cand);
    free(k->nonempty);
    free(k->stack);
    pool_clear(k->pool, &k->n_pool);
    free(k->pool);
    *k = (kiln_tree_ws){0};
}

void kiln_tree_ws_free(kiln_tree_ws *ws)
{
    if (!ws)
        return;
    kept_clear(ws);
    free(ws);
}

/* Take the kept buffers when they fit this tree (they do for every round of
 * one boosting fit), else drop them. */
static void ws_take(grow_ws *w, size_t n_rows)
{
    kiln_tree_ws *k = w->p->ws;
    if (!k)
        return;
    if (k->cap_rows < n_rows || k->m != w->m || k->n_features != w->n_features)
        kept_clear(k);
    if (k->hist_n != w->b->hist_slots * (w->m + 1))
        pool_clear(k->pool, &k->n_pool);
    w->cap_rows = k->rows ? k->cap_rows : n_rows;
    w->rows = k->rows;
    w->tmp = k->tmp;
    w->nst = k->nst;
    w->tmp_st = k->tmp_st;
    w->acc = k->acc;
    w->sum = k->sum;
    w->order = k->order;
    w->cand = k->cand;
    w->nonempty = k->nonempty;
    w->stack = k->stack;
    w->cap_pending = k->cap_pending;
    w->pool = k->pool;
    w->n_pool = k->n_pool;
    w->cap_pool = k->cap_pool;
    *k = (kiln_tree_ws){0};
}

static void ws_free(grow_ws *w)
{
    for (size_t i = 0; i < w->n_pending; i++)
        free(w->stack[i].hist);
    kiln_tree_ws all = {w->cap_rows, w->m, w->n_features, w->b->hist_slots * w->slot, w->rows, w->tmp, w->nst,
                        w->tmp_st, w->acc, w->sum, w->order, w->cand, w->nonempty, w->stack, w->cap_pending,
                        w->pool, w->n_pool, w->cap_pool};
    int whole = w->rows && w->tmp && w->nst && w->tmp_st && w->acc && w->sum && w->order && w->cand && w->nonempty;
    if (w->p->ws && whole)
        *w->p->ws = all;
    else
        kept_clear(&all);
}

/* The statistics of the tree's rows in row order, scaled by their repeat counts. */
static void gather_stats(grow_ws *w, size_t n_rows)
{
    const kiln_tree_stats *st = w->st;
    size_t m = w->m;
    for (size_t k = 0; k < n_rows; k++) {
        size_t r = w->rows[k];
        double times = st->repeat ? (double)st->repeat[r] : 1.0;
        double *to = w->nst + k * m;
        if (st->g) {
            to[0] = times * st->g[r * st->stride];
            to[1] = times * st->h[r * st->stride];
            continue;
        }
        for (size_t q = 0; q < m; q++)
            to[q] = times * st->row[r * m + q];
    }
}

/* Allocate what ws_take did not provide; gather the rows and statistics. */
static kiln_status ws_init(grow_ws *w, const uint32_t *rows, size_t n_rows)
{
    size_t m = w->m, slot = m + 1;
    w->slot = slot;
    ws_take(w, n_rows);
    if (!w->rows) {
        w->cap_rows = n_rows;
        w->rows = kiln_alloc(n_rows, sizeof *w->rows);
        w->tmp = kiln_alloc(n_rows, sizeof *w->tmp);
        w->nst = kiln_alloc(n_rows * m, sizeof *w->nst);
        w->tmp_st = kiln_alloc(n_rows * m, sizeof *w->tmp_st);
        w->acc = kiln_alloc(256 * slot, sizeof *w->acc);
        w->sum = kiln_alloc(3 * slot, sizeof *w->sum);
        w->order = kiln_alloc(w->n_features, sizeof *w->order);
        w->cand = kiln_alloc(w->n_features, sizeof *w->cand);
        w->nonempty = kiln_alloc(256, 1);
    }
    if (!w->rows || !w->tmp || !w->nst || !w->tmp_st || !w->acc || !w->sum || !w->order || !w->cand || !w->nonempty)
        return KILN_ENOMEM;
    const kiln_tree_params *p = w->p;
    w->n_cand = p->features ? p->n_tree_features : w->n_features;
    for (size_t i = 0; i < w->n_cand; i++)
        w->cand[i] = p->features ? p->features[i] : i;
    w->max_features = p->max_features == 0 || p->max_features > w->n_cand ? w->n_cand : p->max_features;
    w->dense = w->max_features == w->n_cand;
    w->L = w->sum + slot;
    w->R = w->sum + 2 * slot;
    for (size_t k = 0; k < n_rows; k++)
        w->rows[k] = rows ? rows[k] : (uint32_t)k;
    gather_stats(w, n_rows);
    return KILN_OK;
}

kiln_tree *kiln_tree_new(size_t n_features, size_t n_outputs)
{
    kiln_tree *t = kiln_alloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n_features = n_features;
    t->n_outputs = n_outputs;
    return t;
}

kiln_status kiln_tree_grow(const kiln_bins *bins, const kiln_tree_stats *stats, const uint32_t *rows,
                           size_t n_rows, const kiln_tree_params *p, const kiln_criterion *crit,
                           kiln_rng *rng, kiln_tree **out, int32_t *row_leaf)
{
    *out = NULL;
    if (n_rows == 0)
        return KILN_ERROR(KILN_EINPUT, "cannot grow a tree on zero rows");
    if (stats->m != crit->n_stats || (stats->g && stats->m != 2) || crit->presence >= (int)crit->n_stats)
        return KILN_ERROR(KILN_EINTERNAL, "criterion %s wants %zu statistics per row, got %zu", crit->name,
                          crit->n_stats, stats->m);
    grow_ws w = {.b = bins, .st = stats, .p = p, .c = crit, .rng = rng, .m = stats->m,
                 .n_features = bins->cols, .row_leaf = row_leaf};
    w.dense_min = p->dense_min_rows ? p->dense_min_rows : DENSE_MIN;
    w.counted = crit->presence < 0;
    w.present = w.counted ? 0 : 1 + (size_t)crit->presence;
    w.t = kiln_tree_new(bins->cols, crit->n_outputs);
    kiln_status s = w.t ? ws_init(&w, rows, n_rows) : KILN_ENOMEM;
    if (s == KILN_OK)
        s = tree_reserve(w.t, 1);
    if (s == KILN_OK) {
        w.t->n_nodes = 1;
        pending root = {0, 0, n_rows, 0, NULL, {.feature = -1}};
        s = node_open(&w, &root);
        if (s == KILN_OK)
            s = push(&w, root);
        else
            free(root.hist);
    }
    if (s == KILN_OK)
        s = grow_loop(&w);
    ws_free(&w);
    if (s != KILN_OK) {
        kiln_tree_free(w.t);
        return s;
    }
    *out = w.t;
    return KILN_OK;
}
