/* svm — linear support vector classification (scikit-learn's LinearSVC, liblinear).
 *
 * Each binary problem (labels y_i = +-1, per-row costs C_i) is
 *
 *   L2 penalty:  min_w  1/2 w.w  + sum_i C_i xi(w; x_i, y_i)
 *   L1 penalty:  min_w  |w|_1    + sum_i C_i max(0, 1 - y_i w.x_i)^2
 *
 * with xi = max(0, 1 - y w.x) (hinge, "L1-loss") or its square (squared hinge,
 * "L2-loss"). The intercept is a regularised extra feature of constant value
 * intercept_scaling, as in liblinear. C_i = C * row weight * class weight; for
 * one-vs-rest with k > 2 classes the rest keep plain C (liblinear's convention).
 *
 * Solvers (Fan et al. 2008, "LIBLINEAR: A library for large linear
 * classification", JMLR 9):
 *  - dual coordinate descent (Hsieh et al. 2008, ICML) for L2 penalty, either
 *    loss. Dual: min_a 1/2 a'Q a - e'a, 0 <= a_i <= U_i, Q = Q~ + D with
 *    Q~_ij = y_i y_j x_i.x_j; U_i = C_i, D_ii = 0 (hinge) or U_i = inf,
 *    D_ii = 1/(2 C_i) (squared hinge). One pass visits the active rows in a new
 *    random order: G = y_i w.x_i - 1 + D_ii a_i, a_i <- min(max(a_i - G/Q_ii, 0), U_i),
 *    w += (a_i^new - a_i) y_i x_i. Rows whose projected gradient is safely inside
 *    a bound are shrunk. Stop when max PG - min PG <= tol over all rows.
 *  - a primal Newton method for L2 penalty and squared hinge (n >> d): the
 *    generalised Hessian H = I + 2 X_I' C_I X_I on the rows I with y w.x < 1;
 *    the Newton step solves H s = -g by diagonally preconditioned conjugate
 *    gradients (products H v as two dgemv), then an Armijo backtracking line
 *    search (liblinear >= 2.40, Galli & Lin 2021). Stop when
 *    |g| <= tol * max(min(#pos, #neg), 1) / n * |g(0)|.
 *  - primal coordinate descent with a one-dimensional Newton step and line
 *    search for L1 penalty (Yuan et al. 2010, JMLR 11; liblinear's
 *    solve_l1r_l2_svc), stop when the summed violation |PG|_1 falls to
 *    tol * max(min(#pos, #neg), 1) / n of the first pass's.
 * dual=auto uses the dual solver when rows <= features (and always for hinge),
 * the primal one otherwise.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "algos/linear/linear_impl.h"
#include "kiln/util.h"

enum { SVM_LOSS_SQUARED = 0, SVM_LOSS_HINGE = 1 };
enum { SVM_PENALTY_L2 = 0, SVM_PENALTY_L1 = 1 };
enum { SVM_DUAL_AUTO = 0, SVM_DUAL_TRUE = 1, SVM_DUAL_FALSE = 2 };

static const kiln_param_spec svm_params[] = {
    {"C", KILN_PARAM_REAL, "1.0", 0, 1e12, 1, NULL, "0.01,0.1,1,10,100", "inverse regularisation strength"},
    {"loss", KILN_PARAM_CHOICE, "squared_hinge", 0, 0, 0, "squared_hinge|hinge", NULL, "loss per row"},
    {"penalty", KILN_PARAM_CHOICE, "l2", 0, 0, 0, "l2|l1", NULL, "penalty on w (l1 needs squared_hinge)"},
    {"dual", KILN_PARAM_CHOICE, "auto", 0, 0, 0, "auto|true|false", NULL,
     "solve the dual (auto: when rows <= features or loss=hinge)"},
    {"tol", KILN_PARAM_REAL, "1e-4", 0, 1, 1, NULL, NULL, "stopping tolerance"},
    {"max_iter", KILN_PARAM_INT, "1000", 1, 1e9, 0, NULL, NULL, "maximum solver passes"},
    {"class_weight", KILN_PARAM_TEXT, "none", 0, 0, 0, NULL, "none,balanced",
     "none, balanced, or class:weight pairs such as 0:1,1:3"},
    {"fit_intercept", KILN_PARAM_BOOL, "true", 0, 1, 0, NULL, NULL, "learn an intercept"},
    {"intercept_scaling", KILN_PARAM_REAL, "1.0", 0, 1e12, 1, NULL, NULL, "value of the bias feature"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL},
};

static kiln_status svm_check(const kiln_params *p, const kiln_dataset *train)
{
    int loss = (int)kiln_params_num(p, "loss"), penalty = (int)kiln_params_num(p, "penalty");
    int dual = (int)kiln_params_num(p, "dual");
    if (penalty == SVM_PENALTY_L1 && loss == SVM_LOSS_HINGE)
        return KILN_ERROR(KILN_EINPUT, "svm: penalty=l1 with loss=hinge is not supported (use loss=squared_hinge)");
    if (penalty == SVM_PENALTY_L1 && dual == SVM_DUAL_TRUE)
        return KILN_ERROR(KILN_EINPUT, "svm: penalty=l1 has no dual solver (use dual=false or auto)");
    if (loss == SVM_LOSS_HINGE && dual == SVM_DUAL_FALSE)
        return KILN_ERROR(KILN_EINPUT, "svm: loss=hinge has no primal solver (use dual=true or auto)");
    if (train && train->task != KILN_TASK_CLASSIFY)
        return KILN_ERROR(KILN_EINPUT, "svm: classification only");
    if (train && train->n_classes < 2)
        return KILN_ERROR(KILN_EINPUT, "svm: the target has %zu class; need at least 2", train->n_classes);
    return kiln_class_weights(kiln_params_text(p, "class_weight"), NULL, 0, train ? train->n_classes : 0, NULL);
}

/* Everything the binary problems of one fit share. */
typedef struct svm_job {
    const kiln_dataset *train;
    const kiln_mat *Xa;  /* n x D rows with the bias feature appended        */
    double *Xt;          /* D x n column-major copy (L1 penalty only) or NULL */
    size_t n, D;
    int loss, penalty, use_dual, max_iter;
    double C, tol, scaling;
    const double *cw;
    const kiln_ctx *ctx;
    kiln_linmodel *model;
    int *converged;      /* per row                                        */
} svm_job;

/* The workspace of one binary problem. */
typedef struct svm_problem {
    const svm_job *job;
    double *y, *Ci;      /* labels +-1 and costs, n each                   */
    double *w;           /* D                                              */
    double eps;          /* the primal solvers' tolerance on |g|            */
    int iter, converged;
} svm_problem;

static int svm_cancelled(const svm_job *job)
{
    return job->ctx->cancel && *job->ctx->cancel;
}

/* Visit the active indices in a fresh random order each pass (liblinear's forward
 * swap: position s takes one of positions s..active-1). */
static void svm_shuffle(kiln_rng *rng, size_t *index, size_t active)
{
    for (size_t s = 0; s < active; s++) {
        size_t j = s + kiln_rng_below(rng, active - s), t = index[s];
        index[s] = index[j];
        index[j] = t;
    }
}

/* Dual coordinate descent with shrinking (Hsieh et al. 2008, Algorithm 3). */
static kiln_status svm_dual_cd(svm_problem *pb, kiln_rng *rng)
{
    const svm_job *job = pb->job;
    size_t n = job->n, D = job->D, active = 0;
    double *alpha = kiln_alloc(n, sizeof *alpha), *QD = kiln_alloc(n, sizeof *QD);
    double *diag = kiln_alloc(n, sizeof *diag), *ub = kiln_alloc(n, sizeof *ub);
    size_t *index = kiln_alloc(n, sizeof *index);
    kiln_status st = KILN_OK;
    if (!alpha || !QD || !diag || !ub || !index) {
        st = KILN_NOMEM();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (pb->Ci[i] <= 0)
            continue; /* a row of weight zero has no dual variable */
        const double *x = KILN_MAT_ROW(job->Xa, i);
        diag[i] = job->loss == SVM_LOSS_SQUARED ? 0.5 / pb->Ci[i] : 0.0;
        ub[i] = job->loss == SVM_LOSS_SQUARED ? INFINITY : pb->Ci[i];
        QD[i] = diag[i] + cblas_ddot((int)D, x, 1, x, 1);
        index[active++] = i;
    }
    size_t total = active;
    double pg_max_old = INFINITY, pg_min_old = -INFINITY;
    pb->iter = 0;
    while (pb->iter < job->max_iter) {
        if (svm_cancelled(job)) {
            st = KILN_ERROR(KILN_ECANCEL, "svm: interrupted");
            goto done;
        }
        double pg_max = -INFINITY, pg_min = INFINITY;
        svm_shuffle(rng, index, active);
        for (size_t s = 0; s < active; s++) {
            size_t i = index[s];
            const double *x = KILN_MAT_ROW(job->Xa, i);
            double yi = pb->y[i];
            double G = yi * cblas_ddot((int)D, pb->w, 1, x, 1) - 1 + diag[i] * alpha[i], PG = 0;
            if (alpha[i] == 0) {
                if (G > pg_max_old) { /* stays at 0: shrink */
                    index[s--] = index[--active];
                    index[active] = i;
                    continue;
                }
                PG = G < 0 ? G : 0;
            } else if (alpha[i] == ub[i]) {
                if (G < pg_min_old) { /* stays at the upper bound: shrink */
                    index[s--] = index[--active];
                    index[active] = i;
                    continue;
                }
                PG = G > 0 ? G : 0;
            } else {
                PG = G;
            }
            pg_max = fmax(pg_max, PG);
            pg_min = fmin(pg_min, PG);
            if (fabs(PG) > 1e-12) {
                double old = alpha[i];
                alpha[i] = fmin(fmax(alpha[i] - G / QD[i], 0.0), ub[i]);
                cblas_daxpy((int)D, (alpha[i] - old) * yi, x, 1, pb->w, 1);
            }
        }
        pb->iter++;
        if (pg_max - pg_min <= job->tol || active == 0) {
            if (active == total)
                break;
            active = total; /* verify on every row before stopping */
            pg_max_old = INFINITY;
            pg_min_old = -INFINITY;
            continue;
        }
        pg_max_old = pg_max <= 0 ? INFINITY : pg_max;
        pg_min_old = pg_min >= 0 ? -INFINITY : pg_min;
    }
    pb->converged = pb->iter < job->max_iter;
done:
    free(alpha);
    free(QD);
    free(diag);
    free(ub);
    free(index);
    return st;
}

/* Primal Newton workspace: z = X w, and per-row values of the active set. */
typedef struct svm_newton {
    double *z, *u, *dcoef, *xs, *g, *s, *r, *zc, *d, *Hd, *M;
} svm_newton;

/* f(w) from z = X w: 1/2 w.w + sum C_i max(0, 1 - y_i z_i)^2. */
static double svm_primal_value(const svm_problem *pb, const double *z, double ww)
{
    double f = 0.5 * ww;
    for (size_t i = 0; i < pb->job->n; i++) {
        double m = 1 - pb->y[i] * z[i];
        if (m > 0)
            f += pb->Ci[i] * m * m;
    }
    return f;
}

/* g = w + X'u with u_i = 2 C_i y_i (y_i z_i - 1) on the active rows; dcoef_i = 2 C_i
 * there (0 elsewhere) defines H = I + X' diag(dcoef) X, and M = diag(H). */
static void svm_primal_grad(const svm_problem *pb, svm_newton *nw)
{
    const svm_job *job = pb->job;
    size_t n = job->n, D = job->D;
    for (size_t i = 0; i < n; i++) {
        double m = 1 - pb->y[i] * nw->z[i];
        nw->dcoef[i] = m > 0 ? 2 * pb->Ci[i] : 0;
        nw->u[i] = m > 0 ? -2 * pb->Ci[i] * pb->y[i] * m : 0;
    }
    memcpy(nw->g, pb->w, D * sizeof *nw->g);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)D, 1.0, job->Xa->data, (int)job->Xa->stride, nw->u, 1, 1.0,
                nw->g, 1);
    for (size_t j = 0; j < D; j++)
        nw->M[j] = 1;
    for (size_t i = 0; i < n; i++) {
        if (nw->dcoef[i] == 0)
            continue;
        const double *x = KILN_MAT_ROW(job->Xa, i);
        for (size_t j = 0; j < D; j++)
            nw->M[j] += nw->dcoef[i] * x[j] * x[j];
    }
}

/* out = H v = v + X' diag(dcoef) X v, two dgemv; xs is scratch of length n. */
static void svm_primal_hv(const svm_problem *pb, svm_newton *nw, const double *v, double *out)
{
    const svm_job *job = pb->job;
    size_t n = job->n, D = job->D;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)D, 1.0, job->Xa->data, (int)job->Xa->stride, v, 1, 0.0,
                nw->xs, 1);
    for (size_t i = 0; i < n; i++)
        nw->xs[i] *= nw->dcoef[i];
    memcpy(out, v, D * sizeof *out);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)D, 1.0, job->Xa->data, (int)job->Xa->stride, nw->xs, 1, 1.0,
                out, 1);
}

/* Preconditioned CG for H s = -g, stopped when |r| <= 0.1 |g| (liblinear's eps_cg). */
static void svm_primal_cg(const svm_problem *pb, svm_newton *nw)
{
    size_t D = pb->job->D;
    double gnorm = cblas_dnrm2((int)D, nw->g, 1), rz = 0;
    for (size_t j = 0; j < D; j++) {
        nw->s[j] = 0;
        nw->r[j] = -nw->g[j];
        nw->zc[j] = nw->r[j] / nw->M[j];
        nw->d[j] = nw->zc[j];
        rz += nw->r[j] * nw->zc[j];
    }
    for (size_t it = 0; it < 2 * D + 10; it++) {
        if (cblas_dnrm2((int)D, nw->r, 1) <= 0.1 * gnorm)
            break;
        svm_primal_hv(pb, nw, nw->d, nw->Hd);
        double a = rz / cblas_ddot((int)D, nw->d, 1, nw->Hd, 1);
        cblas_daxpy((int)D, a, nw->d, 1, nw->s, 1);
        cblas_daxpy((int)D, -a, nw->Hd, 1, nw->r, 1);
        double rz_new = 0;
        for (size_t j = 0; j < D; j++) {
            nw->zc[j] = nw->r[j] / nw->M[j];
            rz_new += nw->r[j] * nw->zc[j];
        }
        double b = rz_new / rz;
        rz = rz_new;
        for (size_t j = 0; j < D; j++)
            nw->d[j] = nw->zc[j] + b * nw->d[j];
    }
}

/* Armijo backtracking along s: f(w + t s) <= f(w) + 0.01 t g.s, halving t. Updates
 * w and z; returns 0 when no step decreases f (the solver is at machine precision). */
static int svm_primal_step(svm_problem *pb, svm_newton *nw, double *f)
{
    const svm_job *job = pb->job;
    size_t n = job->n, D = job->D;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)D, 1.0, job->Xa->data, (int)job->Xa->stride, nw->s, 1, 0.0,
                nw->xs, 1);
    double gs = cblas_ddot((int)D, nw->g, 1, nw->s, 1), ww = cblas_ddot((int)D, pb->w, 1, pb->w, 1);
    double ws = cblas_ddot((int)D, pb->w, 1, nw->s, 1), ss = cblas_ddot((int)D, nw->s, 1, nw->s, 1);
    for (double t = 1; t > 1e-10; t *= 0.5) {
        double fn = 0.5 * (ww + 2 * t * ws + t * t * ss);
        for (size_t i = 0; i < n; i++) {
            double m = 1 - pb->y[i] * (nw->z[i] + t * nw->xs[i]);
            if (m > 0)
                fn += pb->Ci[i] * m * m;
        }
        if (fn - *f <= 0.01 * t * gs) {
            cblas_daxpy((int)D, t, nw->s, 1, pb->w, 1);
            cblas_daxpy((int)n, t, nw->xs, 1, nw->z, 1);
            *f = fn;
            return 1;
        }
    }
    return 0;
}

/* Newton's method with line search for the L2-penalty squared-hinge primal. */
static kiln_status svm_primal_newton(svm_problem *pb)
{
    const svm_job *job = pb->job;
    size_t n = job->n, D = job->D;
    svm_newton nw;
    double *block = kiln_alloc(4 * n + 7 * D, sizeof *block);
    if (!block)
        return KILN_NOMEM();
    nw.z = block;
    nw.u = nw.z + n;
    nw.dcoef = nw.u + n;
    nw.xs = nw.dcoef + n;
    nw.g = nw.xs + n;
    nw.s = nw.g + D;
    nw.r = nw.s + D;
    nw.zc = nw.r + D;
    nw.d = nw.zc + D;
    nw.Hd = nw.d + D;
    nw.M = nw.Hd + D;
    kiln_status st = KILN_OK;
    double f = svm_primal_value(pb, nw.z, 0.0);
    svm_primal_grad(pb, &nw);
    double gnorm0 = cblas_dnrm2((int)D, nw.g, 1);
    pb->iter = 0;
    pb->converged = 0;
    while (pb->iter < job->max_iter) {
        if (cblas_dnrm2((int)D, nw.g, 1) <= pb->eps * gnorm0) {
            pb->converged = 1;
            break;
        }
        if (svm_cancelled(job)) {
            st = KILN_ERROR(KILN_ECANCEL, "svm: interrupted");
            break;
        }
        svm_primal_cg(pb, &nw);
        pb->iter++;
        if (!svm_primal_step(pb, &nw, &f)) {
            pb->converged = 1; /* no decrease left at double precision */
            break;
        }
        svm_primal_grad(pb, &nw);
    }
    if (!pb->converged && cblas_dnrm2((int)D, nw.g, 1) <= pb->eps * gnorm0)
        pb->converged = 1;
    free(block);
    return st;
}

/* b_i = 1 - y_i w.x_i for every row, from scratch (after a failed line search). */
static void svm_l1_margins(const svm_problem *pb, double *b)
{
    const svm_job *job = pb->job;
    for (size_t i = 0; i < job->n; i++)
        b[i] = 1;
    for (size_t j = 0; j < job->D; j++) {
        if (pb->w[j] == 0)
            continue;
        const double *col = job->Xt + j * job->n;
        for (size_t i = 0; i < job->n; i++)
            b[i] -= pb->w[j] * pb->y[i] * col[i];
    }
}

/* Move b along coordinate j by step delta; returns the squared-hinge loss after. */
static double svm_l1_shift(const svm_problem *pb, const double *col, double *b, double delta)
{
    double loss = 0;
    for (size_t i = 0; i < pb->job->n; i++) {
        b[i] += delta * pb->y[i] * col[i];
        if (b[i] > 0)
            loss += pb->Ci[i] * b[i] * b[i];
    }
    return loss;
}

/* One coordinate of the L1 solver: a Newton direction for the 1-D problem and a
 * line search on the sufficient-decrease condition (Yuan et al. 2010, sec. 4.1.2). */
static void svm_l1_coordinate(svm_problem *pb, size_t j, double G_loss, double G, double H, double xj_sq,
                              double *b)
{
    const svm_job *job = pb->job;
    const double *col = job->Xt + j * job->n;
    double wj = pb->w[j], Gp = G + 1, Gn = G - 1, d;
    if (Gp < H * wj)
        d = -Gp / H;
    else if (Gn > H * wj)
        d = -Gn / H;
    else
        d = -wj;
    if (fabs(d) < 1e-12)
        return;
    double delta = fabs(wj + d) - fabs(wj) + G * d, d_old = 0, loss_old = 0;
    int ls;
    for (ls = 0; ls < 20; ls++) {
        double cond = fabs(wj + d) - fabs(wj) - 0.01 * delta;
        if (xj_sq * d * d + G_loss * d + cond <= 0) { /* the quadratic bound already suffices */
            svm_l1_shift(pb, col, b, -(d - d_old));
            break;
        }
        if (ls == 0)
            for (size_t i = 0; i < job->n; i++)
                if (b[i] > 0)
                    loss_old += pb->Ci[i] * b[i] * b[i];
        double loss_new = svm_l1_shift(pb, col, b, -(d - d_old));
        if (cond + loss_new - loss_old <= 0)
            break;
        d_old = d;
        d *= 0.5;
        delta *= 0.5;
    }
    pb->w[j] += d;
    if (ls == 20)
        svm_l1_margins(pb, b);
}

/* Primal coordinate descent for L1 penalty, squared hinge (liblinear solve_l1r_l2_svc). */
static kiln_status svm_l1_cd(svm_problem *pb, kiln_rng *rng)
{
    const svm_job *job = pb->job;
    size_t n = job->n, D = job->D, active = D;
    double *b = kiln_alloc(n, sizeof *b), *xj_sq = kiln_alloc(D, sizeof *xj_sq);
    size_t *index = kiln_alloc(D, sizeof *index);
    kiln_status st = KILN_OK;
    if (!b || !xj_sq || !index) {
        st = KILN_NOMEM();
        goto done;
    }
    for (size_t j = 0; j < D; j++) {
        const double *col = job->Xt + j * n;
        index[j] = j;
        for (size_t i = 0; i < n; i++)
            xj_sq[j] += pb->Ci[i] * col[i] * col[i];
    }
    svm_l1_margins(pb, b);
    double gmax_old = INFINITY, gnorm1_init = -1;
    pb->iter = 0;
    while (pb->iter < job->max_iter) {
        if (svm_cancelled(job)) {
            st = KILN_ERROR(KILN_ECANCEL, "svm: interrupted");
            goto done;
        }
        double gmax = 0, gnorm1 = 0;
        svm_shuffle(rng, index, active);
        for (size_t s = 0; s < active; s++) {
            size_t j = index[s];
            const double *col = job->Xt + j * n;
            double G_loss = 0, H = 0;
            for (size_t i = 0; i < n; i++) {
                if (b[i] <= 0)
                    continue;
                double v = pb->y[i] * col[i], c = pb->Ci[i] * v;
                G_loss -= c * b[i];
                H += c * v;
            }
            G_loss *= 2;
            H = fmax(2 * H, 1e-12);
            double G = G_loss, Gp = G + 1, Gn = G - 1, violation = 0;
            if (pb->w[j] == 0) {
                if (Gp < 0)
                    violation = -Gp;
                else if (Gn > 0)
                    violation = Gn;
                else if (Gp > gmax_old / (double)n && Gn < -gmax_old / (double)n) { /* shrink */
                    index[s--] = index[--active];
                    index[active] = j;
                    continue;
                }
            } else {
                violation = pb->w[j] > 0 ? fabs(Gp) : fabs(Gn);
            }
            gmax = fmax(gmax, violation);
            gnorm1 += violation;
            svm_l1_coordinate(pb, j, G_loss, G, H, xj_sq[j], b);
        }
        if (pb->iter == 0)
            gnorm1_init = gnorm1;
        pb->iter++;
        if (gnorm1 <= pb->eps * gnorm1_init) {
            if (active == D)
                break;
            active = D;
            gmax_old = INFINITY;
            continue;
        }
        gmax_old = gmax;
    }
    pb->converged = pb->iter < job->max_iter;
done:
    free(b);
    free(xj_sq);
    free(index);
    return st;
}

/* Labels and costs of problem r: class `cls` against the rest. */
static void svm_problem_rows(const svm_job *job, size_t cls, svm_problem *pb)
{
    const kiln_dataset *tr = job->train;
    size_t k = tr->n_classes, pos = 0;
    for (size_t i = 0; i < job->n; i++) {
        size_t c = (size_t)tr->y[i];
        double rest = k == 2 ? job->cw[0] : 1.0;
        pb->y[i] = c == cls ? 1.0 : -1.0;
        pb->Ci[i] = job->C * (tr->w ? tr->w[i] : 1.0) * (c == cls ? job->cw[cls] : rest);
        pos += c == cls;
    }
    size_t fewer = pos < job->n - pos ? pos : job->n - pos;
    pb->eps = job->tol * (double)(fewer > 1 ? fewer : 1) / (double)job->n;
}

static kiln_status svm_fit_one(void *arg, size_t r)
{
    const svm_job *job = arg;
    kiln_linmodel *m = job->model;
    size_t d = m->d, cls = m->n_classes == 2 ? 1 : r;
    svm_problem pb = {.job = job};
    pb.y = kiln_alloc(2 * job->n + job->D, sizeof *pb.y);
    if (!pb.y)
        return KILN_NOMEM();
    pb.Ci = pb.y + job->n;
    pb.w = pb.Ci + job->n;
    svm_problem_rows(job, cls, &pb);
    kiln_rng rng;
    kiln_rng_stream(&rng, job->ctx->seed, r);
    kiln_status st;
    if (job->penalty == SVM_PENALTY_L1)
        st = svm_l1_cd(&pb, &rng);
    else if (job->use_dual)
        st = svm_dual_cd(&pb, &rng);
    else
        st = svm_primal_newton(&pb);
    if (st == KILN_OK) {
        memcpy(m->coef + r * d, pb.w, d * sizeof *pb.w);
        m->intercept[r] = job->D > d ? job->scaling * pb.w[d] : 0.0;
        m->n_iter[r] = pb.iter;
        job->converged[r] = pb.converged;
    }
    free(pb.y);
    return st;
}

/* X with the bias feature (value intercept_scaling) appended when fitting an intercept. */
static kiln_mat *svm_augment(const kiln_mat *X, int fit_intercept, double scaling)
{
    kiln_mat *Xa = kiln_mat_new(X->rows, X->cols + (fit_intercept ? 1 : 0));
    if (!Xa)
        return NULL;
    for (size_t i = 0; i < X->rows; i++) {
        memcpy(KILN_MAT_ROW(Xa, i), KILN_MAT_ROW(X, i), X->cols * sizeof(double));
        if (fit_intercept)
            KILN_MAT_AT(Xa, i, X->cols) = scaling;
    }
    return Xa;
}

static double *svm_transpose(const kiln_mat *Xa)
{
    double *t = kiln_alloc(Xa->rows * Xa->cols + 1, sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < Xa->rows; i++)
        for (size_t j = 0; j < Xa->cols; j++)
            t[j * Xa->rows + i] = KILN_MAT_AT(Xa, i, j);
    return t;
}

static kiln_status svm_run(svm_job *job, kiln_linmodel *m)
{
    size_t k = job->train->n_classes;
    job->converged = kiln_alloc(m->rows, sizeof *job->converged);
    double *cw = kiln_alloc(k, sizeof *cw);
    if (!job->converged || !cw) {
        free(job->converged);
        free(cw);
        return KILN_NOMEM();
    }
    kiln_status st = kiln_class_weights(kiln_params_text(&m->params, "class_weight"), job->train->y, job->n, k, cw);
    job->cw = cw;
    if (st == KILN_OK)
        st = kiln_parallel_for(m->rows, job->ctx->threads, svm_fit_one, job);
    for (size_t r = 0; st == KILN_OK && r < m->rows; r++)
        m->converged &= job->converged[r];
    kiln_linmodel_finish(m);
    free(job->converged);
    free(cw);
    return st;
}

static kiln_status svm_fit(void **model, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx)
{
    KILN_TRY(svm_check(p, train));
    size_t n = train->X.rows, d = train->X.cols;
    int fit_intercept = (int)kiln_params_num(p, "fit_intercept");
    svm_job job = {.train = train, .n = n, .ctx = ctx};
    job.loss = (int)kiln_params_num(p, "loss");
    job.penalty = (int)kiln_params_num(p, "penalty");
    job.max_iter = (int)kiln_params_num(p, "max_iter");
    job.C = kiln_params_num(p, "C");
    job.tol = kiln_params_num(p, "tol");
    job.scaling = kiln_params_num(p, "intercept_scaling");
    int dual = (int)kiln_params_num(p, "dual");
    job.use_dual = dual == SVM_DUAL_TRUE || (dual == SVM_DUAL_AUTO && (n <= d || job.loss == SVM_LOSS_HINGE));
    kiln_mat *Xa = svm_augment(&train->X, fit_intercept, job.scaling);
    kiln_linmodel *m = kiln_linmodel_new("svm", d, train->n_classes, p);
    if (Xa && job.penalty == SVM_PENALTY_L1)
        job.Xt = svm_transpose(Xa);
    kiln_status st = KILN_OK;
    if (!Xa || !m || (job.penalty == SVM_PENALTY_L1 && !job.Xt))
        st = KILN_NOMEM();
    if (st == KILN_OK) {
        job.Xa = Xa;
        job.D = Xa->cols;
        job.model = m;
        st = svm_run(&job, m);
    }
    free(job.Xt);
    kiln_mat_free(Xa);
    if (st != KILN_OK) {
        kiln_linmodel_free(m);
        return st;
    }
    *model = m;
    return KILN_OK;
}

static kiln_status svm_load(void **model, kiln_reader *r)
{
    return kiln_linmodel_load(model, r, "svm", svm_params);
}

const kiln_algo kiln_algo_svm = {
    .id = "svm",
    .name = "SVM - Linear Kernel",
    .tasks = KILN_TASK_CLASSIFY,
    .flags = KILN_ALGO_SCALE,
    .params = svm_params,
    .check = svm_check,
    .fit = svm_fit,
    .predict = kiln_linmodel_predict,
    .save = kiln_linmodel_save,
    .load = svm_load,
    .inspect = kiln_linmodel_inspect,
    .importance = kiln_linmodel_importance,
    .warning = kiln_linmodel_warning,
    .free = kiln_linmodel_free,
};
