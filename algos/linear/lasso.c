/* lasso, en — the lasso and the elastic net by cyclic coordinate descent.
 *
 * Objective (scikit-learn's Lasso / ElasticNet; rho = l1_ratio, rho = 1 for lasso):
 *
 *   min_{w,b}  1/(2n) sum_i s_i (y_i - x_i.w - b)^2 + alpha rho |w|_1
 *              + alpha (1 - rho)/2 |w|^2
 *
 * with row weights s_i rescaled to sum to n. The intercept is handled by centring
 * X and y on their weighted means and scaling row i by sqrt(s_i). Multiplying by
 * n, with l1 = alpha rho n and l2 = alpha (1 - rho) n, one coordinate update with
 * residual R = y - X w is (Friedman, Hastie & Tibshirani 2010, JSS 33(1), eq. 5):
 *
 *   w_j <- S(x_j.R + |x_j|^2 w_j, l1) / (|x_j|^2 + l2),  S(z, g) = sign(z) max(|z| - g, 0).
 *
 * Stopping rule (scikit-learn's cd_fast.enet_coordinate_descent): after a pass in
 * which max |dw_j| / max |w_j| < tol (or on the last allowed pass), compute the
 * duality gap with the dual point nu = R * min(1, l1 / |X'R - l2 w|_inf):
 *   gap = 1/2 (|R|^2 + |nu|^2) + l1 |w|_1 - nu.y + l2/2 (1 + c^2) |w|^2
 * (c the scaling of nu) and stop when gap < tol * |y|^2.
 * selection=random visits the coordinates in a random order drawn from kiln_rng.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "algos/linear/linear_impl.h"
#include "kiln/util.h"

#define CD_COMMON_PARAMS                                                                                       \
    {"max_iter", KILN_PARAM_INT, "1000", 1, 1e9, 0, NULL, NULL, "maximum passes over the coordinates"},        \
        {"tol", KILN_PARAM_REAL, "1e-4", 0, 1, 1, NULL, NULL, "tolerance of the duality-gap stopping rule"},  \
        {"fit_intercept", KILN_PARAM_BOOL, "true", 0, 1, 0, NULL, NULL, "learn an unpenalised intercept"},    \
        {"selection", KILN_PARAM_CHOICE, "cyclic", 0, 0, 0, "cyclic|random", NULL,                            \
         "coordinate order: in turn, or a random coordinate each step"},                                       \
    {                                                                                                          \
        NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL                                                               \
    }

static const kiln_param_spec lasso_params[] = {
    {"alpha", KILN_PARAM_REAL, "1.0", 0, 1e12, 0, NULL, "0.001,0.01,0.1,1,10", "penalty strength (>= 0)"},
    CD_COMMON_PARAMS,
};

static const kiln_param_spec en_params[] = {
    {"alpha", KILN_PARAM_REAL, "1.0", 0, 1e12, 0, NULL, "0.001,0.01,0.1,1,10", "penalty strength (>= 0)"},
    {"l1_ratio", KILN_PARAM_REAL, "0.5", 0, 1, 0, NULL, "0.1,0.5,0.9", "share of the L1 penalty, in [0, 1]"},
    CD_COMMON_PARAMS,
};

static kiln_status cd_check(const kiln_params *p, const kiln_dataset *train)
{
    (void)p;
    if (train && train->task != KILN_TASK_REGRESS)
        return KILN_ERROR(KILN_EINPUT, "lasso/en: regression only");
    return KILN_OK;
}

/* The problem on centred, scaled columns. */
typedef struct cd_problem {
    const double *Xt;    /* d x n, column j contiguous */
    const double *y;     /* n, centred and scaled      */
    double *R;           /* residual y - X w           */
    double *w, *norm2;   /* d each                     */
    size_t n, d;
    double l1, l2, tol;
    int max_iter, random;
} cd_problem;

/* The duality gap at w (see the top of this file). */
static double cd_gap(const cd_problem *pb)
{
    double dual_norm = 0, w_l1 = 0, w2 = 0;
    for (size_t j = 0; j < pb->d; j++) {
        double xr = cblas_ddot((int)pb->n, pb->Xt + j * pb->n, 1, pb->R, 1) - pb->l2 * pb->w[j];
        dual_norm = fmax(dual_norm, fabs(xr));
        w_l1 += fabs(pb->w[j]);
        w2 += pb->w[j] * pb->w[j];
    }
    double R2 = cblas_ddot((int)pb->n, pb->R, 1, pb->R, 1), c = 1, gap = R2;
    if (dual_norm > pb->l1) {
        c = pb->l1 / dual_norm;
        gap = 0.5 * (R2 + R2 * c * c);
    }
    return gap + pb->l1 * w_l1 - c * cblas_ddot((int)pb->n, pb->R, 1, pb->y, 1) + 0.5 * pb->l2 * (1 + c * c) * w2;
}

/* One coordinate update; returns |dw_j|. */
static double cd_update(cd_problem *pb, size_t j)
{
    if (pb->norm2[j] == 0)
        return 0;
    const double *x = pb->Xt + j * pb->n;
    double old = pb->w[j];
    double z = cblas_ddot((int)pb->n, x, 1, pb->R, 1) + pb->norm2[j] * old;
    double w = kiln_linear_cd_step(z, pb->l1, pb->norm2[j] + pb->l2);
    if (w != old)
        cblas_daxpy((int)pb->n, old - w, x, 1, pb->R, 1);
    pb->w[j] = w;
    return fabs(w - old);
}

/* Passes until the duality gap is small; returns the passes made and sets *converged. */
static int cd_solve(cd_problem *pb, kiln_rng *rng, int *converged)
{
    double gap_tol = pb->tol * cblas_ddot((int)pb->n, pb->y, 1, pb->y, 1);
    *converged = 0;
    for (int it = 0; it < pb->max_iter; it++) {
        double w_max = 0, dw_max = 0;
        for (size_t s = 0; s < pb->d; s++) {
            size_t j = pb->random ? kiln_rng_below(rng, pb->d) : s;
            dw_max = fmax(dw_max, cd_update(pb, j));
            w_max = fmax(w_max, fabs(pb->w[j]));
        }
        if (w_max == 0 || dw_max / w_max < pb->tol || it == pb->max_iter - 1) {
            if (cd_gap(pb) < gap_tol) {
                *converged = 1;
                return it + 1;
            }
        }
    }
    return pb->max_iter;
}

/* The centred columns, their squared norms and the centred target. */
static kiln_status cd_prepare(cd_problem *pb, const kiln_dataset *tr, int fit_intercept, double *xmean,
                              double *ymean, double **block)
{
    size_t n = tr->X.rows, d = tr->X.cols;
    double *sw = kiln_linear_row_weights(tr->w, n, 1);
    kiln_mat *Xc = sw ? kiln_linear_center_x(&tr->X, sw, fit_intercept, xmean) : NULL;
    double *b = kiln_alloc(d * n + 2 * n + 2 * d + 1, sizeof *b);
    if (!sw || !Xc || !b) {
        free(sw);
        kiln_mat_free(Xc);
        free(b);
        return KILN_NOMEM();
    }
    double *Xt = b, *y = Xt + d * n, *R = y + n;
    pb->w = R + n;
    pb->norm2 = pb->w + d;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            Xt[j * n + i] = KILN_MAT_AT(Xc, i, j);
    for (size_t j = 0; j < d; j++)
        pb->norm2[j] = cblas_ddot((int)n, Xt + j * n, 1, Xt + j * n, 1);
    *ymean = kiln_linear_center_y(tr->y, 1, n, sw, fit_intercept, y, 1);
    memcpy(R, y, n * sizeof *R);
    pb->Xt = Xt;
    pb->y = y;
    pb->R = R;
    pb->n = n;
    pb->d = d;
    free(sw);
    kiln_mat_free(Xc);
    *block = b;
    return KILN_OK;
}

static kiln_status cd_fit(void **model, const char *id, const kiln_params *p, double l1_ratio,
                          const kiln_dataset *train, const kiln_ctx *ctx)
{
    KILN_TRY(cd_check(p, train));
    size_t n = train->X.rows, d = train->X.cols;
    int fit_intercept = (int)kiln_params_num(p, "fit_intercept");
    double alpha = kiln_params_num(p, "alpha"), ymean = 0, *block = NULL;
    kiln_linmodel *m = kiln_linmodel_new(id, d, 0, p);
    double *xmean = kiln_alloc(d + 1, sizeof *xmean);
    cd_problem pb = {0};
    kiln_status st = m && xmean ? cd_prepare(&pb, train, fit_intercept, xmean, &ymean, &block) : KILN_NOMEM();
    if (st == KILN_OK) {
        pb.l1 = alpha * l1_ratio * (double)n;
        pb.l2 = alpha * (1 - l1_ratio) * (double)n;
        pb.tol = kiln_params_num(p, "tol");
        pb.max_iter = (int)kiln_params_num(p, "max_iter");
        pb.random = (int)kiln_params_num(p, "selection") == 1;
        kiln_rng rng;
        kiln_rng_seed(&rng, ctx->seed);
        m->n_iter[0] = cd_solve(&pb, &rng, &m->converged);
        memcpy(m->coef, pb.w, d * sizeof *pb.w);
        m->intercept[0] = ymean - cblas_ddot((int)d, xmean, 1, pb.w, 1);
        kiln_linmodel_finish(m);
    }
    free(block);
    free(xmean);
    if (st != KILN_OK) {
        kiln_linmodel_free(m);
        return st;
    }
    *model = m;
    return KILN_OK;
}

static kiln_status lasso_fit(void **model, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx)
{
    return cd_fit(model, "lasso", p, 1.0, train, ctx);
}

static kiln_status en_fit(void **model, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx)
{
    return cd_fit(model, "en", p, kiln_params_num(p, "l1_ratio"), train, ctx);
}

static kiln_status lasso_load(void **model, kiln_reader *r)
{
    return kiln_linmodel_load(model, r, "lasso", lasso_params);
}

static kiln_status en_load(void **model, kiln_reader *r)
{
    return kiln_linmodel_load(model, r, "en", en_params);
}

const kiln_algo kiln_algo_lasso = {
    .id = "lasso",
    .name = "Lasso Regression",
    .tasks = KILN_TASK_REGRESS,
    .flags = KILN_ALGO_SCALE,
    .params = lasso_params,
    .check = cd_check,
    .fit = lasso_fit,
    .predict = kiln_linmodel_predict,
    .save = kiln_linmodel_save,
    .load = lasso_load,
    .inspect = kiln_linmodel_inspect,
    .importance = kiln_linmodel_importance,
    .warning = kiln_linmodel_warning,
    .free = kiln_linmodel_free,
};

const kiln_algo kiln_algo_en = {
    .id = "en",
    .name = "Elastic Net",
    .tasks = KILN_TASK_REGRESS,
    .flags = KILN_ALGO_SCALE,
    .params = en_params,
    .check = cd_check,
    .fit = en_fit,
    .predict = kiln_linmodel_predict,
    .save = kiln_linmodel_save,
    .load = en_load,
    .inspect = kiln_linmodel_inspect,
    .importance = kiln_linmodel_importance,
    .warning = kiln_linmodel_warning,
    .free = kiln_linmodel_free,
};
