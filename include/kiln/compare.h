/* kiln/compare.h — model selection: PyCaret's setup(), compare_models() and tune_model().
 *
 * A setup splits a frame into a training part and held-out rows (stratified
 * for classification) and assigns the training rows to cross-validation folds
 * (StratifiedKFold / KFold, not reshuffled). kiln_cv_run scores candidates
 * (an estimator and its parameters) on those folds: every (candidate x fold)
 * is one job scheduled with kiln_parallel_for, with the preprocessing pipeline
 * fitted on the fold's training rows only, encoded once per fold and shared by
 * every candidate of that fold (trees also share the fold's binned matrix).
 * Results are written per job, so they do not depend on the thread count.
 *
 *     kiln_setup *s;
 *     kiln_setup_opts so = kiln_setup_opts_default();
 *     kiln_setup_new(frame, "target", &so, &s);
 *     kiln_candidate c[2] = {{lr, lr_params}, {rf, rf_params}};
 *     kiln_cv_result r[2];
 *     kiln_cv_run(s, c, 2, NULL, r);
 *     kiln_cv_sort(r, 2, "Accuracy", order);
 *     kiln_cv_results_clear(r, 2); kiln_setup_free(s);
 */
#ifndef KILN_COMPARE_H
#define KILN_COMPARE_H

#include <stdint.h>
#include "kiln/pipeline.h"

/* Random resampling of the training rows of every fit (never of scored rows). */
typedef enum kiln_imbalance {
    KILN_IMBALANCE_NONE = 0,
    KILN_IMBALANCE_UNDERSAMPLE = 1, /* every class down to the smallest one's count */
    KILN_IMBALANCE_OVERSAMPLE = 2   /* every class up to the largest one's count    */
} kiln_imbalance;

typedef struct kiln_setup_opts {
    kiln_task task;           /* 0 = infer from the target                       */
    double train_size;        /* in (0, 1): the training part has floor(train_size * n) rows */
    int folds;                /* >= 2                                            */
    uint64_t seed;
    int threads;              /* >= 1                                            */
    kiln_normalize normalize; /* AUTO resolves per estimator                     */
    kiln_imbalance imbalance;
} kiln_setup_opts;

/* train_size 0.7, 10 folds, seed 1, every core, AUTO, no resampling. */
kiln_setup_opts kiln_setup_opts_default(void);

typedef struct kiln_setup kiln_setup;

/* Split f (which must outlive the setup) and assign folds. Errors (KILN_EINPUT)
 * name the flag a user would change (more folds than rows of the smallest
 * class, a train size that leaves a part empty) or the target (one class). */
kiln_status kiln_setup_new(const kiln_frame *f, const char *target, const kiln_setup_opts *o, kiln_setup **out);
void kiln_setup_free(kiln_setup *s);
kiln_task kiln_setup_task(const kiln_setup *s);
const kiln_setup_opts *kiln_setup_options(const kiln_setup *s);
/* The training part and the held-out rows, as frames owned by the setup. */
const kiln_frame *kiln_setup_train(const kiln_setup *s);
const kiln_frame *kiln_setup_holdout(const kiln_setup *s);
/* The fold of each row of the training part (kiln_setup_train(s)->nrows entries). */
const int *kiln_setup_folds(const kiln_setup *s);
/* Fit a whole model (pipeline + estimator) on the training part, or on every
 * row when all_rows is set, resampled as the setup says. */
kiln_status kiln_setup_fit(const kiln_setup *s, const kiln_algo *a, const kiln_params *p, int all_rows,
                           kiln_model **out);

typedef struct kiln_candidate {
    const kiln_algo *algo;
    kiln_params params;
} kiln_candidate;

typedef enum kiln_cv_state {
    KILN_CV_OK = 0,
    KILN_CV_FAILED = 1,  /* a fold failed: `error` says why (first failing fold) */
    KILN_CV_SKIPPED = 2  /* not started: the time budget was spent              */
} kiln_cv_state;

typedef struct kiln_cv_result {
    kiln_candidate cand;
    kiln_cv_state state;
    char error[256];
    kiln_metrics mean, std;  /* over folds; std is the population deviation (np.std) */
    kiln_metrics *fold;      /* per fold, owned (kiln_cv_results_clear frees it)     */
    double seconds;          /* TT (Sec): the summed fit+score time of the folds / folds */
} kiln_cv_result;

typedef struct kiln_cv_opts {
    int errors_raise;        /* stop at the first failure instead of recording it  */
    double budget_seconds;   /* > 0: start no new candidate after this long (the first always runs) */
    /* Called once per finished candidate, from a worker thread (may be NULL). */
    void (*progress)(void *arg, size_t index, const kiln_cv_result *r);
    void *progress_arg;
    volatile const int *cancel; /* nonzero: start no more jobs, stop fits, return KILN_ECANCEL (may be NULL) */
} kiln_cv_opts;

/* Score each candidate on the setup's folds into out[0..n). With errors_raise
 * the first failure (by job order) is returned; otherwise failures are only
 * recorded in out[i].state/error. */
kiln_status kiln_cv_run(kiln_setup *s, const kiln_candidate *c, size_t n, const kiln_cv_opts *o,
                        kiln_cv_result *out);
void kiln_cv_results_clear(kiln_cv_result *r, size_t n);

/* The value of a metric of a result's means; "TT (Sec)" gives the time. */
kiln_status kiln_cv_metric(const kiln_cv_result *r, const char *metric, double *v);
/* Whether `metric` is a metric of the task or "TT (Sec)"; the message names `flag`. */
kiln_status kiln_cv_check_metric(kiln_task task, const char *metric, const char *flag);
/* order[0..n) = the results best first by `metric` (values rounded to 4
 * places first, as PyCaret; errors and time ascending, others descending;
 * failed and skipped last; ties keep the input order). */
void kiln_cv_sort(const kiln_cv_result *r, size_t n, const char *metric, size_t *order);

/* ---- tuning ---------------------------------------------------------------- */

#define KILN_GRID_VALUES 32

typedef struct kiln_grid_axis {
    char name[KILN_PARAM_TEXT_MAX];
    char value[KILN_GRID_VALUES][KILN_PARAM_TEXT_MAX];
    size_t n;
} kiln_grid_axis;

/* A search space: one axis per tuned parameter. */
typedef struct kiln_grid {
    kiln_grid_axis axis[KILN_PARAMS_MAX];
    size_t n;
} kiln_grid;

/* The estimator's default space: the `grid` field of its parameter table
 * (class_weight is left out for regression). */
void kiln_grid_default(const kiln_algo *a, kiln_task task, kiln_grid *g);
/* Replace or add an axis from "name=v1,v2,..."; every value is checked against
 * the table; errors name --grid. */
kiln_status kiln_grid_set(kiln_grid *g, const kiln_algo *a, const char *assignment);
/* The number of points of the full grid (saturates at SIZE_MAX). */
size_t kiln_grid_size(const kiln_grid *g);

typedef enum kiln_search {
    KILN_SEARCH_RANDOM = 0, /* n_iter distinct random points; the grid when it has no more */
    KILN_SEARCH_GRID = 1    /* every point                                          */
} kiln_search;

typedef struct kiln_tune_result {
    kiln_cv_result *results; /* [0] the base parameters, then every searched point */
    size_t n;
    size_t best;             /* index of the best searched point (1..n-1), 0 if none ran */
    int tuned_won;           /* 1 when results[best] is strictly better than results[0] */
} kiln_tune_result;

/* Search the grid around `base` on the setup's folds, optimising `metric`
 * (choose-better: the tuned point is kept only when strictly better than base). */
kiln_status kiln_tune_run(kiln_setup *s, const kiln_algo *a, const kiln_params *base, const kiln_grid *g,
                          kiln_search search, size_t n_iter, const char *metric, const kiln_cv_opts *o,
                          kiln_tune_result *out);
void kiln_tune_result_clear(kiln_tune_result *t);

#endif
