/* A grown tree: prediction, importances, size, and its model-file form (see tree_impl.h). */
#include <math.h>
#include <stdlib.h>
#include "algos/tree/tree_impl.h"
#include "kiln/util.h"

void kiln_tree_free(kiln_tree *t)
{
    if (!t)
        return;
    if (!t->in_arena) {
#define FREE(f, per_node) free(t->f);
        KILN_TREE_ARRAYS(FREE, t)
#undef FREE
    }
    free(t);
}

size_t kiln_tree_leaf(const kiln_tree *t, const double *x)
{
    size_t k = 0;
    while (t->feature[k] >= 0) {
        double v = x[t->feature[k]];
        int left = isnan(v) ? t->default_left[k] : v <= t->threshold[k];
        k = (size_t)t->left[k] + !left;
    }
    return k;
}

size_t kiln_tree_leaf_binned(const kiln_tree *t, const kiln_bins *b, size_t i)
{
    size_t k = 0;
    while (t->feature[k] >= 0) {
        uint8_t code = b->codes[(size_t)t->feature[k] * b->rows + i];
        int left = code == KILN_BIN_MISSING ? t->default_left[k] : code <= t->bin[k];
        k = (size_t)t->left[k] + !left;
    }
    return k;
}

/* Rows that walk a tree side by side (kiln_tree_predict_add). */
#define WALK_GROUP 8

/* The leaves of the WALK_GROUP rows x[0..WALK_GROUP) into leaf[]: the rows
 * take one step each in turn, a row at a leaf staying there, until all are
 * at leaves. A row's next node waits on its feature's value, which waits on
 * its node; eight such chains side by side keep the core busy where one row
 * at a time would wait out each step (the same leaves as kiln_tree_leaf).
 * Predicting 60000 x 28 rows, 2 threads: 100 deep forest trees 0.49 ->
 * 0.26 s, 100 boosted ones 0.092 -> 0.031 s (with the blocks below). */
static void leaves_side_by_side(const kiln_tree *t, const double *const *x, size_t *leaf)
{
    for (size_t r = 0; r < WALK_GROUP; r++)
        leaf[r] = 0;
    for (int moving = 1; moving;) {
        moving = 0;
        for (size_t r = 0; r < WALK_GROUP; r++) {
            size_t k = leaf[r];
            int32_t f = t->feature[k];
            int split = f >= 0;
            double v = x[r][split ? f : 0];
            int left = (v <= t->threshold[k]) | ((v != v) & t->default_left[k]);
            leaf[r] = split ? (size_t)t->left[k] + !left : k;
            moving |= split;
        }
    }
}

void kiln_tree_predict_add(const kiln_tree *t, const kiln_mat *X, kiln_mat *out, size_t col, double scale)
{
    static const double no_features = 0; /* read at a leaf root, never compared */
    size_t leaf[WALK_GROUP];
    const double *x[WALK_GROUP];
    for (size_t i = 0; i < X->rows; i += WALK_GROUP) {
        size_t n = X->rows - i < WALK_GROUP ? X->rows - i : WALK_GROUP;
        for (size_t r = 0; r < WALK_GROUP; r++) /* a short last group repeats its first row */
            x[r] = X->cols ? KILN_MAT_ROW(X, i + (r < n ? r : 0)) : &no_features;
        leaves_side_by_side(t, x, leaf);
        for (size_t r = 0; r < n; r++) {
            const double *v = t->value + leaf[r] * t->n_outputs;
            double *o = KILN_MAT_ROW(out, i + r) + col;
            for (size_t k = 0; k < t->n_outputs; k++)
                o[k] += scale * v[k];
        }
    }
}

/* A block of rows goes through one tree, then the next: the tree's nodes are
 * read from memory once per block and stay in cache while its rows follow
 * them. Trees of at most SMALL_TREE bytes (boosting's, a shallow forest's)
 * stay in the core's cache whatever the block, so the block is sized for its
 * rows to stay there too (SMALL_ROWS bytes): 10000 Fashion-MNIST rows (784
 * features) through 200 boosted trees, 2 threads, took 0.052 s in 1337-row
 * blocks, 0.028 s in 40-row ones. A larger tree is read again for every
 * block, so the larger the block the better, as long as its rows stay
 * cached (LARGE_ROWS bytes, PREDICT_MIN_BLOCK rows at least): 60000 x 28
 * rows through 100 deep trees took 3.5 s in 512-row blocks, 0.65 s in one
 * block per thread. Each thread gets at least one block. */
#define SMALL_TREE (256u << 10)
#define SMALL_ROWS (512u << 10)
#define LARGE_ROWS (8u << 20)
#define PREDICT_MIN_BLOCK 512

size_t kiln_tree_predict_block(const kiln_tree *const *trees, size_t n_trees, const kiln_mat *X, int threads)
{
    size_t largest = 0;
    for (size_t t = 0; t < n_trees; t++) {
        size_t bytes = trees[t]->n_nodes * kiln_tree_bytes_per_node(trees[t]);
        largest = bytes > largest ? bytes : largest;
    }
    int small = largest <= SMALL_TREE;
    size_t per_thread = (X->rows + (size_t)threads - 1) / (size_t)threads;
    size_t cached = (small ? SMALL_ROWS : LARGE_ROWS) / (X->cols * sizeof(double) + 1);
    size_t block = per_thread < cached ? per_thread : cached;
    size_t least = small ? 1 : PREDICT_MIN_BLOCK;
    return block > least ? block : least;
}

static double node_loss(const kiln_tree *t, size_t k)
{
    return t->impurity[k] * t->cover[k];
}

double kiln_tree_gain(const kiln_tree *t, size_t k)
{
    if (t->feature[k] < 0)
        return 0;
    size_t l = (size_t)t->left[k];
    return node_loss(t, k) - node_loss(t, l) - node_loss(t, l + 1);
}

void kiln_tree_importance_add(const kiln_tree *t, double *imp, size_t d)
{
    for (size_t k = 0; k < t->n_nodes; k++)
        if (t->feature[k] >= 0 && (size_t)t->feature[k] < d)
            imp[t->feature[k]] += kiln_tree_gain(t, k);
}

size_t kiln_tree_bytes_per_node(const kiln_tree *t)
{
    size_t bytes = 0;
#define ADD(f, per_node) bytes += (per_node) * sizeof *t->f;
    KILN_TREE_ARRAYS(ADD, t)
#undef ADD
    return bytes;
}

/* The model file keeps, per node, the right child (int32) and the gain
 * (double) that the arrays in memory derive (format 1). */
#define FILE_DERIVED_BYTES (sizeof(int32_t) + sizeof(double))

size_t kiln_tree_file_bytes(const kiln_tree *t)
{
    return 3 * sizeof(uint64_t) + t->n_nodes * (kiln_tree_bytes_per_node(t) + FILE_DERIVED_BYTES);
}

/* The right children (-1 at a leaf) into right[0..n), the gains into gain[0..n). */
static void derived_fields(const kiln_tree *t, int32_t *right, double *gain)
{
    for (size_t k = 0; k < t->n_nodes; k++) {
        right[k] = t->feature[k] < 0 ? -1 : t->left[k] + 1;
        gain[k] = kiln_tree_gain(t, k);
    }
}

/* t's arrays in file order, with right[] and gain[] from derived_fields. */
static kiln_status write_arrays(const kiln_tree *t, const int32_t *right, const double *gain, kiln_writer *w)
{
    size_t n = t->n_nodes;
    KILN_TRY(kiln_w_u64(w, n));
    KILN_TRY(kiln_w_u64(w, t->n_features));
    KILN_TRY(kiln_w_u64(w, t->n_outputs));
    KILN_TRY(kiln_w_i32s(w, t->feature, n));
    KILN_TRY(kiln_w_f64s(w, t->threshold, n));
    KILN_TRY(kiln_w_bytes(w, t->bin, n));
    KILN_TRY(kiln_w_bytes(w, t->default_left, n));
    KILN_TRY(kiln_w_i32s(w, t->left, n));
    KILN_TRY(kiln_w_i32s(w, right, n));
    KILN_TRY(kiln_w_f64s(w, gain, n));
    KILN_TRY(kiln_w_f64s(w, t->impurity, n));
    KILN_TRY(kiln_w_f64s(w, t->cover, n));
    KILN_TRY(kiln_w_u32s(w, t->count, n));
    return kiln_w_f64s(w, t->value, n * t->n_outputs);
}

kiln_status kiln_tree_save(const kiln_tree *t, kiln_writer *w)
{
    int32_t *right = kiln_alloc(t->n_nodes, sizeof *right);
    double *gain = kiln_alloc(t->n_nodes, sizeof *gain);
    kiln_status s = right && gain ? KILN_OK : KILN_ENOMEM;
    if (s == KILN_OK) {
        derived_fields(t, right, gain);
        s = write_arrays(t, right, gain, w);
    }
    free(right);
    free(gain);
    return s;
}

/* Every split names a feature and two later nodes, the right one after the
 * left (right[k], as the file has it); every leaf has none. Children after
 * their parent means a walk from the root always ends. */
static kiln_status tree_check(const kiln_tree *t, const int32_t *right)
{
    for (size_t k = 0; k < t->n_nodes; k++) {
        int32_t f = t->feature[k], l = t->left[k], r = right[k];
        int leaf = f < 0 && l == -1 && r == -1;
        int split = f >= 0 && (size_t)f < t->n_features && l > (int32_t)k && r == l + 1 &&
                    (size_t)r < t->n_nodes;
        if (!leaf && !split)
            return KILN_ERROR(KILN_EINPUT, "model file: tree node %zu is malformed", k);
    }
    return KILN_OK;
}

/* t's arrays in file order; the file's right children into right[], its
 * gains skipped (kiln_tree_gain derives them). */
static kiln_status read_arrays(kiln_tree *t, int32_t *right, kiln_reader *r)
{
    size_t n = t->n_nodes;
    KILN_TRY(kiln_r_i32s(r, t->feature, n));
    KILN_TRY(kiln_r_f64s(r, t->threshold, n));
    KILN_TRY(kiln_r_bytes(r, t->bin, n));
    KILN_TRY(kiln_r_bytes(r, t->default_left, n));
    KILN_TRY(kiln_r_i32s(r, t->left, n));
    KILN_TRY(kiln_r_i32s(r, right, n));
    KILN_TRY(kiln_r_skip(r, n, sizeof(double)));
    KILN_TRY(kiln_r_f64s(r, t->impurity, n));
    KILN_TRY(kiln_r_f64s(r, t->cover, n));
    KILN_TRY(kiln_r_u32s(r, t->count, n));
    return kiln_r_f64s(r, t->value, n * t->n_outputs);
}

/* The node arrays from r, the file's right children checked against the left ones. */
static kiln_status tree_read(kiln_tree *t, kiln_reader *r)
{
    int32_t *right = kiln_alloc(t->n_nodes, sizeof *right);
    kiln_status s = right ? read_arrays(t, right, r) : KILN_ENOMEM;
    if (s == KILN_OK)
        s = tree_check(t, right);
    free(right);
    return s;
}

/* One arena piece for every array of n nodes, in KILN_TREE_ARRAYS order. */
static kiln_status tree_alloc_arena(kiln_tree *t, size_t n, kiln_arena *arena)
{
    if (t->n_outputs > SIZE_MAX / 16 || n > SIZE_MAX / kiln_tree_bytes_per_node(t)) {
        KILN_NOMEM();
        return KILN_ENOMEM;
    }
    char *p = kiln_arena_alloc(arena, n * kiln_tree_bytes_per_node(t));
    if (!p)
        return KILN_ENOMEM;
#define CARVE(f, per_node) \
    t->f = (void *)p;      \
    p += n * (per_node) * sizeof *t->f;
    KILN_TREE_ARRAYS(CARVE, t)
#undef CARVE
    t->in_arena = 1;
    return KILN_OK;
}

kiln_status kiln_tree_alloc(kiln_tree *t, size_t n, kiln_arena *arena)
{
    t->cap = t->n_nodes = n;
    if (arena)
        return tree_alloc_arena(t, n, arena);
    int ok = 1;
#define ALLOC(f, per_node)                           \
    t->f = kiln_alloc(n * (per_node), sizeof *t->f); \
    ok &= t->f != NULL;
    KILN_TREE_ARRAYS(ALLOC, t)
#undef ALLOC
    return ok ? KILN_OK : KILN_ENOMEM;
}

kiln_status kiln_tree_load(kiln_tree **out, kiln_reader *r, kiln_arena *arena)
{
    *out = NULL;
    size_t n, d, k;
    KILN_TRY(kiln_r_count(r, (size_t)1 << 31, &n));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 24, &d));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 16, &k));
    if (n == 0 || k == 0)
        return KILN_ERROR(KILN_EINPUT, "model file: a tree has no nodes or no outputs");
    kiln_tree *t = kiln_tree_new(d, k);
    if (!t)
        return KILN_ENOMEM;
    kiln_status s = kiln_tree_alloc(t, n, arena);
    if (s == KILN_OK)
        s = tree_read(t, r);
    if (s != KILN_OK) {
        kiln_tree_free(t);
        return s;
    }
    *out = t;
    return KILN_OK;
}
