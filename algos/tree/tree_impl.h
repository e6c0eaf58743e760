/* algos/tree/tree_impl.h — the shared histogram tree builder (private to algos/).
 *
 * Decision tree, random forest, extra trees and gradient boosting all grow
 * their trees here. A tree never looks at the algorithm that asked for it: it
 * grows from PER-ROW STATISTICS and a CRITERION.
 *
 * 1. Bin the features once (kiln_bins_build): every numeric feature j is cut
 *    into n_bins[j] <= max_bins value bins; code 0 is reserved for missing
 *    (NaN), value bin b (1-based) holds cut[b-1] < x <= cut[b] (cut[0] = -inf,
 *    cut[n_bins] = +inf). The codes are a column-major uint8 matrix:
 *    codes[j * rows + i]. With no more distinct values than bins, the cuts sit
 *    halfway between adjacent distinct values (so small data splits where an
 *    exact CART would); otherwise at quantiles of the training rows.
 *
 * 2. Describe each row by m statistics (kiln_tree_stats, n x m doubles, already
 *    multiplied by the row weight). Trees add them up per (feature, bin):
 *        gini / entropy   m = K   weighted one-hot class counts w*[y==k]
 *        squared error    m = 3   w, w*y, w*y^2
 *        Newton boosting  m = 2   g, h (gradient and hessian of the loss)
 *
 * 3. A criterion maps summed statistics S of a node to
 *        loss(S)   the node's weighted impurity if it were a leaf;
 *                  a split's gain = loss(P) - loss(L) - loss(R)
 *                  gini:    W - sum_k S_k^2 / W           (W * gini impurity)
 *                  entropy: -sum_k S_k log(S_k / W)      (W * entropy)
 *                  squared: sum w y^2 - (sum w y)^2 / W  (W * variance)
 *                  Newton:  -1/2 G^2 / (H + lambda), so that
 *                           gain = 1/2 [G_L^2/(H_L+l) + G_R^2/(H_R+l) - G^2/(H+l)]
 *        cover(S)  what min_child_weight bounds (W, or H for Newton);
 *        leaf(S)   the node's output vector (n_outputs values): class
 *                  probabilities S_k / W, the mean S_wy / W, or -G / (H + lambda);
 *        impurity(S) for display (loss / W; Newton shows loss / H).
 *    A split is taken when gain >= min_split_gain (forests: min_impurity_decrease
 *    minus DBL_EPSILON, times the root weight, scikit-learn's test; boosting: gamma
 *    plus a small epsilon).
 *
 * 4. kiln_tree_grow grows one tree on a subset of rows (indices may repeat, so
 *    a bootstrap sample is just its index list). Per node it builds a histogram
 *    per candidate feature: the m sums per bin, and the row count unless the
 *    criterion marks nonempty bins by a positive statistic (Newton: hessians). Large nodes keep
 *    histograms of all features and use the subtraction trick (build the
 *    smaller child, parent minus it gives the sibling); small nodes build the
 *    candidate features' histograms directly from their rows. For every
 *    candidate bin boundary the rows with missing values are tried on both
 *    sides; the better side is stored per node (default_left). When a node saw
 *    no missing value, missing goes to the side with the larger cover. The
 *    best split wins on gain; ties go to the lower feature index, then the
 *    lower bin (deterministic). A feature whose node histogram has a single
 *    non-missing bin and missing values can still split "value vs missing"
 *    (threshold = +inf or the bin's upper cut, missing to the other side).
 *    Growth is depth-first with max_depth, or best-first (the leaf with the
 *    largest gain splits next, LightGBM style, and what sklearn does when
 *    max_leaf_nodes is set) when max_leaf_nodes > 0.
 *
 * 5. The tree is flat arrays (kiln_tree). Prediction walks raw doubles:
 *    go left when x[feature] <= threshold, NaN follows default_left.
 *
 *     kiln_bins *b;  kiln_bins_build(&X, 255, threads, &b);
 *     kiln_criterion c = kiln_criterion_newton(1.0);
 *     kiln_tree_params p = kiln_tree_params_default();
 *     p.max_depth = 6; p.min_child_weight = 1.0;
 *     kiln_tree_stats s = {.m = 2, .row = gh};           // n x 2: g, h
 *     kiln_tree *t;  kiln_tree_grow(b, &s, rows, n, &p, &c, &rng, &t, leaf_of);
 *     for (i...) F[i] += eta * t->value[leaf_of[i]];    // training rows
 *     kiln_tree_predict_add(t, &Xtest, out, 0, eta);     // new rows
 *     kiln_tree_free(t); kiln_bins_free(b);
 */
#ifndef KILN_TREE_IMPL_H
#define KILN_TREE_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/arena.h"
#include "kiln/algo.h"
#include "kiln/mat.h"
#include "kiln/rng.h"
#include "kiln/serial.h"

/* ---- binning ---------------------------------------------------------- */

#define KILN_BIN_MISSING 0 /* the code of a missing (NaN) value */

typedef struct kiln_bins {
    size_t rows, cols;
    int max_bins;        /* value bins per feature at most (<= 255)           */
    uint8_t *codes;      /* rows x cols, column-major: codes[j * rows + i]    */
    uint16_t *n_bins;    /* per feature: value bins (0 if all missing)         */
    size_t *cut_start;   /* per feature: index of its first cut in `cuts`      */
    double *cuts;        /* feature j: n_bins[j] - 1 ascending cuts           */
    size_t *hist_start;  /* per feature: first histogram slot (n_bins[j]+1 slots, slot 0 missing) */
    size_t hist_slots;   /* total slots over all features                      */
    double *bin_lo;      /* per slot: the smallest / largest training value in */
    double *bin_hi;      /* the bin; a split between two bins of a node cuts   */
                         /* halfway between them, as exact CART does          */
    /* Bundles: exclusive feature bundling (LightGBM's EFB, Ke et al. 2017, restricted to
     * what one-hot encoding makes): features with two values and no missing one
     * whose upper values never share a row (the columns of one encoded
     * category) are bundled, in column order, each joining the bundle before it
     * while no row conflicts (254 members at most). One histogram of a bundle's
     * code per node then gives every member's two bins: the upper bin is the
     * sum of the member's code, the lower the bundle's total minus it. Bundles
     * of one member are dropped. kiln_bins_build makes them. */
    size_t n_bundles;
    size_t *bundle_start;   /* n_bundles + 1: bundle k's members are            */
    uint32_t *bundle_feat;  /* bundle_feat[bundle_start[k] .. bundle_start[k+1]) */
    uint8_t *bundle_codes;  /* n_bundles x rows, column-major: 0 when no member */
                            /* has its upper value in the row, else 1 + the     */
                            /* member's index in its bundle                     */
    uint32_t *bundle_of;    /* per feature: 0, or 1 + the bundle it is in       */
} kiln_bins;

/* Bin the columns of X (NaN = missing) into at most max_bins (2..255) value
 * bins per feature. Features are binned in parallel; the result does not
 * depend on `threads`. */
kiln_status kiln_bins_build(const kiln_mat *X, int max_bins, int threads, kiln_bins **out);
void kiln_bins_free(kiln_bins *b);
/* The cut between value bins b and b+1 of feature j (1 <= b < n_bins[j]);
 * +inf for b == n_bins[j]. */
double kiln_bins_cut(const kiln_bins *b, size_t j, unsigned bin);
/* The bins of a dataset's X, built once and cached on the dataset under
 * "bins<max_bins>" (the dataset owns them; do not free). Safe when several
 * fits share the dataset from different threads (kiln_dataset_cache_get). */
kiln_status kiln_bins_cached(const kiln_dataset *d, int max_bins, int threads, const kiln_bins **out);

/* ---- per-row statistics and criteria ----------------------------------- */

typedef struct kiln_tree_stats {
    size_t m;          /* statistics per row                                   */
    const double *row; /* row-major n x m, indexed by the dataset row number   */
    const uint32_t *repeat; /* per dataset row: how many times the sample holds */
                       /* it (a bootstrap count; its statistics are scaled by */
                       /* it and it counts as one sample), or NULL (always  */
                       /* NULL with g, h)                                   */
    const float *g;    /* instead of row, for Newton (m = 2): the gradient and */
    const float *h;    /* hessian of row i at g[i * stride], h[i * stride]    */
    size_t stride;
} kiln_tree_stats;

typedef struct kiln_criterion kiln_criterion;
struct kiln_criterion {
    const char *name;   /* "gini", "entropy", "squared_error", "newton"      */
    size_t n_stats;     /* m                                                 */
    size_t n_outputs;   /* values per leaf                                   */
    double lambda;      /* Newton: L2 penalty on leaf values                  */
    int stop_when_pure; /* a node with impurity <= 1e-12 is not split        */
    int presence;       /* -1: histograms count rows (min_samples_leaf holds);  */
                        /* else the statistic that is > 0 for every row, so a  */
                        /* bin is nonempty when its sum is (Newton: the        */
                        /* hessian); no count is kept, min_samples_leaf is 1   */
    double (*loss)(const kiln_criterion *c, const double *s);
    double (*cover)(const kiln_criterion *c, const double *s);
    double (*impurity)(const kiln_criterion *c, const double *s);
    void (*leaf)(const kiln_criterion *c, const double *s, double *out);
};

/* The arithmetic of the gini, squared-error and Newton criteria, shared by
 * their vtables (criterion.c) and the builder's inlined split search
 * (grow.c), so both give the same bits. s holds m class weights,
 * (W, sum w y, sum w y^2), or (G, H). */
static inline double kiln_class_weight(const double *s, size_t m)
{
    double w = 0;
    for (size_t k = 0; k < m; k++)
        w += s[k];
    return w;
}

static inline double kiln_gini_loss(const double *s, size_t m)
{
    double w = 0, sq = 0;
    for (size_t k = 0; k < m; k++) {
        w += s[k];
        sq += s[k] * s[k];
    }
    return w > 0 ? w - sq / w : 0.0;
}

/* Relative roundoff below which a variance counts as zero. */
#define KILN_PURE_TOL 1e-12

static inline double kiln_sq_loss(const double *s)
{
    if (s[0] <= 0)
        return 0.0;
    double v = s[2] - s[1] * s[1] / s[0];
    return v > KILN_PURE_TOL * s[2] ? v : 0.0;
}

static inline double kiln_newton_loss(const double *s, double lambda)
{
    return -0.5 * s[0] * s[0] / (s[1] + lambda);
}

/* The gain of splitting a node whose loss is `parent` into children with
 * sums (gl, hl) and (gr, hr): parent - loss(L) - loss(R), the children's
 * terms over one division, GL^2/a + GR^2/b = (GL^2 b + GR^2 a) / (a b) with
 * a = HL + lambda, b = HR + lambda (a division takes the time of several
 * multiplications, and the split search computes this for every boundary). */
static inline double kiln_newton_gain(double parent, double gl, double hl, double gr, double hr, double lambda)
{
    double a = hl + lambda, b = hr + lambda;
    return parent + 0.5 * (gl * gl * b + gr * gr * a) / (a * b);
}

kiln_criterion kiln_criterion_gini(size_t n_classes);
kiln_criterion kiln_criterion_entropy(size_t n_classes);
kiln_criterion kiln_criterion_squared_error(void);
kiln_criterion kiln_criterion_newton(double lambda);

/* ---- the builder -------------------------------------------------------- */

/* The buffers growing a tree needs (row order, statistics, histograms, and
 * the node arrays it grows in before it is copied out at its size), kept
 * between trees grown one after another (boosting rounds, the trees of one
 * forest worker) so a tree neither allocates nor clears them again and
 * writes its nodes to memory already in use. Owned by one grower at a time. */
typedef struct kiln_tree_ws kiln_tree_ws;
kiln_tree_ws *kiln_tree_ws_new(void);
void kiln_tree_ws_free(kiln_tree_ws *ws);

typedef struct kiln_tree_params {
    int max_depth;            /* -1: unlimited; the root has depth 0          */
    size_t max_leaf_nodes;    /* 0: unlimited (depth-first); > 0: best-first  */
    size_t min_samples_split; /* a node with fewer rows is a leaf (2)          */
    size_t min_samples_leaf;  /* rows per child at least (1)                   */
    double min_child_weight;  /* criterion cover per child at least (0)        */
    double min_split_gain;    /* split only when gain >= this (0)              */
    size_t max_features;      /* candidate features per node; 0 = all          */
    const uint32_t *features; /* the tree's features, ascending (n_tree_features */
    size_t n_tree_features;   /* of them; colsample_bytree), or NULL = all     */
    int random_splits;        /* 1: extra trees, one random cut per feature    */
    int threads;              /* threads for one tree's histograms (1)         */
    size_t dense_min_rows;    /* nodes with this many rows keep all features'  */
                              /* histograms for subtraction (0: 2048)          */
    kiln_tree_ws *ws;         /* reused buffers, or NULL: the tree's own       */
    const uint8_t *row_codes; /* the bins' codes row-major (kiln_tree_row_codes) */
                              /* or NULL: a node's rows then read one cache   */
                              /* line for all their codes, not one per feature */
    kiln_arena *arena;        /* where the grown tree's nodes go (a forest's), */
                              /* or NULL: blocks of the tree's own             */
} kiln_tree_params;

kiln_tree_params kiln_tree_params_default(void);

/* The codes of b row-major (rows x cols, [i * cols + j]) for
 * kiln_tree_params.row_codes, built once and shared by a forest's trees. */
kiln_status kiln_tree_row_codes(const kiln_bins *b, int threads, uint8_t **out);

/* A tree as flat arrays, node 0 the root. A split node k's children are
 * left[k] and left[k] + 1 (the right one); leaves have feature == -1 and
 * left == -1. Every node (not only leaves) carries its value. A split's gain
 * is not kept: kiln_tree_gain derives it from the three nodes' impurities and
 * covers, as scikit-learn's importances do. */
typedef struct kiln_tree {
    size_t n_nodes, cap;
    size_t n_features;     /* the width of the rows it predicts              */
    size_t n_outputs;      /* values per node                                */
    int32_t *feature;      /* split feature, -1 at a leaf                    */
    double *threshold;     /* go left when x <= threshold (original units)   */
    uint8_t *bin;          /* the same split on codes: left when code <= bin */
    uint8_t *default_left; /* 1: missing goes left                           */
    int32_t *left;         /* the left child (the right one is left + 1),    */
                           /* -1 at a leaf                                   */
    double *impurity;      /* criterion impurity of the node: loss / cover   */
    double *cover;         /* criterion cover (weighted samples, or H)       */
    uint32_t *count;       /* rows (with repeats) that reached the node      */
    double *value;         /* n_nodes x n_outputs                            */
    int in_arena;          /* 1: the arrays are one piece of an arena, which */
                           /* frees them; the tree never grows               */
} kiln_tree;

/* X(array, elements per node) for each node array of kiln_tree t, the 8-byte
 * elements first, then the 4-byte ones, then the bytes: one arena piece lays
 * them out in this order, each aligned to its element size. */
#define KILN_TREE_ARRAYS(X, t)                                                                   \
    X(threshold, 1) X(impurity, 1) X(cover, 1) X(value, (t)->n_outputs) X(feature, 1) X(left, 1) \
    X(count, 1) X(bin, 1) X(default_left, 1)

/* An empty tree (no nodes) for n_features-wide rows, or NULL (error recorded). */
kiln_tree *kiln_tree_new(size_t n_features, size_t n_outputs);
/* Arrays for n nodes in an empty tree t (their contents unset): one piece of
 * `arena`, or with arena NULL each array its own block. */
kiln_status kiln_tree_alloc(kiln_tree *t, size_t n, kiln_arena *arena);

/* Grow one tree on rows[0..n_rows) (indices into bins/stats; may repeat;
 * NULL: the rows 0..n_rows-1).
 * rng drives feature sampling and random cuts. row_leaf, if not NULL, has one
 * slot per dataset row and receives the leaf node of every row in `rows`. */
kiln_status kiln_tree_grow(const kiln_bins *bins, const kiln_tree_stats *stats, const uint32_t *rows,
                           size_t n_rows, const kiln_tree_params *p, const kiln_criterion *crit,
                           kiln_rng *rng, kiln_tree **out, int32_t *row_leaf);
void kiln_tree_free(kiln_tree *t);

/* ---- using a tree ------------------------------------------------------- */

/* The leaf that row x (n_features doubles) falls into. */
size_t kiln_tree_leaf(const kiln_tree *t, const double *x);
/* The leaf of training row i of the bins the tree was grown on. */
size_t kiln_tree_leaf_binned(const kiln_tree *t, const kiln_bins *b, size_t i);
/* out[i, col + k] += scale * value[leaf(X_i), k] for every row and output. */
void kiln_tree_predict_add(const kiln_tree *t, const kiln_mat *X, kiln_mat *out, size_t col, double scale);
/* Rows per block when trees[0..n_trees) predict X on `threads` threads,
 * each block through every tree in turn: see tree.c. */
size_t kiln_tree_predict_block(const kiln_tree *const *trees, size_t n_trees, const kiln_mat *X, int threads);
/* The gain of split node k, loss(k) - loss(left) - loss(right) with a node's
 * loss its impurity times its cover; 0 at a leaf. */
double kiln_tree_gain(const kiln_tree *t, size_t k);
/* imp[feature] += gain of every split (impurity-based importance, unnormalised). */
void kiln_tree_importance_add(const kiln_tree *t, double *imp, size_t d);
/* Bytes the node arrays take per node in memory. */
size_t kiln_tree_bytes_per_node(const kiln_tree *t);

/* ---- files and inspection ---------------------------------------------- */

/* The bytes kiln_tree_save writes for t. */
size_t kiln_tree_file_bytes(const kiln_tree *t);
kiln_status kiln_tree_save(const kiln_tree *t, kiln_writer *w);
kiln_status kiln_tree_load(kiln_tree **out, kiln_reader *r, kiln_arena *arena);
/* scikit-learn export_text style; classes when the tree has one output per
 * class name, values otherwise. */
void kiln_tree_write_text(const kiln_tree *t, const kiln_inspect_args *a, FILE *out);
/* One tree as a JSON object (nodes nested, thresholds in original units). */
void kiln_tree_write_json(const kiln_tree *t, const kiln_inspect_args *a, kiln_json *j);
/* A Graphviz digraph; node ids are prefixed with `index` so forests compose. */
void kiln_tree_write_dot(const kiln_tree *t, const kiln_inspect_args *a, size_t index, FILE *out);

#endif
