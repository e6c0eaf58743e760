/* loss_impl.h — the losses of gradient boosting, behind one small vtable.
 *
 * Boosting fits an additive raw score F(x) (one per class for softmax) to
 * minimise sum_i w_i l(y_i, F(x_i)). Each round needs, per row, the first and
 * second derivatives of l with respect to F (g and h, stored as float); the
 * fit starts from the constant score that minimises the loss on the targets;
 * predictions go through the inverse link (identity, sigmoid, softmax).
 *
 *     const kiln_loss *L = kiln_loss_get(KILN_LOSS_LOGISTIC);
 *     kiln_loss_cfg c = {.k = kiln_loss_n_raw(L, n_classes), .delta = 1.0};
 *     L->init(y, w, n, &c, raw0);
 *     L->eval(y, w, raw, n, &c, g, h, &loss, &weight);   // g, h may be NULL
 *     L->inverse_link(raw_row, &c, proba_row);
 *
 * Rows are processed in the order given and functions write only their own
 * rows, so callers may split rows into blocks across threads.
 */
#ifndef KILN_LOSS_IMPL_H
#define KILN_LOSS_IMPL_H

#include <stddef.h>
#include "kiln/status.h"

/* Stored in model files: values only ever grow at the end. */
typedef enum kiln_loss_kind {
    KILN_LOSS_SQUARED = 0,
    KILN_LOSS_ABSOLUTE = 1,
    KILN_LOSS_HUBER = 2,
    KILN_LOSS_LOGISTIC = 3,
    KILN_LOSS_SOFTMAX = 4
} kiln_loss_kind;

typedef struct kiln_loss_cfg {
    size_t k;     /* raw scores per row: 1, or n_classes for softmax */
    double delta; /* Huber: the residual where quadratic turns linear */
    size_t g_col; /* 0: g and h row-major (row i's k values at g[i * k]); */
                  /* else class-major: class j of row i at g[j * g_col + i] */
} kiln_loss_cfg;

typedef struct kiln_loss {
    kiln_loss_kind kind;
    const char *name;
    /* 1 when leaf values are refitted to the weighted median of the residuals
     * after the tree is grown (absolute error, whose hessian is zero). */
    int median_leaves;
    /* The constant raw score(s) (c->k values) minimising the weighted loss.
     * w may be NULL (all 1). Fails when the weights sum to zero. */
    kiln_status (*init)(const double *y, const double *w, size_t n, const kiln_loss_cfg *c, double *raw0);
    /* At the raw scores (n x k): the weighted loss summed over the rows and
     * the weights' sum; when g is not NULL also g and h (n x k, laid out as
     * c->g_col says; weights multiply both), from the same pass over the rows. */
    void (*eval)(const double *y, const double *w, const double *raw, size_t n, const kiln_loss_cfg *c, float *g,
                 float *h, double *loss, double *weight);
    /* Raw scores of one row -> the prediction: 1 value (regression) or the
     * n_classes probabilities (2 for the logistic loss). */
    void (*inverse_link)(const double *raw, const kiln_loss_cfg *c, double *out);
} kiln_loss;

/* The loss of that kind, or NULL when the kind is unknown (a corrupt file). */
const kiln_loss *kiln_loss_get(kiln_loss_kind kind);

/* Raw scores per row for n_classes (0 for regression). */
size_t kiln_loss_n_raw(const kiln_loss *L, size_t n_classes);

/* The weighted median of v[0..n) (w NULL = all 1); v and w are not changed. */
kiln_status kiln_loss_weighted_median(const double *v, const double *w, size_t n, double *out);

#endif
