/* ridge — ridge regression and scikit-learn's RidgeClassifier, in closed form.
 *
 * Objective (row weights s_i, one target column t at a time):
 *
 *   min_{w,b}  sum_i s_i (y_it - x_i.w - b)^2 + alpha |w|^2
 *
 * The intercept is not penalised: centre X and y on their weighted means, scale
 * row i by sqrt(s_i), solve the normal equations
 *
 *   (Xc'Xc + alpha I) w = Xc'yc       (dsyrk, then Cholesky: LAPACKE dposv)
 *
 * and set b = ybar - xbar.w (Hoerl & Kennard 1970; scikit-learn's "cholesky"
 * solver). All target columns share one factorisation.
 * When the system is singular (alpha = 0 with collinear or too few rows) the
 * Cholesky factorisation fails and the fit falls back, documented, to the
 * minimum-norm least-squares solution through the SVD (LAPACKE dgelsd), which is
 * what scikit-learn's lstsq fallback returns.
 *
 * Classification (RidgeClassifier): targets +1 for the class and -1 otherwise,
 * one column for a binary problem (class 1), one per class for more; the
 * decision scores are the fitted values.
 */
#include <cblas.h>
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>
#include "algos/linear/linear_impl.h"
#include "kiln/util.h"

static const kiln_param_spec ridge_params[] = {
    {"alpha", KILN_PARAM_REAL, "1.0", 0, 1e12, 0, NULL, "0.01,0.1,1,10,100", "L2 penalty strength (>= 0)"},
    {"fit_intercept", KILN_PARAM_BOOL, "true", 0, 1, 0, NULL, NULL, "learn an unpenalised intercept"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL},
};

static kiln_status ridge_check(const kiln_params *p, const kiln_dataset *train)
{
    (void)p;
    if (train && train->task == KILN_TASK_CLASSIFY && train->n_classes < 2)
        return KILN_ERROR(KILN_EINPUT, "ridge: the target has %zu class; need at least 2", train->n_classes);
    return KILN_OK;
}

/* The n x t targets: the values, or +-1 per one-vs-rest column. */
static double *ridge_targets(const kiln_dataset *tr, size_t t)
{
    size_t n = tr->X.rows;
    double *Y = kiln_alloc(n * t + 1, sizeof *Y);
    if (!Y)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (tr->task == KILN_TASK_REGRESS) {
            Y[i] = tr->y[i];
            continue;
        }
        size_t c = (size_t)tr->y[i];
        for (size_t r = 0; r < t; r++)
            Y[i * t + r] = c == (t == 1 ? 1 : r) ? 1.0 : -1.0;
    }
    return Y;
}

/* Minimum-norm least squares of Xc B = Yc (n x d, n x t) into B (d x t). */
static kiln_status ridge_lstsq(const kiln_mat *Xc, const double *Yc, size_t t, double *B)
{
    size_t n = Xc->rows, d = Xc->cols, m = n > d ? n : d;
    double *A = kiln_alloc(n * d + 1, sizeof *A), *Bx = kiln_alloc(m * t, sizeof *Bx);
    double *sv = kiln_alloc(m, sizeof *sv);
    kiln_status st = KILN_OK;
    if (!A || !Bx || !sv) {
        st = KILN_NOMEM();
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(A + i * d, KILN_MAT_ROW(Xc, i), d * sizeof *A);
    memcpy(Bx, Yc, n * t * sizeof *Bx);
    lapack_int rank;
    lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)d, (lapack_int)t, A,
                                     (lapack_int)d, Bx, (lapack_int)t, sv, -1.0, &rank);
    if (info != 0)
        st = KILN_ERROR(KILN_EINTERNAL, "ridge: the least-squares SVD did not converge (info %d)", (int)info);
    else
        memcpy(B, Bx, d * t * sizeof *B);
done:
    free(A);
    free(Bx);
    free(sv);
    return st;
}

/* Solve (Xc'Xc + alpha I) B = Xc'Yc by Cholesky, or by lstsq when that is singular. */
static kiln_status ridge_solve(const kiln_mat *Xc, const double *Yc, size_t t, double alpha, double *B)
{
    size_t n = Xc->rows, d = Xc->cols;
    double *A = kiln_alloc(d * d, sizeof *A);
    if (!A)
        return KILN_NOMEM();
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0, Xc->data, (int)Xc->stride, 0.0, A,
                (int)d);
    for (size_t j = 0; j < d; j++)
        A[j * d + j] += alpha;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)t, (int)n, 1.0, Xc->data, (int)Xc->stride, Yc,
                (int)t, 0.0, B, (int)t);
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)d, (lapack_int)t, A, (lapack_int)d, B,
                                    (lapack_int)t);
    free(A);
    if (info > 0)
        return ridge_lstsq(Xc, Yc, t, B);
    if (info < 0)
        return KILN_ERROR(KILN_EINTERNAL, "ridge: dposv argument %d is invalid", (int)-info);
    return KILN_OK;
}

/* Centre, solve, and write coefficients and intercepts into m. */
static kiln_status ridge_fit_model(kiln_linmodel *m, const kiln_dataset *tr, double alpha, int fit_intercept)
{
    size_t n = tr->X.rows, d = m->d, t = m->rows;
    double *sw = kiln_linear_row_weights(tr->w, n, 0), *Y = ridge_targets(tr, t);
    double *Yc = kiln_alloc(n * t + 1, sizeof *Yc), *ymean = kiln_alloc(t, sizeof *ymean);
    double *xmean = kiln_alloc(d + 1, sizeof *xmean), *B = kiln_alloc(d * t + 1, sizeof *B);
    kiln_mat *Xc = NULL;
    kiln_status st = KILN_OK;
    if (!sw || !Y || !Yc || !ymean || !xmean || !B || !(Xc = kiln_linear_center_x(&tr->X, sw, fit_intercept, xmean))) {
        st = KILN_NOMEM();
        goto done;
    }
    for (size_t r = 0; r < t; r++)
        ymean[r] = kiln_linear_center_y(Y + r, t, n, sw, fit_intercept, Yc + r, t);
    st = d > 0 ? ridge_solve(Xc, Yc, t, alpha, B) : KILN_OK;
    for (size_t r = 0; st == KILN_OK && r < t; r++) {
        m->intercept[r] = ymean[r];
        for (size_t j = 0; j < d; j++) {
            m->coef[r * d + j] = B[j * t + r];
            m->intercept[r] -= xmean[j] * B[j * t + r];
        }
    }
done:
    free(sw);
    free(Y);
    free(Yc);
    free(ymean);
    free(xmean);
    free(B);
    kiln_mat_free(Xc);
    return st;
}

static kiln_status ridge_fit(void **model, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx)
{
    (void)ctx;
    KILN_TRY(ridge_check(p, train));
    size_t k = train->task == KILN_TASK_CLASSIFY ? train->n_classes : 0;
    kiln_linmodel *m = kiln_linmodel_new("ridge", train->X.cols, k, p);
    if (!m)
        return KILN_NOMEM();
    kiln_status st = ridge_fit_model(m, train, kiln_params_num(p, "alpha"), (int)kiln_params_num(p, "fit_intercept"));
    if (st != KILN_OK) {
        kiln_linmodel_free(m);
        return st;
    }
    *model = m;
    return KILN_OK;
}

static kiln_status ridge_load(void **model, kiln_reader *r)
{
    return kiln_linmodel_load(model, r, "ridge", ridge_params);
}

const kiln_algo kiln_algo_ridge = {
    .id = "ridge",
    .name = "Ridge Classifier",
    .name_regress = "Ridge Regression",
    .tasks = KILN_TASK_CLASSIFY | KILN_TASK_REGRESS,
    .flags = KILN_ALGO_SCALE,
    .params = ridge_params,
    .check = ridge_check,
    .fit = ridge_fit,
    .predict = kiln_linmodel_predict,
    .save = kiln_linmodel_save,
    .load = ridge_load,
    .inspect = kiln_linmodel_inspect,
    .importance = kiln_linmodel_importance,
    .free = kiln_linmodel_free,
};
