/* The histogram tree builder (see tree_impl.h for the model it grows).
 *
 * A node owns the range [begin, end) of the row index array; splitting it
 * partitions that range in place (stably, so rows stay ascending and column
 * reads stay sequential). The rows' statistics (scaled by their repeat
 * counts) are gathered once per tree and partitioned with the rows, so a
 * node's statistics are contiguous and histograms read them in order.
 * Boosting's (g, h), floats, are instead kept by dataset row as pairs (gh)
 * and read through the row index, as XGBoost reads its gradient pairs: a
 * partition then moves the 4-byte row indices alone, where the ordered
 * copy moved 16 more bytes per row and level than the histograms saved by
 * reading in order (a boosting fit 10 % faster, the same sums: the floats
 * widen exactly). For each candidate feature the node's histogram
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
 * 256-bin scratches that only their touched bins are cleared from, so a small
 * node costs O(rows) rather than O(bins); the features a node needs are
 * drawn together and built in one pass over its rows. A deep node's rows are
 * scattered over the data set, so it reads the codes row-major (a cache line
 * or two per row for all features, kiln_tree_row_codes) rather than one miss
 * per row and feature, prefetched a few rows ahead; a node holding a
 * sixteenth of the data or more reads the columns, in order. A feature with
 * two values (a 0/1 column: one-hot categories) needs no histogram: four at
 * a time, one per vector lane, their rows' counts and sums in one of the two
 * bins are added in registers, all that its one boundary needs (two_rows).
 * The scan of a gini or squared-error feature computes all its boundaries'
 * gains in vectorised passes (scan_gini, scan_sq). A feature found constant
 * in a node is skipped in its descendants (scikit-learn's constant-feature
 * rule).
 *
 * Candidate features: with max_features = k < d, features are drawn without
 * replacement, k of them, and more only until one has a possible split:
 * scikit-learn's rule, where a constant feature drawn counts towards k
 * (more_draws). Extra trees (Geurts et al. 2006) draw one
 * threshold per feature uniformly between the node's smallest and largest
 * value instead of scanning every boundary. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/tree_impl.h"
#include "kiln/util.h"
#ifdef __AVX512VBMI2__
#include <immintrin.h>
#endif

/* Nodes with at least this many rows keep histograms of all features
 * (unless kiln_tree_params.dense_min_rows says otherwise). */
#define DENSE_MIN 512
/* Build one node's dense histograms in parallel above this many row-features. */
#define PARALLEL_MIN (1u << 18)
/* Features whose histograms one pass over a node's rows builds at most. */
#define BATCH 32
/* Rows ahead whose codes are prefetched: a deep node's rows are scattered
 * over the data, so each row's codes are a cache miss otherwise. */
#define PREFETCH 16
/* The nonempty-bin buffer: 256 codes and the 64 that seen_nonempty's last
 * whole-word store may write past them. */
#define NONEMPTY_BYTES (256 + 64)

typedef struct split {
    int feature; /* -1: none found */
    unsigned bin, next; /* left: codes <= bin; next: the next nonempty bin */
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
    int gini, sq, newton; /* the criterion is gini / squared error / Newton (inlined in the split search) */
    size_t dense_min;
    int threads; /* threads building one node's dense histograms */
    uint32_t *rows, *tmp;
    double *nst, *tmp_st; /* the statistics of rows[k] at nst[k * m]: a node's are contiguous */
    float *gh;            /* or, given as g and h (boosting), dataset row r's at gh[2 r]: read */
                          /* by row index, so a partition moves the rows alone (nst NULL) */
    double *acc;          /* BATCH x 256 x scratch_slot (at most): features' histograms */
    double *sum, *L, *R;  /* slot doubles each; then the children's sums (2 slot) */
    uint64_t *known;      /* per pending node: its features known constant */
    uint64_t *kbuf;       /* 3 such sets: a split node's, its children's */
    size_t words;         /* words per set: one bit per feature */
    size_t *order;        /* feature draw order */
    uint8_t *nonempty;    /* 256 bins of one feature, ascending (NONEMPTY_BYTES) */
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

/* ---- row-major codes ------------------------------------------------------- */

#define TRANSPOSE_BLOCK 4096
/* Bytes of a row's codes read as one vector (known_constant reads two); the
 * row-major copy is padded by 64 bytes, so the last row's read stays inside
 * it. */
#define CODE_V 32

typedef struct transpose_job {
    const kiln_bins *b;
    uint8_t *out;
} transpose_job;

/* Rows [i * BLOCK, ...) of the codes, written row-major. */
static kiln_status transpose_task(void *arg, size_t i)
{
    const transpose_job *t = arg;
    size_t rows = t->b->rows, cols = t->b->cols;
    size_t lo = i * TRANSPOSE_BLOCK, hi = lo + TRANSPOSE_BLOCK < rows ? lo + TRANSPOSE_BLOCK : rows;
    for (size_t j = 0; j < cols; j++) {
        const uint8_t *col = t->b->codes + j * rows;
        for (size_t r = lo; r < hi; r++)
            t->out[r * cols + j] = col[r];
    }
    return KILN_OK;
}

kiln_status kiln_tree_row_codes(const kiln_bins *b, int threads, uint8_t **out)
{
    *out = kiln_alloc(b->rows * b->cols + 2 * CODE_V, 1);
    if (!*out)
        return KILN_ENOMEM;
    transpose_job t = {b, *out};
    return kiln_parallel_for((b->rows + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK, threads, transpose_task, &t);
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

/* The stride of the codes a node of n rows reads (codes_of):
 * the row-major copy (one cache line or two per row for all its features)
 * while the node is small and its rows are scattered, the columns once it
 * holds at least 1/COLUMN_SHARE of the data set: its rows are then dense
 * enough that each line of a column serves several of them, and a column is
 * read in order. */
#define COLUMN_SHARE 16

static size_t node_stride(const grow_ws *w, size_t n)
{
    return w->p->row_codes && n * COLUMN_SHARE < w->b->rows ? w->b->cols : 1;
}

/* Feature j's codes for `stride` (node_stride): the code of dataset row r is
 * at [r * stride]. */
static const uint8_t *codes_of(const grow_ws *w, size_t j, size_t stride)
{
    return stride == 1 ? w->b->codes + j * w->b->rows : w->p->row_codes + j;
}

/* Prefetch the codes of features col[0] and col[nf - 1] (with the
 * row-major codes, the ends of the row's span) of the row PREFETCH places
 * after rows[k]: a deep node's rows are scattered over the data. */
static inline void prefetch_ahead(const grow_ws *w, const uint8_t *const *col, size_t nf, size_t stride, size_t k,
                                  size_t end)
{
    if (k + PREFETCH < end) {
        size_t ahead = (size_t)w->rows[k + PREFETCH] * stride;
        __builtin_prefetch(col[0] + ahead);
        __builtin_prefetch(col[nf - 1] + ahead);
    }
}

/* Newton's (g, h) added to a bin's two sums as one vector: lane by lane the
 * same additions (the bins, three doubles apart, are not 16-byte aligned). */
typedef double hist_v2 __attribute__((vector_size(2 * sizeof(double)), aligned(sizeof(double)), may_alias));
typedef float gh_v2 __attribute__((vector_size(2 * sizeof(float)), aligned(sizeof(float)), may_alias));

/* The m statistics of rows[k] = r: with `by_row`, Newton's (g, h) from gh
 * by r, widened into *buf (exactly, so the sums are those of the same values
 * in nst), else nst's k-th. */
static inline const double *stats_of(const grow_ws *w, size_t k, uint32_t r, size_t m, int by_row, hist_v2 *buf)
{
    if (!by_row)
        return w->nst + k * m;
    *buf = __builtin_convertvector(*(const gh_v2 *)(w->gh + 2 * (size_t)r), hist_v2);
    return (const double *)buf;
}

/* Add a row (its m statistics s, and a count when `counted`) to the bin e
 * of a histogram of m + 1 doubles per bin. */
static inline void bin_add(double *e, const double *s, size_t m, int counted)
{
    if (!counted && m == 2) {
        *(hist_v2 *)(e + 1) += *(const hist_v2 *)s;
        return;
    }
    if (counted)
        e[0] += 1.0;
    for (size_t q = 0; q < m; q++)
        e[1 + q] += s[q];
}

/* Where the statistics of a row with many of them (m > 3: classes) are
 * nonzero: the index of the only nonzero one (its class, for gini and
 * entropy, whose rows carry their weight in their class's place), m for
 * none, m + 1 for several. Adding a zero leaves a bin's sum as it is (a bin
 * starts at +0.0 and so never holds -0.0), so a row adds only its nonzero
 * statistic to each of its bins: the same bits, one addition instead of m. */
static inline size_t sole_stat(const double *s, size_t m)
{
    if (m > 64)
        return m + 1;
    uint64_t nonzero = 0; /* a mask the compiler builds with vector compares */
    for (size_t q = 0; q < m; q++)
        nonzero |= (uint64_t)(s[q] != 0) << q;
    if (!nonzero)
        return m;
    return nonzero & (nonzero - 1) ? m + 1 : (size_t)__builtin_ctzll(nonzero);
}

/* Features histogrammed together from which finding a row's nonzero
 * statistic first pays (extra trees take one feature at a time). */
#define SOLE_MIN 4

/* bin_add of a row whose nonzero statistic is `sole` (sole_stat). */
static inline void bin_add_sole(double *e, const double *s, size_t m, int counted, size_t sole)
{
    if (sole > m) {
        bin_add(e, s, m, counted);
        return;
    }
    if (counted)
        e[0] += 1.0;
    if (sole < m)
        e[1 + sole] += s[sole];
}

/* Accumulate rows[begin, end) of nf features (codes col[f] at `stride`) into
 * h[f] (indexed by code, m + 1 doubles per bin), m statistics per row and the
 * row count when `counted`, in one pass over the rows so each row's index,
 * statistics and (row-major) codes are read once; mark the codes seen in
 * seen[f] (256 bits). Inlined with constant m and counted for the common
 * criteria, so the loop unrolls; with `sole`, a row adds only its nonzero
 * statistic (sole_stat). */
static inline void hist_rows(const grow_ws *w, const uint8_t *const *col, size_t stride, double *const *h, size_t nf,
                             size_t begin, size_t end, size_t m, int counted, int sole, int by_row,
                             uint64_t (*seen)[4])
{
    size_t slot = m + 1;
    for (size_t k = begin; k < end; k++) {
        uint32_t r = w->rows[k];
        size_t at = (size_t)r * stride;
        hist_v2 v;
        const double *s = stats_of(w, k, r, m, by_row, &v);
        size_t q = sole ? sole_stat(s, m) : m + 1;
        prefetch_ahead(w, col, nf, stride, k, end);
        for (size_t f = 0; f < nf; f++) {
            uint8_t code = col[f][at];
            double *e = h[f] + (size_t)code * slot;
            seen[f][code >> 6] |= (uint64_t)1 << (code & 63);
            bin_add_sole(e, s, m, counted, q);
        }
    }
}

/* Doubles per bin of find_split_rows' scratch histograms: the slot (count,
 * m statistics), rounded up to four when the rows are counted and m is 2
 * or 3, so that hist_rows_v adds a row to a bin with one four-double vector.
 * (Newton's two sums keep three: boosting builds all features' histograms
 * at once, and the larger scratch would cost more than it saves.) */
static size_t scratch_slot_counted(size_t m)
{
    return m == 2 || m == 3 ? 4 : m + 1;
}

static size_t scratch_slot(const grow_ws *w)
{
    return w->counted ? scratch_slot_counted(w->m) : w->m + 1;
}

typedef double hist_v __attribute__((vector_size(4 * sizeof(double)), aligned(sizeof(double)), may_alias));

/* A feature's 256-bit map of codes seen, one vector (four 64-bit lanes). */
typedef uint64_t seen_v __attribute__((vector_size(4 * sizeof(uint64_t))));

/* SEEN_LANE[q]: lane q all ones, the others zero. */
static const seen_v SEEN_LANE[4] = {{~0ull, 0, 0, 0}, {0, ~0ull, 0, 0}, {0, 0, ~0ull, 0}, {0, 0, 0, ~0ull}};

/* hist_rows, counted, into histograms of four doubles per bin (m = 2, 3): a
 * row adds (1, its m statistics, 0...) to its bin at once, lane by lane the
 * same additions (the padding stays 0). The maps of codes seen are kept in
 * vector registers during the pass (a row ORs its code's bit into its lane)
 * rather than updated in memory, where rows with codes in the same 64 made
 * each update wait on the one before. */
static inline void hist_rows_v(const grow_ws *w, const uint8_t *const *col, size_t stride, double *const *h,
                               size_t nf, size_t begin, size_t end, size_t m, uint64_t (*seen)[4])
{
    seen_v acc[BATCH];
    for (size_t f = 0; f < nf; f++)
        memcpy(&acc[f], seen[f], sizeof acc[f]);
    for (size_t k = begin; k < end; k++) {
        size_t at = (size_t)w->rows[k] * stride;
        const double *s = w->nst + k * m;
        prefetch_ahead(w, col, nf, stride, k, end);
        hist_v v = {1.0, s[0], s[1], m > 2 ? s[2] : 0.0};
        for (size_t f = 0; f < nf; f++) {
            uint8_t code = col[f][at];
            *(hist_v *)(h[f] + (size_t)code * 4) += v;
            acc[f] |= ((seen_v){0} + ((uint64_t)1 << (code & 63))) & SEEN_LANE[code >> 6];
        }
    }
    for (size_t f = 0; f < nf; f++)
        memcpy(seen[f], &acc[f], sizeof acc[f]);
}

/* hist_rows_v with the feature count constant up to four (a forest's node
 * histograms a few features), so the loop over a row's features unrolls:
 * its exit, a branch per row, was mispredicted from node to node. */
static inline void hist_rows_v_nf(const grow_ws *w, const uint8_t *const *col, size_t stride, double *const *h,
                                  size_t nf, size_t begin, size_t end, size_t m, uint64_t (*seen)[4])
{
    switch (nf) {
    case 1:
        hist_rows_v(w, col, stride, h, 1, begin, end, m, seen);
        break;
    case 2:
        hist_rows_v(w, col, stride, h, 2, begin, end, m, seen);
        break;
    case 3:
        hist_rows_v(w, col, stride, h, 3, begin, end, m, seen);
        break;
    case 4:
        hist_rows_v(w, col, stride, h, 4, begin, end, m, seen);
        break;
    default:
        hist_rows_v(w, col, stride, h, nf, begin, end, m, seen);
    }
}

/* Histograms of features j[0..nf) (nf <= BATCH) of rows[begin, end) into h[f],
 * hs doubles per bin (w->slot, or scratch_slot), reading the codes at
 * `stride` (node_stride). */
static void hist_add_features(const grow_ws *w, const size_t *j, size_t nf, size_t stride, size_t hs, size_t begin,
                              size_t end, double *const *h, uint64_t (*seen)[4])
{
    const uint8_t *col[BATCH];
    for (size_t f = 0; f < nf; f++)
        col[f] = codes_of(w, j[f], stride);
    if (hs == 4 && w->counted && w->m == 2)
        hist_rows_v_nf(w, col, stride, h, nf, begin, end, 2, seen);
    else if (hs == 4 && w->counted && w->m == 3)
        hist_rows_v_nf(w, col, stride, h, nf, begin, end, 3, seen);
    else if (w->gh) /* Newton (g, h) by row */
        hist_rows(w, col, stride, h, nf, begin, end, 2, 0, 0, 1, seen);
    else if (!w->counted) /* Newton (g, h) */
        hist_rows(w, col, stride, h, nf, begin, end, 2, 0, 0, 0, seen);
    else if (w->m == 2) /* two-class counts */
        hist_rows(w, col, stride, h, nf, begin, end, 2, 1, 0, 0, seen);
    else if (w->m == 3) /* squared error (w, wy, wy^2), three classes */
        hist_rows(w, col, stride, h, nf, begin, end, 3, 1, 0, 0, seen);
    else if (nf < SOLE_MIN) /* four or more classes */
        hist_rows(w, col, stride, h, nf, begin, end, w->m, 1, 0, 0, seen);
    else
        hist_rows(w, col, stride, h, nf, begin, end, w->m, 1, 1, 0, seen);
}

/* Features with at most two value bins (0/1 columns such as one-hot
 * categories) are not histogrammed: TWO_GROUP of them at a time, one per
 * lane of a vector, the rows of bins 0 (missing) and 1 are counted and bin
 * 1's statistics summed in row order, a row adding its statistics to the
 * lane if its code is 1 and +0.0 (the statistics masked off) otherwise,
 * without a branch (adding +0.0 leaves a sum's bits as they are: the sums
 * hist_rows adds, but in registers, where a histogram in memory would make
 * every row's addition wait for the one before it on the same bin). That is
 * all the scan reads (scan_two): bin 2 is on the right of the one boundary,
 * S - L. A feature with missing rows goes to hist_rows. (GCC vector
 * extensions: one AVX register per sum, plain loops where there is none.
 * Most batches hold four such features or fewer, so four lanes beat eight.) */
#define TWO_GROUP 4

typedef double two_vd __attribute__((vector_size(TWO_GROUP * sizeof(double))));
typedef int64_t two_vi __attribute__((vector_size(TWO_GROUP * sizeof(int64_t))));

/* The sums of two_rows: lane f is feature f of the group. */
typedef struct two_sums {
    two_vi n0, n1; /* rows in bins 0 and 1 */
    two_vd a1[3];  /* the m statistics of bin 1 */
    two_vd a0[3], a2[3]; /* those of bins 0 and 2, when asked for (`all`) */
} two_sums;

/* Lanes f < TWO_GROUP of col (codes at `stride`) over rows[begin, end);
 * with `all`, the statistics of bins 0 and 2 are summed too (what a dense
 * histogram holds). Inlined with m and all constant. */
static inline void two_rows(const grow_ws *w, const uint8_t *const *col, size_t stride, size_t begin, size_t end,
                            size_t m, int all, int by_row, two_sums *out)
{
    const two_vi shift = {0, 8, 16, 24};
    two_vi n0 = {0}, n1 = {0};
    two_vd a1[3] = {{0}}, a0[3] = {{0}}, a2[3] = {{0}};
    for (size_t k = begin; k < end; k++) {
        uint32_t r = w->rows[k];
        size_t at = (size_t)r * stride;
        hist_v2 v;
        const double *s = stats_of(w, k, r, m, by_row, &v);
        prefetch_ahead(w, col, TWO_GROUP, stride, k, end);
        uint64_t packed = 0;
        for (size_t f = 0; f < TWO_GROUP; f++)
            packed |= (uint64_t)col[f][at] << (8 * f);
        two_vi code = ((two_vi){0} + (int64_t)packed) >> shift & 0xff;
        two_vi in1 = code == 1, in0 = code == 0, in2 = code == 2; /* all ones or zero per lane */
        n0 -= in0;
        n1 -= in1;
        for (size_t q = 0; q < m; q++) {
            two_vi v = (two_vi)((two_vd){0} + s[q]);
            a1[q] += (two_vd)(v & in1);
            if (all) {
                a0[q] += (two_vd)(v & in0);
                a2[q] += (two_vd)(v & in2);
            }
        }
    }
    out->n0 = n0;
    out->n1 = n1;
    for (size_t q = 0; q < m; q++) {
        out->a1[q] = a1[q];
        out->a0[q] = a0[q];
        out->a2[q] = a2[q];
    }
}

/* Move the features of j[0..nf) that two_rows can take (at most two value
 * bins; the criterion has 2 or 3 statistics: Newton's g and h, whose
 * positive hessians make a bin nonempty exactly when it has rows, or counts
 * rows) to the front; returns how many. */
static size_t two_first(const grow_ws *w, size_t *j, size_t nf)
{
    if (w->m != 2 && w->m != 3)
        return 0;
    size_t nt = 0;
    for (size_t f = 0; f < nf; f++) { /* j[nt..f) are not two-value: swapping one of them with j[f] keeps that */
        size_t t = j[f];
        j[f] = j[nt];
        j[nt] = t;
        nt += w->b->n_bins[t] <= 2;
    }
    return nt;
}

typedef struct dense_job {
    const grow_ws *w;
    size_t begin, end;
    double *h;
    const size_t *feat;  /* the candidate features outside bundles, two-value ones first (Newton) */
    size_t n_two, twos;  /* how many are two-value; the tasks that sum them */
    size_t bundles;      /* bundles used (dense_bundles); the tasks that histogram them */
    size_t n_rest, groups; /* the features left; their groups */
    size_t tasks;          /* each takes a share of each kind of work */
} dense_job;

/* Rows of a node whose index and statistics one dense histogram task reads
 * for all its groups of features before the next rows. */
#define ROW_BLOCK 16384

/* Bundles histogrammed in one pass over the rows. */
#define BUNDLE_GROUP 4

/* Accumulate rows[begin, end) into nf <= 4 histograms hf[f] (m + 1 doubles
 * per bin, indexed by the code in column c[f]) in one pass, so each row's
 * index and statistics are read once for them (nf, m, counted and sole
 * constant when inlined; sole as in hist_rows). */
static inline void hist_cols(const grow_ws *w, const uint8_t *const *c, double *const *hf, size_t nf,
                             size_t begin, size_t end, size_t m, int counted, int sole, int by_row)
{
    size_t slot = m + 1;
    const uint32_t *rows = w->rows;
    for (size_t k = begin; k < end; k++) {
        uint32_t r = rows[k];
        hist_v2 v;
        const double *s = stats_of(w, k, r, m, by_row, &v);
        size_t q = sole ? sole_stat(s, m) : m + 1;
        for (size_t f = 0; f < nf; f++)
            bin_add_sole(hf[f] + (size_t)c[f][r] * slot, s, m, counted, q);
    }
}

/* hist_cols with the common statistic counts constant. */
static inline void hist_cols_nf(const grow_ws *w, const uint8_t *const *c, double *const *hf, size_t nf,
                                size_t begin, size_t end)
{
    if (w->gh)
        hist_cols(w, c, hf, nf, begin, end, 2, 0, 0, 1);
    else if (!w->counted)
        hist_cols(w, c, hf, nf, begin, end, 2, 0, 0, 0);
    else if (w->m == 2)
        hist_cols(w, c, hf, nf, begin, end, 2, 1, 0, 0);
    else if (w->m == 3)
        hist_cols(w, c, hf, nf, begin, end, 3, 1, 0, 0);
    else
        hist_cols(w, c, hf, nf, begin, end, w->m, 1, 1, 0);
}

/* The dense histograms of nf <= 4 features j[0..nf) over rows[begin, end)
 * (nf constant when inlined). */
static inline void hist_features(const dense_job *d, const size_t *j, size_t nf, size_t begin, size_t end)
{
    const kiln_bins *b = d->w->b;
    const uint8_t *c[4];
    double *hf[4];
    for (size_t f = 0; f < nf; f++) {
        c[f] = b->codes + j[f] * b->rows;
        hf[f] = d->h + b->hist_start[j[f]] * d->w->slot;
    }
    hist_cols_nf(d->w, c, hf, nf, begin, end);
}

/* The dense histograms of TWO_GROUP (or fewer: n) two-value features j of
 * a Newton node, from their bins' sums in registers (two_rows): the sums
 * hist_cols would leave in them, without every row waiting for the
 * previous one's addition to the same bin. */
static void two_dense(const dense_job *d, const size_t *j, size_t n)
{
    const grow_ws *w = d->w;
    const kiln_bins *b = w->b;
    const uint8_t *col[TWO_GROUP];
    for (size_t f = 0; f < TWO_GROUP; f++) /* unused lanes repeat the first feature */
        col[f] = b->codes + j[f < n ? f : 0] * b->rows;
    two_sums t;
    if (w->gh)
        two_rows(w, col, 1, d->begin, d->end, 2, 1, 1, &t);
    else
        two_rows(w, col, 1, d->begin, d->end, 2, 1, 0, &t);
    for (size_t f = 0; f < n; f++) {
        double *e = d->h + b->hist_start[j[f]] * w->slot;
        const two_vd *bins[3] = {t.a0, t.a1, t.a2};
        for (size_t bin = 0; bin <= b->n_bins[j[f]]; bin++)
            for (size_t q = 0; q < 2; q++)
                e[bin * w->slot + 1 + q] = bins[bin][q][f];
    }
}

/* Whether hist_build histograms the bundles (kiln_bins) in place of their
 * members: when every feature is a candidate (no colsample_bytree draw) and
 * a bin holds at most four doubles (the scratch of bundle_dense). */
static int dense_bundles(const grow_ws *w)
{
    return w->b->n_bundles > 0 && w->n_cand == w->n_features && w->slot <= 4;
}

/* Bundle k's members' dense bins from acc, the histogram of its codes:
 * a member's upper bin holds its code's sums, its lower bin the bundle's
 * total minus those (no member has a missing value: bin 0 stays empty). */
static void bundle_expand(const dense_job *d, size_t k, const double *acc)
{
    const kiln_bins *b = d->w->b;
    size_t slot = d->w->slot, first = b->bundle_start[k], members = b->bundle_start[k + 1] - first;
    double total[4] = {0};
    for (size_t c = 0; c <= members; c++)
        for (size_t q = 0; q < slot; q++)
            total[q] += acc[c * slot + q];
    for (size_t i = 0; i < members; i++) {
        double *e = d->h + b->hist_start[b->bundle_feat[first + i]] * slot;
        for (size_t q = 0; q < slot; q++) {
            e[2 * slot + q] = acc[(i + 1) * slot + q];
            e[slot + q] = total[q] - acc[(i + 1) * slot + q];
        }
    }
}

/* The dense bins of the members of bundles [first, first + n), n <= BUNDLE_GROUP,
 * from one pass over the rows histogramming their codes. */
static void bundle_dense(const dense_job *d, size_t first, size_t n)
{
    const kiln_bins *b = d->w->b;
    double acc[BUNDLE_GROUP][256 * 4];
    const uint8_t *c[BUNDLE_GROUP] = {NULL};
    double *hf[BUNDLE_GROUP] = {NULL};
    for (size_t f = 0; f < n; f++) {
        size_t members = b->bundle_start[first + f + 1] - b->bundle_start[first + f];
        memset(acc[f], 0, (members + 1) * d->w->slot * sizeof acc[f][0]);
        c[f] = b->bundle_codes + (first + f) * b->rows;
        hf[f] = acc[f];
    }
    hist_cols_nf(d->w, c, hf, n, d->begin, d->end);
    for (size_t f = 0; f < n; f++)
        bundle_expand(d, first + f, acc[f]);
}

/* The histograms of group g of the features outside bundles and two-value
 * ones, [n_two + g n_rest / groups, n_two + (g + 1) n_rest / groups), over
 * rows[begin, end). */
static void dense_group(const dense_job *d, size_t g, size_t begin, size_t end)
{
    const grow_ws *w = d->w;
    size_t rest = d->n_rest, first = d->n_two + g * rest / d->groups, last = d->n_two + (g + 1) * rest / d->groups;
    const size_t *j = d->feat + first;
    if (last - first == 4)
        hist_features(d, j, 4, begin, end);
    else if (last - first == 3)
        hist_features(d, j, 3, begin, end);
    else {
        double *h[4];
        uint64_t seen[4][4];
        for (size_t q = first; q < last; q++)
            h[q - first] = d->h + w->b->hist_start[d->feat[q]] * w->slot;
        hist_add_features(w, j, last - first, 1, w->slot, begin, end, h, seen);
    }
}

/* The share [lo, hi) of n units that task t of `tasks` takes. */
static void task_share(size_t n, size_t t, size_t tasks, size_t *lo, size_t *hi)
{
    *lo = t * n / tasks;
    *hi = (t + 1) * n / tasks;
}

/* Task t: its share of each kind of work (so the threads finish together:
 * the kinds dealt out as whole tasks left one thread with the bundles on top
 * of its features): the groups of TWO_GROUP two-value features of d->feat,
 * the bundles (BUNDLE_GROUP at a time), then a run of consecutive groups of
 * the others (groups alternate between sizes, so a run holds as many
 * features as any other) a block of ROW_BLOCK rows at a time for all of them:
 * a block's row indices and statistics, read by every group, stay in the
 * core's cache (a bin still adds its rows in row order). */
static kiln_status dense_task(void *arg, size_t t)
{
    dense_job *d = arg;
    size_t lo, hi;
    task_share(d->twos, t, d->tasks, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        size_t first = TWO_GROUP * i, n = d->n_two - first < TWO_GROUP ? d->n_two - first : TWO_GROUP;
        two_dense(d, d->feat + first, n);
    }
    task_share(d->bundles, t, d->tasks, &lo, &hi);
    for (size_t first = lo; first < hi; first += BUNDLE_GROUP)
        bundle_dense(d, first, hi - first < BUNDLE_GROUP ? hi - first : BUNDLE_GROUP);
    task_share(d->groups, t, d->tasks, &lo, &hi);
    for (size_t b = d->begin; b < d->end && lo < hi; b += ROW_BLOCK) {
        size_t e = d->end - b < ROW_BLOCK ? d->end : b + ROW_BLOCK;
        for (size_t g = lo; g < hi; g++)
            dense_group(d, g, b, e);
    }
    return KILN_OK;
}

/* Dense histograms of all features for rows[begin, end). */
static kiln_status hist_build(grow_ws *w, size_t begin, size_t end, double **out)
{
    double *h = hist_get(w);
    if (!h)
        return KILN_ENOMEM;
    int threads = (end - begin) * w->n_cand >= PARALLEL_MIN ? w->threads : 1;
    const kiln_bins *b = w->b;
    size_t bundles = dense_bundles(w) ? b->n_bundles : 0;
    /* Newton's two-value features first (two_dense), in the scratch order;
     * the members of bundles histogrammed are left out. */
    size_t at = 0;
    for (size_t f = 0; f < w->n_cand && !w->counted; f++)
        if (b->n_bins[w->cand[f]] <= 2 && !(bundles && b->bundle_of[w->cand[f]]))
            w->order[at++] = w->cand[f];
    size_t n_two = at;
    for (size_t f = 0; f < w->n_cand; f++)
        if ((w->counted || b->n_bins[w->cand[f]] > 2) && !(bundles && b->bundle_of[w->cand[f]]))
            w->order[at++] = w->cand[f];
    /* The others in groups of four features at most, as many as a multiple
     * of the threads (28 features on two threads: 8 groups of 3 or 4, not 7
     * of 4), so the threads finish together. */
    size_t rest = at - n_two, t = (size_t)threads, groups = (rest + 3) / 4;
    groups = (groups + t - 1) / t * t;
    groups = groups < rest ? groups : rest;
    dense_job d = {w, begin, end, h, w->order, n_two, (n_two + TWO_GROUP - 1) / TWO_GROUP, bundles,
                   rest, groups, t};
    kiln_status s = kiln_parallel_for(t, threads, dense_task, &d);
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

/* The criterion's cover of summed statistics s (m of them) and the gain of
 * the split L | R (count first) of a node, gini and Newton inlined
 * (tree_impl.h's arithmetic, the same bits as the criterion's own), as they
 * run for every candidate boundary of every node of a forest or a boosting
 * round. */
static inline double crit_cover(const grow_ws *w, const double *s, size_t m)
{
    if (w->newton)
        return s[1];
    return w->gini ? kiln_class_weight(s, m) : w->c->cover(w->c, s);
}

static inline double crit_gain(const grow_ws *w, const node_ctx *nc, const double *L, const double *R, size_t m)
{
    if (w->newton)
        return kiln_newton_gain(nc->loss, L[1], L[2], R[1], R[2], w->c->lambda);
    if (w->gini)
        return nc->loss - kiln_gini_loss(L + 1, m) - kiln_gini_loss(R + 1, m);
    return nc->loss - w->c->loss(w->c, L + 1) - w->c->loss(w->c, R + 1);
}

/* Keep c in *best if it is better: the larger gain, ties to the lower
 * feature (any split beats none). Field by field without a branch: which
 * candidate wins is data, and a mispredicted branch per scanned feature
 * cost more than the selects. */
static inline void keep_better(split *best, split c)
{
    int b = (best->feature < 0) | (c.gain > best->gain) | ((c.gain == best->gain) & (c.feature < best->feature));
    best->feature = b ? c.feature : best->feature;
    best->bin = b ? c.bin : best->bin;
    best->next = b ? c.next : best->next;
    best->default_left = b ? c.default_left : best->default_left;
    best->gain = b ? c.gain : best->gain;
    best->threshold = b ? c.threshold : best->threshold;
}

/* Try the split L | S - L of one feature at `bin` (the next nonempty bin
 * `next`, 0 for none); keep it if it beats best. A NAN threshold is the gap
 * between bin and next, worked out only for the winner (split_threshold). */
static inline void try_split(grow_ws *w, const node_ctx *nc, size_t j, unsigned bin, unsigned next,
                             int default_left, double threshold, split *best, size_t m)
{
    const kiln_tree_params *p = w->p;
    const double *restrict S = w->sum;
    const double *restrict L = w->L;
    double *restrict R = w->R;
    double msl = (double)p->min_samples_leaf;
    if (w->counted && (L[0] < msl || S[0] - L[0] < msl))
        return;
    for (size_t q = 0; q <= m; q++)
        R[q] = S[q] - L[q];
    if (p->min_child_weight > 0 &&
        (crit_cover(w, L + 1, m) < p->min_child_weight || crit_cover(w, R + 1, m) < p->min_child_weight))
        return;
    keep_better(best, (split){(int)j, bin, next, default_left, crit_gain(w, nc, L, R, m), threshold});
}

/* The threshold between the node's bins `lo_bin` and `hi_bin` of feature j. */
static double gap_threshold(const kiln_bins *b, size_t j, unsigned lo_bin, unsigned hi_bin)
{
    double a = b->bin_hi[b->hist_start[j] + lo_bin], z = b->bin_lo[b->hist_start[j] + hi_bin];
    double mid = a / 2.0 + z / 2.0;
    return mid >= z ? a : mid;
}

/* The winner's threshold when the scan left it to be worked out. */
static void split_threshold(const grow_ws *w, split *s)
{
    if (s->feature >= 0 && isnan(s->threshold))
        s->threshold = gap_threshold(w->b, (size_t)s->feature, s->bin, s->next);
}

/* Evaluate the boundary after the k-th nonempty value bin, with missing rows
 * (histogram entry miss, or NULL if none) tried on both sides. L holds the
 * sums of the value bins on the left. */
static inline void try_boundary(grow_ws *w, const node_ctx *nc, size_t j, unsigned bin, unsigned next,
                                double threshold, const double *miss, split *best, size_t m)
{
    if (!miss) {
        /* No missing value seen: missing follows the larger child. */
        double cl = crit_cover(w, w->L + 1, m), cr = nc->cover - cl;
        try_split(w, nc, j, bin, next, cl >= cr, threshold, best, m);
        return;
    }
    try_split(w, nc, j, bin, next, 0, threshold, best, m);
    for (size_t q = 0; q <= m; q++)
        w->L[q] += miss[q];
    try_split(w, nc, j, bin, next, 1, threshold, best, m);
    for (size_t q = 0; q <= m; q++)
        w->L[q] -= miss[q];
}

/* Extra trees: a cut drawn uniformly between the node's smallest and largest
 * value of feature j, whose nonempty value bins are ne[0..last]; *pick
 * receives the boundary it falls in (after ne[*pick]). */
static double random_cut(grow_ws *w, size_t j, const uint8_t *ne, size_t last, size_t *pick)
{
    const kiln_bins *b = w->b;
    const double *lo = b->bin_lo + b->hist_start[j], *hi = b->bin_hi + b->hist_start[j];
    double t = lo[ne[0]] + (hi[ne[last]] - lo[ne[0]]) * kiln_rng_uniform(w->rng);
    size_t k = 0;
    while (k + 1 < last && lo[ne[k + 1]] <= t)
        k++;
    *pick = k;
    return t >= hi[ne[k]] && t < lo[ne[k + 1]] ? t : gap_threshold(b, j, ne[k], ne[k + 1]);
}

/* The best of the boundaries after ne[0..last) whose gains and left and
 * right covers the vectorised scans worked out (scan_gini, scan_sq), as
 * try_split would keep it: the first of the largest gains when every
 * boundary is allowed (min_samples_leaf 1, no min_child_weight, no NaN),
 * else in order. cnt, the left row counts, is read only when
 * min_samples_leaf > 1 (both sides of a boundary hold a row otherwise). */
static inline void pick_boundary(const grow_ws *w, const node_ctx *nc, size_t j, const uint8_t *ne, size_t last,
                                 const double *cnt, const double *cl, const double *cr, const double *gain, int nan,
                                 split *best)
{
    double msl = (double)w->p->min_samples_leaf, mcw = w->p->min_child_weight;
    if (msl <= 1 && !(mcw > 0) && !nan) {
        size_t k = 0; /* the first of the largest, in one pass of selects */
        double top = -INFINITY;
        for (size_t i = 0; i < last; i++) {
            int b = gain[i] > top;
            k = b ? i : k;
            top = b ? gain[i] : top;
        }
        keep_better(best, (split){(int)j, ne[k], ne[k + 1], cl[k] >= nc->cover - cl[k], top, NAN});
        return;
    }
    for (size_t k = 0; k < last; k++) {
        if (msl > 1 && (cnt[k] < msl || w->sum[0] - cnt[k] < msl))
            continue;
        if (mcw > 0 && (cl[k] < mcw || cr[k] < mcw))
            continue;
        keep_better(best, (split){(int)j, ne[k], ne[k + 1], cl[k] >= nc->cover - cl[k], gain[k], NAN});
    }
}

/* Statistics whose left sums one pass adds up side by side. */
#define LEFT_CHAINS 4

/* The left sums of statistics q0 .. q0 + nq - 1 after each nonempty bin
 * ne[0..last) into out[0..nq), each added in scan_m's order. A left sum
 * waits on the one before it, so the statistics go in one pass: nq
 * independent chains, one addition's latency per bin rather than nq. */
static inline void left_sums_n(const double *h, size_t hs, const uint8_t *ne, size_t last, size_t q0, size_t nq,
                               double (*out)[256])
{
    double a[LEFT_CHAINS] = {0};
    for (size_t k = 0; k < last; k++) {
        const double *e = h + (size_t)ne[k] * hs + q0;
        for (size_t i = 0; i < nq; i++)
            out[i][k] = a[i] += e[i];
    }
}

/* left_sums_n with nq (1 .. LEFT_CHAINS) constant, so its chains stay in
 * registers. */
static inline void left_sums(const double *h, size_t hs, const uint8_t *ne, size_t last, size_t q0, size_t nq,
                             double (*out)[256])
{
    switch (nq) {
    case 1:
        left_sums_n(h, hs, ne, last, q0, 1, out);
        break;
    case 2:
        left_sums_n(h, hs, ne, last, q0, 2, out);
        break;
    case 3:
        left_sums_n(h, hs, ne, last, q0, 3, out);
        break;
    default:
        left_sums_n(h, hs, ne, last, q0, LEFT_CHAINS, out);
    }
}

/* One class's left sums lc[0..last) (total - lc on the right) added to the
 * boundaries' weights and squares of both sides, as kiln_gini_loss adds a
 * class; the first class starts them from 0.0, as its sums do. */
static inline void gini_add_class(const double *lc, double total, int first, size_t last, double *lw, double *lsq,
                                  double *rw, double *rsq)
{
    for (size_t k = 0; k < last; k++) {
        double l = lc[k], r = total - l;
        lw[k] = (first ? 0.0 : lw[k]) + l;
        lsq[k] = (first ? 0.0 : lsq[k]) + l * l;
        rw[k] = (first ? 0.0 : rw[k]) + r;
        rsq[k] = (first ? 0.0 : rsq[k]) + r * r;
    }
}

/* The boundaries of a gini feature of m classes with no missing row (the
 * common case of classification), in passes that the compiler vectorises
 * over the boundaries: the left sums of up to LEFT_CHAINS classes, then
 * class by class the weights and squares of both sides, then every
 * boundary's gain (two divisions each, independent of the other
 * boundaries). Each boundary sees kiln_gini_loss's and kiln_class_weight's
 * operations in their order (a class at a time), so the same bits as
 * try_boundary. Inlined with m constant for two and three classes. */
static inline void scan_gini(grow_ws *w, const node_ctx *nc, size_t j, const double *h, size_t hs,
                             const uint8_t *ne, size_t last, split *best, size_t m)
{
    double lc[LEFT_CHAINS][256], cnt[1][256], lw[256], lsq[256], rw[256], rsq[256], gain[256];
    if (w->p->min_samples_leaf > 1)
        left_sums(h, hs, ne, last, 0, 1, cnt);
    for (size_t q0 = 1; q0 <= m; q0 += LEFT_CHAINS) {
        size_t nq = m + 1 - q0 < LEFT_CHAINS ? m + 1 - q0 : LEFT_CHAINS;
        left_sums(h, hs, ne, last, q0, nq, lc);
        for (size_t i = 0; i < nq; i++)
            gini_add_class(lc[i], w->sum[q0 + i], q0 + i == 1, last, lw, lsq, rw, rsq);
    }
    int nan = 0;
    for (size_t k = 0; k < last; k++) {
        double gl = lw[k] > 0 ? lw[k] - lsq[k] / lw[k] : 0.0, gr = rw[k] > 0 ? rw[k] - rsq[k] / rw[k] : 0.0;
        gain[k] = nc->loss - gl - gr;
        nan |= gain[k] != gain[k];
    }
    pick_boundary(w, nc, j, ne, last, cnt[0], lw, rw, gain, nan, best);
}

/* The boundaries of a squared-error feature (regression) with no missing
 * row, as scan_gini: the left sums of (count, W, sum w y, sum w y^2), then
 * every boundary's kiln_sq_loss on both sides, the same bits as
 * try_boundary. */
static void scan_sq(grow_ws *w, const node_ctx *nc, size_t j, const double *h, size_t hs, const uint8_t *ne,
                    size_t last, split *best)
{
    double l[LEFT_CHAINS][256], r[3][256], gain[256];
    left_sums(h, hs, ne, last, 0, 4, l); /* l[0]: the count */
    for (size_t q = 0; q < 3; q++)
        for (size_t k = 0; k < last; k++)
            r[q][k] = w->sum[q + 1] - l[q + 1][k];
    int nan = 0;
    for (size_t k = 0; k < last; k++) {
        double L[3] = {l[1][k], l[2][k], l[3][k]}, R[3] = {r[0][k], r[1][k], r[2][k]};
        gain[k] = nc->loss - kiln_sq_loss(L) - kiln_sq_loss(R);
        nan |= gain[k] != gain[k];
    }
    pick_boundary(w, nc, j, ne, last, l[0], l[1], r[0], gain, nan, best);
}

/* Newton gains four boundaries at a time: GCC vector extensions (one AVX
 * register, plain loops where there is none). */
typedef double newton_vd __attribute__((vector_size(4 * sizeof(double))));
typedef int64_t newton_vi __attribute__((vector_size(4 * sizeof(int64_t))));

/* The Newton gains of the boundaries whose left sums are (g[k], hh[k]),
 * k < n (the arrays padded to a multiple of four), try_split's arithmetic
 * lane by lane, into gain[k]: -inf where min_child_weight rules the
 * boundary out or k >= n. Returns the largest; *nan is set when a gain is
 * NaN. */
static double newton_gains(const grow_ws *w, const node_ctx *nc, const double *g, const double *hh, size_t n,
                           double *gain, int *nan)
{
    const double *S = w->sum;
    double lambda = w->c->lambda, mcw = w->p->min_child_weight;
    const newton_vd zero = {0}, half = zero + 0.5, neg_inf = zero - INFINITY, s1 = zero + S[1], s2 = zero + S[2];
    const newton_vi lane = {0, 1, 2, 3}, check = (newton_vi){0} - (int64_t)(mcw > 0);
    newton_vd top = neg_inf;
    newton_vi bad = {0};
    for (size_t k = 0; k < n; k += 4) {
        newton_vd lg, lh;
        memcpy(&lg, g + k, sizeof lg);
        memcpy(&lh, hh + k, sizeof lh);
        newton_vd rg = s1 - lg, rh = s2 - lh;
        newton_vd a = lh + lambda, b = rh + lambda;
        newton_vd v = nc->loss + half * (lg * lg * b + rg * rg * a) / (a * b); /* kiln_newton_gain */
        newton_vi in = lane + (int64_t)k < (int64_t)n, ok = ~(check & ((lh < mcw) | (rh < mcw))) & in;
        bad |= (v != v) & in;
        v = (newton_vd)(((newton_vi)v & ok) | ((newton_vi)neg_inf & ~ok));
        memcpy(gain + k, &v, sizeof v);
        newton_vi up = v > top;
        top = (newton_vd)(((newton_vi)v & up) | ((newton_vi)top & ~up));
    }
    double t = -INFINITY;
    for (size_t q = 0; q < 4; q++) {
        t = top[q] > t ? top[q] : t;
        *nan |= bad[q] != 0;
    }
    return t;
}

/* The boundaries after ne[0..last) of a Newton feature (missing rows miss,
 * or NULL), as scan_m's loop would try them, in vectorised passes: the left
 * sums after each bin (added in scan_m's order, missing rows added and taken
 * off again as try_boundary does), every boundary's gain, then the first of
 * the largest allowed ones (missing on the right before missing on the left
 * at one boundary), kept if try_split would keep it. Returns 0, having
 * changed nothing, when a gain is NaN (scan_m then tries the boundaries one
 * by one). */
static int scan_newton(grow_ws *w, const node_ctx *nc, size_t j, const double *h, size_t hs, const uint8_t *ne,
                       size_t last, const double *miss, split *best)
{
    double gl[2][256], hl[2][256], gain[2][256];
    double a = 0, b = 0;
    for (size_t k = 0; k < last; k++) {
        const double *e = h + (size_t)ne[k] * hs;
        gl[0][k] = a += e[1];
        hl[0][k] = b += e[2];
        if (miss) {
            gl[1][k] = a += miss[1];
            hl[1][k] = b += miss[2];
            a -= miss[1];
            b -= miss[2];
        }
    }
    size_t sides = miss ? 2 : 1, padded = (last + 3) & ~(size_t)3;
    int nan = 0;
    double top = -INFINITY;
    for (size_t d = 0; d < sides; d++) {
        for (size_t k = last; k < padded; k++)
            gl[d][k] = hl[d][k] = 0;
        double t = newton_gains(w, nc, gl[d], hl[d], last, gain[d], &nan);
        top = t > top ? t : top;
    }
    if (nan || top == -INFINITY) /* -inf: no boundary allowed (gains are finite otherwise) */
        return !nan;
    for (size_t k = 0; k < last; k++)
        for (size_t d = 0; d < sides; d++) {
            if (gain[d][k] != top)
                continue;
            if (best->feature < 0 || top > best->gain || (top == best->gain && (int)j < best->feature)) {
                double cl = hl[0][k], cr = nc->cover - cl;
                *best = (split){(int)j, ne[k], ne[k + 1], miss ? (int)d : cl >= cr, top, NAN};
            }
            return 1;
        }
    return 1;
}

/* Scan one feature's histogram h (indexed by code, hs doubles per bin) whose
 * nonempty value bins are ne[0..n_ne) ascending, m statistics per bin.
 * Returns 1 when the feature had a possible split. */
static inline int scan_m(grow_ws *w, const node_ctx *nc, size_t j, const double *h, size_t hs, const uint8_t *ne,
                         size_t n_ne, split *best, size_t m)
{
    size_t slot = m + 1;
    const double *miss = h[w->present] > 0 ? h : NULL;
    double *restrict L = w->L;
    for (size_t q = 0; q < slot; q++)
        L[q] = 0;
    if (n_ne == 0)
        return 0;
    if (n_ne == 1) {
        if (!miss)
            return 0;
        /* Values on the left, missing on the right. */
        memcpy(L, h + (size_t)ne[0] * hs, slot * sizeof *L);
        try_split(w, nc, j, ne[0], 0, 0, INFINITY, best, m);
        return 1;
    }
    size_t last = n_ne - 1; /* boundaries after ne[0..last) */
    if (w->p->random_splits) {
        size_t pick;
        double t = random_cut(w, j, ne, last, &pick);
        for (size_t k = 0; k <= pick; k++)
            for (size_t q = 0; q < slot; q++)
                L[q] += h[(size_t)ne[k] * hs + q];
        try_boundary(w, nc, j, ne[pick], ne[pick + 1], t, miss, best, m);
        return 1;
    }
    if (w->gini && !miss) {
        scan_gini(w, nc, j, h, hs, ne, last, best, m);
        return 1;
    }
    if (w->sq && !miss) {
        scan_sq(w, nc, j, h, hs, ne, last, best);
        return 1;
    }
    if (w->newton && m == 2 && scan_newton(w, nc, j, h, hs, ne, last, miss, best))
        return 1;
    for (size_t k = 0; k < last; k++) {
        const double *e = h + (size_t)ne[k] * hs;
        for (size_t q = 0; q < slot; q++)
            L[q] += e[q];
        try_boundary(w, nc, j, ne[k], ne[k + 1], NAN, miss, best, m);
    }
    return 1;
}

/* scan_m with the common statistic counts constant, so its loops unroll. */
static int scan_feature(grow_ws *w, const node_ctx *nc, size_t j, const double *h, size_t hs, const uint8_t *ne,
                        size_t n_ne, split *best)
{
    switch (w->m) {
    case 2:
        return scan_m(w, nc, j, h, hs, ne, n_ne, best, 2);
    case 3:
        return scan_m(w, nc, j, h, hs, ne, n_ne, best, 3);
    default:
        return scan_m(w, nc, j, h, hs, ne, n_ne, best, w->m);
    }
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

/* The nonempty value bins of a scratch histogram, ascending, from the bitmap
 * of codes seen, so that a small node never walks all bins (code 0, the
 * missing bin, is not a value bin). With AVX-512 VBMI2 each 64-bit word is
 * one compress of the codes 0..63 (+ 64 per word) by its bits, stored whole
 * (the buffer has 64 bytes to spare); otherwise the set bits are taken one
 * at a time, a loop whose exit, a word's last bit, is a mispredicted branch
 * per word: the compress made the one-hot forest's fit 8 % faster. */
static size_t seen_nonempty(grow_ws *w, const uint64_t seen[4])
{
#ifdef __AVX512VBMI2__
    __m512i codes = _mm512_set_epi64(0x3f3e3d3c3b3a3938, 0x3736353433323130, 0x2f2e2d2c2b2a2928, 0x2726252423222120,
                                     0x1f1e1d1c1b1a1918, 0x1716151413121110, 0x0f0e0d0c0b0a0908, 0x0706050403020100);
#endif
    size_t n = 0;
    for (unsigned q = 0; q < 4; q++) {
        uint64_t bits = q == 0 ? seen[0] & ~(uint64_t)1 : seen[q];
#ifdef __AVX512VBMI2__
        _mm512_storeu_si512(w->nonempty + n, _mm512_maskz_compress_epi8(bits, codes));
        codes = _mm512_add_epi8(codes, _mm512_set1_epi8(64));
        n += (size_t)__builtin_popcountll(bits);
#else
        for (; bits; bits &= bits - 1)
            w->nonempty[n++] = (uint8_t)(q * 64 + (unsigned)__builtin_ctzll(bits));
#endif
    }
    return n;
}

/* Zero the bins of a scratch histogram (scratch_slot doubles per bin) that
 * rows were added to: bin 0 (missing) and the nonempty value bins ne[0..n).
 * Inlined with the bin size constant, so a bin is a store or a few, not a
 * call to memset. */
static inline void scratch_clear_hs(double *h, const uint8_t *ne, size_t n, size_t hs)
{
    for (size_t q = 0; q < hs; q++)
        h[q] = 0;
    for (size_t k = 0; k < n; k++) {
        double *e = h + (size_t)ne[k] * hs;
        for (size_t q = 0; q < hs; q++)
            e[q] = 0;
    }
}

static void scratch_clear(const grow_ws *w, double *h, const uint8_t *ne, size_t n)
{
    switch (scratch_slot(w)) {
    case 3:
        scratch_clear_hs(h, ne, n, 3);
        break;
    case 4:
        scratch_clear_hs(h, ne, n, 4);
        break;
    default:
        scratch_clear_hs(h, ne, n, scratch_slot(w));
    }
}

/* The next candidate feature of the node's random draw order (a partial
 * Fisher-Yates shuffle of w->order when max_features < d). */
static size_t draw_feature(grow_ws *w, size_t i)
{
    size_t d = w->n_cand;
    if (w->max_features < d) {
        size_t r = i + kiln_rng_below(w->rng, d - i);
        size_t tmp = w->order[i];
        w->order[i] = w->order[r];
        w->order[r] = tmp;
    }
    return w->order[i];
}

/* Constant features: a feature with no possible split in a node (all its
 * rows in one bin) has none in the node's descendants either, so, as
 * scikit-learn does, a node skips the features known constant in its parent
 * (they are still drawn, so the draws and the tree do not change). One bit
 * per feature. */
static int is_known(const uint64_t *known, size_t j)
{
    return (int)(known[j >> 6] >> (j & 63)) & 1;
}

static void set_known(uint64_t *known, size_t j)
{
    known[j >> 6] |= (uint64_t)1 << (j & 63);
}

/* Whether a node draws another candidate feature after `drawn` of them, of
 * which `constant` had no possible split: until max_features are drawn, then
 * until one had a split, as scikit-learn's splitter loops (a constant feature
 * counts as visited; at least one must not be constant). */
static int more_draws(const grow_ws *w, size_t drawn, size_t constant)
{
    return drawn < w->max_features || drawn == constant;
}

/* Scan a two-value feature j from its sums (two_rows): n1 of the node's n
 * rows in bin 1, with statistics a1, the rest in bin 2, none missing. As
 * scan_m would its histogram: one boundary, bin 1 on the left. */
static inline int scan_two_m(grow_ws *w, const node_ctx *nc, size_t j, size_t n1, size_t n, const double *a1,
                             split *best, size_t m)
{
    static const uint8_t ne[2] = {1, 2};
    if (n1 == 0 || n1 == n)
        return 0;
    w->L[0] = (double)n1;
    for (size_t q = 0; q < m; q++)
        w->L[1 + q] = a1[q];
    size_t pick;
    double t = w->p->random_splits ? random_cut(w, j, ne, 1, &pick) : NAN;
    try_boundary(w, nc, j, 1, 2, t, NULL, best, m);
    return 1;
}

/* The two-value features j[0..nt) of rows[begin, end) (codes at `stride`),
 * TWO_GROUP per pass over the rows, scanned from their sums; the features
 * found constant go to known and are counted in *constant. Those with
 * missing rows are moved to j[0..returned), for hist_rows. */
static size_t scan_twos(grow_ws *w, const node_ctx *nc, size_t *j, size_t nt, size_t stride, size_t begin,
                        size_t end, uint64_t *known, split *best, size_t *constant)
{
    size_t n_miss = 0;
    for (size_t g = 0; g < nt; g += TWO_GROUP) {
        size_t n = nt - g < TWO_GROUP ? nt - g : TWO_GROUP;
        const uint8_t *col[TWO_GROUP];
        for (size_t f = 0; f < TWO_GROUP; f++) /* unused lanes repeat the first feature */
            col[f] = codes_of(w, j[g + (f < n ? f : 0)], stride);
        two_sums t;
        if (w->gh)
            two_rows(w, col, stride, begin, end, 2, 0, 1, &t);
        else if (w->m == 2)
            two_rows(w, col, stride, begin, end, 2, 0, 0, &t);
        else
            two_rows(w, col, stride, begin, end, 3, 0, 0, &t);
        for (size_t f = 0; f < n; f++) {
            size_t jf = j[g + f];
            if (t.n0[f] > 0) {
                j[n_miss++] = jf; /* n_miss <= g + f: a slot already read */
                continue;
            }
            double a1[3] = {t.a1[0][f], t.a1[1][f], t.a1[2][f]};
            int ok = w->m == 2 ? scan_two_m(w, nc, jf, (size_t)t.n1[f], end - begin, a1, best, 2)
                               : scan_two_m(w, nc, jf, (size_t)t.n1[f], end - begin, a1, best, 3);
            *constant += (size_t)!ok;
            if (!ok)
                set_known(known, jf);
        }
    }
    return n_miss;
}

/* Features constant in a node read row-major (node_stride): each row's
 * codes of all features are folded, 64 at a time (two vectors of CODE_V),
 * into their bitwise AND and OR over the node's rows; a feature is constant
 * (all its rows in one bin, or all missing: no split here or below) where
 * both agree. Known before the features are drawn, the constant ones are
 * skipped (still drawn, so the draws do not change: scanning them would find
 * no split), and the draws fill one batch of features that all have a split
 * rather than finding the constant ones in a pass over the rows and drawing
 * again. */
typedef uint8_t code_v __attribute__((vector_size(CODE_V)));
typedef uint8_t code_u __attribute__((vector_size(CODE_V), aligned(1), may_alias)); /* unaligned */
typedef int8_t code_eq __attribute__((vector_size(CODE_V)));

/* Bit i set where byte i of x has its top bit set (8 bytes -> 8 bits). */
static inline uint64_t byte_tops(uint64_t x)
{
    return (x & 0x8080808080808080u) * 0x0002040810204081u >> 56;
}

static void known_constant(const grow_ws *w, const pending *pd, size_t stride, uint64_t *known)
{
    if (stride == 1)
        return;
    for (size_t lo = 0; lo < w->n_features; lo += 64) {
        const uint8_t *codes = w->p->row_codes + lo;
        code_v all[2] = {~(code_v){0}, ~(code_v){0}}, any[2] = {{0}, {0}};
        for (size_t k = pd->begin; k < pd->end; k++) {
            const uint8_t *row = codes + (size_t)w->rows[k] * stride;
            for (size_t h = 0; h < 2; h++) {
                code_v v = *(const code_u *)(row + h * CODE_V);
                all[h] &= v;
                any[h] |= v;
            }
        }
        uint64_t bits = 0;
        for (size_t h = 0; h < 2; h++) {
            uint64_t same[CODE_V / 8]; /* bytes 0xff where they agree */
            code_eq eq = all[h] == any[h];
            memcpy(same, &eq, CODE_V);
            for (size_t q = 0; q < CODE_V / 8; q++)
                bits |= byte_tops(same[q]) << (h * CODE_V + 8 * q);
        }
        if (w->n_features - lo < 64) /* the next row's codes */
            bits &= ((uint64_t)1 << (w->n_features - lo)) - 1;
        known[lo / 64] |= bits;
    }
}

/* The candidate features' histograms built directly from the node's rows.
 * The draws up to max_features (or the one more that more_draws asks for
 * once they are all constant) are taken together and their histograms
 * built in one pass over the rows (the two-value ones summed and scanned
 * first, in passes of their own). That draws the same features as drawing
 * and scanning them one by one, and the best split does not depend on the
 * scanning order (ties go to the lower feature). Extra trees draw a random
 * cut per scanned feature from the same stream, so they take their
 * features one at a time. */
static void find_split_rows(grow_ws *w, const pending *pd, const node_ctx *nc, uint64_t *known, split *best)
{
    size_t d = w->n_cand, constant = 0, i = 0;
    size_t cap = w->p->random_splits ? 1 : BATCH, stride = node_stride(w, pd->end - pd->begin);
    size_t hs = scratch_slot(w);
    known_constant(w, pd, stride, known);
    while (i < d && more_draws(w, i, constant)) {
        size_t want = i < w->max_features ? w->max_features - i : 1, nf = 0, j[BATCH];
        double *h[BATCH];
        uint64_t seen[BATCH][4];
        for (size_t stop = i + (want < cap ? want : cap); i < stop && i < d; i++) {
            size_t f = draw_feature(w, i);
            int is_const = is_known(known, f);
            j[nf] = f; /* kept unless known constant: no branch to mispredict */
            nf += (size_t)!is_const;
            constant += (size_t)is_const;
        }
        for (size_t f = 0; f < nf; f++) {
            h[f] = w->acc + f * 256 * hs;
            memset(seen[f], 0, sizeof seen[f]);
        }
        if (nf == 0) /* every feature drawn was known constant */
            continue;
        size_t nt = two_first(w, j, nf);
        size_t n_miss = scan_twos(w, nc, j, nt, stride, pd->begin, pd->end, known, best, &constant);
        memmove(j + n_miss, j + nt, (nf - nt) * sizeof *j); /* histograms for the rest: j[0..nf) */
        nf -= nt - n_miss;
        if (nf)
            hist_add_features(w, j, nf, stride, hs, pd->begin, pd->end, h, seen);
        for (size_t f = 0; f < nf; f++) {
            size_t n_ne = seen_nonempty(w, seen[f]);
            int ok = scan_feature(w, nc, j[f], h[f], hs, w->nonempty, n_ne, best);
            constant += (size_t)!ok;
            if (!ok)
                set_known(known, j[f]);
            scratch_clear(w, h[f], w->nonempty, n_ne);
        }
    }
}

/* The best split of a node over its candidate features; `known` holds the
 * features known to be constant in the node (all missing, or one value and
 * no missing) and gains those found so. */
static void find_split(grow_ws *w, pending *pd, const node_ctx *nc, uint64_t *known)
{
    split best = {.feature = -1};
    memcpy(w->order, w->cand, w->n_cand * sizeof *w->order);
    if (!pd->hist) {
        find_split_rows(w, pd, nc, known, &best);
        split_threshold(w, &best);
        pd->best = best;
        return;
    }
    for (size_t i = 0, constant = 0; i < w->n_cand && more_draws(w, i, constant); i++) {
        size_t j = draw_feature(w, i);
        if (is_known(known, j)) {
            constant++;
            continue;
        }
        const double *h = pd->hist + w->b->hist_start[j] * w->slot;
        int ok = scan_feature(w, nc, j, h, w->slot, w->nonempty, dense_nonempty(w, j, h), &best);
        constant += (size_t)!ok;
        if (!ok)
            set_known(known, j);
    }
    split_threshold(w, &best);
    pd->best = best;
}

/* ---- nodes ------------------------------------------------------------------ */

/* Resize every node array of t to cap nodes (cap >= t->n_nodes). */
static kiln_status tree_resize(kiln_tree *t, size_t cap)
{
#define RESIZE(f, per_node)                                           \
    do {                                                              \
        void *q = kiln_realloc(t->f, cap * (per_node), sizeof *t->f); \
        if (!q)                                                       \
            return KILN_ENOMEM;                                       \
        t->f = q;                                                     \
    } while (0);
    KILN_TREE_ARRAYS(RESIZE, t)
#undef RESIZE
    t->cap = cap;
    return KILN_OK;
}

static kiln_status tree_reserve(kiln_tree *t, size_t n)
{
    if (n <= t->cap)
        return KILN_OK;
    size_t cap = t->cap ? 2 * t->cap : 64;
    while (cap < n)
        cap *= 2;
    return tree_resize(t, cap);
}

/* The most nodes a tree of these parameters can have on n_rows rows: a leaf
 * keeps one row, or min_samples_leaf when rows are counted, at least, and
 * max_leaf_nodes and max_depth bound the leaves too. Reserved up front (pages
 * a tree never reaches are never touched), so the node arrays are not copied
 * as the tree grows, nor moved while nodes are split in parallel. */
static size_t node_bound(const grow_ws *w, size_t n_rows)
{
    const kiln_tree_params *p = w->p;
    size_t leaves = n_rows / (w->counted && p->min_samples_leaf ? p->min_samples_leaf : 1);
    if (p->max_leaf_nodes && p->max_leaf_nodes < leaves)
        leaves = p->max_leaf_nodes;
    if (p->max_depth >= 0 && p->max_depth < 40 && ((size_t)1 << p->max_depth) < leaves)
        leaves = (size_t)1 << p->max_depth;
    return 2 * (leaves ? leaves : 1) - 1;
}

/* Statistics per row up to which range sums are kept in registers. */
#define ACC_MAX 3
/* Rows whose statistics a range sum adds in separate lanes. */
#define SUM_LANES 4

/* The summed statistics of rows[begin, end) (the count first) into sum, m
 * statistics per row. Up to ACC_MAX statistics, row k is added to lane
 * (k - begin) % SUM_LANES, the lanes summed as (0 + 1) + (2 + 3), then the
 * rows after the last full group in order: SUM_LANES additions in flight
 * instead of one chain waiting on each. More statistics: in row order. */
static inline void range_sum_m(const grow_ws *w, size_t begin, size_t end, double *restrict sum, size_t m,
                               int by_row)
{
    sum[0] = (double)(end - begin);
    for (size_t q = 0; q < m; q++)
        sum[1 + q] = 0;
    size_t k = begin;
    if (m <= ACC_MAX) {
        double lane[SUM_LANES * ACC_MAX] = {0}; /* lane u's statistic q at [u * m + q] */
        for (; k + SUM_LANES <= end; k += SUM_LANES)
            for (size_t u = 0; u < SUM_LANES; u++) {
                hist_v2 v;
                const double *s = stats_of(w, k + u, w->rows[k + u], m, by_row, &v);
                for (size_t q = 0; q < m; q++)
                    lane[u * m + q] += s[q];
            }
        for (size_t q = 0; q < m; q++)
            sum[1 + q] = (lane[q] + lane[m + q]) + (lane[2 * m + q] + lane[3 * m + q]);
    }
    for (; k < end; k++) {
        hist_v2 v;
        const double *s = stats_of(w, k, w->rows[k], m, by_row, &v);
        for (size_t q = 0; q < m; q++)
            sum[1 + q] += s[q];
    }
}

/* range_sum_m with the common statistic counts constant (sums in registers). */
static void range_sum(const grow_ws *w, size_t begin, size_t end, double *sum)
{
    if (w->gh) {
        range_sum_m(w, begin, end, sum, 2, 1);
        return;
    }
    switch (w->m) {
    case 2:
        range_sum_m(w, begin, end, sum, 2, 0);
        break;
    case 3:
        range_sum_m(w, begin, end, sum, 3, 0);
        break;
    default:
        range_sum_m(w, begin, end, sum, w->m, 0);
    }
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

/* Record node pd->node (a leaf until split) whose summed statistics are sum
 * (slot doubles, the count first) and find its best split. known holds the
 * features known constant in the node and gains those its search finds so. */
static kiln_status node_open(grow_ws *w, pending *pd, const double *sum, uint64_t *known)
{
    kiln_tree *t = w->t;
    const kiln_criterion *c = w->c;
    int32_t id = pd->node;
    memcpy(w->sum, sum, w->slot * sizeof *w->sum);
    node_ctx nc = {pd->end - pd->begin, c->loss(c, w->sum + 1), c->cover(c, w->sum + 1)};
    t->feature[id] = -1;
    t->threshold[id] = 0;
    t->bin[id] = 0;
    t->default_left[id] = 0;
    t->left[id] = -1;
    t->impurity[id] = c->impurity(c, w->sum + 1);
    t->cover[id] = nc.cover;
    t->count[id] = (uint32_t)nc.count;
    c->leaf(c, w->sum + 1, t->value + (size_t)id * t->n_outputs);
    pd->best.feature = -1;
    if (may_split(w, pd) && !(c->stop_when_pure && t->impurity[id] <= 1e-12)) {
        if (!pd->hist && w->dense && nc.count >= w->dense_min)
            KILN_TRY(hist_build(w, pd->begin, pd->end, &pd->hist));
        find_split(w, pd, &nc, known);
    }
    if (pd->best.feature >= 0 && pd->best.gain < w->p->min_split_gain)
        pd->best.feature = -1;
    if (pd->best.feature < 0 && pd->hist) {
        double *h = pd->hist;
        pd->hist = NULL;
        return hist_put(w, h);
    }
    return KILN_OK;
}

/* The rows[begin, end) of node pd (a whole node, or a part of one
 * partitioned on its own thread) split by its best split: the rows going
 * left, in order, to rows[begin, begin + nl) with their m statistics in nst,
 * those going right, in order, to tmp[begin, ...) with theirs to tmp_st
 * (m = 0: the statistics are read by row, gh). Returns nl. Every row is
 * written to both sides and only the side it belongs to advances, so the
 * loop has no branch to mispredict (inlined with a constant m for the common
 * criteria). */
static inline size_t split_rows_m(grow_ws *w, const pending *pd, size_t begin, size_t end, size_t m)
{
    const split *s = &pd->best;
    size_t nl = begin, nr = 0, stride = node_stride(w, pd->end - pd->begin);
    const uint8_t *col = codes_of(w, (size_t)s->feature, stride);
    unsigned bin = s->bin, miss_left = (unsigned)s->default_left;
    for (size_t k = begin; k < end; k++) {
        uint32_t r = w->rows[k];
        if (k + PREFETCH < end)
            __builtin_prefetch(col + (size_t)w->rows[k + PREFETCH] * stride);
        unsigned code = col[(size_t)r * stride];
        size_t left = code == KILN_BIN_MISSING ? miss_left : code <= bin;
        for (size_t q = 0; q < m; q++) {
            double v = w->nst[k * m + q];
            w->nst[nl * m + q] = v;
            w->tmp_st[(begin + nr) * m + q] = v;
        }
        w->rows[nl] = r;
        w->tmp[begin + nr] = r;
        nl += left;
        nr += 1 - left;
    }
    return nl - begin;
}

/* split_rows_m with the common statistic counts constant. */
static size_t split_rows(grow_ws *w, const pending *pd, size_t begin, size_t end)
{
    if (w->gh)
        return split_rows_m(w, pd, begin, end, 0);
    switch (w->m) {
    case 2:
        return split_rows_m(w, pd, begin, end, 2);
    case 3:
        return split_rows_m(w, pd, begin, end, 3);
    default:
        return split_rows_m(w, pd, begin, end, w->m);
    }
}

/* The statistics of rows[begin, end) from their source: to gh by row (g, h),
 * or to nst in row order, scaled by the rows' repeat counts. */
static void gather_range(grow_ws *w, size_t begin, size_t end)
{
    const kiln_tree_stats *st = w->st;
    for (size_t k = begin; k < end; k++) {
        size_t r = w->rows[k];
        if (w->gh) {
            w->gh[2 * r] = st->g[r * st->stride];
            w->gh[2 * r + 1] = st->h[r * st->stride];
            continue;
        }
        double times = st->repeat ? (double)st->repeat[r] : 1.0;
        for (size_t q = 0; q < w->m; q++)
            w->nst[k * w->m + q] = times * st->row[r * w->m + q];
    }
}

/* The n right rows split_rows left in tmp[from, from + n) to rows[to, to + n),
 * with their statistics in nst. */
static void place_right(grow_ws *w, size_t from, size_t to, size_t n)
{
    size_t m = w->m;
    memcpy(w->rows + to, w->tmp + from, n * sizeof *w->rows);
    if (w->nst)
        memcpy(w->nst + to * m, w->tmp_st + from * m, n * m * sizeof *w->nst);
}

/* Ranges of at least this many rows (the tree's rows gathered, a node
 * partitioned: the root, before the threads take a node each) are worked on
 * in one part per thread. */
#define PARTS_MIN_ROWS 32768
/* Parts a range is worked on in at most. */
#define PARTS_MAX 64

/* A node partitioned in parts, one per thread: each part's rows split in
 * place (split_rows), then the parts' left rows moved down next to each
 * other in order, then each part's right rows placed after all the left
 * ones: the same stable order as one pass. */
typedef struct part_job {
    grow_ws *w;
    const pending *pd;
    size_t begin[PARTS_MAX + 1]; /* part i: rows[begin[i], begin[i + 1]) */
    size_t nl[PARTS_MAX];        /* its left rows */
    size_t right[PARTS_MAX];     /* where its right rows go */
} part_job;

static kiln_status part_split_task(void *arg, size_t i)
{
    part_job *j = arg;
    j->nl[i] = split_rows(j->w, j->pd, j->begin[i], j->begin[i + 1]);
    return KILN_OK;
}

static kiln_status part_place_task(void *arg, size_t i)
{
    part_job *j = arg;
    place_right(j->w, j->begin[i], j->right[i], j->begin[i + 1] - j->begin[i] - j->nl[i]);
    return KILN_OK;
}

static kiln_status part_gather_task(void *arg, size_t i)
{
    part_job *j = arg;
    gather_range(j->w, j->begin[i], j->begin[i + 1]);
    return KILN_OK;
}

/* The parts rows[begin, begin + n) is worked on in (j->begin); returns how many. */
static size_t parts_of(part_job *j, size_t begin, size_t n)
{
    size_t parts = n >= PARTS_MIN_ROWS && j->w->threads > 1 ? (size_t)j->w->threads : 1;
    parts = parts < PARTS_MAX ? parts : PARTS_MAX;
    for (size_t i = 0; i <= parts; i++)
        j->begin[i] = begin + i * n / parts;
    return parts;
}

/* The statistics of the tree's rows (gather_range). */
static kiln_status gather_stats(grow_ws *w, size_t n_rows)
{
    part_job j = {.w = w};
    size_t parts = parts_of(&j, 0, n_rows);
    return kiln_parallel_for(parts, w->threads, part_gather_task, &j);
}

/* A Newton node's children's (G, H) from its dense histogram of the split
 * feature, as the split search summed its left side (the value bins up to
 * the split's, ascending, then the missing bin if it goes left) and the
 * right side likewise, as XGBoost takes them: no pass over the rows. */
static void hist_kids(const grow_ws *w, const pending *pd, double *kids)
{
    const split *s = &pd->best;
    size_t j = (size_t)s->feature, slot = w->slot;
    const double *h = pd->hist + w->b->hist_start[j] * slot;
    double *L = kids, *R = kids + slot;
    for (size_t q = 1; q < slot; q++)
        L[q] = R[q] = 0;
    for (unsigned b = 1; b <= w->b->n_bins[j]; b++)
        for (size_t q = 1; q < slot; q++)
            (b <= s->bin ? L : R)[q] += h[b * slot + q];
    for (size_t q = 1; q < slot; q++)
        (s->default_left ? L : R)[q] += h[q];
}

/* Stable partition of node pd's rows and statistics: rows going left first;
 * *mid receives the split point. The children's summed statistics (count
 * first) go to kids[0..slot) and kids[slot..2 slot): a Newton node with
 * dense histograms takes them from there (hist_kids), others sum their rows
 * (range_sum, once each child's statistics are in place: summing in the
 * partition loop would chain every row's additions one after another). The
 * right side waits in tmp[begin, end), so the nodes of one tree can be
 * partitioned at the same time. */
static kiln_status partition(grow_ws *w, const pending *pd, double *kids, size_t *mid)
{
    size_t m = w->m;
    part_job j = {.w = w, .pd = pd};
    size_t parts = parts_of(&j, pd->begin, pd->end - pd->begin);
    if (parts == 1) {
        *mid = pd->begin + split_rows(w, pd, pd->begin, pd->end);
        place_right(w, pd->begin, *mid, pd->end - *mid);
    } else {
        KILN_TRY(kiln_parallel_for(parts, w->threads, part_split_task, &j));
        size_t to = pd->begin;
        for (size_t i = 0; i < parts; i++) { /* in order: a part's rows move down over its predecessor's */
            memmove(w->rows + to, w->rows + j.begin[i], j.nl[i] * sizeof *w->rows);
            if (w->nst)
                memmove(w->nst + to * m, w->nst + j.begin[i] * m, j.nl[i] * m * sizeof *w->nst);
            to += j.nl[i];
        }
        *mid = to;
        for (size_t i = 0; i < parts; i++) {
            j.right[i] = to;
            to += j.begin[i + 1] - j.begin[i] - j.nl[i];
        }
        KILN_TRY(kiln_parallel_for(parts, w->threads, part_place_task, &j));
    }
    if (w->newton && pd->hist) {
        hist_kids(w, pd, kids);
        kids[0] = (double)(*mid - pd->begin);
        kids[w->slot] = (double)(pd->end - *mid);
    } else {
        range_sum(w, pd->begin, *mid, kids);
        range_sum(w, *mid, pd->end, kids + w->slot);
    }
    return KILN_OK;
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

/* Push pd with the features known constant in it (w->words words). */
static kiln_status push(grow_ws *w, pending pd, const uint64_t *known)
{
    if (w->n_pending == w->cap_pending) {
        size_t cap = w->cap_pending ? 2 * w->cap_pending : 64;
        pending *q = kiln_realloc(w->stack, cap, sizeof *q);
        uint64_t *kq = q ? kiln_realloc(w->known, cap * w->words, sizeof *kq) : NULL;
        if (q)
            w->stack = q;
        if (!kq) {
            free(pd.hist);
            return KILN_ENOMEM;
        }
        w->known = kq;
        w->cap_pending = cap;
    }
    memcpy(w->known + w->n_pending * w->words, known, w->words * sizeof *known);
    w->stack[w->n_pending++] = pd;
    return KILN_OK;
}

/* Split node pd (its best split is valid; the features known constant in it
 * in w->kbuf) into the nodes l (left) and l + 1 and open both: kids[0] and
 * kids[1], with the features known constant in them in w->kbuf + words and
 * w->kbuf + 2 words. */
static kiln_status node_split(grow_ws *w, pending *pd, int32_t l, pending kids[2])
{
    kiln_tree *t = w->t;
    int32_t id = pd->node;
    const split *s = &pd->best;
    t->feature[id] = s->feature;
    t->threshold[id] = s->threshold;
    t->bin[id] = (uint8_t)s->bin;
    t->default_left[id] = (uint8_t)s->default_left;
    t->left[id] = l;
    double *sums = w->sum + 3 * w->slot;
    uint64_t *known[2] = {w->kbuf + w->words, w->kbuf + 2 * w->words};
    memcpy(known[0], w->kbuf, w->words * sizeof *w->kbuf);
    memcpy(known[1], w->kbuf, w->words * sizeof *w->kbuf);
    size_t mid;
    kiln_status ps = partition(w, pd, sums, &mid);
    if (ps != KILN_OK) {
        free(pd->hist);
        pd->hist = NULL;
        return ps;
    }
    kids[0] = (pending){l, pd->begin, mid, pd->depth + 1, NULL, {.feature = -1}};
    kids[1] = (pending){l + 1, mid, pd->end, pd->depth + 1, NULL, {.feature = -1}};
    int left_small = mid - pd->begin <= pd->end - mid;
    KILN_TRY(child_hists(w, pd->hist, &kids[1 - left_small], &kids[left_small]));
    pd->hist = NULL;
    kiln_status st = node_open(w, &kids[0], sums, known[0]);
    if (st == KILN_OK)
        st = node_open(w, &kids[1], sums + w->slot, known[1]);
    if (st != KILN_OK) {
        free(kids[0].hist);
        free(kids[1].hist);
    }
    return st;
}

/* Push node_split's children onto the stack of `to`, the left one on top
 * (depth-first pops it first). */
static kiln_status push_kids(grow_ws *to, const grow_ws *w, pending kids[2])
{
    kiln_status st = push(to, kids[1], w->kbuf + 2 * w->words);
    if (st != KILN_OK) {
        free(kids[0].hist);
        return st;
    }
    return push(to, kids[0], w->kbuf + w->words);
}

/* Take pending node i off w's stack; its known constant features go to kbuf. */
static pending pop(grow_ws *w, size_t i, uint64_t *kbuf)
{
    pending pd = w->stack[i];
    memcpy(kbuf, w->known + i * w->words, w->words * sizeof *kbuf);
    w->stack[i] = w->stack[--w->n_pending]; /* the top itself when depth-first */
    memmove(w->known + i * w->words, w->known + w->n_pending * w->words, w->words * sizeof *w->known);
    return pd;
}

/* A node left unsplit: record its rows' leaf and drop its histograms. */
static void leaf_done(grow_ws *w, pending *pd)
{
    if (w->row_leaf)
        for (size_t k = pd->begin; k < pd->end; k++)
            w->row_leaf[w->rows[k]] = pd->node;
    free(pd->hist);
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

/* Split pending nodes one at a time until none is pending or `until` are. */
static kiln_status grow_loop(grow_ws *w, size_t until)
{
    size_t leaves = 1;
    while (w->n_pending && w->n_pending < until) {
        pending pd = pop(w, pick_next(w), w->kbuf);
        if (pd.best.feature < 0 || (w->p->max_leaf_nodes && leaves >= w->p->max_leaf_nodes)) {
            leaf_done(w, &pd);
            continue;
        }
        KILN_TRY(tree_reserve(w->t, w->t->n_nodes + 2));
        int32_t l = (int32_t)w->t->n_nodes;
        w->t->n_nodes += 2;
        pending kids[2];
        KILN_TRY(node_split(w, &pd, l, kids));
        KILN_TRY(push_kids(w, w, kids));
        leaves++;
    }
    return KILN_OK;
}

/* ---- splitting nodes in parallel ----------------------------------------- */

/* Once a few nodes are pending, the threads take nodes from one shared
 * stack, each with scratch of its own (a copy of the tree's grow_ws) and one
 * thread per node. A node's split depends on its rows only when every feature
 * is a candidate and cuts are scanned, not drawn (no random draw), so the
 * schedule changes only the order nodes are numbered in; tree_renumber then
 * restores the depth-first order of one thread, and the tree is the same for
 * any thread count. */
typedef struct grow_queue {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    grow_ws *shared;  /* its stack is the queue; its tree receives the nodes */
    grow_ws *workers; /* one per thread */
    size_t busy;      /* threads splitting a node */
    atomic_ulong version; /* counts the changes `changed` is broadcast for */
    int failed;
} grow_queue;

static int grow_parallel_ok(const grow_ws *w)
{
    return w->threads > 1 && w->dense && !w->p->random_splits && w->p->max_leaf_nodes == 0;
}

/* Thread i: split nodes from the shared stack until it is empty and no
 * thread is still splitting one (which could push more). */
static kiln_status worker_task(void *arg, size_t i)
{
    grow_queue *q = arg;
    grow_ws *w = &q->workers[i], *sh = q->shared;
    kiln_status st = KILN_OK;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->failed && sh->n_pending == 0 && q->busy > 0) {
            unsigned long v = atomic_load(&q->version);
            pthread_mutex_unlock(&q->lock);
            kiln_spin_changed(&q->version, v); /* a node is usually pushed soon */
            pthread_mutex_lock(&q->lock);
            if (atomic_load(&q->version) == v)
                pthread_cond_wait(&q->changed, &q->lock);
        }
        if (q->failed || sh->n_pending == 0)
            break;
        pending pd = pop(sh, sh->n_pending - 1, w->kbuf);
        int32_t l = -1;
        if (pd.best.feature >= 0) {
            /* Within node_bound (every leaf keeps a row), so the node arrays do not move. */
            l = (int32_t)sh->t->n_nodes;
            sh->t->n_nodes += 2;
        }
        q->busy++;
        pthread_mutex_unlock(&q->lock);
        pending kids[2];
        if (l < 0)
            leaf_done(w, &pd);
        else
            st = node_split(w, &pd, l, kids);
        pthread_mutex_lock(&q->lock);
        q->busy--;
        if (st == KILN_OK && l >= 0)
            st = push_kids(sh, w, kids);
        atomic_fetch_add(&q->version, 1);
        pthread_cond_broadcast(&q->changed);
        if (st != KILN_OK)
            break;
    }
    if (st != KILN_OK)
        q->failed = 1;
    atomic_fetch_add(&q->version, 1);
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
    return st;
}

/* One thread's scratch for opening and splitting nodes: histograms, sums,
 * sets of known constant features, the draw order, nonempty bins. */
static kiln_status scratch_alloc(grow_ws *w)
{
    w->acc = kiln_alloc(BATCH * 256 * scratch_slot_counted(w->m), sizeof *w->acc); /* any criterion of m */
    w->sum = kiln_alloc(5 * w->slot, sizeof *w->sum);
    w->kbuf = kiln_alloc(3 * w->words, sizeof *w->kbuf);
    w->order = kiln_alloc(w->n_features, sizeof *w->order);
    w->nonempty = kiln_alloc(NONEMPTY_BYTES, 1);
    return w->acc && w->sum && w->kbuf && w->order && w->nonempty ? KILN_OK : KILN_ENOMEM;
}

/* Scratch of its own for worker i > 0 (worker 0 uses the tree's). */
static kiln_status worker_init(const grow_ws *w, grow_ws *wk)
{
    *wk = *w;
    wk->threads = 1;
    wk->stack = NULL;
    wk->known = NULL;
    wk->n_pending = wk->cap_pending = 0;
    wk->pool = NULL;
    wk->n_pool = wk->cap_pool = 0;
    KILN_TRY(scratch_alloc(wk));
    wk->L = wk->sum + w->slot;
    wk->R = wk->sum + 2 * w->slot;
    return KILN_OK;
}

/* Worker i > 0's scratch freed, its pooled histograms handed to w's pool. */
static kiln_status worker_clear(grow_ws *w, grow_ws *wk)
{
    kiln_status st = KILN_OK;
    for (size_t k = 0; k < wk->n_pool; k++)
        if (hist_put(w, wk->pool[k]) != KILN_OK)
            st = KILN_ENOMEM;
    free(wk->pool);
    free(wk->acc);
    free(wk->sum);
    free(wk->kbuf);
    free(wk->order);
    free(wk->nonempty);
    return st;
}

/* Deal w's pooled histogram buffers out to the n workers in turn (worker 0
 * keeps its share in w's pool), so the buffers kept from one tree to the
 * next serve every thread and the pool does not grow with each tree. */
static kiln_status pool_deal(grow_ws *w, grow_ws *workers, size_t n)
{
    kiln_status st = KILN_OK;
    size_t keep = 0;
    for (size_t k = 0; k < w->n_pool; k++) {
        if (k % n == 0)
            w->pool[keep++] = w->pool[k];
        else if (hist_put(&workers[k % n], w->pool[k]) != KILN_OK)
            st = KILN_ENOMEM;
    }
    w->n_pool = keep;
    return st;
}

/* Split the pending nodes of w on w->threads threads. */
static kiln_status grow_parallel(grow_ws *w)
{
    size_t n = (size_t)w->threads;
    grow_ws *workers = kiln_alloc(n, sizeof *workers);
    if (!workers)
        return KILN_ENOMEM;
    grow_queue q = {.shared = w, .workers = workers};
    kiln_status st = KILN_OK;
    size_t made = 1;
    for (; made < n && st == KILN_OK; made++)
        st = worker_init(w, &workers[made]);
    if (st == KILN_OK)
        st = pool_deal(w, workers, n);
    workers[0] = *w;
    workers[0].threads = 1;
    if (st == KILN_OK) {
        pthread_mutex_init(&q.lock, NULL);
        pthread_cond_init(&q.changed, NULL);
        st = kiln_parallel_for(n, w->threads, worker_task, &q);
        pthread_cond_destroy(&q.changed);
        pthread_mutex_destroy(&q.lock);
    }
    w->pool = workers[0].pool; /* worker 0 pooled into the tree's pool */
    w->n_pool = workers[0].n_pool;
    w->cap_pool = workers[0].cap_pool;
    for (size_t i = 1; i < made; i++) {
        kiln_status c = worker_clear(w, &workers[i]);
        st = st == KILN_OK ? c : st;
    }
    free(workers);
    return st;
}

/* Permute the n elements (size bytes each) of a by to: a[i] moves to a[to[i]]. */
static kiln_status permute(void *a, size_t size, const int32_t *to, size_t n)
{
    char *tmp = kiln_alloc(n, size);
    if (!tmp)
        return KILN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        memcpy(tmp + (size_t)to[i] * size, (char *)a + i * size, size);
    memcpy(a, tmp, n * size);
    free(tmp);
    return KILN_OK;
}

/* Number t's nodes as one thread growing depth-first does: the root 0, then,
 * visiting nodes in preorder (left subtree first), each split node's children
 * the next two ids. row_leaf follows: that of rows[0..n_rows), which may
 * repeat, or with rows NULL that of the rows 0..n_rows-1, in one pass in order. */
static kiln_status tree_renumber(kiln_tree *t, int32_t *row_leaf, const uint32_t *rows, size_t n_rows)
{
    size_t n = t->n_nodes;
    int32_t *to = kiln_alloc(n, sizeof *to), *stack = kiln_alloc(n, sizeof *stack);
    kiln_status st = to && stack ? KILN_OK : KILN_ENOMEM;
    size_t top = 0, next = 1;
    if (st == KILN_OK) {
        to[0] = 0;
        stack[top++] = 0;
    }
    while (top) {
        int32_t v = stack[--top];
        if (t->left[v] < 0)
            continue;
        to[t->left[v]] = (int32_t)next;
        to[t->left[v] + 1] = (int32_t)next + 1;
        next += 2;
        stack[top++] = t->left[v] + 1;
        stack[top++] = t->left[v];
    }
    for (size_t i = 0; st == KILN_OK && i < n; i++)
        if (t->left[i] >= 0)
            t->left[i] = to[t->left[i]];
#define PERMUTE(f, per_node) \
    if (st == KILN_OK)       \
        st = permute(t->f, (per_node) * sizeof *t->f, to, n);
    KILN_TREE_ARRAYS(PERMUTE, t)
#undef PERMUTE
    for (size_t i = 0; st == KILN_OK && row_leaf && !rows && i < n_rows; i++)
        row_leaf[i] = to[row_leaf[i]];
    /* A repeated row's leaf is renumbered once: -2 - id marks it done. */
    for (size_t k = 0; st == KILN_OK && row_leaf && rows && k < n_rows; k++)
        if (row_leaf[rows[k]] >= 0)
            row_leaf[rows[k]] = -2 - to[row_leaf[rows[k]]];
    for (size_t k = 0; st == KILN_OK && row_leaf && rows && k < n_rows; k++)
        if (row_leaf[rows[k]] < -1)
            row_leaf[rows[k]] = -2 - row_leaf[rows[k]];
    free(to);
    free(stack);
    return st;
}

/* Grow the tree from its pending root: one node at a time, and when the
 * nodes can be split in parallel, on all threads once one per thread is
 * pending (the threads then take nodes as they free up, so two children of
 * unequal size still keep both busy). */
static kiln_status grow_nodes(grow_ws *w, const uint32_t *rows, size_t n_rows)
{
    if (!grow_parallel_ok(w))
        return grow_loop(w, SIZE_MAX);
    KILN_TRY(grow_loop(w, (size_t)w->threads));
    if (w->n_pending == 0)
        return KILN_OK;
    KILN_TRY(grow_parallel(w));
    return tree_renumber(w->t, w->row_leaf, rows, n_rows);
}
/* ---- buffers kept between trees ------------------------------------------ */

struct kiln_tree_ws {
    size_t cap_rows, m, n_features; /* the sizes the buffers were made for */
    size_t hist_n;                  /* doubles per pooled histogram        */
    uint32_t *rows, *tmp;
    double *nst, *tmp_st, *acc, *sum;
    float *gh;
    size_t *order, *cand;
    uint8_t *nonempty;
    uint64_t *kbuf;
    pending *stack;
    uint64_t *known; /* cap_pending sets of features known constant */
    size_t cap_pending;
    double **pool;
    size_t n_pool, cap_pool;
    kiln_tree *nodes; /* the node arrays a tree grows in */
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
    free(k->gh);
    free(k->acc);
    free(k->sum);
    free(k->order);
    free(k->cand);
    free(k->nonempty);
    free(k->kbuf);
    free(k->stack);
    free(k->known);
    pool_clear(k->pool, &k->n_pool);
    free(k->pool);
    kiln_tree_free(k->nodes);
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
 * one boosting fit and every tree of a forest), else drop them. */
static void ws_take(grow_ws *w, size_t n_rows)
{
    kiln_tree_ws *k = w->p->ws;
    if (!k)
        return;
    if (k->cap_rows < n_rows || k->m != w->m || k->n_features != w->n_features || !k->gh != !w->st->g ||
        (k->gh && k->cap_rows < w->b->rows) ||
        (k->nodes && k->nodes->n_outputs != w->c->n_outputs))
        kept_clear(k);
    if (k->hist_n != w->b->hist_slots * (w->m + 1))
        pool_clear(k->pool, &k->n_pool);
    w->t = k->nodes;
    w->cap_rows = k->rows ? k->cap_rows : n_rows;
    w->rows = k->rows;
    w->tmp = k->tmp;
    w->nst = k->nst;
    w->tmp_st = k->tmp_st;
    w->gh = k->gh;
    w->acc = k->acc;
    w->sum = k->sum;
    w->order = k->order;
    w->cand = k->cand;
    w->nonempty = k->nonempty;
    w->kbuf = k->kbuf;
    w->stack = k->stack;
    w->known = k->known;
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
    kiln_tree_ws all = {.cap_rows = w->cap_rows, .m = w->m, .n_features = w->n_features,
                        .hist_n = w->b->hist_slots * w->slot, .rows = w->rows, .tmp = w->tmp, .nst = w->nst,
                        .tmp_st = w->tmp_st, .gh = w->gh, .acc = w->acc, .sum = w->sum, .order = w->order, .cand = w->cand,
                        .nonempty = w->nonempty, .kbuf = w->kbuf, .stack = w->stack, .known = w->known,
                        .cap_pending = w->cap_pending, .pool = w->pool, .n_pool = w->n_pool, .cap_pool = w->cap_pool,
                        .nodes = w->t};
    int whole = w->rows && w->tmp && ((w->nst && w->tmp_st) || w->gh) && w->acc && w->sum && w->order && w->cand &&
                w->nonempty && w->kbuf && w->t;
    if (w->p->ws && whole)
        *w->p->ws = all;
    else
        kept_clear(&all);
}

/* Allocate what ws_take did not provide; gather the rows and statistics. */
static kiln_status ws_init(grow_ws *w, const uint32_t *rows, size_t n_rows)
{
    size_t m = w->m, slot = m + 1;
    w->slot = slot;
    w->words = (w->n_features + 63) / 64;
    ws_take(w, n_rows);
    if (!w->rows) {
        /* Kept for the next tree, room for every row of the data set (gh,
         * indexed by dataset row, always has it: cap_rows pairs). */
        size_t cap = (w->p->ws || w->st->g) && w->b->rows > n_rows ? w->b->rows : n_rows;
        w->cap_rows = cap;
        w->rows = kiln_alloc(cap, sizeof *w->rows);
        w->tmp = kiln_alloc(cap, sizeof *w->tmp);
        if (w->st->g) /* by dataset row */
            w->gh = kiln_alloc(2 * cap, sizeof *w->gh);
        else {
            w->nst = kiln_alloc(cap * m, sizeof *w->nst);
            w->tmp_st = kiln_alloc(cap * m, sizeof *w->tmp_st);
        }
        w->cand = kiln_alloc(w->n_features, sizeof *w->cand);
        KILN_TRY(scratch_alloc(w));
    }
    if (!w->t)
        w->t = kiln_tree_new(w->n_features, w->c->n_outputs);
    if (!w->rows || !w->tmp || !((w->nst && w->tmp_st) || w->gh) || !w->cand || !w->t)
        return KILN_ENOMEM;
    w->t->n_nodes = 0;
    memset(w->kbuf, 0, 3 * w->words * sizeof *w->kbuf);
    const kiln_tree_params *p = w->p;
    w->n_cand = p->features ? p->n_tree_features : w->n_features;
    for (size_t i = 0; i < w->n_cand; i++)
        w->cand[i] = p->features ? p->features[i] : i;
    w->max_features = p->max_features == 0 || p->max_features > w->n_cand ? w->n_cand : p->max_features;
    w->dense = w->max_features == w->n_cand;
    w->gini = strcmp(w->c->name, "gini") == 0;
    w->newton = strcmp(w->c->name, "newton") == 0;
    w->sq = strcmp(w->c->name, "squared_error") == 0;
    w->L = w->sum + slot;
    w->R = w->sum + 2 * slot;
    for (size_t k = 0; k < n_rows; k++)
        w->rows[k] = rows ? rows[k] : (uint32_t)k;
    return gather_stats(w, n_rows);
}

/* A copy of t with arrays of its size, in `arena` or (NULL) blocks of its
 * own (t grew in arrays reserved for the largest tree its parameters allow,
 * kept for the next tree). */
static kiln_status tree_copy(const kiln_tree *t, kiln_arena *arena, kiln_tree **out)
{
    kiln_tree *c = kiln_tree_new(t->n_features, t->n_outputs);
    kiln_status s = c ? kiln_tree_alloc(c, t->n_nodes, arena) : KILN_ENOMEM;
    if (s != KILN_OK) {
        kiln_tree_free(c);
        return s;
    }
    size_t n = t->n_nodes;
#define COPY(f, per_node) memcpy(c->f, t->f, n * (per_node) * sizeof *c->f);
    KILN_TREE_ARRAYS(COPY, t)
#undef COPY
    *out = c;
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
    if (stats->g && stats->repeat)
        return KILN_ERROR(KILN_EINTERNAL, "statistics as g, h take no repeat counts");
    grow_ws w = {.b = bins, .st = stats, .p = p, .c = crit, .rng = rng, .m = stats->m,
                 .n_features = bins->cols, .threads = p->threads > 1 ? p->threads : 1, .row_leaf = row_leaf};
    w.dense_min = p->dense_min_rows ? p->dense_min_rows : DENSE_MIN;
    w.counted = crit->presence < 0;
    w.present = w.counted ? 0 : 1 + (size_t)crit->presence;
    kiln_status s = ws_init(&w, rows, n_rows);
    if (s == KILN_OK)
        s = tree_reserve(w.t, node_bound(&w, n_rows));
    if (s == KILN_OK) {
        w.t->n_nodes = 1;
        pending root = {0, 0, n_rows, 0, NULL, {.feature = -1}};
        double *sum = w.sum + 3 * w.slot;
        range_sum(&w, 0, n_rows, sum);
        for (size_t j = 0; j < w.n_features; j++)
            if (bins->n_bins[j] == 0) /* all missing */
                set_known(w.kbuf, j);
        s = node_open(&w, &root, sum, w.kbuf);
        if (s == KILN_OK)
            s = push(&w, root, w.kbuf);
        else
            free(root.hist);
    }
    if (s == KILN_OK)
        s = grow_nodes(&w, rows, n_rows);
    if (s == KILN_OK)
        s = tree_copy(w.t, p->arena, out);
    ws_free(&w);
    return s;
}
