/* ROC and precision-recall curves (see kiln/curves.h).
 *
 * Sort the rows by score, descending; for each distinct score t (a threshold)
 * count tp(t) = positives with score >= t and fp(t) = negatives with score >= t.
 *   ROC point:  (fp / N, tp / P)
 *   PR point:   (tp / P, tp / (tp + fp))
 * This is scikit-learn's _binary_clf_curve; Fawcett, "An introduction to ROC
 * analysis", Pattern Recognition Letters 27 (2006), algorithm 1. */
#include "kiln/curves.h"

#include <math.h>
#include <stdlib.h>
#include "kiln/util.h"

void kiln_curve_clear(kiln_curve *c)
{
    free(c->x);
    free(c->y);
    free(c->threshold);
    *c = (kiln_curve){0, NULL, NULL, NULL};
}

static kiln_status curve_alloc(kiln_curve *c, size_t n)
{
    *c = (kiln_curve){n, kiln_alloc(n, sizeof(double)), kiln_alloc(n, sizeof(double)), kiln_alloc(n, sizeof(double))};
    if (c->x && c->y && c->threshold)
        return KILN_OK;
    kiln_curve_clear(c);
    return KILN_ENOMEM;
}

/* Cumulative counts at each distinct threshold, highest first: tp, fp and the
 * threshold itself, m entries (m <= n). */
typedef struct clf_counts {
    size_t m;
    double *tp, *fp, *thr;
} clf_counts;

static void counts_free(clf_counts *c)
{
    free(c->tp);
    free(c->fp);
    free(c->thr);
}

static kiln_status binary_counts(const double *score, const unsigned char *pos, size_t n, clf_counts *out)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(score[i]))
            return KILN_ERROR(KILN_EINPUT, "curve: row %zu: score is NaN", i);
    size_t *idx = kiln_alloc(n ? n : 1, sizeof *idx);
    *out = (clf_counts){0, kiln_alloc(n ? n : 1, sizeof(double)), kiln_alloc(n ? n : 1, sizeof(double)),
                        kiln_alloc(n ? n : 1, sizeof(double))};
    if (!idx || !out->tp || !out->fp || !out->thr) {
        free(idx);
        counts_free(out);
        return KILN_ENOMEM;
    }
    kiln_argsort(score, idx, n);
    double tp = 0, fp = 0;
    for (size_t hi = n; hi > 0;) {
        double t = score[idx[hi - 1]];
        for (; hi > 0 && score[idx[hi - 1]] == t; hi--) {
            if (pos[idx[hi - 1]])
                tp++;
            else
                fp++;
        }
        out->tp[out->m] = tp;
        out->fp[out->m] = fp;
        out->thr[out->m++] = t;
    }
    free(idx);
    if (tp == 0 || fp == 0) {
        counts_free(out);
        return KILN_ERROR(KILN_EINPUT, "curve: needs positive and negative rows (%g positive, %g negative)", tp, fp);
    }
    return KILN_OK;
}

kiln_status kiln_curve_roc(const double *score, const unsigned char *pos, size_t n, kiln_curve *out)
{
    clf_counts c;
    KILN_TRY(binary_counts(score, pos, n, &c));
    kiln_status s = curve_alloc(out, c.m + 1);
    if (s == KILN_OK) {
        double P = c.tp[c.m - 1], N = c.fp[c.m - 1];
        out->threshold[0] = INFINITY;
        for (size_t i = 0; i < c.m; i++) {
            out->x[i + 1] = c.fp[i] / N;
            out->y[i + 1] = c.tp[i] / P;
            out->threshold[i + 1] = c.thr[i];
        }
    }
    counts_free(&c);
    return s;
}

kiln_status kiln_curve_pr(const double *score, const unsigned char *pos, size_t n, kiln_curve *out)
{
    clf_counts c;
    KILN_TRY(binary_counts(score, pos, n, &c));
    double P = c.tp[c.m - 1];
    kiln_status s = curve_alloc(out, c.m + 1);
    for (size_t k = 0; s == KILN_OK && k < c.m; k++) {
        size_t i = c.m - 1 - k;
        out->x[k] = c.tp[i] / P;
        out->y[k] = c.tp[i] / (c.tp[i] + c.fp[i]);
        out->threshold[k] = c.thr[i];
    }
    if (s == KILN_OK) {
        out->x[c.m] = 0.0;
        out->y[c.m] = 1.0;
        out->threshold[c.m] = INFINITY;
    }
    counts_free(&c);
    return s;
}

double kiln_curve_area(const kiln_curve *c)
{
    double a = 0;
    for (size_t i = 1; i < c->n; i++)
        a += (c->x[i] - c->x[i - 1]) * (c->y[i] + c->y[i - 1]) / 2.0;
    return fabs(a);
}
