/* The list of estimators: the order `kiln models` prints and `compare` runs them. */
#include <string.h>
#include "kiln/algo.h"

extern const kiln_algo kiln_algo_lr, kiln_algo_knn, kiln_algo_dummy;
extern const kiln_algo kiln_algo_svm, kiln_algo_ridge, kiln_algo_lasso, kiln_algo_en, kiln_algo_nb;
extern const kiln_algo kiln_algo_dt, kiln_algo_rf, kiln_algo_et, kiln_algo_gbm;

static const kiln_algo *const registry[] = {
    &kiln_algo_lr,
    &kiln_algo_knn,
    &kiln_algo_nb,
    &kiln_algo_dt,
    &kiln_algo_svm,
    &kiln_algo_ridge,
    &kiln_algo_rf,
    &kiln_algo_et,
    &kiln_algo_gbm,
    &kiln_algo_lasso,
    &kiln_algo_en,
    &kiln_algo_dummy,
    NULL, /* keeps the array non-empty; estimators are listed above this line */
};

size_t kiln_algo_count(void)
{
    return sizeof registry / sizeof registry[0] - 1;
}

const kiln_algo *kiln_algo_at(size_t i)
{
    return i < kiln_algo_count() ? registry[i] : NULL;
}

const kiln_algo *kiln_algo_find(const char *id)
{
    for (size_t i = 0; i < kiln_algo_count(); i++)
        if (strcmp(registry[i]->id, id) == 0)
            return registry[i];
    return NULL;
}

const char *kiln_algo_name(const kiln_algo *a, kiln_task task)
{
    return task == KILN_TASK_REGRESS && a->name_regress ? a->name_regress : a->name;
}

kiln_status kiln_algo_check_task(const kiln_algo *a, kiln_task task)
{
    if (a->tasks & (unsigned)task)
        return KILN_OK;
    return KILN_ERROR(KILN_EINPUT, "model '%s' (%s) does not do %s", a->id, a->name,
                      task == KILN_TASK_CLASSIFY ? "classification" : "regression");
}
