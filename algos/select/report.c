/* What the HTML report shows, computed from a fitted model and labelled
 * held-out rows (see kiln/report.h; io/report.c draws it).
 *
 *   curves:       kiln/curves.h, one class against the rest on its score column;
 *   confusion:    cm[t][p] = rows of true class t predicted p (argmax of scores);
 *   importance:   the estimator's `importance` hook, else permutation importance
 *                 (Breiman 2001; kiln_model_permutation_importance);
 *   learning:     scikit-learn's learning_curve on one split: refit on the first
 *                 s_i rows of one seeded shuffle of the training rows, s_i evenly
 *                 spaced from 10% to 100%, score the main metric on the subset
 *                 and on the held-out rows. */
#include "kiln/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/rng.h"
#include "kiln/util.h"

#define LEARN_FIRST_FRACTION 0.1

kiln_report_options kiln_report_options_default(void)
{
    return (kiln_report_options){.title = NULL, .data_name = NULL, .train = NULL, .seed = 0,
                                 .threads = kiln_cpu_count(), .importance_repeats = 5, .learning_points = 5};
}

void kiln_report_free(kiln_report *r)
{
    if (!r)
        return;
    free(r->title);
    free(r->model_name);
    free(r->model_id);
    free(r->data_name);
    free(r->metric_values);
    kiln_free_strings(r->classes, r->n_classes);
    kiln_free_strings(r->curve_names, r->n_curves);
    for (size_t c = 0; c < r->n_curves; c++) {
        if (r->roc)
            kiln_curve_clear(&r->roc[c]);
        if (r->pr)
            kiln_curve_clear(&r->pr[c]);
    }
    free(r->roc);
    free(r->pr);
    free(r->roc_auc);
    free(r->confusion);
    kiln_free_strings(r->feature_names, r->n_features);
    free(r->importance);
    free(r->learn_size);
    free(r->learn_train);
    free(r->learn_test);
    free(r->actual);
    free(r->predicted);
    free(r->residual);
    free(r);
}

static kiln_status copy_strings(const char *const *src, size_t n, char ***out)
{
    char **s = kiln_alloc(n ? n : 1, sizeof *s);
    if (!s)
        return KILN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] = kiln_strdup(src[i]))) {
            kiln_free_strings(s, i);
            return KILN_ENOMEM;
        }
    *out = s;
    return KILN_OK;
}

/* ROC and PR of every class against the rest; a class with no rows, or every
 * row, gets empty curves and a NaN area. */
static kiln_status build_curves(kiln_report *r, const double *y, const kiln_mat *scores)
{
    size_t n = scores->rows, k = r->n_classes, first = k == 2 ? 1 : 0;
    r->n_curves = k - first;
    r->roc = kiln_alloc(r->n_curves, sizeof *r->roc);
    r->pr = kiln_alloc(r->n_curves, sizeof *r->pr);
    r->roc_auc = kiln_alloc(r->n_curves, sizeof *r->roc_auc);
    double *col = kiln_alloc(n, sizeof *col);
    unsigned char *pos = kiln_alloc(n, sizeof *pos);
    kiln_status s = r->roc && r->pr && r->roc_auc && col && pos ? KILN_OK : KILN_ENOMEM;
    if (s == KILN_OK)
        s = copy_strings((const char *const *)r->classes + first, r->n_curves, &r->curve_names);
    for (size_t c = 0; s == KILN_OK && c < r->n_curves; c++) {
        size_t npos = 0;
        for (size_t i = 0; i < n; i++) {
            col[i] = KILN_MAT_AT(scores, i, c + first);
            pos[i] = (size_t)y[i] == c + first;
            npos += pos[i];
        }
        r->roc_auc[c] = NAN;
        if (npos == 0 || npos == n)
            continue;
        s = kiln_curve_roc(col, pos, n, &r->roc[c]);
        if (s == KILN_OK)
            s = kiln_curve_pr(col, pos, n, &r->pr[c]);
        if (s == KILN_OK)
            r->roc_auc[c] = kiln_curve_area(&r->roc[c]);
    }
    free(col);
    free(pos);
    return s;
}

static kiln_status build_classify(kiln_report *r, const kiln_model *m, const double *y, const kiln_mat *scores)
{
    KILN_TRY(copy_strings((const char *const *)m->pipe->classes, m->pipe->n_classes, &r->classes));
    r->n_classes = m->pipe->n_classes;
    size_t k = r->n_classes;
    if (!(r->confusion = kiln_alloc(k * k, sizeof *r->confusion)))
        return KILN_ENOMEM;
    for (size_t i = 0; i < scores->rows; i++)
        r->confusion[(size_t)y[i] * k + kiln_argmax_row(KILN_MAT_ROW(scores, i), k)] += 1;
    return build_curves(r, y, scores);
}

static kiln_status build_regress(kiln_report *r, const double *y, const kiln_mat *scores)
{
    size_t n = scores->rows;
    r->actual = kiln_alloc(n, sizeof *r->actual);
    r->predicted = kiln_alloc(n, sizeof *r->predicted);
    r->residual = kiln_alloc(n, sizeof *r->residual);
    if (!r->actual || !r->predicted || !r->residual)
        return KILN_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        r->actual[i] = y[i];
        r->predicted[i] = KILN_MAT_AT(scores, i, 0);
        r->residual[i] = y[i] - r->predicted[i];
    }
    return KILN_OK;
}

/* Reorder the features by importance, largest first (ties keep column order). */
static kiln_status sort_importance(kiln_report *r)
{
    size_t d = r->n_features;
    size_t *idx = kiln_alloc(d, sizeof *idx);
    double *key = kiln_alloc(d, sizeof *key), *val = kiln_alloc(d, sizeof *val);
    char **names = kiln_alloc(d, sizeof *names);
    kiln_status s = idx && key && val && names ? KILN_OK : KILN_ENOMEM;
    if (s == KILN_OK) {
        for (size_t j = 0; j < d; j++)
            key[j] = -r->importance[j];
        kiln_argsort(key, idx, d);
        for (size_t j = 0; j < d; j++) {
            val[j] = r->importance[idx[j]];
            names[j] = r->feature_names[idx[j]];
        }
        memcpy(r->importance, val, d * sizeof *val);
        memcpy(r->feature_names, names, d * sizeof *names);
    }
    free(idx);
    free(key);
    free(val);
    free(names);
    return s;
}

static kiln_status build_importance(kiln_report *r, const kiln_model *m, const kiln_frame *test,
                                    const kiln_report_options *opt)
{
    const kiln_pipeline *p = m->pipe;
    int builtin = m->algo->importance != NULL;
    size_t d = builtin ? p->n_out : p->n_in;
    if (!(r->importance = kiln_alloc(d, sizeof *r->importance)) || !(r->feature_names = kiln_alloc(d, sizeof(char *))))
        return KILN_ENOMEM;
    for (size_t j = 0; j < d; j++, r->n_features++)
        if (!(r->feature_names[j] = kiln_strdup(builtin ? p->out_names[j] : p->in[j].name)))
            return KILN_ENOMEM;
    r->importance_kind = builtin ? KILN_IMPORTANCE_BUILTIN : KILN_IMPORTANCE_PERMUTATION;
    KILN_TRY(builtin ? m->algo->importance(m->est, r->importance, d)
                     : kiln_model_permutation_importance(m, test, opt->seed, opt->importance_repeats, r->importance));
    return sort_importance(r);
}

static double main_metric(const kiln_metrics *met)
{
    return met->task == KILN_TASK_CLASSIFY ? met->accuracy : met->r2;
}

/* One learning-curve point: refit on `sub`, score it there and on `test`.
 * A subset the model cannot be fitted or scored on leaves NaN. */
static kiln_status learn_point(const kiln_model *m, const kiln_frame *sub, const kiln_frame *test, const kiln_ctx *ctx,
                               double *train_score, double *test_score)
{
    kiln_model *fit = NULL;
    kiln_metrics a, b;
    *train_score = *test_score = NAN;
    kiln_status s = kiln_model_train(sub, NULL, m->pipe->target, m->algo, &m->params, m->pipe->task,
                                     m->pipe->normalize, ctx, &fit);
    if (s == KILN_OK && (s = kiln_model_evaluate(fit, sub, &a, NULL)) == KILN_OK)
        *train_score = main_metric(&a);
    if (s == KILN_OK && (s = kiln_model_evaluate(fit, test, &b, NULL)) == KILN_OK)
        *test_score = main_metric(&b);
    kiln_model_free(fit);
    return s == KILN_EINPUT ? KILN_OK : s;
}

static kiln_status build_learning(kiln_report *r, const kiln_model *m, const kiln_frame *train,
                                  const kiln_frame *test, const kiln_report_options *opt)
{
    size_t n = train->nrows, pts = opt->learning_points;
    size_t *idx = kiln_alloc(n ? n : 1, sizeof *idx);
    r->learn_size = kiln_alloc(pts, sizeof *r->learn_size);
    r->learn_train = kiln_alloc(pts, sizeof *r->learn_train);
    r->learn_test = kiln_alloc(pts, sizeof *r->learn_test);
    kiln_status s = idx && r->learn_size && r->learn_train && r->learn_test ? KILN_OK : KILN_ENOMEM;
    if (s == KILN_OK) {
        kiln_rng rng;
        kiln_rng_stream(&rng, opt->seed, 0);
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        kiln_rng_shuffle(&rng, idx, n);
    }
    kiln_ctx ctx = kiln_ctx_default();
    ctx.seed = m->seed;
    ctx.threads = opt->threads;
    for (size_t i = 0; s == KILN_OK && i < pts; i++, r->n_learn++) {
        double frac = pts == 1 ? 1.0 : LEARN_FIRST_FRACTION + (1.0 - LEARN_FIRST_FRACTION) * (double)i / (double)(pts - 1);
        size_t size = (size_t)floor(frac * (double)n);
        size = size < 2 ? (n < 2 ? n : 2) : size;
        kiln_frame *sub = NULL;
        r->learn_size[i] = (double)size;
        s = kiln_frame_take_rows(train, idx, size, &sub);
        if (s == KILN_OK)
            s = learn_point(m, sub, test, &ctx, &r->learn_train[i], &r->learn_test[i]);
        kiln_frame_free(sub);
    }
    free(idx);
    return s;
}

static kiln_status metric_table(kiln_report *r, const kiln_metrics *met)
{
    r->n_metrics = kiln_metric_names(r->task, &r->metric_names);
    if (!(r->metric_values = kiln_alloc(r->n_metrics, sizeof *r->metric_values)))
        return KILN_ENOMEM;
    for (size_t i = 0; i < r->n_metrics; i++)
        KILN_TRY(kiln_metric_get(met, r->metric_names[i], &r->metric_values[i]));
    return KILN_OK;
}

static kiln_status build(kiln_report *r, const kiln_model *m, const kiln_frame *test, const kiln_report_options *opt)
{
    r->task = m->pipe->task;
    r->rows = test->nrows;
    const char *title = opt->title ? opt->title : "kiln report";
    const char *data = opt->data_name ? opt->data_name : (test->source ? test->source : "held-out rows");
    if (!(r->title = kiln_strdup(title)) || !(r->model_name = kiln_strdup(kiln_algo_name(m->algo, r->task))) ||
        !(r->model_id = kiln_strdup(m->algo->id)) || !(r->data_name = kiln_strdup(data)))
        return KILN_ENOMEM;
    kiln_mat *scores = NULL;
    double *y = NULL;
    kiln_metrics met;
    KILN_TRY(kiln_model_predict(m, test, &scores, &y));
    kiln_status s = r->task == KILN_TASK_CLASSIFY
                        ? kiln_metrics_classify(y, scores, (m->algo->flags & KILN_ALGO_PROBA) != 0, &met)
                        : kiln_metrics_regress(y, scores->data, scores->rows, &met);
    if (s == KILN_OK)
        s = metric_table(r, &met);
    if (s == KILN_OK)
        s = r->task == KILN_TASK_CLASSIFY ? build_classify(r, m, y, scores) : build_regress(r, y, scores);
    kiln_mat_free(scores);
    free(y);
    KILN_TRY(s);
    KILN_TRY(build_importance(r, m, test, opt));
    return opt->train ? build_learning(r, m, opt->train, test, opt) : KILN_OK;
}

kiln_status kiln_report_build(const kiln_model *m, const kiln_frame *test, const kiln_report_options *opt,
                              kiln_report **out)
{
    if (opt->importance_repeats < 1 || opt->learning_points < 1 || opt->threads < 1)
        return KILN_ERROR(KILN_EINPUT, "report: importance repeats, learning points and threads must be at least 1");
    kiln_report *r = kiln_alloc(1, sizeof *r);
    if (!r)
        return KILN_ENOMEM;
    kiln_status s = build(r, m, test, opt);
    if (s != KILN_OK) {
        kiln_report_free(r);
        return s;
    }
    *out = r;
    return KILN_OK;
}
