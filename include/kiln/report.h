/* kiln/report.h — the self-contained HTML report of a model.
 *
 * Two steps. kiln_report_build (algos/select/report.c) scores a fitted model
 * on labelled held-out rows and computes what the page shows: the metrics,
 * ROC and precision-recall curves (one-vs-rest for multiclass), the confusion
 * matrix, feature importance (the estimator's own when it has one, else
 * permutation importance), a learning curve when training rows are given,
 * and for regression the residuals and predicted-vs-actual points.
 * kiln_report_write (io/report.c) draws it as one HTML file with inline SVG —
 * no scripts, fonts or images from elsewhere — written atomically. A
 * leaderboard (rows of model name + metric columns, e.g. from `kiln compare`)
 * is an input of the writer; without one the page shows the model's metrics.
 *
 *     kiln_report_options o = kiln_report_options_default();
 *     o.train = train_frame;                        // optional: learning curve
 *     kiln_report *r;
 *     if (kiln_report_build(model, test_frame, &o, &r) == KILN_OK) {
 *         kiln_report_write(r, &leaderboard, "report.html");   // or NULL
 *         kiln_report_free(r);
 *     }
 */
#ifndef KILN_REPORT_H
#define KILN_REPORT_H

#include <stdint.h>
#include "kiln/curves.h"
#include "kiln/pipeline.h"

/* Rows of model name + metric values; NaN prints as blank. Nothing is owned. */
typedef struct kiln_report_leaderboard {
    size_t rows, cols;
    const char *const *columns; /* cols metric names ("Accuracy", "TT (Sec)")   */
    const char *const *models;  /* rows model names, best first                 */
    const double *values;       /* rows x cols, row-major                       */
    const char *const *errors;  /* rows: NULL or why that model failed; may be NULL */
} kiln_report_leaderboard;

typedef struct kiln_report_options {
    const char *title;        /* NULL: "kiln report"                          */
    const char *data_name;    /* the held-out data's name, shown in the header */
    const kiln_frame *train;  /* training rows for the learning curve, or NULL */
    uint64_t seed;            /* learning-curve subsets, permutation shuffles  */
    int threads;              /* refits of the learning curve                  */
    int importance_repeats;   /* permutation importance shuffles (5)           */
    size_t learning_points;   /* training sizes, evenly from 10% to 100% (5)  */
} kiln_report_options;

kiln_report_options kiln_report_options_default(void);

/* Where the importances came from. */
typedef enum kiln_importance_kind {
    KILN_IMPORTANCE_NONE = 0,
    KILN_IMPORTANCE_BUILTIN = 1,    /* the estimator's own, per encoded column */
    KILN_IMPORTANCE_PERMUTATION = 2 /* metric drop per raw column              */
} kiln_importance_kind;

typedef struct kiln_report {
    char *title, *model_name, *model_id, *data_name;
    size_t rows;              /* held-out rows scored                           */
    kiln_task task;
    size_t n_metrics;         /* the task's metrics on the held-out rows       */
    const char *const *metric_names; /* PyCaret's names (static strings)       */
    double *metric_values;
    size_t n_classes;
    char **classes;
    /* Classification: one curve per class against the rest (binary: the
     * positive class only); a class absent from the rows has n = 0. */
    size_t n_curves;
    char **curve_names;
    kiln_curve *roc, *pr;
    double *roc_auc;
    double *confusion;        /* n_classes x n_classes, row = true, column = predicted */
    kiln_importance_kind importance_kind;
    size_t n_features;        /* sorted by importance, largest first           */
    char **feature_names;
    double *importance;
    /* Learning curve: the main metric (Accuracy or R2) of a model refitted on
     * the first `learn_size[i]` shuffled training rows, on those rows and on
     * the held-out rows; NaN where the subset could not be fitted. */
    size_t n_learn;
    double *learn_size, *learn_train, *learn_test;
    /* Regression: actual, predicted and actual - predicted of every held-out row. */
    double *actual, *predicted, *residual;
} kiln_report;

kiln_status kiln_report_build(const kiln_model *m, const kiln_frame *test, const kiln_report_options *opt,
                              kiln_report **out);
/* lb may be NULL. Written to a temporary name and renamed into place. */
kiln_status kiln_report_write(const kiln_report *r, const kiln_report_leaderboard *lb, const char *path);
void kiln_report_free(kiln_report *r);

#endif
