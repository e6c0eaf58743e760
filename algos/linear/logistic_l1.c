/* lr with penalty l1 or elasticnet: proximal Newton with coordinate descent on
 * the quadratic model (newGLMNET: Yuan, Ho & Lin 2012, "An improved GLMNET for
 * L1-regularized logistic regression", JMLR 13; the coordinate step of Friedman,
 * Hastie & Tibshirani 2010, JSS 33(1)).
 *
 * Objective (logistic_impl.h), f the smooth part (loss + l2/2 |W|^2):
 *
 *   F(theta) = f(theta) + l1 |W|_1.
 *
 * Each outer iteration builds, at theta, the model
 *
 *   q(delta) = g.delta + 1/2 delta' H delta + l1 |W + delta_W|_1,
 *
 * g = grad f and H the exact Hessian of f: with u_i = (Xa delta)_i (Xa = [X 1],
 * one score per class) and w_i = s_i / S, row i contributes
 *   binary:   w_i p_i (1 - p_i) u_i
 *   softmax:  w_i p_ic (u_ic - q_i),  q_i = sum_c p_ic u_ic,
 * plus l2 delta_W. q is minimised by cyclic coordinate descent on the columns of
 * X, class by class, keeping u (and q_i) up to date, with the closed-form step
 * t = S(h z - dq, l1) / h (z = w_jc + delta_jc, dq the coordinate's derivative,
 * h = sum_i w_i p_ic (1 - p_ic) x_ij^2 + l2 its curvature; intercepts
 * unpenalised), until the largest minimum-norm subgradient of q met in a pass
 * falls below a tenth of F's. Then a backtracking line search on beta in
 * {1, 1/2, ...} accepts
 *
 *   F(theta + beta delta) <= F(theta) + sigma beta (g.delta + l1 |W + delta_W|_1 - l1 |W|_1),
 *
 * sigma = 0.01; the scores move as Z + beta u, so trial steps never touch X.
 * Stopping rule: the largest entry of F's minimum-norm subgradient (g_j + l1
 * sign(w_j) where w_j != 0, max(|g_j| - l1, 0) where w_j = 0, g_b for the
 * intercepts) <= tol — the l2 solver's rule with the l1 term's subgradient. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "algos/linear/linear_impl.h"
#include "algos/linear/logistic_impl.h"
#include "kiln/util.h"

#define PN_INNER_PASSES 100
#define PN_SIGMA 0.01
#define PN_NU 1e-12 /* keeps h > 0 on columns the curvature weights do not reach */

typedef struct pn_work {
    const kiln_logit *pb;
    double *Xt;     /* d x n, column j of X contiguous               */
    double *Z;      /* n x k scores at theta                         */
    double *R;      /* n x k residuals                               */
    double *P;      /* k x n probabilities                           */
    double *Dd;     /* k x n curvature weights w_i p_ic (1 - p_ic)   */
    double *A;      /* k x n: w_i p_ic (softmax), Dd (binary)        */
    double *q;      /* n: sum_c p_ic u_ic (softmax)                  */
    double *U;      /* k x n: Xa delta for class c                    */
    double *Zt;     /* n x k scores at a trial step                  */
    double *H;      /* d x k curvatures of the W entries             */
    double *g;      /* gradient of f, (d + 1) x k                    */
    double *delta;  /* the step, (d + 1) x k                         */
    double *trial;  /* theta + beta delta                            */
} pn_work;

static double penalty_value(const kiln_logit *pb, const double *W)
{
    size_t m = pb->d * pb->k;
    double a = 0;
    for (size_t i = 0; i < m; i++)
        a += fabs(W[i]);
    return pb->l1 * a + 0.5 * pb->l2 * cblas_ddot((int)m, W, 1, W, 1);
}

/* The minimum-norm subgradient of one penalised coordinate, gradient gj at wj. */
static double violation(double gj, double wj, double l1)
{
    return wj != 0 ? fabs(gj + copysign(l1, wj)) : fmax(fabs(gj) - l1, 0.0);
}

static double subgradient_max(const pn_work *w, const double *theta)
{
    const kiln_logit *pb = w->pb;
    size_t dk = pb->d * pb->k;
    double v = kiln_logit_max_abs(w->g + dk, pb->k);
    for (size_t i = 0; i < dk; i++)
        v = fmax(v, violation(w->g[i], theta[i], pb->l1));
    return v;
}

/* Dd, A and the curvature h_jc = sum_i Dd_ic x_ij^2 + l2 + nu of every W entry. */
static void hessian_parts(pn_work *w)
{
    const kiln_logit *pb = w->pb;
    size_t n = pb->X->rows, k = pb->k;
    for (size_t c = 0; c < k; c++)
        for (size_t i = 0; i < n; i++) {
            double p = w->P[c * n + i];
            w->Dd[c * n + i] = pb->s[i] * p * (1.0 - p);
            w->A[c * n + i] = k == 1 ? w->Dd[c * n + i] : pb->s[i] * p;
        }
    for (size_t j = 0; j < pb->d; j++) {
        const double *x = w->Xt + j * n;
        for (size_t c = 0; c < k; c++) {
            const double *Dc = w->Dd + c * n;
            double h = 0;
            for (size_t i = 0; i < n; i++)
                h += Dc[i] * x[i] * x[i];
            w->H[j * k + c] = h + pb->l2 + PN_NU;
        }
    }
}

/* (H u) for one coordinate: sum_i A_i x_i (u_i - q_i); x = NULL is the intercept's
 * column of ones, q = NULL (binary) zeros. */
static double hessian_dot(const double *A, const double *x, const double *u, const double *q, size_t n)
{
    double a = 0;
    for (size_t i = 0; i < n; i++)
        a += A[i] * (x ? x[i] : 1.0) * (u[i] - (q ? q[i] : 0.0));
    return a;
}

/* Move coordinate (column x, class c) by step: u_c += step x, q += step p_c x. */
static void move_coordinate(pn_work *w, size_t c, const double *x, double step)
{
    size_t n = w->pb->X->rows;
    double *Uc = w->U + c * n;
    const double *Pc = w->P + c * n;
    int softmax = w->pb->k > 1;
    for (size_t i = 0; i < n; i++) {
        double xi = x ? x[i] : 1.0;
        Uc[i] += step * xi;
        if (softmax)
            w->q[i] += step * Pc[i] * xi;
    }
}

/* One pass of coordinate descent on q over every class; returns the largest
 * minimum-norm subgradient of q met on the way. */
static double quadratic_pass(pn_work *w, const double *theta)
{
    const kiln_logit *pb = w->pb;
    size_t n = pb->X->rows, d = pb->d, k = pb->k;
    const double *q = k > 1 ? w->q : NULL;
    double worst = 0;
    for (size_t c = 0; c < k; c++) {
        const double *Ac = w->A + c * n, *Uc = w->U + c * n;
        for (size_t j = 0; j < d; j++) {
            size_t e = j * k + c;
            const double *x = w->Xt + j * n;
            double h = w->H[e], z = theta[e] + w->delta[e];
            double dq = w->g[e] + hessian_dot(Ac, x, Uc, q, n) + pb->l2 * w->delta[e];
            worst = fmax(worst, violation(dq, z, pb->l1));
            double step = kiln_linear_cd_step(h * z - dq, pb->l1, h) - z;
            if (step != 0) {
                w->delta[e] += step;
                move_coordinate(w, c, x, step);
            }
        }
        if (!pb->intercept)
            continue;
        size_t e = d * k + c;
        double h = PN_NU, dq = w->g[e] + hessian_dot(Ac, NULL, Uc, q, n);
        for (size_t i = 0; i < n; i++)
            h += w->Dd[c * n + i];
        worst = fmax(worst, fabs(dq));
        w->delta[e] -= dq / h;
        move_coordinate(w, c, NULL, -dq / h);
    }
    return worst;
}

/* Z + beta u into out (n x k). */
static void shifted_scores(const pn_work *w, double beta, double *out)
{
    size_t n = w->pb->X->rows, k = w->pb->k;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < k; c++)
            out[i * k + c] = w->Z[i * k + c] + beta * w->U[c * n + i];
}

/* The backtracking line search; on success theta and Z move and *F is the new value. */
static int line_search(pn_work *w, double *theta, size_t np, double *F)
{
    const kiln_logit *pb = w->pb;
    size_t dk = pb->d * pb->k;
    double slope = cblas_ddot((int)np, w->g, 1, w->delta, 1);
    double l1_now = 0, l1_new = 0;
    for (size_t i = 0; i < dk; i++) {
        l1_now += fabs(theta[i]);
        l1_new += fabs(theta[i] + w->delta[i]);
    }
    slope += pb->l1 * (l1_new - l1_now);
    if (!(slope < 0))
        return 0;
    for (double beta = 1.0; beta > 1e-10; beta *= 0.5) {
        for (size_t i = 0; i < np; i++)
            w->trial[i] = theta[i] + beta * w->delta[i];
        shifted_scores(w, beta, w->Zt);
        double Fnew = kiln_logit_pointwise(pb, w->Zt, w->Zt, NULL) + penalty_value(pb, w->trial);
        if (Fnew <= *F + PN_SIGMA * beta * slope) {
            memcpy(theta, w->trial, np * sizeof *theta);
            shifted_scores(w, beta, w->Z);
            *F = Fnew;
            return 1;
        }
    }
    return 0;
}

static kiln_status pn_alloc(pn_work *w, const kiln_logit *pb)
{
    size_t n = pb->X->rows, d = pb->d, k = pb->k, np = (d + 1) * k;
    w->pb = pb;
    w->Xt = kiln_alloc(d * n + 7 * n * k + n + d * k + 3 * np + 1, sizeof *w->Xt);
    if (!w->Xt)
        return KILN_NOMEM();
    w->Z = w->Xt + d * n;
    w->R = w->Z + n * k;
    w->P = w->R + n * k;
    w->Dd = w->P + n * k;
    w->A = w->Dd + n * k;
    w->U = w->A + n * k;
    w->Zt = w->U + n * k;
    w->q = w->Zt + n * k;
    w->H = w->q + n;
    w->g = w->H + d * k;
    w->delta = w->g + np;
    w->trial = w->delta + np;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            w->Xt[j * n + i] = KILN_MAT_AT(pb->X, i, j);
    return KILN_OK;
}

kiln_status kiln_logit_prox_newton(const kiln_logit *pb, double *theta, double tol, size_t max_iter,
                                   const kiln_ctx *ctx, kiln_logit_result *res)
{
    size_t n = pb->X->rows, k = pb->k, np = (pb->d + 1) * k;
    pn_work w = {0};
    KILN_TRY(pn_alloc(&w, pb));
    kiln_logit_scores(pb, theta, w.Z);
    size_t it = 0;
    res->converged = 0;
    for (;;) {
        double F = kiln_logit_pointwise(pb, w.Z, w.R, w.P) + penalty_value(pb, theta);
        kiln_logit_gradient(pb, theta, w.R, w.g);
        double v = subgradient_max(&w, theta);
        if (v <= tol) {
            res->converged = 1;
            break;
        }
        if (it == max_iter)
            break;
        if (ctx->cancel && *ctx->cancel) {
            free(w.Xt);
            return KILN_ERROR(KILN_ECANCEL, "interrupted");
        }
        hessian_parts(&w);
        memset(w.delta, 0, np * sizeof *w.delta);
        memset(w.U, 0, n * k * sizeof *w.U);
        memset(w.q, 0, n * sizeof *w.q);
        for (int pass = 0; pass < PN_INNER_PASSES; pass++)
            if (quadratic_pass(&w, theta) <= 0.1 * v)
                break;
        it++;
        double Fold = F;
        if (!line_search(&w, theta, np, &F) || Fold - F <= KILN_LOGIT_FTOL * fmax(fabs(F), 1.0)) {
            res->converged = v <= sqrt(tol);
            break;
        }
    }
    res->n_iter = (uint32_t)it;
    free(w.Xt);
    return KILN_OK;
}
