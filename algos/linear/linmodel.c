/* The linear model shared by svm, ridge, lasso and en (see linear_impl.h).
 *
 * Prediction is one dgemm: S = X C^T + 1 b^T, with C the rows x d coefficients
 * (a dgemv when C is one row).
 * A binary classifier has one row f and writes the scores (-f, f).
 */
#include "algos/linear/linear_impl.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/util.h"

size_t kiln_linmodel_rows(size_t n_classes)
{
    return n_classes > 2 ? n_classes : 1;
}

kiln_linmodel *kiln_linmodel_new(const char *id, size_t d, size_t n_classes, const kiln_params *p)
{
    kiln_linmodel *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->id = id;
    m->d = d;
    m->n_classes = n_classes;
    m->rows = kiln_linmodel_rows(n_classes);
    m->converged = 1;
    m->params = *p;
    m->coef = kiln_alloc(m->rows * (d ? d : 1), sizeof *m->coef);
    m->intercept = kiln_alloc(m->rows, sizeof *m->intercept);
    m->n_iter = kiln_alloc(m->rows, sizeof *m->n_iter);
    if (!m->coef || !m->intercept || !m->n_iter) {
        kiln_linmodel_free(m);
        return NULL;
    }
    return m;
}

void kiln_linmodel_free(void *model)
{
    kiln_linmodel *m = model;
    if (!m)
        return;
    free(m->coef);
    free(m->intercept);
    free(m->n_iter);
    free(m);
}

kiln_status kiln_linmodel_predict(const void *model, const kiln_mat *X, kiln_mat *out)
{
    const kiln_linmodel *m = model;
    size_t want = m->n_classes ? m->n_classes : 1;
    if (X->cols != m->d)
        return KILN_ERROR(KILN_EINPUT, "%s: the model has %zu features, the data %zu", m->id, m->d, X->cols);
    if (out->rows != X->rows || out->cols != want)
        return KILN_ERROR(KILN_EINTERNAL, "%s: output is %zux%zu, expected %zux%zu", m->id, out->rows, out->cols,
                          X->rows, want);
    if (X->rows == 0)
        return KILN_OK;
    /* Binary: f goes to column 1, then column 0 = -f. */
    size_t col0 = m->n_classes == 2 ? 1 : 0;
    for (size_t i = 0; i < X->rows; i++)
        for (size_t r = 0; r < m->rows; r++)
            KILN_MAT_AT(out, i, col0 + r) = m->intercept[r];
    if (m->d > 0 && m->rows == 1) /* a matrix-vector product: OpenBLAS's dgemm would pack X for one column */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)X->rows, (int)m->d, 1.0, X->data, (int)X->stride, m->coef, 1,
                    1.0, out->data + col0, (int)out->stride);
    else if (m->d > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)X->rows, (int)m->rows, (int)m->d, 1.0, X->data,
                    (int)X->stride, m->coef, (int)m->d, 1.0, out->data + col0, (int)out->stride);
    if (m->n_classes == 2)
        for (size_t i = 0; i < X->rows; i++)
            KILN_MAT_AT(out, i, 0) = -KILN_MAT_AT(out, i, 1);
    return KILN_OK;
}

kiln_status kiln_linmodel_save(const void *model, kiln_writer *w)
{
    const kiln_linmodel *m = model;
    KILN_TRY(kiln_writer_section(w, "LINM"));
    KILN_TRY(kiln_w_str(w, m->id));
    KILN_TRY(kiln_w_u64(w, m->d));
    KILN_TRY(kiln_w_u64(w, m->n_classes));
    KILN_TRY(kiln_w_f64s(w, m->coef, m->rows * m->d));
    KILN_TRY(kiln_w_f64s(w, m->intercept, m->rows));
    KILN_TRY(kiln_w_i32s(w, m->n_iter, m->rows));
    KILN_TRY(kiln_w_u8(w, (uint8_t)m->converged));
    KILN_TRY(kiln_w_u64(w, m->params.n));
    for (size_t i = 0; i < m->params.n; i++) {
        KILN_TRY(kiln_w_str(w, m->params.spec[i].name));
        KILN_TRY(kiln_w_str(w, m->params.v[i].text));
    }
    return KILN_OK;
}

/* The configuration section: name/value pairs, each checked against the table. */
static kiln_status load_params(kiln_reader *r, kiln_params *p)
{
    size_t n;
    KILN_TRY(kiln_r_count(r, KILN_PARAMS_MAX, &n));
    for (size_t i = 0; i < n; i++) {
        char *name = NULL, *value = NULL;
        kiln_status s = kiln_r_str(r, &name);
        if (s == KILN_OK)
            s = kiln_r_str(r, &value);
        if (s == KILN_OK)
            s = kiln_params_set_value(p, name, value);
        free(name);
        free(value);
        KILN_TRY(s);
    }
    return KILN_OK;
}

/* Reads everything after the id into a new model. */
static kiln_status load_body(kiln_linmodel **out, kiln_reader *r, const char *id, const kiln_param_spec *spec)
{
    size_t d, n_classes;
    KILN_TRY(kiln_r_count(r, (size_t)1 << 31, &d));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 24, &n_classes));
    if (n_classes == 1)
        return KILN_ERROR(KILN_EINPUT, "%s model: one class is not a classifier", id);
    kiln_params p;
    kiln_params_defaults(&p, spec);
    kiln_linmodel *m = kiln_linmodel_new(id, d, n_classes, &p);
    if (!m)
        return KILN_NOMEM();
    uint8_t conv = 0;
    kiln_status s = kiln_r_f64s(r, m->coef, m->rows * d);
    if (s == KILN_OK)
        s = kiln_r_f64s(r, m->intercept, m->rows);
    if (s == KILN_OK)
        s = kiln_r_i32s(r, m->n_iter, m->rows);
    if (s == KILN_OK)
        s = kiln_r_u8(r, &conv);
    if (s == KILN_OK)
        s = load_params(r, &m->params);
    if (s != KILN_OK) {
        kiln_linmodel_free(m);
        return s;
    }
    m->converged = conv != 0;
    kiln_linmodel_finish(m);
    *out = m;
    return KILN_OK;
}

kiln_status kiln_linmodel_load(void **model, kiln_reader *r, const char *id, const kiln_param_spec *spec)
{
    char *stored = NULL;
    KILN_TRY(kiln_reader_section(r, "LINM"));
    KILN_TRY(kiln_r_str(r, &stored));
    int same = strcmp(stored, id) == 0;
    free(stored);
    if (!same)
        return KILN_ERROR(KILN_EINPUT, "model file: the linear section is not a '%s' model", id);
    kiln_linmodel *m;
    KILN_TRY(load_body(&m, r, id, spec));
    *model = m;
    return KILN_OK;
}

/* The label of decision row r: the class it scores, or "value" for regression. */
static const char *row_label(const kiln_linmodel *m, const kiln_inspect_args *a, size_t r, char *buf, size_t len)
{
    if (m->n_classes == 0)
        return "value";
    return kiln_inspect_class(a, m->n_classes == 2 ? 1 : r, buf, len);
}

static void inspect_json(const kiln_linmodel *m, const kiln_inspect_args *a, FILE *out)
{
    char buf[32];
    kiln_json j;
    kiln_json_init(&j, out, 1);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "model");
    kiln_json_str(&j, m->id);
    kiln_json_key(&j, "config");
    kiln_json_begin_object(&j);
    for (size_t i = 0; i < m->params.n; i++) {
        kiln_json_key(&j, m->params.spec[i].name);
        kiln_json_str(&j, m->params.v[i].text);
    }
    kiln_json_end_object(&j);
    kiln_json_key(&j, "converged");
    kiln_json_bool(&j, m->converged);
    kiln_json_key(&j, "functions");
    kiln_json_begin_array(&j);
    for (size_t r = 0; r < m->rows; r++) {
        kiln_json_begin_object(&j);
        kiln_json_key(&j, m->n_classes ? "class" : "target");
        kiln_json_str(&j, row_label(m, a, r, buf, sizeof buf));
        kiln_json_key(&j, "n_iter");
        kiln_json_int(&j, m->n_iter[r]);
        kiln_json_key(&j, "intercept");
        kiln_json_num(&j, m->intercept[r]);
        kiln_json_key(&j, "coef");
        kiln_json_begin_object(&j);
        for (size_t f = 0; f < m->d; f++) {
            kiln_json_key(&j, kiln_inspect_feature(a, f, buf, sizeof buf));
            kiln_json_num(&j, m->coef[r * m->d + f]);
        }
        kiln_json_end_object(&j);
        kiln_json_end_object(&j);
    }
    kiln_json_end_array(&j);
    kiln_json_end_object(&j);
    fputc('\n', out);
}

static void inspect_text(const kiln_linmodel *m, const kiln_inspect_args *a, FILE *out)
{
    char buf[32];
    fprintf(out, "%s:", m->id);
    for (size_t i = 0; i < m->params.n; i++)
        fprintf(out, " %s=%s", m->params.spec[i].name, m->params.v[i].text);
    fprintf(out, "\nsolver: %s\n", m->converged ? "converged" : "stopped at max_iter (not converged)");
    for (size_t r = 0; r < m->rows; r++) {
        fprintf(out, "\n%s %s: intercept %.10g, %d iterations\n", m->n_classes ? "class" : "target",
                row_label(m, a, r, buf, sizeof buf), m->intercept[r], (int)m->n_iter[r]);
        for (size_t f = 0; f < m->d; f++)
            fprintf(out, "  %-24s %14.8g\n", kiln_inspect_feature(a, f, buf, sizeof buf), m->coef[r * m->d + f]);
    }
}

kiln_status kiln_linmodel_inspect(const void *model, const kiln_inspect_args *args, FILE *out)
{
    const kiln_linmodel *m = model;
    if (args->format == KILN_INSPECT_JSON)
        inspect_json(m, args, out);
    else if (args->format == KILN_INSPECT_TEXT)
        inspect_text(m, args, out);
    else
        return KILN_ERROR(KILN_EINPUT, "%s: a linear model has no DOT view (use text or json)", m->id);
    return KILN_OK;
}

kiln_status kiln_linmodel_importance(const void *model, double *out, size_t d)
{
    const kiln_linmodel *m = model;
    if (d != m->d)
        return KILN_ERROR(KILN_EINTERNAL, "%s: importance of %zu features asked, model has %zu", m->id, d, m->d);
    double total = 0;
    for (size_t j = 0; j < d; j++) {
        out[j] = 0;
        for (size_t r = 0; r < m->rows; r++)
            out[j] += fabs(m->coef[r * d + j]);
        total += out[j];
    }
    for (size_t j = 0; j < d; j++)
        out[j] = total > 0 ? out[j] / total : 1.0 / (double)d;
    return KILN_OK;
}

void kiln_linmodel_finish(kiln_linmodel *m)
{
    m->warning[0] = '\0';
    int it = kiln_params_index(&m->params, "max_iter"), tol = kiln_params_index(&m->params, "tol");
    if (!m->converged && it >= 0 && tol >= 0)
        snprintf(m->warning, sizeof m->warning,
                 "%s: the solver stopped at max_iter=%s before meeting its stopping rule (tol=%s); "
                 "raise max_iter or tol",
                 m->id, m->params.v[it].text, m->params.v[tol].text);
}

const char *kiln_linmodel_warning(const void *model)
{
    const kiln_linmodel *m = model;
    return m->warning[0] ? m->warning : NULL;
}

double kiln_linear_cd_step(double z, double l1, double a)
{
    return fabs(z) > l1 ? copysign(fabs(z) - l1, z) / a : 0.0;
}

double *kiln_linear_row_weights(const double *w, size_t n, int normalise)
{
    double *sw = kiln_alloc(n ? n : 1, sizeof *sw);
    if (!sw)
        return NULL;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w ? w[i] : 1.0;
    for (size_t i = 0; i < n; i++)
        sw[i] = (w ? w[i] : 1.0) * (normalise && total > 0 ? (double)n / total : 1.0);
    return sw;
}

kiln_mat *kiln_linear_center_x(const kiln_mat *X, const double *sw, int fit_intercept, double *xmean)
{
    size_t n = X->rows, d = X->cols;
    kiln_mat *c = kiln_mat_copy(X);
    if (!c)
        return NULL;
    memset(xmean, 0, d * sizeof *xmean);
    if (fit_intercept && n > 0) {
        double total = 0;
        for (size_t i = 0; i < n; i++) {
            cblas_daxpy((int)d, sw[i], KILN_MAT_ROW(X, i), 1, xmean, 1);
            total += sw[i];
        }
        for (size_t j = 0; j < d; j++)
            xmean[j] /= total;
    }
    for (size_t i = 0; i < n; i++) {
        double *row = KILN_MAT_ROW(c, i), s = sqrt(sw[i]);
        for (size_t j = 0; j < d; j++)
            row[j] = (row[j] - xmean[j]) * s;
    }
    return c;
}

double kiln_linear_center_y(const double *y, size_t ys, size_t n, const double *sw, int fit_intercept,
                            double *yc, size_t ycs)
{
    double mean = 0, total = 0;
    if (fit_intercept) {
        for (size_t i = 0; i < n; i++) {
            mean += sw[i] * y[i * ys];
            total += sw[i];
        }
        mean = total > 0 ? mean / total : 0;
    }
    for (size_t i = 0; i < n; i++)
        yc[i * ycs] = (y[i * ys] - mean) * sqrt(sw[i]);
    return mean;
}
