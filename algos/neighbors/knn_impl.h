/* Private to algos/neighbors/: the kNN model, the neighbour heap, and the
 * search engines (brute force in knn_brute.c, the kd-tree in kdtree.c).
 *
 * Every engine ranks training rows by the pair (rdist, index): the "reduced
 * distance" first (squared Euclidean, sum |x-y|^p, cosine distance), the lower
 * training index among equal values. That order is total, so the k nearest
 * rows are one well-defined set whatever order an engine visits them in, and
 * whatever the thread count.
 */
#ifndef KILN_KNN_IMPL_H
#define KILN_KNN_IMPL_H

#include <math.h>
#include <stddef.h>
#include "kiln/dataset.h"
#include "kiln/knn.h"
#include "kiln/mat.h"

/* Stored in model files: values only grow at the end. */
typedef enum knn_metric {
    KNN_EUCLIDEAN = 0, /* minkowski p=2 too; rdist = squared distance     */
    KNN_MANHATTAN = 1, /* minkowski p=1 too                               */
    KNN_MINKOWSKI = 2, /* any other p; rdist = sum |x-y|^p                 */
    KNN_COSINE = 3     /* 1 - x.y / (|x| |y|), clipped to [0, 2]           */
} knn_metric;

typedef enum knn_weights { KNN_UNIFORM = 0, KNN_DISTANCE = 1 } knn_weights;

typedef enum knn_algorithm { KNN_AUTO = 0, KNN_BRUTE = 1, KNN_KD_TREE = 2 } knn_algorithm;

typedef struct knn_kdtree knn_kdtree;

struct kiln_knn_model {
    /* config */
    size_t k;
    knn_weights weights;
    knn_metric metric;
    double p;
    knn_algorithm algorithm; /* as asked                               */
    knn_algorithm engine;    /* what auto resolved to: BRUTE or KD_TREE */
    size_t leaf_size;
    kiln_task task;
    size_t n_classes;
    /* learned: the training rows */
    kiln_mat *X;      /* n x d, stride d                                 */
    double *y;        /* n targets (class indices for classification)   */
    /* derived at fit and at load, never saved */
    double *norm_sq;  /* euclidean: |y|^2 by ddot (as scikit-learn)      */
    kiln_mat *unit;   /* cosine: rows divided by their norm             */
    float *X32;       /* euclidean screening: the rows in single precision */
    double max_norm;  /* euclidean screening: the largest row norm       */
    knn_kdtree *tree; /* engine KD_TREE                                   */
    int threads;      /* from ctx at fit; kiln_cpu_count() after load    */
};

/* A bounded max-heap of the k best (rdist, index) pairs seen so far; its
 * root is the worst of them. */
typedef struct knn_heap {
    double *d;
    size_t *i;
    size_t size, cap;
} knn_heap;

/* (da, ia) comes after (db, ib) in the ranking. */
static inline int knn_after(double da, size_t ia, double db, size_t ib)
{
    return da > db || (da == db && ia > ib);
}

static inline void knn_heap_init(knn_heap *h, double *d, size_t *i, size_t cap)
{
    h->d = d;
    h->i = i;
    h->size = 0;
    h->cap = cap;
}

/* The rdist a candidate must not exceed to enter (+inf while not full). */
static inline double knn_heap_bound(const knn_heap *h)
{
    return h->size < h->cap ? INFINITY : h->d[0];
}

void knn_heap_push(knn_heap *h, double d, size_t i);
/* Sort the heap's content ascending by (rdist, index), in place. */
void knn_heap_sort(knn_heap *h);

/* rdist between two rows for the direct (non-GEMM) metrics. */
double knn_rdist(const kiln_knn_model *m, const double *a, const double *b, size_t d);
/* The user-facing distance from an rdist. */
double knn_dist_from_rdist(const kiln_knn_model *m, double r);

/* The k nearest training rows of every row of Q: idx and rdist are
 * Q->rows x k, each row ascending by (rdist, index). `screen` allows the
 * single-precision screening pass for Euclidean distances. */
kiln_status knn_brute_search(const kiln_knn_model *m, const kiln_mat *Q, size_t k, int screen, size_t *idx,
                             double *rdist);
/* Whether the brute engine screens in single precision for this model. */
int knn_brute_screens(const kiln_knn_model *m);
/* Derived data the brute engine needs (norms, unit rows, float copy). */
kiln_status knn_brute_prepare(kiln_knn_model *m);

kiln_status knn_kdtree_build(const kiln_knn_model *m, size_t leaf_size, knn_kdtree **out);
void knn_kdtree_free(knn_kdtree *t);
kiln_status knn_kdtree_search(const kiln_knn_model *m, const kiln_mat *Q, size_t k, size_t *idx, double *rdist);

/* Run the model's engine. */
kiln_status knn_search(const kiln_knn_model *m, const kiln_mat *Q, size_t k, size_t *idx, double *rdist);

#endif
