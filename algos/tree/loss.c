/* The losses of gradient boosting: derivatives, inverse links and starting scores.
 *
 * With r = F - y (raw score minus target) and row weight w:
 *
 *   squared error    l = w r^2 / 2                 g = w r          h = w
 *   absolute error   l = w |r|                     g = w sign(r)    h = w   (leaves refitted to medians)
 *   Huber (pseudo)   l = w d^2 (sqrt(1+(r/d)^2)-1) g = w r / s^1/2  h = w / s^3/2,  s = 1+(r/d)^2
 *   logistic         l = w (log(1+e^F) - y F)      g = w (p - y)    h = w p (1-p),  p = 1/(1+e^-F)
 *   softmax (K)      l = -w log p_y                g_k = w (p_k - [y=k])  h_k = w p_k (1-p_k)
 *
 * The softmax hessian is the diagonal of the true one (Friedman, Hastie &
 * Tibshirani 2000); XGBoost multiplies it by 2, which halves its leaf values.
 * The pseudo-Huber loss (Charbonnier et al. 1997; XGBoost's
 * reg:pseudohubererror) is the smooth Huber: quadratic for |r| << d, linear
 * beyond, with a positive hessian everywhere so the Newton step exists. The
 * absolute error has a zero hessian: the tree is grown on sign gradients with
 * unit hessians and each leaf then takes the weighted median of its residuals
 * (Friedman 2001, LAD_TreeBoost), as XGBoost's reg:absoluteerror does.
 *
 * Starting scores: the weighted mean (squared), the weighted median (absolute,
 * Huber), the log-odds of the positive rate (logistic), the log class priors
 * (softmax). Hessians are floored at 1e-16 so no leaf divides by zero.
 */
#include "algos/tree/loss_impl.h"

#include <math.h>
#include <stdlib.h>
#include "core/vmath.h"
#include "kiln/util.h"

/* Rows whose losses one pass computes (vectorised) before they are summed in order. */
#define EVAL_BLOCK 256

#define HESS_FLOOR 1e-16
#define PROB_FLOOR 1e-15

static double row_weight(const double *w, size_t i)
{
    return w ? w[i] : 1.0;
}

static kiln_status weight_total(const double *w, size_t n, double *total)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += row_weight(w, i);
    if (!(s > 0))
        return KILN_ERROR(KILN_EINPUT, "the row weights sum to %g: nothing to fit", s);
    *total = s;
    return KILN_OK;
}

kiln_status kiln_loss_weighted_median(const double *v, const double *w, size_t n, double *out)
{
    double total = 0;
    KILN_TRY(weight_total(w, n, &total));
    size_t *idx = kiln_alloc(n, sizeof *idx);
    if (!idx)
        return KILN_ENOMEM;
    kiln_argsort(v, idx, n);
    double acc = 0;
    size_t i = 0;
    while (i + 1 < n && acc + row_weight(w, idx[i]) < 0.5 * total)
        acc += row_weight(w, idx[i++]);
    /* Exactly half the weight below: the midpoint, as the unweighted median of an even count. */
    if (i + 1 < n && acc + row_weight(w, idx[i]) == 0.5 * total)
        *out = 0.5 * (v[idx[i]] + v[idx[i + 1]]);
    else
        *out = v[idx[i]];
    free(idx);
    return KILN_OK;
}

/* p = 1 / (1 + e^-f) and sp = log(1 + e^f), from one exp(-|f|) without
 * overflow (vmath.h's, so the loops over rows vectorise). */
static inline void logistic_row(double f, double *p, double *sp)
{
    double e = kiln_exp_neg(-fabs(f)), d = 1.0 / (1.0 + e);
    *p = f >= 0 ? d : e * d;
    *sp = (f > 0 ? f : 0.0) + kiln_log1p_unit(e);
}

static float hess_floor(double h)
{
    return (float)(h > HESS_FLOOR ? h : HESS_FLOOR);
}

/* ---- squared error ---- */

static kiln_status squared_init(const double *y, const double *w, size_t n, const kiln_loss_cfg *c, double *raw0)
{
    (void)c;
    double total = 0, s = 0;
    KILN_TRY(weight_total(w, n, &total));
    for (size_t i = 0; i < n; i++)
        s += row_weight(w, i) * y[i];
    raw0[0] = s / total;
    return KILN_OK;
}

static void squared_eval(const double *y, const double *w, const double *raw, size_t n, const kiln_loss_cfg *c,
                         float *g, float *h, double *loss, double *weight)
{
    (void)c;
    double s = 0, sw = 0;
    for (size_t i = 0; i < n; i++) {
        double r = raw[i] - y[i], wi = row_weight(w, i);
        s += wi * 0.5 * r * r;
        sw += wi;
        if (g) {
            g[i] = (float)(wi * r);
            h[i] = hess_floor(wi);
        }
    }
    *loss = s;
    *weight = sw;
}

static void identity_link(const double *raw, const kiln_loss_cfg *c, double *out)
{
    (void)c;
    out[0] = raw[0];
}

/* ---- absolute error ---- */

static kiln_status median_init(const double *y, const double *w, size_t n, const kiln_loss_cfg *c, double *raw0)
{
    (void)c;
    return kiln_loss_weighted_median(y, w, n, raw0);
}

static void absolute_eval(const double *y, const double *w, const double *raw, size_t n, const kiln_loss_cfg *c,
                          float *g, float *h, double *loss, double *weight)
{
    (void)c;
    double s = 0, sw = 0;
    for (size_t i = 0; i < n; i++) {
        double r = raw[i] - y[i], wi = row_weight(w, i);
        s += wi * fabs(r);
        sw += wi;
        if (g) {
            g[i] = (float)(wi * (r > 0 ? 1.0 : r < 0 ? -1.0 : 0.0));
            h[i] = hess_floor(wi);
        }
    }
    *loss = s;
    *weight = sw;
}

/* ---- pseudo-Huber ---- */

static void huber_eval(const double *y, const double *w, const double *raw, size_t n, const kiln_loss_cfg *c,
                       float *g, float *h, double *loss, double *weight)
{
    double s = 0, sw = 0, d2 = c->delta * c->delta;
    for (size_t i = 0; i < n; i++) {
        double r = raw[i] - y[i], wi = row_weight(w, i);
        double q = r / c->delta, q1 = 1.0 + q * q, rs = sqrt(q1);
        /* sqrt(1+q^2) - 1 = q^2 / (sqrt(1+q^2) + 1), exact for small q. */
        s += wi * d2 * q * q / (rs + 1.0);
        sw += wi;
        if (g) {
            g[i] = (float)(wi * r / rs);
            h[i] = hess_floor(wi / (q1 * rs));
        }
    }
    *loss = s;
    *weight = sw;
}

/* ---- logistic (binary log loss) ---- */

static kiln_status logistic_init(const double *y, const double *w, size_t n, const kiln_loss_cfg *c, double *raw0)
{
    (void)c;
    double total = 0, pos = 0;
    KILN_TRY(weight_total(w, n, &total));
    for (size_t i = 0; i < n; i++)
        pos += row_weight(w, i) * (y[i] == 1.0);
    double p = fmin(fmax(pos / total, PROB_FLOOR), 1.0 - PROB_FLOOR);
    raw0[0] = log(p / (1.0 - p));
    return KILN_OK;
}

static void logistic_eval(const double *y, const double *w, const double *raw, size_t n, const kiln_loss_cfg *c,
                          float *g, float *h, double *loss, double *weight)
{
    (void)c;
    double s = 0, sw = 0, part[EVAL_BLOCK], wb[EVAL_BLOCK];
    float g_none[EVAL_BLOCK], h_none[EVAL_BLOCK];
    for (size_t b = 0; b < n; b += EVAL_BLOCK) {
        size_t len = n - b < EVAL_BLOCK ? n - b : EVAL_BLOCK;
        float *gb = g ? g + b : g_none, *hb = g ? h + b : h_none;
        for (size_t i = 0; i < len; i++)
            wb[i] = row_weight(w, b + i);
        for (size_t i = 0; i < len; i++) { /* no branch, no sum carried from row to row: vectorised */
            double f = raw[b + i], yi = y[b + i] == 1.0, p, sp;
            logistic_row(f, &p, &sp);
            part[i] = wb[i] * (sp - yi * f);
            gb[i] = (float)(wb[i] * (p - yi));
            hb[i] = (float)(wb[i] * p * (1.0 - p));
        }
        for (size_t i = 0; i < len; i++) {
            hb[i] = hess_floor(hb[i]); /* (in the loop above it keeps the loop scalar) */
            s += part[i];
            sw += wb[i];
        }
    }
    *loss = s;
    *weight = sw;
}

static void logistic_link(const double *raw, const kiln_loss_cfg *c, double *out)
{
    (void)c;
    double sp;
    logistic_row(raw[0], &out[1], &sp);
    out[0] = 1.0 - out[1];
}

/* ---- softmax (multiclass log loss) ---- */

static kiln_status softmax_init(const double *y, const double *w, size_t n, const kiln_loss_cfg *c, double *raw0)
{
    double total = 0;
    KILN_TRY(weight_total(w, n, &total));
    for (size_t k = 0; k < c->k; k++)
        raw0[k] = 0;
    for (size_t i = 0; i < n; i++)
        raw0[(size_t)y[i]] += row_weight(w, i);
    for (size_t k = 0; k < c->k; k++)
        raw0[k] = log(fmax(raw0[k] / total, PROB_FLOOR));
    return KILN_OK;
}

/* p = softmax(raw[0..k)), shifted by the maximum so exp cannot overflow; returns log sum exp. */
static double softmax_row(const double *raw, size_t k, double *p)
{
    double m = raw[0], s = 0;
    for (size_t j = 1; j < k; j++)
        m = fmax(m, raw[j]);
    for (size_t j = 0; j < k; j++)
        s += p[j] = kiln_exp_neg(raw[j] - m);
    for (size_t j = 0; j < k; j++)
        p[j] /= s;
    return m + log(s);
}

static void softmax_eval(const double *y, const double *w, const double *raw, size_t n, const kiln_loss_cfg *c,
                         float *g, float *h, double *loss, double *weight)
{
    size_t k = c->k, row = c->g_col ? 1 : k, col = c->g_col ? c->g_col : 1;
    double s = 0, sw = 0;
    for (size_t i = 0; i < n; i++) {
        double p[k];
        double lse = softmax_row(raw + i * k, k, p), wi = row_weight(w, i);
        s += wi * (lse - raw[i * k + (size_t)y[i]]);
        sw += wi;
        for (size_t j = 0; g && j < k; j++) {
            g[i * row + j * col] = (float)(wi * (p[j] - ((size_t)y[i] == j)));
            h[i * row + j * col] = hess_floor(wi * p[j] * (1.0 - p[j]));
        }
    }
    *loss = s;
    *weight = sw;
}

static void softmax_link(const double *raw, const kiln_loss_cfg *c, double *out)
{
    softmax_row(raw, c->k, out);
}

static const kiln_loss losses[] = {
    {KILN_LOSS_SQUARED, "squared_error", 0, squared_init, squared_eval, identity_link},
    {KILN_LOSS_ABSOLUTE, "absolute_error", 1, median_init, absolute_eval, identity_link},
    {KILN_LOSS_HUBER, "huber", 0, median_init, huber_eval, identity_link},
    {KILN_LOSS_LOGISTIC, "log_loss", 0, logistic_init, logistic_eval, logistic_link},
    {KILN_LOSS_SOFTMAX, "multi_log_loss", 0, softmax_init, softmax_eval, softmax_link},
};

const kiln_loss *kiln_loss_get(kiln_loss_kind kind)
{
    size_t i = (size_t)kind;
    return i < sizeof losses / sizeof losses[0] ? &losses[i] : NULL;
}

size_t kiln_loss_n_raw(const kiln_loss *L, size_t n_classes)
{
    return L->kind == KILN_LOSS_SOFTMAX ? n_classes : 1;
}
