/* PyCaret's compare_models(): cross-validated scores of many candidates on the
 * same folds, and the leaderboard order (see kiln/compare.h).
 *
 * Work is split into (candidate x fold) jobs, job i = candidate i / k, fold
 * i % k, handed to kiln_parallel_for. Before the jobs run, each fold is encoded
 * once per normalisation the candidates need and, for tree estimators, binned
 * once (the bins are cached on the fold's dataset). A job fits on a shallow
 * copy of the fold's dataset, so the shared cache is only read while jobs run
 * and whatever a fit caches for itself is freed with the job. Each job writes
 * only its own slots; the job that finishes a candidate's last fold averages
 * its folds, so results never depend on the thread count.
 *
 * Per fold: the metrics of kiln/metrics.h on the fold's scored rows (AUC from
 * probabilities or from decision scores). Per candidate: the mean and the
 * population standard deviation over folds (PyCaret's np.std), and TT (Sec),
 * the summed fit + score time over the folds divided by the number of folds.
 */
#include "setup_impl.h"

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kiln/util.h"

/* ---- metrics of a result --------------------------------------------------- */

static const size_t metric_offsets[] = {
    offsetof(kiln_metrics, accuracy), offsetof(kiln_metrics, auc),  offsetof(kiln_metrics, recall),
    offsetof(kiln_metrics, precision), offsetof(kiln_metrics, f1),  offsetof(kiln_metrics, kappa),
    offsetof(kiln_metrics, mcc),       offsetof(kiln_metrics, logloss), offsetof(kiln_metrics, mae),
    offsetof(kiln_metrics, mse),       offsetof(kiln_metrics, rmse), offsetof(kiln_metrics, r2),
    offsetof(kiln_metrics, rmsle),     offsetof(kiln_metrics, mape),
};
#define N_FIELDS (sizeof metric_offsets / sizeof metric_offsets[0])

static double *field(kiln_metrics *m, size_t j)
{
    return (double *)((char *)m + metric_offsets[j]);
}

/* Mean and population standard deviation of every metric over k folds. */
static void fold_stats(kiln_metrics *fold, int k, kiln_task task, kiln_metrics *mean, kiln_metrics *sd)
{
    memset(mean, 0, sizeof *mean);
    memset(sd, 0, sizeof *sd);
    mean->task = sd->task = task;
    for (size_t j = 0; j < N_FIELDS; j++) {
        double sum = 0, ss = 0;
        for (int f = 0; f < k; f++)
            sum += *field(&fold[f], j);
        double mu = sum / k;
        for (int f = 0; f < k; f++)
            ss += (*field(&fold[f], j) - mu) * (*field(&fold[f], j) - mu);
        *field(mean, j) = mu;
        *field(sd, j) = sqrt(ss / k);
    }
}

static int is_time(const char *metric)
{
    return strcasecmp(metric, "TT (Sec)") == 0 || strcasecmp(metric, "TT") == 0;
}

kiln_status kiln_cv_metric(const kiln_cv_result *r, const char *metric, double *v)
{
    if (is_time(metric)) {
        *v = r->seconds;
        return KILN_OK;
    }
    return kiln_metric_get(&r->mean, metric, v);
}

kiln_status kiln_cv_check_metric(kiln_task task, const char *metric, const char *flag)
{
    kiln_metrics m = {.task = task};
    double v;
    if (is_time(metric) || kiln_metric_get(&m, metric, &v) == KILN_OK)
        return KILN_OK;
    char why[256];
    snprintf(why, sizeof why, "%s", kiln_last_error());
    return KILN_ERROR(KILN_EINPUT, "%s %s: %s", flag, metric, why);
}

/* ---- sorting --------------------------------------------------------------- */

typedef struct sort_key {
    double v;    /* rounded, oriented so that smaller is better; NaN = worst */
    size_t i;
    int bad;     /* failed or skipped */
} sort_key;

static int by_key(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    if (x->bad != y->bad)
        return x->bad - y->bad;
    int xn = isnan(x->v), yn = isnan(y->v);
    if (xn != yn)
        return xn - yn;
    if (!xn && x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void kiln_cv_sort(const kiln_cv_result *r, size_t n, const char *metric, size_t *order)
{
    sort_key *key = kiln_alloc(n, sizeof *key);
    int higher = !is_time(metric) && kiln_metric_higher_better(metric);
    for (size_t i = 0; i < n; i++) {
        double v = NAN;
        if (r[i].state == KILN_CV_OK)
            kiln_cv_metric(&r[i], metric, &v);
        v = round(v * 1e4) / 1e4;
        if (key)
            key[i] = (sort_key){higher ? -v : v, i, r[i].state != KILN_CV_OK};
        order[i] = i;
    }
    if (!key)
        return; /* out of memory: the input order */
    qsort(key, n, sizeof *key, by_key);
    for (size_t i = 0; i < n; i++)
        order[i] = key[i].i;
    free(key);
}

/* ---- running the jobs ------------------------------------------------------ */

enum { MODEL_UNDECIDED = 0, MODEL_RUN = 1, MODEL_SKIP = 2 };

typedef struct cv_run {
    kiln_setup *s;
    const kiln_candidate *c;
    size_t n;
    int k;
    kiln_cv_opts o;
    kiln_cv_result *out;
    kiln_status *status;    /* per job */
    char (*error)[200];     /* per job */
    double *seconds;        /* per job */
    _Atomic int *state;     /* per candidate */
    atomic_size_t *done;    /* per candidate: jobs finished */
    atomic_int stop;        /* errors_raise and a job failed */
    double t0;              /* when the first job started */
    unsigned variants;
} cv_run;

static unsigned variant_bit(const kiln_setup *s, const kiln_algo *a)
{
    return 1u << ((unsigned)kiln_normalize_for(a, s->o.normalize) - 1);
}

/* Job slot f records a failure of fold f's preparation (the slots are reset after). */
static kiln_status prepare_job(void *arg, size_t f)
{
    cv_run *r = arg;
    kiln_status st = kiln_setup_prepare_fold(r->s, (int)f, r->variants);
    if (st != KILN_OK) {
        r->status[f] = st;
        snprintf(r->error[f], sizeof r->error[f], "fold %zu: %s", f + 1, kiln_last_error());
    }
    return st;
}

/* Record again, on the calling thread, the message of the first failed job. */
static kiln_status first_failure(const cv_run *r, size_t jobs, kiln_status st, int preparing)
{
    for (size_t i = 0; i < jobs; i++)
        if (r->status[i] != KILN_OK) {
            if (preparing)
                return KILN_ERROR(r->status[i], "%s", r->error[i]);
            return KILN_ERROR(r->status[i], "model '%s', fold %zu: %s", r->c[i / (size_t)r->k].algo->id,
                              i % (size_t)r->k + 1, r->error[i]);
        }
    return st;
}

/* Fit candidate c on fold f's training rows and score the fold's rows. */
static kiln_status score_fold(const kiln_setup *s, const kiln_candidate *c, int f, volatile const int *cancel,
                              kiln_metrics *m)
{
    KILN_TRY(kiln_algo_check_task(c->algo, s->task));
    const kiln_fold_enc *e = kiln_setup_enc(s, f, kiln_normalize_for(c->algo, s->o.normalize));
    /* Every job of the fold fits on the same dataset: what a fit derives from it
     * (the binned matrix of the tree models) is built once and shared. */
    const kiln_dataset *d = &e->train;
    kiln_ctx ctx = kiln_ctx_default();
    ctx.seed = s->o.seed;
    ctx.threads = 1;
    ctx.cancel = cancel;
    void *est = NULL;
    kiln_mat *scores = NULL;
    kiln_status st = c->algo->check ? c->algo->check(&c->params, d) : KILN_OK;
    if (st == KILN_OK)
        st = c->algo->fit(&est, &c->params, d, &ctx);
    int classify = s->task == KILN_TASK_CLASSIFY;
    if (st == KILN_OK)
        st = (scores = kiln_mat_new(e->VX->rows, classify ? s->n_classes : 1)) ? KILN_OK : KILN_ENOMEM;
    if (st == KILN_OK)
        st = c->algo->predict(est, e->VX, scores);
    if (st == KILN_OK)
        st = classify ? kiln_metrics_classify(e->vy, scores, (c->algo->flags & KILN_ALGO_PROBA) != 0, m)
                      : kiln_metrics_regress(e->vy, scores->data, scores->rows, m);
    kiln_mat_free(scores);
    if (est)
        c->algo->free(est);
    return st;
}

/* Average a finished candidate's folds into its result. */
static void finish_candidate(cv_run *r, size_t c)
{
    kiln_cv_result *res = &r->out[c];
    if (atomic_load(&r->state[c]) == MODEL_SKIP) {
        res->state = KILN_CV_SKIPPED;
        snprintf(res->error, sizeof res->error, "not started: the time budget was spent");
        return;
    }
    double secs = 0;
    for (int f = 0; f < r->k; f++) {
        size_t i = c * (size_t)r->k + (size_t)f;
        secs += r->seconds[i];
        if (r->status[i] != KILN_OK && res->state == KILN_CV_OK) {
            res->state = KILN_CV_FAILED;
            snprintf(res->error, sizeof res->error, "fold %d: %s", f + 1, r->error[i]);
        }
    }
    res->seconds = secs / r->k;
    if (res->state == KILN_CV_OK)
        fold_stats(res->fold, r->k, r->s->task, &res->mean, &res->std);
}

/* Run or skip: decided once per candidate, by whichever of its jobs comes
 * first; the first candidate always runs, so a result exists. */
static int should_run(cv_run *r, size_t c)
{
    int late = r->o.budget_seconds > 0 && kiln_now() - r->t0 > r->o.budget_seconds;
    int want = late && c > 0 ? MODEL_SKIP : MODEL_RUN;
    int expected = MODEL_UNDECIDED;
    atomic_compare_exchange_strong(&r->state[c], &expected, want);
    return atomic_load(&r->state[c]) == MODEL_RUN;
}

static int cancelled(const kiln_cv_opts *o)
{
    return o->cancel && *o->cancel;
}

static kiln_status cv_job(void *arg, size_t i)
{
    cv_run *r = arg;
    size_t c = i / (size_t)r->k;
    int f = (int)(i % (size_t)r->k);
    kiln_status st = KILN_OK;
    if (should_run(r, c) && !atomic_load(&r->stop) && !cancelled(&r->o)) {
        double t0 = kiln_now();
        st = score_fold(r->s, &r->c[c], f, r->o.cancel, &r->out[c].fold[f]);
        r->seconds[i] = kiln_now() - t0;
        r->status[i] = st;
        if (st != KILN_OK) {
            snprintf(r->error[i], sizeof r->error[i], "%s", kiln_last_error());
            if (r->o.errors_raise)
                atomic_store(&r->stop, 1);
        }
    }
    if (atomic_fetch_add(&r->done[c], 1) + 1 == (size_t)r->k) {
        finish_candidate(r, c);
        if (r->o.progress)
            r->o.progress(r->o.progress_arg, c, &r->out[c]);
    }
    return r->o.errors_raise ? st : KILN_OK;
}

static void cv_run_free(cv_run *r)
{
    free(r->status);
    free(r->error);
    free(r->seconds);
    free((void *)r->state);
    free((void *)r->done);
}

static kiln_status cv_run_init(cv_run *r, kiln_setup *s, const kiln_candidate *c, size_t n, const kiln_cv_opts *o,
                               kiln_cv_result *out)
{
    size_t jobs = n * (size_t)s->o.folds;
    *r = (cv_run){.s = s, .c = c, .n = n, .k = s->o.folds, .out = out};
    if (o)
        r->o = *o;
    atomic_init(&r->stop, 0);
    r->status = kiln_alloc(jobs, sizeof *r->status);
    r->error = kiln_alloc(jobs, sizeof *r->error);
    r->seconds = kiln_alloc(jobs, sizeof *r->seconds);
    r->state = kiln_alloc(n, sizeof *r->state);
    r->done = kiln_alloc(n, sizeof *r->done);
    kiln_status st = r->status && r->error && r->seconds && r->state && r->done ? KILN_OK : KILN_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        out[i] = (kiln_cv_result){.cand = c[i], .mean.task = s->task, .std.task = s->task};
        r->variants |= variant_bit(s, c[i].algo);
        if (st == KILN_OK) {
            atomic_init(&r->state[i], MODEL_UNDECIDED);
            atomic_init(&r->done[i], 0);
            if (!(out[i].fold = kiln_alloc((size_t)r->k, sizeof *out[i].fold)))
                st = KILN_ENOMEM;
        }
    }
    if (st != KILN_OK) {
        cv_run_free(r);
        kiln_cv_results_clear(out, n);
    }
    return st;
}

kiln_status kiln_cv_run(kiln_setup *s, const kiln_candidate *c, size_t n, const kiln_cv_opts *o,
                        kiln_cv_result *out)
{
    cv_run r;
    KILN_TRY(cv_run_init(&r, s, c, n, o, out));
    int blas = kiln_blas_get_threads();
    kiln_blas_threads(1); /* the jobs are the parallelism, at any --threads */
    kiln_status st = kiln_parallel_for((size_t)r.k, s->o.threads, prepare_job, &r);
    if (st != KILN_OK)
        st = first_failure(&r, (size_t)r.k, st, 1);
    r.t0 = kiln_now(); /* the budget counts from the first job */
    if (st == KILN_OK && (st = kiln_parallel_for(n * (size_t)r.k, s->o.threads, cv_job, &r)) != KILN_OK)
        st = first_failure(&r, n * (size_t)r.k, st, 0);
    if (st == KILN_OK && cancelled(&r.o))
        st = KILN_ERROR(KILN_ECANCEL, "interrupted");
    kiln_blas_threads(blas);
    cv_run_free(&r);
    if (st != KILN_OK)
        kiln_cv_results_clear(out, n);
    return st;
}

void kiln_cv_results_clear(kiln_cv_result *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) {
        free(r[i].fold);
        r[i].fold = NULL;
    }
}
