/* A saved model: the fitted pipeline plus one estimator (see kiln/pipeline.h).
 *
 * Model file sections: "META" (estimator id, seed, hyperparameters as
 * name=value text), "PIPE" (the pipeline), "ESTM" (what the estimator learned,
 * written by its own save). */
#include <stdlib.h>
#include <string.h>
#include "kiln/rng.h"
#include "kiln/pipeline.h"
#include "kiln/util.h"

kiln_normalize kiln_normalize_for(const kiln_algo *a, kiln_normalize requested)
{
    if (requested != KILN_NORMALIZE_AUTO)
        return requested;
    return (a->flags & KILN_ALGO_SCALE) ? KILN_NORMALIZE_ZSCORE : KILN_NORMALIZE_NONE;
}

void kiln_model_free(kiln_model *m)
{
    if (!m)
        return;
    if (m->est)
        m->algo->free(m->est);
    kiln_pipeline_free(m->pipe);
    free(m);
}

/* A dataset over encoded rows X, y (owned by the caller). */
static kiln_dataset encoded(const kiln_model *m, const kiln_mat *X, double *y)
{
    return (kiln_dataset){.X = *X, .y = y, .task = m->pipe->task, .n_classes = m->pipe->n_classes,
                          .feature_names = (const char *const *)m->pipe->out_names};
}

static kiln_status model_fit(kiln_model *m, const kiln_frame *train, const kiln_frame *valid, const char *target,
                             kiln_task task, kiln_normalize normalize, const kiln_ctx *ctx)
{
    kiln_mat *X = NULL, *VX = NULL;
    double *y = NULL, *vy = NULL;
    kiln_status s = kiln_pipeline_fit_transform(train, target, task, kiln_normalize_for(m->algo, normalize), &m->pipe,
                                                &X, &y);
    if (s == KILN_OK)
        s = kiln_pipeline_summarize(m->pipe, train, ctx->threads);
    if (s == KILN_OK)
        s = kiln_algo_check_task(m->algo, m->pipe->task);
    kiln_dataset d = {0}, v;
    kiln_ctx c = *ctx;
    if (s == KILN_OK)
        d = encoded(m, X, y);
    if (s == KILN_OK && valid && (s = kiln_pipeline_transform(m->pipe, valid, &VX, &vy)) == KILN_OK) {
        v = encoded(m, VX, vy);
        c.valid = &v;
    }
    if (s == KILN_OK && m->algo->check)
        s = m->algo->check(&m->params, &d);
    if (s == KILN_OK)
        s = m->algo->fit(&m->est, &m->params, &d, &c);
    /* Estimators that finish quickly do not poll the flag; their fit is refused here. */
    if (s == KILN_OK && c.cancel && *c.cancel)
        s = KILN_ERROR(KILN_ECANCEL, "%s: interrupted", m->algo->id);
    kiln_dataset_clear_cache(&d);
    kiln_mat_free(X);
    kiln_mat_free(VX);
    free(y);
    free(vy);
    return s;
}

kiln_status kiln_model_train(const kiln_frame *train, const kiln_frame *valid, const char *target, const kiln_algo *a, const kiln_params *p,
                             kiln_task task, kiln_normalize normalize, const kiln_ctx *ctx, kiln_model **out)
{
    kiln_model *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return KILN_ENOMEM;
    m->algo = a;
    m->params = *p;
    m->seed = ctx->seed;
    kiln_status s = model_fit(m, train, valid, target, task, normalize, ctx);
    if (s != KILN_OK) {
        kiln_model_free(m);
        return s;
    }
    *out = m;
    return KILN_OK;
}

size_t kiln_model_outputs(const kiln_model *m)
{
    return m->pipe->task == KILN_TASK_CLASSIFY ? m->pipe->n_classes : 1;
}

kiln_status kiln_model_predict(const kiln_model *m, const kiln_frame *f, kiln_mat **scores, double **y)
{
    kiln_mat *X;
    KILN_TRY(kiln_pipeline_transform(m->pipe, f, &X, y));
    kiln_mat *out = kiln_mat_new(X->rows, kiln_model_outputs(m));
    kiln_status s = out ? m->algo->predict(m->est, X, out) : KILN_ENOMEM;
    kiln_mat_free(X);
    if (s != KILN_OK) {
        kiln_mat_free(out);
        if (y) {
            free(*y);
            *y = NULL;
        }
        return s;
    }
    *scores = out;
    return KILN_OK;
}

kiln_status kiln_model_evaluate(const kiln_model *m, const kiln_frame *f, kiln_metrics *out, double *predict_seconds)
{
    kiln_mat *scores;
    double *y;
    double t0 = kiln_now();
    KILN_TRY(kiln_model_predict(m, f, &scores, &y));
    if (predict_seconds)
        *predict_seconds = kiln_now() - t0;
    kiln_status s = m->pipe->task == KILN_TASK_CLASSIFY
                        ? kiln_metrics_classify(y, scores, (m->algo->flags & KILN_ALGO_PROBA) != 0, out)
                        : kiln_metrics_regress(y, scores->data, scores->rows, out);
    kiln_mat_free(scores);
    free(y);
    return s;
}

static double main_metric(const kiln_metrics *m)
{
    return m->task == KILN_TASK_CLASSIFY ? m->accuracy : m->r2;
}

/* Score f with column c's values permuted by perm (a shallow copy of the frame). */
static kiln_status score_permuted(const kiln_model *m, const kiln_frame *f, int c, const size_t *perm, double *score)
{
    kiln_column *cols = kiln_alloc(f->ncols, sizeof *cols);
    double *num = NULL;
    int32_t *code = NULL;
    kiln_status s = cols ? KILN_OK : KILN_ENOMEM;
    if (s == KILN_OK) {
        memcpy(cols, f->cols, f->ncols * sizeof *cols);
        if (cols[c].type == KILN_COL_NUMERIC && (num = kiln_alloc(f->nrows, sizeof *num)))
            for (size_t i = 0; i < f->nrows; i++)
                num[i] = f->cols[c].num[perm[i]];
        if (cols[c].type == KILN_COL_CATEGORICAL && (code = kiln_alloc(f->nrows, sizeof *code)))
            for (size_t i = 0; i < f->nrows; i++)
                code[i] = f->cols[c].code[perm[i]];
        cols[c].num = num;
        cols[c].code = code;
        s = num || code ? KILN_OK : KILN_ENOMEM;
    }
    if (s == KILN_OK) {
        kiln_frame g = *f;
        g.cols = cols;
        kiln_metrics met;
        s = kiln_model_evaluate(m, &g, &met, NULL);
        *score = main_metric(&met);
    }
    free(num);
    free(code);
    free(cols);
    return s;
}

kiln_status kiln_model_permutation_importance(const kiln_model *m, const kiln_frame *f, uint64_t seed, int repeats,
                                              double *out)
{
    kiln_metrics base;
    KILN_TRY(kiln_model_evaluate(m, f, &base, NULL));
    size_t *perm = kiln_alloc(f->nrows, sizeof *perm);
    if (!perm)
        return KILN_ENOMEM;
    kiln_status s = KILN_OK;
    for (size_t j = 0; s == KILN_OK && j < m->pipe->n_in; j++) {
        int c = kiln_frame_find(f, m->pipe->in[j].name);
        out[j] = 0;
        for (int r = 0; s == KILN_OK && c >= 0 && r < repeats; r++) {
            kiln_rng rng;
            kiln_rng_stream(&rng, seed, j * (size_t)repeats + (size_t)r);
            for (size_t i = 0; i < f->nrows; i++)
                perm[i] = i;
            kiln_rng_shuffle(&rng, perm, f->nrows);
            double score = 0;
            s = score_permuted(m, f, c, perm, &score);
            out[j] += (main_metric(&base) - score) / repeats;
        }
    }
    free(perm);
    return s;
}

kiln_status kiln_model_write(const kiln_model *m, kiln_writer *w)
{
    KILN_TRY(kiln_writer_section(w, "META"));
    KILN_TRY(kiln_w_str(w, m->algo->id));
    KILN_TRY(kiln_w_u64(w, m->seed));
    KILN_TRY(kiln_w_u32(w, (uint32_t)m->params.n));
    for (size_t i = 0; i < m->params.n; i++) {
        KILN_TRY(kiln_w_str(w, m->params.spec[i].name));
        KILN_TRY(kiln_w_str(w, m->params.v[i].text));
    }
    KILN_TRY(kiln_pipeline_save(m->pipe, w));
    KILN_TRY(kiln_writer_section(w, "ESTM"));
    return m->algo->save(m->est, w);
}

kiln_status kiln_model_save(const kiln_model *m, const char *path)
{
    kiln_writer *w = kiln_writer_new();
    if (!w)
        return KILN_ENOMEM;
    kiln_status s = kiln_model_write(m, w);
    if (s == KILN_OK)
        s = kiln_writer_commit(w, path);
    kiln_writer_free(w);
    return s;
}

static kiln_status load_meta(kiln_model *m, kiln_reader *r, const char *path)
{
    char *id = NULL;
    uint32_t n;
    KILN_TRY(kiln_reader_section(r, "META"));
    KILN_TRY(kiln_r_str(r, &id));
    m->algo = kiln_algo_find(id);
    if (!m->algo) {
        kiln_status s = KILN_ERROR(KILN_EINPUT, "%s: unknown estimator '%s' (written by kiln %s)", path, id,
                                   kiln_reader_writer_version(r));
        free(id);
        return s;
    }
    free(id);
    kiln_params_defaults(&m->params, m->algo->params);
    KILN_TRY(kiln_r_u64(r, &m->seed));
    KILN_TRY(kiln_r_u32(r, &n));
    for (uint32_t i = 0; i < n; i++) {
        char *name = NULL, *value = NULL;
        kiln_status s = kiln_r_str(r, &name);
        if (s == KILN_OK)
            s = kiln_r_str(r, &value);
        if (s == KILN_OK && kiln_params_set_value(&m->params, name, value) != KILN_OK)
            s = KILN_ERROR(KILN_EINPUT, "%s: bad parameter %s=%s", path, name, value);
        free(name);
        free(value);
        KILN_TRY(s);
    }
    return KILN_OK;
}

static kiln_status model_read(kiln_model *m, kiln_reader *r, const char *path)
{
    KILN_TRY(load_meta(m, r, path));
    KILN_TRY(kiln_pipeline_load(&m->pipe, r));
    KILN_TRY(kiln_reader_section(r, "ESTM"));
    return m->algo->load(&m->est, r);
}

kiln_status kiln_model_load(const char *path, kiln_model **out)
{
    kiln_reader *r;
    KILN_TRY(kiln_reader_open(path, &r));
    kiln_model *m = kiln_alloc(1, sizeof *m);
    kiln_status s = m ? model_read(m, r, path) : KILN_ENOMEM;
    kiln_reader_free(r);
    if (s != KILN_OK) {
        kiln_model_free(m);
        return s;
    }
    *out = m;
    return KILN_OK;
}
