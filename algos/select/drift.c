/* Drift of new data against a model's training summary (see kiln/drift.h).
 *
 * Kolmogorov-Smirnov: D = sup_x |F_train(x) - F_new(x)| over the empirical
 * distribution functions; with the training sketch F_train is exact up to
 * 1000 training values and within 1/1000 beyond. p-value: the limiting
 * Kolmogorov distribution at (sqrt(en) + 0.12 + 0.11/sqrt(en)) D with the
 * effective size en = n m / (n + m) (Stephens 1970, the correction that brings
 * the limit close to the finite-n distribution that scipy's
 * ks_2samp(method='asymp') evaluates; Press et al., Numerical Recipes, 14.3).
 * Q_KS(x) = 2 sum_{k>=1} (-1)^{k-1} exp(-2 k^2 x^2), or for small x the
 * equivalent 1 - sqrt(2 pi)/x sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2)).
 *
 * Population stability index (Siddiqi, Credit Risk Scorecards, 2006):
 * PSI = sum_i (a_i - e_i) ln(a_i / e_i) over bins with training shares e_i
 * and new shares a_i; numeric bins are cut at the training deciles. Common
 * reading: < 0.1 stable, 0.1-0.2 some shift, >= 0.2 drifted. */
#include "kiln/drift.h"

#include <math.h>
#include <stdlib.h>
#include "kiln/util.h"

#define PSI_BINS 10
#define KS_SMALL_X 1.18
#define KS_TERMS 100

kiln_drift_options kiln_drift_options_default(void)
{
    return (kiln_drift_options){.alpha = 0.05, .psi_threshold = 0.2};
}

double kiln_ks_statistic(const double *a, size_t na, const double *b, size_t nb)
{
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double x = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        d = fmax(d, fabs((double)i / (double)na - (double)j / (double)nb));
    }
    return d;
}

double kiln_kolmogorov_sf(double x)
{
    if (!(x > 0))
        return 1.0;
    double sum = 0;
    if (x < KS_SMALL_X) {
        double w = M_PI * M_PI / (8 * x * x);
        for (int k = 1; k <= KS_TERMS; k++)
            sum += exp(-(double)((2 * k - 1) * (2 * k - 1)) * w);
        return fmin(1.0, fmax(0.0, 1.0 - sqrt(2 * M_PI) / x * sum));
    }
    for (int k = 1; k <= KS_TERMS; k++) {
        double term = exp(-2.0 * k * k * x * x);
        sum += k % 2 ? term : -term;
        if (term < 1e-300)
            break;
    }
    return fmin(1.0, fmax(0.0, 2 * sum));
}

double kiln_ks_pvalue(double d, double n1, double n2)
{
    double en = sqrt(n1 * n2 / (n1 + n2));
    return kiln_kolmogorov_sf((en + 0.12 + 0.11 / en) * d);
}

double kiln_psi(const double *expected, const double *actual, size_t k)
{
    double psi = 0;
    for (size_t i = 0; i < k; i++) {
        double e = fmax(expected[i], KILN_PSI_FLOOR), a = fmax(actual[i], KILN_PSI_FLOOR);
        psi += (a - e) * log(a / e);
    }
    return psi;
}

/* Bin of x among the sorted edges: the number of edges below it. */
static size_t bin_of(const double *edge, size_t ne, double x)
{
    size_t lo = 0, hi = ne;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (edge[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* PSI over bins cut at the training deciles: edge b is the smallest sketch
 * value with at least b/10 of the sketch at or below it (equal edges merged);
 * bins are (-inf, e1], (e1, e2], ..., (e_last, inf). */
static double numeric_psi(const kiln_pipe_col *pc, const double *v, size_t n)
{
    double edge[PSI_BINS], e[PSI_BINS] = {0}, a[PSI_BINS] = {0};
    size_t ne = 0, m = pc->n_sketch;
    for (size_t b = 1; b < PSI_BINS; b++) {
        double x = pc->sketch[(b * m + PSI_BINS - 1) / PSI_BINS - 1];
        if (ne == 0 || x > edge[ne - 1])
            edge[ne++] = x;
    }
    for (size_t i = 0; i < m; i++)
        e[bin_of(edge, ne, pc->sketch[i])] += 1.0 / (double)m;
    for (size_t i = 0; i < n; i++)
        a[bin_of(edge, ne, v[i])] += 1.0 / (double)n;
    return kiln_psi(e, a, ne + 1);
}

static kiln_status check_numeric(const kiln_pipe_col *pc, const kiln_frame *f, int col, kiln_drift_col *out)
{
    const kiln_column *c = &f->cols[col];
    if (c->type != KILN_COL_NUMERIC)
        return KILN_ERROR(KILN_EINPUT, "%s: column '%s' holds text; the model saw numbers there", f->source, pc->name);
    double *v = kiln_alloc(f->nrows ? f->nrows : 1, sizeof *v);
    if (!v)
        return KILN_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < f->nrows; i++)
        if (!isnan(c->num[i]))
            v[n++] = c->num[i];
    qsort(v, n, sizeof *v, kiln_cmp_double);
    out->n_new = (double)n;
    if (n > 0 && pc->n_sketch > 0) {
        out->ks = kiln_ks_statistic(pc->sketch, pc->n_sketch, v, n);
        out->p_value = kiln_ks_pvalue(out->ks, pc->n_train, (double)n);
        out->psi = numeric_psi(pc, v, n);
    }
    free(v);
    return KILN_OK;
}

static kiln_status check_categorical(const kiln_pipe_col *pc, const kiln_frame *f, int col, kiln_drift_col *out)
{
    size_t k = pc->nlevels + 1;
    double *e = kiln_alloc(2 * k, sizeof *e), *a = e + k, missing;
    if (!e)
        return KILN_ENOMEM;
    kiln_status s = kiln_pipeline_level_counts(pc, &f->cols[col], f->nrows, a, &missing);
    out->categorical = 1;
    out->n_new = (double)f->nrows - missing;
    if (s == KILN_OK && out->n_new > 0 && pc->n_train > 0) {
        for (size_t l = 0; l < k; l++) {
            e[l] = pc->level_count[l] / pc->n_train;
            a[l] /= out->n_new;
        }
        out->psi = kiln_psi(e, a, k);
    }
    free(e);
    return s;
}

kiln_status kiln_drift_check(const kiln_pipeline *p, const kiln_frame *f, const kiln_drift_options *opt,
                             kiln_drift_col *out)
{
    if (!p->has_summary)
        return KILN_ERROR(KILN_EINPUT, "the model has no training-data summary (saved by an older kiln); "
                                       "retrain it to check drift");
    if (!(opt->alpha > 0 && opt->alpha < 1) || !(opt->psi_threshold > 0))
        return KILN_ERROR(KILN_EINPUT, "drift: alpha must be in (0, 1) and the PSI threshold above 0");
    for (size_t j = 0; j < p->n_in; j++) {
        const kiln_pipe_col *pc = &p->in[j];
        int col = kiln_frame_find(f, pc->name);
        if (col < 0)
            return KILN_ERROR(KILN_EINPUT, "%s: no column '%s', which the model needs", f->source, pc->name);
        out[j] = (kiln_drift_col){.name = pc->name, .n_train = pc->n_train, .ks = NAN, .p_value = NAN, .psi = NAN};
        KILN_TRY(pc->enc == KILN_ENC_NUMERIC ? check_numeric(pc, f, col, &out[j])
                                             : check_categorical(pc, f, col, &out[j]));
        if (out[j].n_new == 0)
            return KILN_ERROR(KILN_EINPUT, "%s: column '%s' has no values", f->source, pc->name);
        out[j].drift = out[j].categorical ? out[j].psi >= opt->psi_threshold : out[j].p_value < opt->alpha;
    }
    return KILN_OK;
}
