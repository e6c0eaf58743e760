/* logistic_impl.h — the logistic objective shared by lr's solvers (logistic.c:
 * L-BFGS for penalty l2/none; logistic_l1.c: proximal Newton for l1/elasticnet).
 *
 *   F(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 |W|^2 + l1 |W|_1,   S = sum_i s_i
 *
 * theta = [W (d x k, row-major), b (k)]; k = 1 for a binary problem (sigmoid),
 * k classes otherwise (softmax). Private to algos/linear. */
#ifndef KILN_LOGISTIC_IMPL_H
#define KILN_LOGISTIC_IMPL_H

#include <stdint.h>
#include "kiln/algo.h"

typedef struct kiln_logit {
    const kiln_mat *X;
    const double *y;    /* class indices                      */
    const double *s;    /* row weights over their sum S       */
    size_t d, k;
    double l2, l1;      /* penalty weights, already over C S  */
    int intercept;
    int threads;        /* for kiln_parallel_for              */
} kiln_logit;

/* Both solvers stop when F no longer falls by more than this share of |F|. */
#define KILN_LOGIT_FTOL (64 * 2.220446049250313e-16)

typedef struct kiln_logit_result {
    uint32_t n_iter;
    int converged;
} kiln_logit_result;

/* Row losses from the scores Z (n x k, row-major): returns (1/S) sum_i s_i l_i and
 * writes the residuals s_i (P_i - Y_i) / S to R (R may be Z itself) and, when P is
 * not NULL, the probabilities class-major (P[c n + i]; a binary problem's p_i is
 * class 1's); the s_i / S are kiln_logit.s. */
double kiln_logit_pointwise(const kiln_logit *pb, const double *Z, double *R, double *P);
/* The smooth part's gradient at W from the residuals R: X^T R + l2 W, and the
 * column sums of R for the intercepts (zeros without one). */
void kiln_logit_gradient(const kiln_logit *pb, const double *W, const double *R, double *grad);
/* Z = X W + 1 b^T. */
void kiln_logit_scores(const kiln_logit *pb, const double *theta, double *Z);
/* max_i |v_i|. */
double kiln_logit_max_abs(const double *v, size_t n);

/* Minimise F with l1 > 0 by proximal Newton (logistic_l1.c), from theta in place. */
kiln_status kiln_logit_prox_newton(const kiln_logit *pb, double *theta, double tol, size_t max_iter,
                                   const kiln_ctx *ctx, kiln_logit_result *res);

#endif
