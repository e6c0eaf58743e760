/* Brute-force k-nearest-neighbour search, in blocks.
 *
 * Euclidean (scikit-learn's EuclideanArgKmin): the squared distance of query
 * x and training row y is computed through one dgemm per block,
 *     r(x, y) = max(0, |x|^2 + (-2 x.y) + |y|^2),
 * with |.|^2 by ddot, in exactly that order of additions. Cosine: the rows are
 * divided by their norms and r = 1 - x.y (clipped to [0, 2]), as
 * sklearn.metrics.pairwise.cosine_distances. Manhattan and Minkowski sum
 * |x_j - y_j| (or its p-th power) feature by feature, as
 * sklearn.metrics.DistanceMetric does.
 *
 * Work is split into blocks of QB query rows (one parallel task each) and TB
 * training rows, so a task holds a QB x TB block of distances, never the whole
 * n_query x n_train matrix. A bounded max-heap per query keeps the k best
 * (rdist, index) pairs: lower index wins among equal rdist.
 *
 * Screening (docs/knn.md proves it safe): for Euclidean rows with many
 * features, a first pass computes the distances through sgemm on float copies,
 * keeps every training row whose approximate rdist is within 2B of the k-th
 * smallest approximate rdist (B bounds the rounding of both passes), then
 * re-ranks those candidates with the double-precision identity (x.y by ddot).
 * The result is the exact top-k under that double-precision distance.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "algos/neighbors/knn_impl.h"
#include "kiln/blas.h"
#include "kiln/util.h"

enum {
    QB = 128,             /* query rows per task                          */
    TB = 1024,            /* training rows per distance block             */
    SCREEN_MIN_D = 32,    /* screen only when GEMM dominates the cost      */
    SCREEN_SLOTS = 16     /* candidate slots per query, times k, before falling back */
};

/* Values beyond this would overflow or lose their relative accuracy in float. */
#define SCREEN_MAX_ABS 1e18

int knn_brute_screens(const kiln_knn_model *m)
{
    return m->metric == KNN_EUCLIDEAN && m->X->cols >= SCREEN_MIN_D;
}

static double row_max_abs(const double *x, size_t d)
{
    double a = 0;
    for (size_t j = 0; j < d; j++)
        a = fabs(x[j]) > a ? fabs(x[j]) : a;
    return a;
}

/* Divide a row by its Euclidean norm (a zero row stays zero), as sklearn's normalize. */
static void unit_row(const double *x, double *out, size_t d)
{
    double nrm = sqrt(kiln_blas_ddot(d, x, x));
    if (nrm == 0.0)
        nrm = 1.0;
    for (size_t j = 0; j < d; j++)
        out[j] = x[j] / nrm;
}

kiln_status knn_brute_prepare(kiln_knn_model *m)
{
    size_t n = m->X->rows, d = m->X->cols;
    if (m->metric == KNN_EUCLIDEAN) {
        m->norm_sq = kiln_alloc(n, sizeof *m->norm_sq);
        if (!m->norm_sq)
            return KILN_ENOMEM;
        m->max_norm = 0;
        for (size_t i = 0; i < n; i++) {
            const double *x = KILN_MAT_ROW(m->X, i);
            m->norm_sq[i] = kiln_blas_ddot(d, x, x);
            m->max_norm = fmax(m->max_norm, sqrt(m->norm_sq[i]));
        }
    }
    if (m->metric == KNN_COSINE) {
        m->unit = kiln_mat_new(n, d);
        if (!m->unit)
            return KILN_ENOMEM;
        for (size_t i = 0; i < n; i++)
            unit_row(KILN_MAT_ROW(m->X, i), KILN_MAT_ROW(m->unit, i), d);
    }
    if (knn_brute_screens(m) && row_max_abs(m->X->data, n * d) <= SCREEN_MAX_ABS) {
        m->X32 = kiln_alloc(n * d, sizeof *m->X32);
        if (!m->X32)
            return KILN_ENOMEM;
        for (size_t i = 0; i < n * d; i++)
            m->X32[i] = (float)m->X->data[i];
    }
    return KILN_OK;
}

typedef struct brute_job {
    const kiln_knn_model *m;
    const kiln_mat *Q;
    size_t k;
    int screen;
    size_t *idx;
    double *rdist;
} brute_job;

/* The rows [q0, q0+nq) of the job's output, as heaps. */
static void block_heaps(const brute_job *job, size_t q0, size_t nq, knn_heap *h)
{
    for (size_t i = 0; i < nq; i++)
        knn_heap_init(&h[i], job->rdist + (q0 + i) * job->k, job->idx + (q0 + i) * job->k, job->k);
}

static void finish_heaps(knn_heap *h, size_t nq)
{
    for (size_t i = 0; i < nq; i++)
        knn_heap_sort(&h[i]);
}

/* Squared Euclidean distances of one query block through dgemm. */
static kiln_status search_euclidean(const brute_job *job, size_t q0, size_t nq, knn_heap *h)
{
    const kiln_knn_model *m = job->m;
    size_t n = m->X->rows, d = m->X->cols;
    double *G = kiln_alloc((size_t)QB * TB, sizeof *G);
    double qn[QB];
    if (!G)
        return KILN_ENOMEM;
    for (size_t i = 0; i < nq; i++)
        qn[i] = kiln_blas_ddot(d, KILN_MAT_ROW(job->Q, q0 + i), KILN_MAT_ROW(job->Q, q0 + i));
    for (size_t t0 = 0; t0 < n; t0 += TB) {
        size_t nt = n - t0 < TB ? n - t0 : TB;
        kiln_blas_dgemm_nt(nq, nt, d, -2.0, KILN_MAT_ROW(job->Q, q0), job->Q->stride, KILN_MAT_ROW(m->X, t0), d, 0.0,
                           G, TB);
        for (size_t i = 0; i < nq; i++) {
            const double *g = G + i * TB;
            for (size_t j = 0; j < nt; j++) {
                double r = qn[i] + g[j] + m->norm_sq[t0 + j];
                r = r > 0 ? r : 0.0;
                if (r <= knn_heap_bound(&h[i]))
                    knn_heap_push(&h[i], r, t0 + j);
            }
        }
    }
    free(G);
    return KILN_OK;
}

/* Cosine distances of one query block through dgemm on unit rows. */
static kiln_status search_cosine(const brute_job *job, size_t q0, size_t nq, knn_heap *h)
{
    const kiln_knn_model *m = job->m;
    size_t n = m->X->rows, d = m->X->cols;
    double *G = kiln_alloc((size_t)QB * TB, sizeof *G);
    double *U = kiln_alloc(nq * d, sizeof *U);
    if (!G || !U) {
        free(G);
        free(U);
        return KILN_ENOMEM;
    }
    for (size_t i = 0; i < nq; i++)
        unit_row(KILN_MAT_ROW(job->Q, q0 + i), U + i * d, d);
    for (size_t t0 = 0; t0 < n; t0 += TB) {
        size_t nt = n - t0 < TB ? n - t0 : TB;
        kiln_blas_dgemm_nt(nq, nt, d, 1.0, U, d, KILN_MAT_ROW(m->unit, t0), d, 0.0, G, TB);
        for (size_t i = 0; i < nq; i++)
            for (size_t j = 0; j < nt; j++) {
                double r = 1.0 - G[i * TB + j];
                r = r < 0 ? 0.0 : r > 2 ? 2.0 : r;
                knn_heap_push(&h[i], r, t0 + j);
            }
    }
    free(G);
    free(U);
    return KILN_OK;
}

/* Manhattan and Minkowski: feature by feature, training rows in blocks. */
static kiln_status search_direct(const brute_job *job, size_t q0, size_t nq, knn_heap *h)
{
    const kiln_knn_model *m = job->m;
    size_t n = m->X->rows, d = m->X->cols;
    for (size_t t0 = 0; t0 < n; t0 += TB) {
        size_t t1 = n - t0 < TB ? n : t0 + TB;
        for (size_t i = 0; i < nq; i++)
            for (size_t t = t0; t < t1; t++)
                knn_heap_push(&h[i], knn_rdist(m, KILN_MAT_ROW(job->Q, q0 + i), KILN_MAT_ROW(m->X, t), d), t);
    }
    return KILN_OK;
}

/* The double-precision Euclidean rdist of a query (norm qn) and training row t. */
static double exact_euclidean(const kiln_knn_model *m, const double *q, double qn, size_t t)
{
    size_t d = m->X->cols;
    double r = qn + -2.0 * kiln_blas_ddot(d, q, KILN_MAT_ROW(m->X, t)) + m->norm_sq[t];
    return r > 0 ? r : 0.0;
}

/* Bound B on |approximate - exact rdist| for a query of norm^2 qn against any
 * training row (docs/knn.md, "Screening"): with u the unit roundoff and
 * g(n, u) = n u / (1 - n u),
 *   B = (2 g(d+2, u32) + 2 g(d, u64) + 12 u64) |x| M + 6 u64 (|x|^2 + M^2),
 * M the largest training norm, inflated by 1e-6 relative and by an absolute
 * term for float underflow. */
static double screen_bound(const kiln_knn_model *m, double qn)
{
    double d = (double)m->X->cols;
    double u32 = ldexp(1.0, -24), u64 = ldexp(1.0, -53);
    double g32 = (d + 2) * u32 / (1 - (d + 2) * u32), g64 = d * u64 / (1 - d * u64);
    double M = m->max_norm, xn = sqrt(qn);
    double B = (2 * g32 + 2 * g64 + 12 * u64) * xn * M + 6 * u64 * (qn + M * M);
    return B * (1 + 1e-6) + d * 1e-30;
}

/* One query's screening state: the k best approximate rdists (a heap) and the
 * candidates within 2B of its root. */
typedef struct screen_query {
    knn_heap approx;
    double *cd;
    size_t *ci;
    size_t nc;
    double margin; /* 2B */
    int fallback;  /* too many near-ties: search this query exactly in full */
} screen_query;

/* Drop candidates that the heap root has moved past. */
static void screen_prune(screen_query *s)
{
    double limit = knn_heap_bound(&s->approx) + s->margin;
    size_t w = 0;
    for (size_t c = 0; c < s->nc; c++)
        if (s->cd[c] <= limit) {
            s->cd[w] = s->cd[c];
            s->ci[w++] = s->ci[c];
        }
    s->nc = w;
}

static void screen_add(screen_query *s, double r, size_t t, size_t cap)
{
    knn_heap_push(&s->approx, r, t);
    if (r > knn_heap_bound(&s->approx) + s->margin)
        return;
    if (s->nc == cap) {
        screen_prune(s);
        if (s->nc > cap / 2) {
            s->fallback = 1;
            return;
        }
    }
    s->cd[s->nc] = r;
    s->ci[s->nc++] = t;
}

typedef struct screen_work {
    float *Q32, *G;
    double *hd, *cd;
    size_t *hi, *ci;
    screen_query s[QB];
} screen_work;

static void screen_work_free(screen_work *w)
{
    free(w->Q32);
    free(w->G);
    free(w->hd);
    free(w->cd);
    free(w->hi);
    free(w->ci);
}

static kiln_status screen_work_alloc(screen_work *w, size_t nq, size_t d, size_t k, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->Q32 = kiln_alloc(nq * d, sizeof *w->Q32);
    w->G = kiln_alloc((size_t)QB * TB, sizeof *w->G);
    w->hd = kiln_alloc(nq * k, sizeof *w->hd);
    w->hi = kiln_alloc(nq * k, sizeof *w->hi);
    w->cd = kiln_alloc(nq * cap, sizeof *w->cd);
    w->ci = kiln_alloc(nq * cap, sizeof *w->ci);
    if (!w->Q32 || !w->G || !w->hd || !w->hi || !w->cd || !w->ci) {
        screen_work_free(w);
        return KILN_ENOMEM;
    }
    return KILN_OK;
}

/* Screen one query block in single precision, then re-rank exactly. */
static kiln_status search_screened(const brute_job *job, size_t q0, size_t nq, knn_heap *h)
{
    const kiln_knn_model *m = job->m;
    size_t n = m->X->rows, d = m->X->cols, k = job->k;
    size_t cap = SCREEN_SLOTS * k + 64;
    screen_work w;
    double qn[QB];
    KILN_TRY(screen_work_alloc(&w, nq, d, k, cap));
    for (size_t i = 0; i < nq; i++) {
        const double *q = KILN_MAT_ROW(job->Q, q0 + i);
        screen_query *s = &w.s[i];
        qn[i] = kiln_blas_ddot(d, q, q);
        knn_heap_init(&s->approx, w.hd + i * k, w.hi + i * k, k);
        s->cd = w.cd + i * cap;
        s->ci = w.ci + i * cap;
        s->nc = 0;
        s->margin = 2 * screen_bound(m, qn[i]);
        s->fallback = row_max_abs(q, d) > SCREEN_MAX_ABS;
        for (size_t j = 0; j < d; j++)
            w.Q32[i * d + j] = (float)q[j];
    }
    for (size_t t0 = 0; t0 < n; t0 += TB) {
        size_t nt = n - t0 < TB ? n - t0 : TB;
        kiln_blas_sgemm_nt(nq, nt, d, -2.0f, w.Q32, d, m->X32 + t0 * d, d, 0.0f, w.G, TB);
        for (size_t i = 0; i < nq; i++) {
            screen_query *s = &w.s[i];
            const float *g = w.G + i * TB;
            for (size_t j = 0; j < nt && !s->fallback; j++) {
                double r = qn[i] + (double)g[j] + m->norm_sq[t0 + j];
                if (r <= knn_heap_bound(&s->approx) + s->margin)
                    screen_add(s, r, t0 + j, cap);
            }
        }
    }
    for (size_t i = 0; i < nq; i++) {
        const double *q = KILN_MAT_ROW(job->Q, q0 + i);
        screen_query *s = &w.s[i];
        if (s->fallback) {
            for (size_t t = 0; t < n; t++)
                knn_heap_push(&h[i], exact_euclidean(m, q, qn[i], t), t);
            continue;
        }
        screen_prune(s);
        for (size_t c = 0; c < s->nc; c++)
            knn_heap_push(&h[i], exact_euclidean(m, q, qn[i], s->ci[c]), s->ci[c]);
    }
    screen_work_free(&w);
    return KILN_OK;
}

static kiln_status brute_block(void *arg, size_t b)
{
    const brute_job *job = arg;
    size_t q0 = b * QB, nq = job->Q->rows - q0 < QB ? job->Q->rows - q0 : QB;
    knn_heap h[QB];
    block_heaps(job, q0, nq, h);
    kiln_status s;
    if (job->m->metric == KNN_EUCLIDEAN)
        s = job->screen && job->m->X32 ? search_screened(job, q0, nq, h) : search_euclidean(job, q0, nq, h);
    else if (job->m->metric == KNN_COSINE)
        s = search_cosine(job, q0, nq, h);
    else
        s = search_direct(job, q0, nq, h);
    finish_heaps(h, nq);
    return s;
}

kiln_status knn_brute_search(const kiln_knn_model *m, const kiln_mat *Q, size_t k, int screen, size_t *idx,
                             double *rdist)
{
    brute_job job = {m, Q, k, screen, idx, rdist};
    size_t blocks = (Q->rows + QB - 1) / QB;
    return kiln_parallel_for(blocks, m->threads, brute_block, &job);
}
