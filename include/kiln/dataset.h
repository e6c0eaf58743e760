/* kiln/dataset.h — what an estimator trains on: a numeric matrix, the target, the task.
 *
 * The preprocessing pipeline makes a kiln_dataset from a frame. Classification
 * targets are class indices 0..n_classes-1 stored as doubles (the class names
 * live in the pipeline); regression targets are the values. Row weights are
 * optional (NULL = all 1). The dataset also carries a cache of what estimators
 * derive from it (the binned matrix for trees), so `compare` builds it once per
 * fold and every model of that fold shares it.
 */
#ifndef KILN_DATASET_H
#define KILN_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "kiln/mat.h"
#include "kiln/rng.h"

typedef enum kiln_task {
    KILN_TASK_CLASSIFY = 1,
    KILN_TASK_REGRESS = 2
} kiln_task;

/* A derived object cached on a dataset, freed with it. */
typedef struct kiln_cache_entry {
    char key[24];             /* "" = free slot                              */
    void *value;
    void (*free)(void *value);
} kiln_cache_entry;

#define KILN_CACHE_MAX 4

typedef struct kiln_dataset {
    kiln_mat X;               /* n x d features (a view or owned elsewhere)  */
    const double *y;          /* n targets                                   */
    const double *w;          /* n row weights or NULL                       */
    kiln_task task;
    size_t n_classes;         /* classification only                         */
    const char *const *feature_names; /* d names, for inspect and errors     */
    kiln_cache_entry cache[KILN_CACHE_MAX];
} kiln_dataset;

/* Builds the object cached under a key: *value and the function that frees it. */
typedef kiln_status (*kiln_cache_build)(const kiln_dataset *d, void *arg, void **value, void (**free_fn)(void *));

/* The object cached under `key` (at most 23 characters), built by
 * build(d, arg, ...) on first use. Fits receive their dataset as const and
 * may run in parallel on the same one (compare): the cache is the dataset's
 * one mutable part and every access to it is serialised, so exactly one fit
 * builds the object while the others wait for it, then all share it (the
 * dataset owns it; do not free). A copy of a dataset struct must start with
 * an empty cache (kiln_dataset_clear_cache is for the owner only). */
kiln_status kiln_dataset_cache_get(const kiln_dataset *d, const char *key, kiln_cache_build build, void *arg,
                                   void **out);
/* Free the cached objects (not X, y, w, which the dataset does not own). */
void kiln_dataset_clear_cache(kiln_dataset *d);

/* What every fit needs besides the data. */
typedef struct kiln_ctx {
    uint64_t seed;                /* every random choice derives from it     */
    int threads;                  /* >= 1                                    */
    int verbose;                  /* 0 quiet, 1 warnings, 2 trace            */
    FILE *trace;                  /* per-iteration lines with --trace, or NULL */
    volatile const int *cancel;   /* set to nonzero to stop; may be NULL     */
    const kiln_dataset *valid;    /* optional validation set (early stopping) */
    /* Called from the fitting thread after each step of an iterative fit
     * (a boosting round): done of total steps. NULL: no progress reports. */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
} kiln_ctx;

/* Default context: seed 0, all cores, quiet. */
kiln_ctx kiln_ctx_default(void);

#endif
