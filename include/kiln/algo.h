/* kiln/algo.h — the estimator interface and the registry.
 *
 * Every model family implements one kiln_algo: fit on a kiln_dataset, predict
 * on a matrix of the same columns, save/load through the model file
 * container, inspect (text, JSON or DOT) and free.
 *
 * predict writes an n x k matrix:
 *   - regression: k = 1, the predicted value;
 *   - classification: k = n_classes, class probabilities when the algorithm
 *     has KILN_ALGO_PROBA, otherwise decision scores (larger = more likely;
 *     for a binary problem column 1 holds f(x) and column 0 holds -f(x)).
 *
 *     const kiln_algo *a = kiln_algo_find("lr");
 *     void *m; a->fit(&m, &params, &train, &ctx);
 *     kiln_mat *out = kiln_mat_new(test.rows, train.n_classes);
 *     a->predict(m, &test, out); a->free(m);
 */
#ifndef KILN_ALGO_H
#define KILN_ALGO_H

#include <stdio.h>
#include "kiln/dataset.h"
#include "kiln/params.h"
#include "kiln/serial.h"

enum {
    KILN_ALGO_PROBA = 1u << 0,    /* predict gives probabilities            */
    KILN_ALGO_SCALE = 1u << 1,    /* standardise features by default         */
    KILN_ALGO_TREES = 1u << 2     /* uses the binned matrix                 */
};

typedef enum kiln_inspect_format {
    KILN_INSPECT_TEXT = 0,
    KILN_INSPECT_JSON = 1,
    KILN_INSPECT_DOT = 2
} kiln_inspect_format;

/* What inspect may need to print a model in the user's terms. */
typedef struct kiln_inspect_args {
    kiln_inspect_format format;
    const char *const *feature_names; /* d names                           */
    size_t n_features;
    const char *const *class_names;   /* n_classes names, or NULL (regression) */
    size_t n_classes;
    int tree;                         /* one tree of an ensemble, or -1    */
    /* Map an encoded feature value back to original units (thresholds);
     * NULL means identity. */
    double (*unscale)(const void *arg, size_t feature, double value);
    const void *unscale_arg;
} kiln_inspect_args;

typedef struct kiln_algo {
    const char *id;   /* "lr": the id on the command line and in model files */
    const char *name; /* "Logistic Regression"                                */
    const char *name_regress; /* the name for regression when it differs, or NULL */
    unsigned tasks;   /* KILN_TASK_CLASSIFY | KILN_TASK_REGRESS               */
    unsigned flags;   /* KILN_ALGO_*                                          */
    const kiln_param_spec *params;
    /* Check values that the table alone cannot (cross-parameter rules, data
     * size); NULL when there is nothing more to check. */
    kiln_status (*check)(const kiln_params *p, const kiln_dataset *train);
    kiln_status (*fit)(void **model, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx);
    kiln_status (*predict)(const void *model, const kiln_mat *X, kiln_mat *out);
    kiln_status (*save)(const void *model, kiln_writer *w);
    kiln_status (*load)(void **model, kiln_reader *r);
    kiln_status (*inspect)(const void *model, const kiln_inspect_args *args, FILE *out);
    /* Per-feature importances (length d, summing to 1) or NULL if none. */
    kiln_status (*importance)(const void *model, double *out, size_t d);
    /* A one-line warning about the fit (a solver that stopped at max_iter),
     * or NULL; the CLI prints it on stderr once. May be NULL itself. */
    const char *(*warning)(const void *model);
    void (*free)(void *model);
} kiln_algo;

/* The names inspect prints for feature j ("x<j>" when args has no name for it) and
 * for class c ("<c>" likewise); a made-up name is written into buf. */
const char *kiln_inspect_feature(const kiln_inspect_args *a, size_t j, char *buf, size_t len);
const char *kiln_inspect_class(const kiln_inspect_args *a, size_t c, char *buf, size_t len);

/* The estimator's display name for a task ("Linear Regression" for lr). */
const char *kiln_algo_name(const kiln_algo *a, kiln_task task);

/* Per-class weights from a class_weight parameter: "none" (all 1), "balanced"
 * (n / (n_classes * count_k), as scikit-learn), or "k:w,k:w" by class index
 * (unnamed classes keep 1). Checks the text when y is NULL (w may be NULL then). */
kiln_status kiln_class_weights(const char *spec, const double *y, size_t n, size_t n_classes, double *w);

/* The registered estimators, in the order `kiln models` and `compare` list them. */
size_t kiln_algo_count(void);
const kiln_algo *kiln_algo_at(size_t i);
/* NULL if no estimator has that id. */
const kiln_algo *kiln_algo_find(const char *id);

/* The task this algorithm's params resolve to. For a model selected by the
 * user: fails with a message naming the model when it cannot do `task`. */
kiln_status kiln_algo_check_task(const kiln_algo *a, kiln_task task);

#endif
