/* PyCaret's model-selection metrics, defined as scikit-learn (1.2) defines them.
 *
 * Classification, from the confusion matrix C (C[t][p] = rows of true class t
 * predicted p, the prediction being the row's argmax), its row sums t_c
 * (support), column sums p_c and n rows:
 *   Accuracy  = trace(C) / n
 *   Recall_c  = C[c][c] / t_c,  Prec._c = C[c][c] / p_c  (0 when the divisor is 0,
 *               sklearn's zero_division default), F1_c = 2 P R / (P + R) (0 if P + R = 0)
 *   binary (k = 2): the class-1 values; multiclass: sum_c t_c m_c / n
 *   Kappa     = 1 - sum_{i!=j} C[i][j] / sum_{i!=j} p_i t_j / n       (Cohen 1960)
 *   MCC       = (trace(C) n - t.p) / sqrt((n^2 - p.p)(n^2 - t.t)), 0 if either
 *               factor is 0 (Gorodkin 2004, sklearn's matthews_corrcoef)
 *   AUC       = P(s+ > s-) + P(s+ = s-) / 2, the Mann-Whitney U statistic over
 *               one sort of the scores: equal scores form a group, and each
 *               positive in it beats the negatives below plus half those in it.
 *               Binary: column 1 against y = 1. Multiclass: one-vs-rest from each
 *               class's column, weighted by support (Hand & Till 2001 discuss the
 *               alternatives). NaN when y holds a single class.
 *   LogLoss   = -mean log clip(P[i][y_i], 1e-15, 1 - 1e-15); rows not renormalised.
 *
 * Regression, with e_i = y_i - p_i:
 *   MAE = mean |e|, MSE = mean e^2, RMSE = sqrt(MSE),
 *   R2 = 1 - sum e^2 / sum (y - mean y)^2 (constant y: 1 if every e = 0, else 0),
 *   RMSLE = sqrt(mean (log1p |y| - log1p |p|)^2), PyCaret's definition (its
 *           regression metrics take scikit-learn's mean_squared_log_error of
 *           the absolute values, which scikit-learn alone refuses if negative),
 *   MAPE = mean |e| / |y| over the rows with y != 0 (NaN if there are none);
 *   scikit-learn instead divides by max(|y|, eps), which explodes on y = 0.
 *
 * Sums use Neumaier's compensated summation, so a mean over a million rows
 * keeps full precision.
 */
#include "kiln/metrics.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kiln/util.h"

#define LOGLOSS_EPS 1e-15

/* ---- compensated summation ------------------------------------------------ */

typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static double ksum_value(const ksum *k)
{
    return k->s + k->c;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const classify_names[] = {"Accuracy", "AUC", "Recall", "Prec.", "F1", "Kappa", "MCC"};
static const char *const regress_names[] = {"MAE", "MSE", "RMSE", "R2", "RMSLE", "MAPE"};

typedef struct metric_def {
    const char *name;
    kiln_task task;
    size_t offset; /* of the double in kiln_metrics */
    int higher_better;
} metric_def;

static const metric_def metric_defs[] = {
    {"Accuracy", KILN_TASK_CLASSIFY, offsetof(kiln_metrics, accuracy), 1},
    {"AUC", KILN_TASK_CLASSIFY, offsetof(kiln_metrics, auc), 1},
    {"Recall", KILN_TASK_CLASSIFY, offsetof(kiln_metrics, recall), 1},
    {"Prec.", KILN_TASK_CLASSIFY, offsetof(kiln_metrics, precision), 1},
    {"F1", KILN_TASK_CLASSIFY, offsetof(kiln_metrics, f1), 1},
    {"Kappa", KILN_TASK_CLASSIFY, offsetof(kiln_metrics, kappa), 1},
    {"MCC", KILN_TASK_CLASSIFY, offsetof(kiln_metrics, mcc), 1},
    {"LogLoss", KILN_TASK_CLASSIFY, offsetof(kiln_metrics, logloss), 0},
    {"MAE", KILN_TASK_REGRESS, offsetof(kiln_metrics, mae), 0},
    {"MSE", KILN_TASK_REGRESS, offsetof(kiln_metrics, mse), 0},
    {"RMSE", KILN_TASK_REGRESS, offsetof(kiln_metrics, rmse), 0},
    {"R2", KILN_TASK_REGRESS, offsetof(kiln_metrics, r2), 1},
    {"RMSLE", KILN_TASK_REGRESS, offsetof(kiln_metrics, rmsle), 0},
    {"MAPE", KILN_TASK_REGRESS, offsetof(kiln_metrics, mape), 0},
};

#define N_METRIC_DEFS (sizeof metric_defs / sizeof metric_defs[0])

/* Names compare case-insensitively, so "auc" on the command line finds "AUC". */
static const metric_def *metric_find(const char *name, kiln_task task)
{
    for (size_t i = 0; i < N_METRIC_DEFS; i++)
        if ((task == 0 || metric_defs[i].task == task) && strcasecmp(metric_defs[i].name, name) == 0)
            return &metric_defs[i];
    return NULL;
}

size_t kiln_metric_names(kiln_task task, const char *const **names)
{
    if (task == KILN_TASK_REGRESS) {
        *names = regress_names;
        return sizeof regress_names / sizeof regress_names[0];
    }
    *names = classify_names;
    return sizeof classify_names / sizeof classify_names[0];
}

static const char *task_word(kiln_task task)
{
    return task == KILN_TASK_REGRESS ? "regression" : "classification";
}

kiln_status kiln_metric_get(const kiln_metrics *m, const char *name, double *value)
{
    const metric_def *d = metric_find(name, m->task);
    if (d) {
        memcpy(value, (const char *)m + d->offset, sizeof *value);
        return KILN_OK;
    }
    char choices[160] = "";
    size_t used = 0;
    for (size_t i = 0; i < N_METRIC_DEFS; i++)
        if (metric_defs[i].task == m->task)
            used += (size_t)snprintf(choices + used, sizeof choices - used, "%s%s", used ? ", " : "",
                                     metric_defs[i].name);
    return KILN_ERROR(KILN_EINPUT, "unknown metric '%s' for %s; choose one of %s", name, task_word(m->task),
                      choices);
}

int kiln_metric_higher_better(const char *name)
{
    const metric_def *d = metric_find(name, 0);
    return d ? d->higher_better : 0;
}

/* ---- classification ------------------------------------------------------- */

size_t kiln_argmax_row(const double *scores, size_t k)
{
    size_t best = 0;
    for (size_t j = 1; j < k; j++)
        if (scores[j] > scores[best])
            best = j;
    return best;
}

/* Mann-Whitney AUC of `score` for the rows where pos[i] is set; idx is scratch
 * of n entries. NaN when either side is empty. */
static double binary_auc(const double *score, const unsigned char *pos, size_t n, size_t *idx)
{
    kiln_argsort(score, idx, n);
    double n_pos = 0, n_neg = 0, wins = 0;
    for (size_t lo = 0; lo < n;) {
        size_t hi = lo;
        double p = 0, q = 0;
        for (; hi < n && score[idx[hi]] == score[idx[lo]]; hi++) {
            if (pos[idx[hi]])
                p++;
            else
                q++;
        }
        wins += p * (n_neg + 0.5 * q);
        n_pos += p;
        n_neg += q;
        lo = hi;
    }
    if (n_pos == 0 || n_neg == 0)
        return NAN;
    return wins / (n_pos * n_neg);
}

/* Binary: column 1 against class 1. Multiclass: sum_c t_c AUC_c / n over the
 * classes present; a class making up every row leaves AUC undefined. */
static kiln_status auc_score(const double *y, const kiln_mat *scores, const double *support, double *auc)
{
    size_t n = scores->rows, k = scores->cols;
    double *col = kiln_alloc(n, sizeof *col);
    unsigned char *pos = kiln_alloc(n, sizeof *pos);
    size_t *idx = kiln_alloc(n, sizeof *idx);
    if (!col || !pos || !idx) {
        free(col);
        free(pos);
        free(idx);
        return KILN_ENOMEM;
    }
    size_t first = k == 2 ? 1 : 0;
    double total = 0;
    for (size_t c = first; c < k; c++) {
        if (support[c] == 0 && k > 2)
            continue;
        for (size_t i = 0; i < n; i++) {
            col[i] = KILN_MAT_AT(scores, i, c);
            pos[i] = (size_t)y[i] == c;
        }
        double a = binary_auc(col, pos, n, idx);
        total += k == 2 ? a : support[c] * a;
    }
    *auc = k == 2 ? total : total / (double)n;
    free(col);
    free(pos);
    free(idx);
    return KILN_OK;
}

static double safe_div(double num, double den)
{
    return den == 0 ? 0.0 : num / den;
}

/* Recall, precision and F1 of class c from the confusion matrix margins. */
static void class_prf(double tp, double t, double p, double *recall, double *prec, double *f1)
{
    *recall = safe_div(tp, t);
    *prec = safe_div(tp, p);
    double den = *prec + *recall;
    *f1 = den == 0 ? 0.0 : 2.0 * *prec * *recall / den;
}

/* Accuracy, Recall, Prec., F1, Kappa and MCC from the confusion matrix. */
static void confusion_metrics(const double *cm, const double *t, const double *p, size_t k, size_t n,
                              kiln_metrics *out)
{
    double nn = (double)n, trace = 0, tp_dot = 0, tt = 0, pp = 0;
    for (size_t c = 0; c < k; c++) {
        trace += cm[c * k + c];
        tp_dot += t[c] * p[c];
        tt += t[c] * t[c];
        pp += p[c] * p[c];
    }
    out->accuracy = trace / nn;

    if (k == 2) {
        class_prf(cm[3], t[1], p[1], &out->recall, &out->precision, &out->f1);
    } else {
        double r = 0, pr = 0, f = 0;
        for (size_t c = 0; c < k; c++) {
            double rc, pc, fc;
            class_prf(cm[c * k + c], t[c], p[c], &rc, &pc, &fc);
            r += t[c] * rc;
            pr += t[c] * pc;
            f += t[c] * fc;
        }
        out->recall = r / nn;
        out->precision = pr / nn;
        out->f1 = f / nn;
    }

    /* Observed disagreements n - trace over expected ones (n^2 - t.p) / n;
     * 0/0 (one class everywhere) is NaN, as in scikit-learn. */
    out->kappa = 1.0 - (nn - trace) * nn / (nn * nn - tp_dot);

    double cov_tp = trace * nn - tp_dot, cov_pp = nn * nn - pp, cov_tt = nn * nn - tt;
    out->mcc = cov_pp * cov_tt == 0 ? 0.0 : cov_tp / sqrt(cov_tt * cov_pp);
}

static double log_loss(const double *y, const kiln_mat *scores)
{
    ksum s = {0, 0};
    for (size_t i = 0; i < scores->rows; i++) {
        double q = KILN_MAT_AT(scores, i, (size_t)y[i]);
        q = fmin(fmax(q, LOGLOSS_EPS), 1.0 - LOGLOSS_EPS);
        ksum_add(&s, -log(q));
    }
    return ksum_value(&s) / (double)scores->rows;
}

static void set_all_nan(kiln_metrics *out, kiln_task task)
{
    out->task = task;
    out->accuracy = out->auc = out->recall = out->precision = out->f1 = NAN;
    out->kappa = out->mcc = out->logloss = NAN;
    out->mae = out->mse = out->rmse = out->r2 = out->rmsle = out->mape = NAN;
}

static kiln_status check_classify_input(const double *y, const kiln_mat *scores)
{
    size_t n = scores->rows, k = scores->cols;
    if (n == 0)
        return KILN_ERROR(KILN_EINPUT, "metrics: no rows to score");
    if (k < 2)
        return KILN_ERROR(KILN_EINPUT, "metrics: classification needs at least 2 score columns, got %zu", k);
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] >= 0 && y[i] < (double)k && y[i] == floor(y[i])))
            return KILN_ERROR(KILN_EINPUT, "metrics: row %zu: target %g is not a class index in [0, %zu)", i,
                              y[i], k);
        for (size_t j = 0; j < k; j++)
            if (isnan(KILN_MAT_AT(scores, i, j)))
                return KILN_ERROR(KILN_EINPUT, "metrics: row %zu: score of class %zu is NaN", i, j);
    }
    return KILN_OK;
}

kiln_status kiln_metrics_classify(const double *y, const kiln_mat *scores, int proba, kiln_metrics *out)
{
    KILN_TRY(check_classify_input(y, scores));
    size_t n = scores->rows, k = scores->cols;
    /* cm (k x k), then the true-class and predicted-class counts. */
    double *cm = kiln_alloc(k * k + 2 * k, sizeof *cm);
    if (!cm)
        return KILN_ENOMEM;
    double *t = cm + k * k, *p = t + k;
    for (size_t i = 0; i < n; i++) {
        size_t yt = (size_t)y[i], yp = kiln_argmax_row(KILN_MAT_ROW(scores, i), k);
        cm[yt * k + yp] += 1;
        t[yt] += 1;
        p[yp] += 1;
    }
    kiln_metrics m;
    set_all_nan(&m, KILN_TASK_CLASSIFY);
    confusion_metrics(cm, t, p, k, n, &m);
    kiln_status s = auc_score(y, scores, t, &m.auc);
    free(cm);
    if (s != KILN_OK)
        return s;
    if (proba)
        m.logloss = log_loss(y, scores);
    *out = m;
    return KILN_OK;
}

kiln_status kiln_metrics_per_class(const double *y, const kiln_mat *scores, double *precision, double *recall,
                                   double *f1, double *support)
{
    KILN_TRY(check_classify_input(y, scores));
    size_t n = scores->rows, k = scores->cols;
    double *tp = kiln_alloc(2 * k, sizeof *tp);
    if (!tp)
        return KILN_ENOMEM;
    double *p = tp + k;
    for (size_t c = 0; c < k; c++)
        support[c] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t yt = (size_t)y[i], yp = kiln_argmax_row(KILN_MAT_ROW(scores, i), k);
        support[yt] += 1;
        p[yp] += 1;
        if (yt == yp)
            tp[yt] += 1;
    }
    for (size_t c = 0; c < k; c++)
        class_prf(tp[c], support[c], p[c], &recall[c], &precision[c], &f1[c]);
    free(tp);
    return KILN_OK;
}

/* ---- regression ----------------------------------------------------------- */

/* 1 - SSE / SST; a constant y (SST = 0) gives 1 for a perfect fit, else 0. */
static double r2_score(const double *y, size_t n, double sse)
{
    ksum sy = {0, 0}, sst = {0, 0};
    int constant = 1;
    for (size_t i = 0; i < n; i++) {
        ksum_add(&sy, y[i]);
        constant &= y[i] == y[0];
    }
    if (constant)
        return sse == 0 ? 1.0 : 0.0;
    double mean = ksum_value(&sy) / (double)n;
    for (size_t i = 0; i < n; i++)
        ksum_add(&sst, (y[i] - mean) * (y[i] - mean));
    return 1.0 - sse / ksum_value(&sst);
}

kiln_status kiln_metrics_regress(const double *y, const double *pred, size_t n, kiln_metrics *out)
{
    if (n == 0)
        return KILN_ERROR(KILN_EINPUT, "metrics: no rows to score");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return KILN_ERROR(KILN_EINPUT, "metrics: row %zu: target %g is not finite", i, y[i]);
        if (isnan(pred[i]))
            return KILN_ERROR(KILN_EINPUT, "metrics: row %zu: prediction is NaN", i);
    }
    ksum abs_err = {0, 0}, sq_err = {0, 0}, sq_log = {0, 0}, pct = {0, 0};
    size_t n_pct = 0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - pred[i];
        ksum_add(&abs_err, fabs(e));
        ksum_add(&sq_err, e * e);
        double d = log1p(fabs(y[i])) - log1p(fabs(pred[i]));
        ksum_add(&sq_log, d * d);
        if (y[i] != 0) {
            ksum_add(&pct, fabs(e) / fabs(y[i]));
            n_pct++;
        }
    }
    kiln_metrics m;
    set_all_nan(&m, KILN_TASK_REGRESS);
    double nn = (double)n, sse = ksum_value(&sq_err);
    m.mae = ksum_value(&abs_err) / nn;
    m.mse = sse / nn;
    m.rmse = sqrt(m.mse);
    m.r2 = r2_score(y, n, sse);
    m.rmsle = sqrt(ksum_value(&sq_log) / nn);
    m.mape = n_pct ? ksum_value(&pct) / (double)n_pct : NAN;
    *out = m;
    return KILN_OK;
}
