/* dummy — the baseline every model must beat (scikit-learn's DummyClassifier
 * with strategy="prior" and DummyRegressor with strategy="mean").
 *
 * Classification: p(c) = (weighted) share of class c in the training rows, the
 * same for every row, so the predicted label is the majority class.
 * Regression: the (weighted) mean of the training targets. */
#include <stdlib.h>
#include "kiln/algo.h"
#include "kiln/util.h"

static const kiln_param_spec dummy_params[] = {
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct dummy_model {
    kiln_task task;
    size_t k;       /* outputs: classes, or 1 */
    double *value;  /* class priors, or the mean */
} dummy_model;

static void dummy_free(void *model)
{
    dummy_model *m = model;
    if (!m)
        return;
    free(m->value);
    free(m);
}

static dummy_model *dummy_new(kiln_task task, size_t k)
{
    dummy_model *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->task = task;
    m->k = k;
    if (!(m->value = kiln_alloc(k, sizeof *m->value))) {
        free(m);
        return NULL;
    }
    return m;
}

static kiln_status dummy_fit(void **model, const kiln_params *p, const kiln_dataset *t, const kiln_ctx *ctx)
{
    (void)p;
    (void)ctx;
    size_t k = t->task == KILN_TASK_CLASSIFY ? t->n_classes : 1;
    dummy_model *m = dummy_new(t->task, k);
    if (!m)
        return KILN_ENOMEM;
    double total = 0;
    for (size_t i = 0; i < t->X.rows; i++) {
        double w = t->w ? t->w[i] : 1.0;
        m->value[t->task == KILN_TASK_CLASSIFY ? (size_t)t->y[i] : 0] += t->task == KILN_TASK_CLASSIFY ? w : w * t->y[i];
        total += w;
    }
    for (size_t c = 0; c < k && total > 0; c++)
        m->value[c] /= total;
    *model = m;
    return KILN_OK;
}

static kiln_status dummy_predict(const void *model, const kiln_mat *X, kiln_mat *out)
{
    const dummy_model *m = model;
    for (size_t i = 0; i < X->rows; i++)
        for (size_t c = 0; c < m->k; c++)
            KILN_MAT_AT(out, i, c) = m->value[c];
    return KILN_OK;
}

static kiln_status dummy_save(const void *model, kiln_writer *w)
{
    const dummy_model *m = model;
    KILN_TRY(kiln_w_u32(w, (uint32_t)m->task));
    KILN_TRY(kiln_w_u64(w, m->k));
    return kiln_w_f64s(w, m->value, m->k);
}

static kiln_status dummy_load(void **model, kiln_reader *r)
{
    uint32_t task;
    size_t k;
    KILN_TRY(kiln_r_u32(r, &task));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 24, &k));
    if ((task != KILN_TASK_CLASSIFY && task != KILN_TASK_REGRESS) || k == 0)
        return KILN_ERROR(KILN_EINPUT, "model file: inconsistent dummy model");
    dummy_model *m = dummy_new((kiln_task)task, k);
    if (!m)
        return KILN_ENOMEM;
    kiln_status s = kiln_r_f64s(r, m->value, k);
    if (s != KILN_OK) {
        dummy_free(m);
        return s;
    }
    *model = m;
    return KILN_OK;
}

static kiln_status dummy_inspect(const void *model, const kiln_inspect_args *a, FILE *out)
{
    const dummy_model *m = model;
    char buf[32];
    if (a->format == KILN_INSPECT_DOT)
        return KILN_ERROR(KILN_EINPUT, "--format dot: dummy has no tree to draw; use text or json");
    if (a->format == KILN_INSPECT_JSON) {
        kiln_json j;
        kiln_json_init(&j, out, 1);
        kiln_json_begin_object(&j);
        kiln_json_key(&j, m->task == KILN_TASK_CLASSIFY ? "class_prior" : "mean");
        if (m->task == KILN_TASK_CLASSIFY) {
            kiln_json_begin_object(&j);
            for (size_t c = 0; c < m->k; c++) {
                kiln_json_key(&j, kiln_inspect_class(a, c, buf, sizeof buf));
                kiln_json_num(&j, m->value[c]);
            }
            kiln_json_end_object(&j);
        } else {
            kiln_json_num(&j, m->value[0]);
        }
        kiln_json_end_object(&j);
        return KILN_OK;
    }
    if (m->task == KILN_TASK_REGRESS) {
        fprintf(out, "predicts the training mean: %.17g\n", m->value[0]);
        return KILN_OK;
    }
    fprintf(out, "predicts the class prior:\n");
    for (size_t c = 0; c < m->k; c++)
        fprintf(out, "  %-24s %.6f\n", kiln_inspect_class(a, c, buf, sizeof buf), m->value[c]);
    return KILN_OK;
}

const kiln_algo kiln_algo_dummy = {
    .id = "dummy",
    .name = "Dummy Classifier",
    .name_regress = "Dummy Regressor",
    .tasks = KILN_TASK_CLASSIFY | KILN_TASK_REGRESS,
    .flags = KILN_ALGO_PROBA,
    .params = dummy_params,
    .fit = dummy_fit,
    .predict = dummy_predict,
    .save = dummy_save,
    .load = dummy_load,
    .inspect = dummy_inspect,
    .free = dummy_free,
};
