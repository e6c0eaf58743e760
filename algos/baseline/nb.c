/* nb — Gaussian naive Bayes (scikit-learn's GaussianNB).
 *
 * Each class c has a prior pi_c (its share of the row weight) and, per feature j,
 * a normal density with the class's weighted mean theta_cj and variance
 * sigma2_cj + eps, where eps = var_smoothing * max_j Var(x_j) over all rows keeps
 * the variances away from zero. Features are independent given the class, so
 *
 *   log p(c | x) = log pi_c - 1/2 sum_j [log(2 pi s_cj) + (x_j - theta_cj)^2 / s_cj] - log Z,
 *   s_cj = sigma2_cj + eps,
 *
 * and predict writes the normalised probabilities (log-sum-exp). A class without
 * rows gets prior 0 and therefore probability 0. When every feature is constant,
 * eps = var_smoothing. Reference: Hastie, Tibshirani & Friedman, The Elements of
 * Statistical Learning (2009), sec. 6.6.3.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"
#include "kiln/util.h"

static const kiln_param_spec nb_params[] = {
    {"var_smoothing", KILN_PARAM_REAL, "1e-9", 0, 1e12, 0, NULL, "1e-11,1e-9,1e-7,1e-5",
     "share of the largest feature variance added to every variance"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct nb_model {
    size_t k, d;
    double *theta;   /* k x d class means                                   */
    double *var;     /* k x d smoothed variances                            */
    double *logc;    /* k: log pi_c - 1/2 sum_j log(2 pi var_cj)           */
    double *prior;   /* k                                                   */
    double eps;      /* the smoothing added                                 */
    kiln_params params;
} nb_model;

static void nb_free(void *model)
{
    nb_model *m = model;
    if (!m)
        return;
    free(m->theta);
    free(m);
}

static nb_model *nb_new(size_t k, size_t d, const kiln_params *p)
{
    nb_model *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->k = k;
    m->d = d;
    m->params = *p;
    m->theta = kiln_alloc(2 * k * d + 2 * k, sizeof *m->theta);
    if (!m->theta) {
        free(m);
        return NULL;
    }
    m->var = m->theta + k * d;
    m->logc = m->var + k * d;
    m->prior = m->logc + k;
    return m;
}

static kiln_status nb_check(const kiln_params *p, const kiln_dataset *train)
{
    (void)p;
    if (train && train->task != KILN_TASK_CLASSIFY)
        return KILN_ERROR(KILN_EINPUT, "nb: classification only");
    if (train && train->n_classes < 2)
        return KILN_ERROR(KILN_EINPUT, "nb: the target has %zu class; need at least 2", train->n_classes);
    return KILN_OK;
}

/* eps = var_smoothing * the largest (unweighted) feature variance. */
static double nb_epsilon(const kiln_mat *X, double var_smoothing)
{
    double vmax = 0;
    for (size_t j = 0; j < X->cols; j++) {
        double mean = 0, ss = 0;
        for (size_t i = 0; i < X->rows; i++)
            mean += KILN_MAT_AT(X, i, j);
        mean /= (double)X->rows;
        for (size_t i = 0; i < X->rows; i++) {
            double dv = KILN_MAT_AT(X, i, j) - mean;
            ss += dv * dv;
        }
        vmax = fmax(vmax, ss / (double)X->rows);
    }
    return var_smoothing * (vmax > 0 ? vmax : 1.0);
}

/* Weighted class means and variances (two passes), priors, and the log constants. */
static void nb_estimate(nb_model *m, const kiln_dataset *tr, double *wsum)
{
    size_t n = tr->X.rows, d = m->d;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)tr->y[i];
        double w = tr->w ? tr->w[i] : 1.0;
        wsum[c] += w;
        total += w;
        for (size_t j = 0; j < d; j++)
            m->theta[c * d + j] += w * KILN_MAT_AT(&tr->X, i, j);
    }
    for (size_t c = 0; c < m->k; c++)
        for (size_t j = 0; j < d; j++)
            m->theta[c * d + j] = wsum[c] > 0 ? m->theta[c * d + j] / wsum[c] : 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)tr->y[i];
        double w = tr->w ? tr->w[i] : 1.0;
        for (size_t j = 0; j < d; j++) {
            double dv = KILN_MAT_AT(&tr->X, i, j) - m->theta[c * d + j];
            m->var[c * d + j] += w * dv * dv;
        }
    }
    for (size_t c = 0; c < m->k; c++) {
        m->prior[c] = total > 0 ? wsum[c] / total : 0.0;
        m->logc[c] = log(m->prior[c]);
        for (size_t j = 0; j < d; j++) {
            double *v = &m->var[c * d + j];
            *v = (wsum[c] > 0 ? *v / wsum[c] : 0.0) + m->eps;
            m->logc[c] -= 0.5 * log(2 * M_PI * *v);
        }
    }
}

static kiln_status nb_fit(void **model, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx)
{
    (void)ctx;
    KILN_TRY(nb_check(p, train));
    if (train->X.rows == 0)
        return KILN_ERROR(KILN_EINPUT, "nb: no training rows");
    nb_model *m = nb_new(train->n_classes, train->X.cols, p);
    double *wsum = kiln_alloc(train->n_classes, sizeof *wsum);
    if (!m || !wsum) {
        nb_free(m);
        free(wsum);
        return KILN_NOMEM();
    }
    m->eps = nb_epsilon(&train->X, kiln_params_num(p, "var_smoothing"));
    if (!isfinite(m->eps)) {
        nb_free(m);
        free(wsum);
        return KILN_ERROR(KILN_EINPUT, "nb: a feature's variance overflows a double (values beyond about 1e150); "
                                       "rescale the data or normalize it");
    }
    nb_estimate(m, train, wsum);
    free(wsum);
    *model = m;
    return KILN_OK;
}

static kiln_status nb_predict(const void *model, const kiln_mat *X, kiln_mat *out)
{
    const nb_model *m = model;
    if (X->cols != m->d)
        return KILN_ERROR(KILN_EINPUT, "nb: the model has %zu features, the data %zu", m->d, X->cols);
    if (out->rows != X->rows || out->cols != m->k)
        return KILN_ERROR(KILN_EINTERNAL, "nb: output is %zux%zu, expected %zux%zu", out->rows, out->cols, X->rows,
                          m->k);
    for (size_t i = 0; i < X->rows; i++) {
        const double *x = KILN_MAT_ROW(X, i);
        double *o = KILN_MAT_ROW(out, i), top = -INFINITY, z = 0;
        for (size_t c = 0; c < m->k; c++) {
            double q = 0;
            for (size_t j = 0; j < m->d; j++) {
                double dv = x[j] - m->theta[c * m->d + j];
                q += dv * dv / m->var[c * m->d + j];
            }
            o[c] = m->logc[c] - 0.5 * q;
            top = fmax(top, o[c]);
        }
        for (size_t c = 0; c < m->k; c++)
            z += o[c] = exp(o[c] - top);
        for (size_t c = 0; c < m->k; c++)
            o[c] /= z;
    }
    return KILN_OK;
}

static kiln_status nb_save(const void *model, kiln_writer *w)
{
    const nb_model *m = model;
    KILN_TRY(kiln_writer_section(w, "GNBM"));
    KILN_TRY(kiln_w_u64(w, m->k));
    KILN_TRY(kiln_w_u64(w, m->d));
    KILN_TRY(kiln_w_f64(w, m->eps));
    KILN_TRY(kiln_w_f64s(w, m->theta, 2 * m->k * m->d + 2 * m->k));
    return kiln_w_str(w, m->params.v[0].text);
}

static kiln_status nb_load(void **model, kiln_reader *r)
{
    size_t k, d;
    KILN_TRY(kiln_reader_section(r, "GNBM"));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 24, &k));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 24, &d));
    kiln_params p;
    kiln_params_defaults(&p, nb_params);
    nb_model *m = nb_new(k, d, &p);
    if (!m)
        return KILN_NOMEM();
    char *vs = NULL;
    kiln_status st = kiln_r_f64(r, &m->eps);
    if (st == KILN_OK)
        st = kiln_r_f64s(r, m->theta, 2 * k * d + 2 * k);
    if (st == KILN_OK)
        st = kiln_r_str(r, &vs);
    if (st == KILN_OK)
        st = kiln_params_set_value(&m->params, "var_smoothing", vs);
    free(vs);
    if (st != KILN_OK) {
        nb_free(m);
        return st;
    }
    *model = m;
    return KILN_OK;
}

static void nb_inspect_json(const nb_model *m, const kiln_inspect_args *a, FILE *out)
{
    char buf[32];
    kiln_json j;
    kiln_json_init(&j, out, 1);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "model");
    kiln_json_str(&j, "nb");
    kiln_json_key(&j, "config");
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "var_smoothing");
    kiln_json_str(&j, m->params.v[0].text);
    kiln_json_end_object(&j);
    kiln_json_key(&j, "epsilon");
    kiln_json_num(&j, m->eps);
    kiln_json_key(&j, "classes");
    kiln_json_begin_array(&j);
    for (size_t c = 0; c < m->k; c++) {
        kiln_json_begin_object(&j);
        kiln_json_key(&j, "class");
        kiln_json_str(&j, kiln_inspect_class(a, c, buf, sizeof buf));
        kiln_json_key(&j, "prior");
        kiln_json_num(&j, m->prior[c]);
        const char *what[2] = {"mean", "var"};
        const double *vals[2] = {m->theta + c * m->d, m->var + c * m->d};
        for (int t = 0; t < 2; t++) {
            kiln_json_key(&j, what[t]);
            kiln_json_begin_object(&j);
            for (size_t f = 0; f < m->d; f++) {
                kiln_json_key(&j, kiln_inspect_feature(a, f, buf, sizeof buf));
                kiln_json_num(&j, vals[t][f]);
            }
            kiln_json_end_object(&j);
        }
        kiln_json_end_object(&j);
    }
    kiln_json_end_array(&j);
    kiln_json_end_object(&j);
    fputc('\n', out);
}

static kiln_status nb_inspect(const void *model, const kiln_inspect_args *a, FILE *out)
{
    const nb_model *m = model;
    char buf[32];
    if (a->format == KILN_INSPECT_JSON) {
        nb_inspect_json(m, a, out);
        return KILN_OK;
    }
    if (a->format != KILN_INSPECT_TEXT)
        return KILN_ERROR(KILN_EINPUT, "nb: naive Bayes has no DOT view (use text or json)");
    fprintf(out, "nb: var_smoothing=%s (epsilon %.6g)\n", m->params.v[0].text, m->eps);
    for (size_t c = 0; c < m->k; c++) {
        fprintf(out, "\nclass %s: prior %.6g\n  %-24s %14s %14s\n", kiln_inspect_class(a, c, buf, sizeof buf), m->prior[c],
                "feature", "mean", "variance");
        for (size_t f = 0; f < m->d; f++)
            fprintf(out, "  %-24s %14.8g %14.8g\n", kiln_inspect_feature(a, f, buf, sizeof buf), m->theta[c * m->d + f],
                    m->var[c * m->d + f]);
    }
    return KILN_OK;
}

const kiln_algo kiln_algo_nb = {
    .id = "nb",
    .name = "Naive Bayes",
    .tasks = KILN_TASK_CLASSIFY,
    .flags = KILN_ALGO_PROBA,
    .params = nb_params,
    .check = nb_check,
    .fit = nb_fit,
    .predict = nb_predict,
    .save = nb_save,
    .load = nb_load,
    .inspect = nb_inspect,
    .importance = NULL,
    .free = nb_free,
};
