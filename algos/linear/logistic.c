/* lr — logistic regression (classification) and ordinary least squares (regression).
 *
 * Logistic regression minimises, as scikit-learn's LogisticRegression does (up to
 * the factor 1 / (C S)),
 *
 *   F(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 ||W||^2 + l1 ||W||_1,   S = sum_i s_i,
 *   l2 = (1 - rho) / (C S), l1 = rho / (C S)
 *
 * with rho = 0 for penalty=l2, 1 for l1, l1_ratio for elasticnet (none: l1 = l2 = 0),
 * s_i the row's weight (sample weight x class weight), the intercept b not
 * penalised. Binary: one score f_i = x_i.w + b, l_i = log(1 + exp(-t_i f_i)),
 * t_i = +-1. Multiclass: K scores z_i = x_i W + b, l_i = -log softmax(z_i)[y_i]
 * (the multinomial loss). The smooth part's gradient is
 *
 *   dF/dW = (1/S) X^T (s .* (P - Y)) + l2 W,   dF/db = (1/S) sum_i s_i (P_i - Y_i).
 *
 * With l1 = 0 the solver is L-BFGS (Byrd, Lu, Nocedal & Zhu 1995; Nocedal & Wright,
 * Numerical Optimization, 2nd ed., algorithms 7.4/7.5) with backtracking under the
 * Armijo condition; each evaluation of F and its gradient reads X once, in blocks
 * that stay in cache between X_b W and X_b^T R_b. It stops when max |grad| <= tol
 * or the objective stops decreasing, or after max_iter iterations (the model then
 * records that it did not converge). With l1 > 0: proximal Newton, logistic_l1.c.
 *
 * Ordinary least squares: centre X and y, solve min ||Xc w - yc|| by LAPACK's
 * dgelsd (SVD, minimum-norm solution for rank-deficient X, as
 * scipy.linalg.lstsq), intercept = mean(y) - mean(X) w. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"
#include "algos/linear/logistic_impl.h"
#include "kiln/util.h"

enum { PENALTY_L2 = 0, PENALTY_NONE = 1, PENALTY_L1 = 2, PENALTY_ELASTICNET = 3 };
#define LBFGS_MEMORY 10

/* The solver a model was fitted with: its id (inspect --format json) and its name. */
enum { SOLVER_LSTSQ = 0, SOLVER_LBFGS = 1, SOLVER_PROX_NEWTON = 2, SOLVER_COUNT = 3 };
static const char *const solver_id[SOLVER_COUNT] = {"lstsq", "lbfgs", "prox_newton"};
static const char *const solver_name[SOLVER_COUNT] = {"least squares (dgelsd)", "L-BFGS",
                                                      "proximal Newton with coordinate descent"};

static const kiln_param_spec lr_params[] = {
    {"penalty", KILN_PARAM_CHOICE, "l2", 0, 0, 0, "l2|none|l1|elasticnet", NULL,
     "regularisation of the coefficients (classification)"},
    {"l1_ratio", KILN_PARAM_REAL, "0.5", 0, 1, 0, NULL, "0.1,0.5,0.9", "share of |W|_1 in penalty=elasticnet, in [0, 1]"},
    {"C", KILN_PARAM_REAL, "1.0", 0, 1e12, 1, NULL, "0.01,0.1,1,10,100", "inverse regularisation strength"},
    {"tol", KILN_PARAM_REAL, "1e-4", 0, 1, 1, NULL, NULL, "stop when the largest (sub)gradient entry is below this"},
    {"max_iter", KILN_PARAM_INT, "1000", 1, 1e7, 0, NULL, NULL, "most L-BFGS iterations or Newton steps (PyCaret's default)"},
    {"class_weight", KILN_PARAM_TEXT, "none", 0, 0, 0, NULL, "none,balanced", "none, balanced, or k:w,k:w by class index"},
    {"fit_intercept", KILN_PARAM_BOOL, "true", 0, 1, 0, NULL, NULL, "learn an intercept"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct lr_model {
    kiln_task task;
    size_t d, k;    /* features; score columns (1 for binary and regression) */
    size_t n_classes;
    double *coef;   /* d x k, column c = class c's coefficients */
    double *intercept; /* k */
    uint32_t n_iter;
    uint8_t converged;
    uint8_t solver;    /* SOLVER_* */
} lr_model;

static void lr_free(void *model)
{
    lr_model *m = model;
    if (!m)
        return;
    free(m->coef);
    free(m->intercept);
    free(m);
}

static lr_model *lr_new(kiln_task task, size_t d, size_t k, size_t n_classes)
{
    lr_model *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->task = task;
    m->d = d;
    m->k = k;
    m->n_classes = n_classes;
    m->coef = kiln_alloc(d * k, sizeof *m->coef);
    m->intercept = kiln_alloc(k, sizeof *m->intercept);
    if (!m->coef || !m->intercept) {
        lr_free(m);
        return NULL;
    }
    return m;
}

/* ---- logistic objective (logistic_impl.h) -------------------------------- */

/* log(1 + e) for e = exp(-|z|) in (0, 1]: log1p where e is small (1 + e drops its low bits)
 * (as scikit-learn's log1pexp, Maechler 2012); glibc's log is the faster of the two. */
static double log1p_small(double e)
{
    return e < 0.125 ? log1p(e) : log(1.0 + e);
}

/* Rows [i0, i0 + m): their weighted loss; Z and R hold those rows only, P (class-major
 * over all n rows) may be NULL. */
static double logit_rows(const kiln_logit *pb, size_t i0, size_t m, const double *Z, double *R, double *P)
{
    size_t n = pb->X->rows, k = pb->k;
    double loss = 0;
    for (size_t t = 0; t < m; t++) {
        size_t i = i0 + t, yi = (size_t)pb->y[i];
        const double *z = Z + t * k;
        double *r = R + t * k;
        double si = pb->s[i];
        if (k == 1) { /* loss log(1 + exp(m)), m = -z (class 1) or z, from one exp */
            double m_i = yi == 1 ? -z[0] : z[0], e = exp(-fabs(z[0])), p = (z[0] >= 0 ? 1.0 : e) / (1.0 + e);
            loss += si * (fmax(m_i, 0.0) + log1p_small(e));
            if (P)
                P[i] = p;
            r[0] = si * (p - (double)yi);
            continue;
        }
        double zmax = z[0];
        for (size_t c = 1; c < k; c++)
            zmax = z[c] > zmax ? z[c] : zmax;
        double sum = 0, zy = z[yi];
        for (size_t c = 0; c < k; c++) /* r may be z: keep z[yi] first */
            sum += (r[c] = exp(z[c] - zmax));
        loss += si * (zmax + log(sum) - zy);
        for (size_t c = 0; c < k; c++) {
            double pc = r[c] / sum;
            if (P)
                P[c * n + i] = pc;
            r[c] = si * (pc - (c == yi ? 1.0 : 0.0));
        }
    }
    return loss;
}

double kiln_logit_pointwise(const kiln_logit *pb, const double *Z, double *R, double *P)
{
    return logit_rows(pb, 0, pb->X->rows, Z, R, P);
}

void kiln_logit_scores(const kiln_logit *pb, const double *theta, double *Z)
{
    const kiln_mat *X = pb->X;
    size_t n = X->rows, d = pb->d, k = pb->k;
    const double *b = theta + d * k;
    for (size_t i = 0; i < n; i++)
        memcpy(Z + i * k, b, k * sizeof *b);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)k, (int)d, 1.0, X->data, (int)X->stride,
                theta, (int)k, pb->intercept ? 1.0 : 0.0, Z, (int)k);
}

void kiln_logit_gradient(const kiln_logit *pb, const double *W, const double *R, double *grad)
{
    const kiln_mat *X = pb->X;
    size_t n = X->rows, d = pb->d, k = pb->k;
    memcpy(grad, W, d * k * sizeof *W);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)k, (int)n, 1.0, X->data, (int)X->stride, R,
                (int)k, pb->l2, grad, (int)k);
    for (size_t c = 0; c < k; c++)
        grad[d * k + c] = 0;
    if (pb->intercept)
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < k; c++)
                grad[d * k + c] += R[i * k + c];
}

double kiln_logit_max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fabs(v[i]) > m ? fabs(v[i]) : m;
    return m;
}

/* The smooth objective (l1 = 0) and its gradient in one pass over X: the rows go in
 * chunks fixed by n alone (one parallel task each, with its own partial gradient and
 * loss, summed in chunk order, so the result does not depend on the thread count),
 * and each chunk in blocks small enough to stay in cache between Z_b = X_b W and
 * G += X_b^T R_b. BLAS runs on one thread inside: the parallelism is the chunks'. */
#define EVAL_CHUNK_MIN_ROWS 1024
#define EVAL_MAX_CHUNKS 256
#define EVAL_BLOCK_DOUBLES 16384

typedef struct logit_evaluator {
    const kiln_logit *pb;
    const double *theta;
    size_t chunk_rows, chunks, block;
    double *partial; /* chunks x (np + 1): gradient, then loss */
    double *Zb;      /* chunks x block x k scores / residuals   */
} logit_evaluator;

static kiln_status evaluator_init(logit_evaluator *ev, const kiln_logit *pb)
{
    size_t n = pb->X->rows, d = pb->d, k = pb->k, np = (d + 1) * k;
    ev->pb = pb;
    ev->chunk_rows = (n + EVAL_MAX_CHUNKS - 1) / EVAL_MAX_CHUNKS;
    ev->chunk_rows = ev->chunk_rows > EVAL_CHUNK_MIN_ROWS ? ev->chunk_rows : EVAL_CHUNK_MIN_ROWS;
    ev->chunks = n ? (n + ev->chunk_rows - 1) / ev->chunk_rows : 1;
    ev->block = d < EVAL_BLOCK_DOUBLES ? EVAL_BLOCK_DOUBLES / (d ? d : 1) : 1;
    ev->block = ev->block < ev->chunk_rows ? ev->block : ev->chunk_rows;
    ev->partial = kiln_alloc(ev->chunks * (np + 1 + ev->block * k), sizeof *ev->partial);
    ev->Zb = ev->partial ? ev->partial + ev->chunks * (np + 1) : NULL;
    return ev->partial ? KILN_OK : KILN_NOMEM();
}

static kiln_status eval_chunk(void *arg, size_t chunk)
{
    const logit_evaluator *ev = arg;
    const kiln_logit *pb = ev->pb;
    const kiln_mat *X = pb->X;
    size_t n = X->rows, d = pb->d, k = pb->k, np = (d + 1) * k, ld = X->stride;
    size_t end = (chunk + 1) * ev->chunk_rows < n ? (chunk + 1) * ev->chunk_rows : n;
    const double *W = ev->theta, *b = ev->theta + d * k;
    double *g = ev->partial + chunk * (np + 1), *Z = ev->Zb + chunk * ev->block * k, beta = pb->intercept;
    memset(g, 0, (np + 1) * sizeof *g);
    for (size_t i = chunk * ev->chunk_rows; i < end; i += ev->block) {
        size_t m = end - i < ev->block ? end - i : ev->block;
        const double *Xb = X->data + i * ld;
        for (size_t t = 0; t < m; t++)
            memcpy(Z + t * k, b, k * sizeof *b);
        if (k == 1)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)d, 1.0, Xb, (int)ld, W, 1, beta, Z, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)k, (int)d, 1.0, Xb, (int)ld, W,
                        (int)k, beta, Z, (int)k);
        g[np] += logit_rows(pb, i, m, Z, Z, NULL);
        if (k == 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)m, (int)d, 1.0, Xb, (int)ld, Z, 1, 1.0, g, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)k, (int)m, 1.0, Xb, (int)ld, Z,
                        (int)k, 1.0, g, (int)k);
        for (size_t t = 0; pb->intercept && t < m; t++)
            for (size_t c = 0; c < k; c++)
                g[d * k + c] += Z[t * k + c];
    }
    return KILN_OK;
}

static kiln_status logit_eval(logit_evaluator *ev, const double *theta, double *grad, double *f)
{
    const kiln_logit *pb = ev->pb;
    size_t dk = pb->d * pb->k, np = dk + pb->k;
    ev->theta = theta;
    int blas = kiln_blas_get_threads();
    kiln_blas_threads(1);
    kiln_status st = kiln_parallel_for(ev->chunks, pb->threads, eval_chunk, ev);
    kiln_blas_threads(blas);
    KILN_TRY(st);
    memcpy(grad, theta, dk * sizeof *grad);
    cblas_dscal((int)dk, pb->l2, grad, 1);
    memset(grad + dk, 0, pb->k * sizeof *grad);
    double loss = 0;
    for (size_t c = 0; c < ev->chunks; c++) {
        cblas_daxpy((int)np, 1.0, ev->partial + c * (np + 1), 1, grad, 1);
        loss += ev->partial[c * (np + 1) + np];
    }
    *f = loss + 0.5 * pb->l2 * cblas_ddot((int)dk, theta, 1, theta, 1);
    return KILN_OK;
}

/* L-BFGS two-loop recursion: dir = -H g from the stored pairs (s_j, y_j). */
static void lbfgs_direction(size_t n, const double *g, double *const *S, double *const *Y, const double *rho,
                            size_t count, size_t newest, double *alpha, double *dir)
{
    memcpy(dir, g, n * sizeof *g);
    for (size_t j = 0; j < count; j++) {
        size_t t = (newest + LBFGS_MEMORY - j) % LBFGS_MEMORY;
        alpha[t] = rho[t] * cblas_ddot((int)n, S[t], 1, dir, 1);
        cblas_daxpy((int)n, -alpha[t], Y[t], 1, dir, 1);
    }
    if (count > 0) {
        double yy = cblas_ddot((int)n, Y[newest], 1, Y[newest], 1);
        cblas_dscal((int)n, 1.0 / (rho[newest] * yy), dir, 1);
    }
    for (size_t j = count; j-- > 0;) {
        size_t t = (newest + LBFGS_MEMORY - j) % LBFGS_MEMORY;
        double beta = rho[t] * cblas_ddot((int)n, Y[t], 1, dir, 1);
        cblas_daxpy((int)n, alpha[t] - beta, S[t], 1, dir, 1);
    }
    cblas_dscal((int)n, -1.0, dir, 1);
}

/* Minimise the logistic objective from theta (in place). */
static kiln_status lbfgs_minimise(const kiln_logit *pb, double *theta, size_t np, double tol, size_t max_iter,
                                  const kiln_ctx *ctx, kiln_logit_result *res)
{
    size_t blocks = 4 + 2 * LBFGS_MEMORY;
    logit_evaluator ev;
    KILN_TRY(evaluator_init(&ev, pb));
    double *buf = kiln_alloc(blocks * np, sizeof *buf);
    if (!buf) {
        free(ev.partial);
        return KILN_ENOMEM;
    }
    double *g = buf, *dir = buf + np, *xnew = buf + 2 * np, *gnew = buf + 3 * np;
    double *S[LBFGS_MEMORY], *Y[LBFGS_MEMORY], rho[LBFGS_MEMORY], alpha[LBFGS_MEMORY];
    for (size_t j = 0; j < LBFGS_MEMORY; j++) {
        S[j] = buf + (4 + j) * np;
        Y[j] = buf + (4 + LBFGS_MEMORY + j) * np;
    }
    double f = 0;
    kiln_status st = logit_eval(&ev, theta, g, &f);
    size_t count = 0, newest = 0, it = 0;
    res->converged = 0;
    while (st == KILN_OK && it < max_iter) {
        if (kiln_logit_max_abs(g, np) <= tol) {
            res->converged = 1;
            break;
        }
        if (ctx->cancel && *ctx->cancel) {
            st = KILN_ERROR(KILN_ECANCEL, "interrupted");
            break;
        }
        lbfgs_direction(np, g, S, Y, rho, count, newest, alpha, dir);
        double slope = cblas_ddot((int)np, g, 1, dir, 1);
        if (!(slope < 0)) { /* not a descent direction: restart from steepest descent */
            count = 0;
            for (size_t i = 0; i < np; i++)
                dir[i] = -g[i];
            slope = -cblas_ddot((int)np, g, 1, g, 1);
        }
        double step = count == 0 ? fmin(1.0, 1.0 / sqrt(-slope)) : 1.0, fnew = f;
        int accepted = 0;
        for (int ls = 0; ls < 40; ls++, step *= 0.5) {
            for (size_t i = 0; i < np; i++)
                xnew[i] = theta[i] + step * dir[i];
            if ((st = logit_eval(&ev, xnew, gnew, &fnew)) != KILN_OK)
                break;
            if (fnew <= f + 1e-4 * step * slope) {
                accepted = 1;
                break;
            }
        }
        it++;
        if (st != KILN_OK)
            break;
        if (!accepted) { /* no decrease possible at machine precision */
            res->converged = kiln_logit_max_abs(g, np) <= sqrt(tol);
            break;
        }
        size_t slot = count == 0 ? 0 : (newest + 1) % LBFGS_MEMORY;
        for (size_t i = 0; i < np; i++) {
            S[slot][i] = xnew[i] - theta[i];
            Y[slot][i] = gnew[i] - g[i];
        }
        double sy = cblas_ddot((int)np, S[slot], 1, Y[slot], 1);
        if (sy > 1e-12 * cblas_ddot((int)np, Y[slot], 1, Y[slot], 1)) {
            rho[slot] = 1.0 / sy;
            newest = slot;
            count = count < LBFGS_MEMORY ? count + 1 : LBFGS_MEMORY;
        }
        memcpy(theta, xnew, np * sizeof *theta);
        memcpy(g, gnew, np * sizeof *g);
        double df = f - fnew;
        f = fnew;
        if (df <= KILN_LOGIT_FTOL * fmax(fabs(f), 1.0) && kiln_logit_max_abs(g, np) <= sqrt(tol)) {
            res->converged = 1;
            break;
        }
    }
    if (!res->converged && kiln_logit_max_abs(g, np) <= tol)
        res->converged = 1;
    res->n_iter = (uint32_t)it;
    free(buf);
    free(ev.partial);
    return st;
}

/* l2 and l1 of logistic_impl.h for the chosen penalty: l1_ratio rho splits 1/(C S)
 * into rho |W|_1 + (1 - rho)/2 |W|^2 (rho = 0 for l2, 1 for l1; none has neither). */
static void penalty_weights(const kiln_params *p, double S, double *l2, double *l1)
{
    int penalty = (int)kiln_params_num(p, "penalty");
    double rho = penalty == PENALTY_L1 ? 1.0 : penalty == PENALTY_ELASTICNET ? kiln_params_num(p, "l1_ratio") : 0.0;
    double w = penalty == PENALTY_NONE ? 0.0 : 1.0 / (kiln_params_num(p, "C") * S);
    *l2 = (1.0 - rho) * w;
    *l1 = rho * w;
}

static kiln_status fit_logistic(lr_model *m, const kiln_params *p, const kiln_dataset *t, const kiln_ctx *ctx)
{
    size_t n = t->X.rows, d = m->d, k = m->k, np = (d + 1) * k;
    double cw[t->n_classes];
    KILN_TRY(kiln_class_weights(kiln_params_text(p, "class_weight"), t->y, n, t->n_classes, cw));
    double *s = kiln_alloc(n, sizeof *s), *theta = kiln_alloc(np, sizeof *theta);
    kiln_status st = s && theta ? KILN_OK : KILN_ENOMEM;
    kiln_logit pb = {&t->X, t->y, s, d, k, 0, 0, (int)kiln_params_num(p, "fit_intercept"), ctx->threads};
    if (st == KILN_OK) {
        double S = 0;
        for (size_t i = 0; i < n; i++) {
            s[i] = (t->w ? t->w[i] : 1.0) * cw[(size_t)t->y[i]];
            S += s[i];
        }
        for (size_t i = 0; i < n; i++)
            s[i] /= S;
        penalty_weights(p, S, &pb.l2, &pb.l1);
        kiln_logit_result res = {0, 0};
        double tol = kiln_params_num(p, "tol");
        size_t max_iter = (size_t)kiln_params_num(p, "max_iter");
        m->solver = pb.l1 > 0 ? SOLVER_PROX_NEWTON : SOLVER_LBFGS;
        st = pb.l1 > 0 ? kiln_logit_prox_newton(&pb, theta, tol, max_iter, ctx, &res)
                       : lbfgs_minimise(&pb, theta, np, tol, max_iter, ctx, &res);
        m->n_iter = res.n_iter;
        m->converged = (uint8_t)res.converged;
        memcpy(m->coef, theta, d * k * sizeof *theta);
        memcpy(m->intercept, theta + d * k, k * sizeof *theta);
    }
    free(s);
    free(theta);
    return st;
}

/* ---- least squares ------------------------------------------------------ */

static kiln_status fit_ols(lr_model *m, const kiln_params *p, const kiln_dataset *t)
{
    size_t n = t->X.rows, d = m->d;
    int intercept = (int)kiln_params_num(p, "fit_intercept");
    size_t ldb = n > d ? n : d;
    double *A = kiln_alloc(n * d, sizeof *A), *b = kiln_alloc(ldb, sizeof *b);
    double *xmean = kiln_alloc(d, sizeof *xmean), *sv = kiln_alloc(n < d ? n : d, sizeof *sv);
    kiln_status st = A && b && xmean && sv ? KILN_OK : KILN_ENOMEM;
    double ymean = 0;
    if (st == KILN_OK && intercept) {
        for (size_t i = 0; i < n; i++) {
            ymean += t->y[i] / (double)n;
            for (size_t j = 0; j < d; j++)
                xmean[j] += KILN_MAT_AT(&t->X, i, j) / (double)n;
        }
    }
    if (st == KILN_OK) {
        for (size_t i = 0; i < n; i++) {
            b[i] = t->y[i] - ymean;
            for (size_t j = 0; j < d; j++)
                A[i * d + j] = KILN_MAT_AT(&t->X, i, j) - xmean[j];
        }
        lapack_int rank;
        lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)d, 1, A, (lapack_int)d, b, 1,
                                         sv, -1.0, &rank);
        if (info != 0)
            st = KILN_ERROR(KILN_EINTERNAL, "least squares failed to converge (LAPACK dgelsd info %d)", (int)info);
    }
    if (st == KILN_OK) {
        memcpy(m->coef, b, d * sizeof *b);
        m->intercept[0] = intercept ? ymean - cblas_ddot((int)d, xmean, 1, b, 1) : 0.0;
        m->converged = 1;
        m->solver = SOLVER_LSTSQ;
    }
    free(A);
    free(b);
    free(xmean);
    free(sv);
    return st;
}

static kiln_status lr_check(const kiln_params *p, const kiln_dataset *t)
{
    return kiln_class_weights(kiln_params_text(p, "class_weight"), NULL, 0, t ? t->n_classes : 0, NULL);
}

static kiln_status lr_fit(void **model, const kiln_params *p, const kiln_dataset *t, const kiln_ctx *ctx)
{
    KILN_TRY(lr_check(p, NULL));
    size_t k = t->task == KILN_TASK_REGRESS || t->n_classes == 2 ? 1 : t->n_classes;
    lr_model *m = lr_new(t->task, t->X.cols, k, t->n_classes);
    if (!m)
        return KILN_ENOMEM;
    kiln_status s = t->task == KILN_TASK_REGRESS ? fit_ols(m, p, t) : fit_logistic(m, p, t, ctx);
    if (s != KILN_OK) {
        lr_free(m);
        return s;
    }
    *model = m;
    return KILN_OK;
}

static kiln_status lr_predict(const void *model, const kiln_mat *X, kiln_mat *out)
{
    const lr_model *m = model;
    size_t n = X->rows, k = m->k;
    double *Z = kiln_alloc(n * k, sizeof *Z);
    if (!Z)
        return KILN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        memcpy(Z + i * k, m->intercept, k * sizeof *Z);
    if (k == 1) /* a matrix-vector product: OpenBLAS's dgemm would pack X for one column */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)m->d, 1.0, X->data, (int)X->stride, m->coef, 1, 1.0, Z,
                    1);
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)k, (int)m->d, 1.0, X->data,
                    (int)X->stride, m->coef, (int)k, 1.0, Z, (int)k);
    for (size_t i = 0; i < n; i++) {
        double *z = Z + i * k, *o = KILN_MAT_ROW(out, i);
        if (m->task == KILN_TASK_REGRESS) {
            o[0] = z[0];
        } else if (k == 1) {
            o[1] = 1.0 / (1.0 + exp(-z[0]));
            o[0] = 1.0 - o[1];
        } else {
            double zmax = z[0], sum = 0;
            for (size_t c = 1; c < k; c++)
                zmax = z[c] > zmax ? z[c] : zmax;
            for (size_t c = 0; c < k; c++)
                sum += (o[c] = exp(z[c] - zmax));
            for (size_t c = 0; c < k; c++)
                o[c] /= sum;
        }
    }
    free(Z);
    return KILN_OK;
}

static kiln_status lr_save(const void *model, kiln_writer *w)
{
    const lr_model *m = model;
    KILN_TRY(kiln_w_u32(w, (uint32_t)m->task));
    KILN_TRY(kiln_w_u64(w, m->d));
    KILN_TRY(kiln_w_u64(w, m->k));
    KILN_TRY(kiln_w_u64(w, m->n_classes));
    KILN_TRY(kiln_w_u32(w, m->n_iter));
    KILN_TRY(kiln_w_u8(w, m->converged));
    KILN_TRY(kiln_w_u8(w, m->solver));
    KILN_TRY(kiln_w_f64s(w, m->coef, m->d * m->k));
    return kiln_w_f64s(w, m->intercept, m->k);
}

static kiln_status lr_read(lr_model **out, kiln_reader *r)
{
    uint32_t task;
    size_t d, k, nc;
    KILN_TRY(kiln_r_u32(r, &task));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 26, &d));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 20, &k));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 20, &nc));
    if ((task != KILN_TASK_CLASSIFY && task != KILN_TASK_REGRESS) || k == 0 ||
        (task == KILN_TASK_CLASSIFY && k != (nc == 2 ? 1 : nc)))
        return KILN_ERROR(KILN_EINPUT, "model file: inconsistent lr shape");
    lr_model *m = lr_new((kiln_task)task, d, k, nc);
    if (!m)
        return KILN_ENOMEM;
    *out = m;
    KILN_TRY(kiln_r_u32(r, &m->n_iter));
    KILN_TRY(kiln_r_u8(r, &m->converged));
    KILN_TRY(kiln_r_u8(r, &m->solver));
    if (m->solver >= SOLVER_COUNT || (m->solver == SOLVER_LSTSQ) != (task == KILN_TASK_REGRESS))
        return KILN_ERROR(KILN_EINPUT, "model file: unknown lr solver %u", (unsigned)m->solver);
    KILN_TRY(kiln_r_f64s(r, m->coef, d * k));
    return kiln_r_f64s(r, m->intercept, k);
}

static kiln_status lr_load(void **model, kiln_reader *r)
{
    lr_model *m = NULL;
    kiln_status s = lr_read(&m, r);
    if (s != KILN_OK) {
        lr_free(m);
        return s;
    }
    *model = m;
    return KILN_OK;
}

/* The class whose coefficients column c holds: class 1 for a binary model. */
static const char *column_label(const lr_model *m, const kiln_inspect_args *a, size_t c, char *buf, size_t size)
{
    if (m->task == KILN_TASK_REGRESS)
        return "value";
    return kiln_inspect_class(a, m->k == 1 ? 1 : c, buf, size);
}

static kiln_status lr_inspect(const void *model, const kiln_inspect_args *a, FILE *out)
{
    const lr_model *m = model;
    char b1[32], b2[32];
    if (a->format == KILN_INSPECT_JSON) {
        kiln_json j;
        kiln_json_init(&j, out, 1);
        kiln_json_begin_object(&j);
        kiln_json_key(&j, "solver");
        kiln_json_str(&j, solver_id[m->solver]);
        kiln_json_key(&j, "n_iter");
        kiln_json_int(&j, m->n_iter);
        kiln_json_key(&j, "converged");
        kiln_json_bool(&j, m->converged);
        kiln_json_key(&j, "coefficients");
        kiln_json_begin_object(&j);
        for (size_t c = 0; c < m->k; c++) {
            kiln_json_key(&j, column_label(m, a, c, b1, sizeof b1));
            kiln_json_begin_object(&j);
            kiln_json_key(&j, "intercept");
            kiln_json_num(&j, m->intercept[c]);
            for (size_t f = 0; f < m->d; f++) {
                kiln_json_key(&j, kiln_inspect_feature(a, f, b2, sizeof b2));
                kiln_json_num(&j, m->coef[f * m->k + c]);
            }
            kiln_json_end_object(&j);
        }
        kiln_json_end_object(&j);
        kiln_json_end_object(&j);
        return KILN_OK;
    }
    if (a->format == KILN_INSPECT_DOT)
        return KILN_ERROR(KILN_EINPUT, "--format dot: lr has no tree to draw; use text or json");
    fprintf(out, "solver: %s, %u iterations, %s\n", solver_name[m->solver], m->n_iter,
            m->converged ? "converged" : "did NOT converge (raise max_iter)");
    for (size_t c = 0; c < m->k; c++) {
        fprintf(out, "%s %s:\n", m->task == KILN_TASK_REGRESS ? "coefficients for" : "coefficients, class",
                column_label(m, a, c, b1, sizeof b1));
        fprintf(out, "  %-32s % .6g\n", "(intercept)", m->intercept[c]);
        for (size_t f = 0; f < m->d; f++)
            fprintf(out, "  %-32s % .6g\n", kiln_inspect_feature(a, f, b2, sizeof b2), m->coef[f * m->k + c]);
    }
    return KILN_OK;
}

/* |coefficient| summed over classes, normalised to sum 1 (on standardised inputs). */
static kiln_status lr_importance(const void *model, double *out, size_t d)
{
    const lr_model *m = model;
    double total = 0;
    for (size_t f = 0; f < d && f < m->d; f++) {
        out[f] = 0;
        for (size_t c = 0; c < m->k; c++)
            out[f] += fabs(m->coef[f * m->k + c]);
        total += out[f];
    }
    for (size_t f = 0; f < d && total > 0; f++)
        out[f] /= total;
    return KILN_OK;
}

static const char *lr_warning(const void *model)
{
    const lr_model *m = model;
    return m->converged ? NULL : "lr: the solver stopped at max_iter before converging; raise max_iter or tol";
}

const kiln_algo kiln_algo_lr = {
    .id = "lr",
    .name = "Logistic Regression",
    .name_regress = "Linear Regression",
    .tasks = KILN_TASK_CLASSIFY | KILN_TASK_REGRESS,
    .flags = KILN_ALGO_PROBA | KILN_ALGO_SCALE,
    .params = lr_params,
    .check = lr_check,
    .fit = lr_fit,
    .predict = lr_predict,
    .save = lr_save,
    .load = lr_load,
    .inspect = lr_inspect,
    .importance = lr_importance,
    .warning = lr_warning,
    .free = lr_free,
};
