/* kiln/metrics.h — PyCaret's metrics, defined as scikit-learn defines them.
 *
 * Classification takes class indices and the n x k score matrix of
 * kiln/algo.h. Binary Recall/Prec./F1 are for the positive class (index 1);
 * multiclass ones are support-weighted averages. AUC is binary, or one-vs-rest
 * weighted by support for multiclass; it works on probabilities or decision
 * scores alike. LogLoss needs probabilities (NaN otherwise); probabilities are
 * clipped to [1e-15, 1 - 1e-15]. Kappa is Cohen's, MCC the multiclass form.
 *
 * Regression: MAE, MSE, RMSE, R2, RMSLE (NaN if any value is -1 or below), MAPE
 * as a fraction with rows where y = 0 left out.
 */
#ifndef KILN_METRICS_H
#define KILN_METRICS_H

#include <stddef.h>
#include "kiln/dataset.h"
#include "kiln/mat.h"

typedef struct kiln_metrics {
    kiln_task task;
    double accuracy, auc, recall, precision, f1, kappa, mcc, logloss;
    double mae, mse, rmse, r2, rmsle, mape;
} kiln_metrics;

/* Predicted class of each row: the argmax of its scores, lowest index on ties. */
size_t kiln_argmax_row(const double *scores, size_t k);

kiln_status kiln_metrics_classify(const double *y, const kiln_mat *scores, int proba, kiln_metrics *out);
/* scikit-learn's classification_report: precision, recall, F1 and support
 * (rows whose true class it is) of each of the k = scores->cols classes, 0
 * where a ratio is 0/0. Each output array holds k values. */
kiln_status kiln_metrics_per_class(const double *y, const kiln_mat *scores, double *precision, double *recall,
                                   double *f1, double *support);
kiln_status kiln_metrics_regress(const double *y, const double *pred, size_t n, kiln_metrics *out);

/* The metric names of a task, PyCaret's spelling, in table order. */
size_t kiln_metric_names(kiln_task task, const char *const **names);
/* Value of a metric by name; KILN_EINPUT if the task has no such metric. */
kiln_status kiln_metric_get(const kiln_metrics *m, const char *name, double *value);
/* 1 if larger is better (Accuracy, R2), 0 for errors (MAE, LogLoss). */
int kiln_metric_higher_better(const char *name);

#endif
