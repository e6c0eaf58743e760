/* linear_impl.h — what the linear estimators (svm, ridge, lasso, en) share: a model
 * f_r(x) = coef_r . x + intercept_r with one row r per decision function, its
 * prediction, model file section, inspection and importances, and the weighted
 * centring of the least-squares fits.
 *
 * Rows: regression 1; binary classification 1 (f > 0 means class 1); multiclass one
 * row per class (one-vs-rest). Private to algos/linear.
 */
#ifndef KILN_LINEAR_IMPL_H
#define KILN_LINEAR_IMPL_H

#include <stdint.h>
#include "kiln/algo.h"

typedef struct kiln_linmodel {
    const char *id;      /* the estimator id (static string), written to the file */
    size_t d;            /* features                                             */
    size_t n_classes;    /* 0 for regression                                     */
    size_t rows;         /* decision functions                                   */
    double *coef;        /* rows x d, row-major                                  */
    double *intercept;   /* rows                                                 */
    int32_t *n_iter;     /* solver iterations per row (0 for closed forms)       */
    int converged;       /* 1 when every row met its stopping rule               */
    kiln_params params;  /* the configuration it was fitted with                 */
    char warning[256];   /* the fit's warning, "" when it converged              */
} kiln_linmodel;

/* The number of decision functions for n_classes (0 = regression). */
size_t kiln_linmodel_rows(size_t n_classes);
/* A zeroed model for d features, converged = 1. */
kiln_linmodel *kiln_linmodel_new(const char *id, size_t d, size_t n_classes, const kiln_params *p);
void kiln_linmodel_free(void *model);
/* Decision scores (classification, see kiln/algo.h) or values (regression). */
kiln_status kiln_linmodel_predict(const void *model, const kiln_mat *X, kiln_mat *out);
kiln_status kiln_linmodel_save(const void *model, kiln_writer *w);
/* Load a model written by kiln_linmodel_save for estimator `id` with table `spec`. */
kiln_status kiln_linmodel_load(void **model, kiln_reader *r, const char *id, const kiln_param_spec *spec);
kiln_status kiln_linmodel_inspect(const void *model, const kiln_inspect_args *args, FILE *out);
/* |coef| summed over rows, normalised to 1 (all zero coefficients: uniform). */
kiln_status kiln_linmodel_importance(const void *model, double *out, size_t d);
/* Write the warning for a solver that stopped at max_iter (after fit and load). */
void kiln_linmodel_finish(kiln_linmodel *m);
/* kiln_algo.warning: the message, or NULL when every solver converged. */
const char *kiln_linmodel_warning(const void *model);

/* A copy of the row weights (all 1 when w is NULL), rescaled to sum to n when
 * `normalise` (as scikit-learn's Lasso/ElasticNet do; Ridge does not); NULL on failure. */
double *kiln_linear_row_weights(const double *w, size_t n, int normalise);
/* The least-squares fits' preprocessing (scikit-learn's _preprocess_data): weighted
 * column means into xmean (zeros without an intercept) and a new copy of X, centred
 * and with row i scaled by sqrt(sw[i]). */
kiln_mat *kiln_linear_center_x(const kiln_mat *X, const double *sw, int fit_intercept, double *xmean);
/* The same for one target vector y (stride ys): returns its weighted mean (0 without
 * an intercept) and writes the centred, scaled values to yc (stride ycs). */
double kiln_linear_center_y(const double *y, size_t ys, size_t n, const double *sw, int fit_intercept,
                            double *yc, size_t ycs);

/* One coordinate-descent minimiser, shared by lasso/en and lr's proximal Newton:
 * argmin_t  a/2 t^2 - z t + l1 |t|  =  S(z, l1) / a,  S(z, g) = sign(z) max(|z| - g, 0). */
double kiln_linear_cd_step(double z, double l1, double a);

#endif
