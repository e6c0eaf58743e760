/* The kd-tree (Bentley 1975; Friedman, Bentley & Finkel 1977) for exact
 * k-nearest-neighbour search in few dimensions.
 *
 * Build: a node holds a range of the permuted training rows and their
 * bounding box; it splits at the median of its widest feature until at most
 * leaf_size rows remain (scikit-learn's KDTree, sklearn/neighbors/_kd_tree.pyx).
 * Query: depth first, the nearer child first; a node is skipped when the
 * reduced distance from the query to its box,
 *     rbox(x) = sum_j gap_j^2 (Euclidean), sum_j gap_j (Manhattan), sum_j gap_j^p,
 *     gap_j = max(0, lo_j - x_j, x_j - hi_j),
 * is strictly greater than the k-th best so far. Skipping only on "strictly
 * greater" keeps rows that tie with the k-th best, so the lower-index rule holds.
 * Rounding is monotone, so the computed rbox never exceeds the computed rdist
 * of a row in the box (same summation order, |x_j - y_j| >= gap_j term by
 * term); pow() carries no such guarantee, so Minkowski prunes with a 1e-12
 * relative slack. Distances are summed feature by feature, as KDTree does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "algos/neighbors/knn_impl.h"
#include "kiln/util.h"

typedef struct kd_node {
    size_t start, end;   /* rows perm[start..end)              */
    size_t left, right;  /* children; 0 for a leaf (0 is the root) */
} kd_node;

struct knn_kdtree {
    size_t *perm;
    kd_node *nodes;
    size_t n_nodes, cap;
    double *lo, *hi; /* per node, d each */
    size_t d;
};

enum { KD_QB = 64 }; /* query rows per parallel task */

void knn_kdtree_free(knn_kdtree *t)
{
    if (!t)
        return;
    free(t->perm);
    free(t->nodes);
    free(t->lo);
    free(t->hi);
    free(t);
}

/* Reorder perm[lo..hi) so that perm[mid] holds the row of rank mid by
 * feature j, smaller before it and larger after (Hoare's selection). */
static void kd_select(const kiln_mat *X, size_t *perm, size_t lo, size_t hi, size_t mid, size_t j)
{
    while (hi - lo > 1) {
        double pivot = KILN_MAT_AT(X, perm[lo + (hi - lo - 1) / 2], j);
        size_t a = lo, b = hi - 1;
        for (;;) {
            while (KILN_MAT_AT(X, perm[a], j) < pivot)
                a++;
            while (KILN_MAT_AT(X, perm[b], j) > pivot)
                b--;
            if (a >= b)
                break;
            size_t s = perm[a];
            perm[a++] = perm[b];
            perm[b--] = s;
        }
        if (mid <= b)
            hi = b + 1;
        else
            lo = b + 1;
    }
}

static kiln_status kd_new_node(knn_kdtree *t, size_t start, size_t end, size_t *out)
{
    if (t->n_nodes == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        kd_node *nodes = kiln_realloc(t->nodes, cap, sizeof *nodes);
        if (!nodes)
            return KILN_ENOMEM;
        t->nodes = nodes;
        double *lo = kiln_realloc(t->lo, cap * t->d, sizeof *lo);
        if (!lo)
            return KILN_ENOMEM;
        t->lo = lo;
        double *hi = kiln_realloc(t->hi, cap * t->d, sizeof *hi);
        if (!hi)
            return KILN_ENOMEM;
        t->hi = hi;
        t->cap = cap;
    }
    *out = t->n_nodes++;
    t->nodes[*out] = (kd_node){start, end, 0, 0};
    return KILN_OK;
}

/* Grow node `id`: its box, then its children while it holds more than leaf_size rows. */
static kiln_status kd_grow(knn_kdtree *t, const kiln_mat *X, size_t id, size_t leaf_size)
{
    size_t d = t->d, start = t->nodes[id].start, end = t->nodes[id].end;
    double *lo = t->lo + id * d, *hi = t->hi + id * d;
    for (size_t j = 0; j < d; j++)
        lo[j] = hi[j] = KILN_MAT_AT(X, t->perm[start], j);
    for (size_t i = start + 1; i < end; i++)
        for (size_t j = 0; j < d; j++) {
            double v = KILN_MAT_AT(X, t->perm[i], j);
            lo[j] = v < lo[j] ? v : lo[j];
            hi[j] = v > hi[j] ? v : hi[j];
        }
    if (end - start <= leaf_size)
        return KILN_OK;
    size_t split = 0;
    for (size_t j = 1; j < d; j++)
        if (hi[j] - lo[j] > hi[split] - lo[split])
            split = j;
    size_t mid = start + (end - start) / 2, left, right;
    kd_select(X, t->perm, start, end, mid, split);
    KILN_TRY(kd_new_node(t, start, mid, &left));
    KILN_TRY(kd_new_node(t, mid, end, &right));
    t->nodes[id].left = left;
    t->nodes[id].right = right;
    KILN_TRY(kd_grow(t, X, left, leaf_size));
    return kd_grow(t, X, right, leaf_size);
}

kiln_status knn_kdtree_build(const kiln_knn_model *m, size_t leaf_size, knn_kdtree **out)
{
    knn_kdtree *t = kiln_alloc(1, sizeof *t);
    if (!t)
        return KILN_ENOMEM;
    size_t n = m->X->rows, root;
    t->d = m->X->cols;
    t->perm = kiln_alloc(n, sizeof *t->perm);
    kiln_status s = t->perm ? kd_new_node(t, 0, n, &root) : KILN_ENOMEM;
    for (size_t i = 0; i < n && s == KILN_OK; i++)
        t->perm[i] = i;
    if (s == KILN_OK)
        s = kd_grow(t, m->X, root, leaf_size);
    if (s != KILN_OK) {
        knn_kdtree_free(t);
        return s;
    }
    *out = t;
    return KILN_OK;
}

/* The reduced distance from x to the box of node id. */
static double kd_box_rdist(const kiln_knn_model *m, const knn_kdtree *t, size_t id, const double *x)
{
    const double *lo = t->lo + id * t->d, *hi = t->hi + id * t->d;
    double r = 0;
    for (size_t j = 0; j < t->d; j++) {
        double gap = x[j] < lo[j] ? lo[j] - x[j] : x[j] > hi[j] ? x[j] - hi[j] : 0.0;
        r += m->metric == KNN_EUCLIDEAN ? gap * gap : m->metric == KNN_MANHATTAN ? gap : pow(gap, m->p);
    }
    return m->metric == KNN_MINKOWSKI ? r * (1 - 1e-12) : r;
}

static void kd_query(const kiln_knn_model *m, const knn_kdtree *t, size_t id, double rbox, const double *x,
                     knn_heap *h)
{
    if (rbox > knn_heap_bound(h))
        return;
    const kd_node *nd = &t->nodes[id];
    if (nd->left == 0) {
        for (size_t i = nd->start; i < nd->end; i++)
            knn_heap_push(h, knn_rdist(m, x, KILN_MAT_ROW(m->X, t->perm[i]), t->d), t->perm[i]);
        return;
    }
    double rl = kd_box_rdist(m, t, nd->left, x), rr = kd_box_rdist(m, t, nd->right, x);
    if (rl <= rr) {
        kd_query(m, t, nd->left, rl, x, h);
        kd_query(m, t, nd->right, rr, x, h);
    } else {
        kd_query(m, t, nd->right, rr, x, h);
        kd_query(m, t, nd->left, rl, x, h);
    }
}

typedef struct kd_job {
    const kiln_knn_model *m;
    const kiln_mat *Q;
    size_t k;
    size_t *idx;
    double *rdist;
} kd_job;

static kiln_status kd_block(void *arg, size_t b)
{
    const kd_job *job = arg;
    size_t q1 = (b + 1) * KD_QB < job->Q->rows ? (b + 1) * KD_QB : job->Q->rows;
    for (size_t q = b * KD_QB; q < q1; q++) {
        const double *x = KILN_MAT_ROW(job->Q, q);
        knn_heap h;
        knn_heap_init(&h, job->rdist + q * job->k, job->idx + q * job->k, job->k);
        kd_query(job->m, job->m->tree, 0, kd_box_rdist(job->m, job->m->tree, 0, x), x, &h);
        knn_heap_sort(&h);
    }
    return KILN_OK;
}

kiln_status knn_kdtree_search(const kiln_knn_model *m, const kiln_mat *Q, size_t k, size_t *idx, double *rdist)
{
    kd_job job = {m, Q, k, idx, rdist};
    return kiln_parallel_for((Q->rows + KD_QB - 1) / KD_QB, m->threads, kd_block, &job);
}
