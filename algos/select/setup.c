/* PyCaret's setup(): the train / held-out split, the folds, and each fold's
 * encoded data (see kiln/compare.h).
 *
 * Split: the held-out part has n - floor(train_size * n) rows, as PyCaret's
 * train_test_split(train_size=...), stratified for classification
 * (kiln_split_train_test). Folds: StratifiedKFold / KFold without reshuffling
 * over the training part (kiln_split_stratified_kfold / kiln_split_kfold).
 *
 * Fold f trains on the training part's rows outside f and scores the rows in
 * f. Its pipeline is fitted on its training rows only (no leakage), once per
 * normalisation a candidate needs, and the encoded matrices are kept for every
 * candidate of the fold. Resampling (--fix-imbalance) draws from the fold's
 * training rows with the stream kiln_rng_stream(seed, f); the final fit uses
 * the stream numbered `folds`.
 */
#include "setup_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/split.h"
#include "kiln/util.h"

kiln_setup_opts kiln_setup_opts_default(void)
{
    kiln_setup_opts o = {.train_size = 0.7, .folds = 10, .seed = 1, .threads = kiln_cpu_count(),
                         .normalize = KILN_NORMALIZE_AUTO};
    return o;
}

static void enc_free(kiln_fold_enc *e)
{
    if (e->X)
        kiln_dataset_clear_cache(&e->train);
    kiln_pipeline_free(e->pipe);
    kiln_mat_free(e->X);
    kiln_mat_free(e->VX);
    free(e->y);
    free(e->vy);
    memset(e, 0, sizeof *e);
}

void kiln_setup_free(kiln_setup *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->enc && i < (size_t)s->o.folds * KILN_NORM_VARIANTS; i++)
        enc_free(&s->enc[i]);
    free(s->enc);
    free(s->target);
    free(s->y);
    free(s->tr);
    free(s->te);
    free(s->fold);
    kiln_frame_free(s->train);
    kiln_frame_free(s->holdout);
    free(s);
}

kiln_task kiln_setup_task(const kiln_setup *s) { return s->task; }
const kiln_setup_opts *kiln_setup_options(const kiln_setup *s) { return &s->o; }
const kiln_frame *kiln_setup_train(const kiln_setup *s) { return s->train; }
const kiln_frame *kiln_setup_holdout(const kiln_setup *s) { return s->holdout; }
const int *kiln_setup_folds(const kiln_setup *s) { return s->fold; }

/* The encoded target of every row (class indices for classification); the
 * pipeline refuses a target with one class. */
static kiln_status encode_target(kiln_setup *s)
{
    return kiln_pipeline_labels(s->all, s->target, s->o.task, &s->task, &s->n_classes, &s->y);
}

static kiln_status split_rows(kiln_setup *s)
{
    size_t n = s->all->nrows;
    double ts = s->o.train_size;
    if (!(ts > 0 && ts < 1))
        return KILN_ERROR(KILN_EINPUT, "--train-size %g: must be strictly between 0 and 1", ts);
    size_t n_train = (size_t)floor(ts * (double)n);
    if (n_train == 0 || n_train == n)
        return KILN_ERROR(KILN_EINPUT, "--train-size %g of %zu rows leaves an empty %s part", ts, n,
                          n_train == 0 ? "training" : "held-out");
    /* kiln_split_train_test takes ceil(frac * n) test rows; this frac gives n - n_train exactly. */
    double frac = ((double)(n - n_train) - 0.5) / (double)n;
    KILN_TRY(kiln_split_train_test(s->y, n, s->task == KILN_TASK_CLASSIFY, frac, s->o.seed, &s->tr, &s->ntr,
                                   &s->te, &s->nte));
    KILN_TRY(kiln_frame_take_rows(s->all, s->tr, s->ntr, &s->train));
    return kiln_frame_take_rows(s->all, s->te, s->nte, &s->holdout);
}

static kiln_status assign_folds(kiln_setup *s)
{
    int k = s->o.folds;
    if (k < 2)
        return KILN_ERROR(KILN_EINPUT, "--folds %d: at least 2 folds are needed", k);
    if ((size_t)k > s->ntr)
        return KILN_ERROR(KILN_EINPUT, "--folds %d: more folds than the %zu training rows", k, s->ntr);
    s->fold = kiln_alloc(s->ntr, sizeof *s->fold);
    double *y = kiln_alloc(s->ntr, sizeof *y);
    size_t *count = kiln_alloc(s->n_classes + 1, sizeof *count);
    kiln_status st = s->fold && y && count ? KILN_OK : KILN_ENOMEM;
    for (size_t i = 0; st == KILN_OK && i < s->ntr; i++) {
        y[i] = s->y[s->tr[i]];
        if (s->task == KILN_TASK_CLASSIFY)
            count[(size_t)y[i]]++;
    }
    if (st == KILN_OK && s->task == KILN_TASK_CLASSIFY) {
        size_t smallest = SIZE_MAX;
        for (size_t c = 0; c < s->n_classes; c++)
            if (count[c] < smallest)
                smallest = count[c];
        if (smallest < (size_t)k)
            st = KILN_ERROR(KILN_EINPUT,
                            "--folds %d: the smallest class has %zu rows in the training part; "
                            "stratified folds need at least one per fold",
                            k, smallest);
        if (st == KILN_OK)
            st = kiln_split_stratified_kfold(y, s->ntr, s->n_classes, k, s->fold);
    } else if (st == KILN_OK) {
        st = kiln_split_kfold(s->ntr, k, s->fold);
    }
    free(y);
    free(count);
    return st;
}

kiln_status kiln_setup_new(const kiln_frame *f, const char *target, const kiln_setup_opts *o, kiln_setup **out)
{
    kiln_setup *s = kiln_alloc(1, sizeof *s);
    if (!s)
        return KILN_ENOMEM;
    s->all = f;
    s->o = *o;
    s->target = kiln_strdup(target);
    kiln_status st = s->target ? encode_target(s) : KILN_ENOMEM;
    if (st == KILN_OK)
        st = split_rows(s);
    if (st == KILN_OK)
        st = assign_folds(s);
    if (st == KILN_OK && !(s->enc = kiln_alloc((size_t)o->folds * KILN_NORM_VARIANTS, sizeof *s->enc)))
        st = KILN_ENOMEM;
    if (st != KILN_OK) {
        kiln_setup_free(s);
        return st;
    }
    *out = s;
    return KILN_OK;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Resample rows[0..n) (original row numbers) class by class; *out ascending. */
static kiln_status resample(const kiln_setup *s, const size_t *rows, size_t n, uint64_t stream, size_t **out,
                            size_t *nout)
{
    size_t k = s->n_classes;
    size_t *count = kiln_alloc(k, sizeof *count);
    size_t *byclass = kiln_alloc(n, sizeof *byclass);
    if (!count || !byclass) {
        free(count);
        free(byclass);
        return KILN_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        count[(size_t)s->y[rows[i]]]++;
    size_t lo = SIZE_MAX, hi = 0, total = 0, start = 0;
    for (size_t c = 0; c < k; c++) {
        if (count[c] && count[c] < lo)
            lo = count[c];
        if (count[c] > hi)
            hi = count[c];
    }
    size_t target = s->o.imbalance == KILN_IMBALANCE_UNDERSAMPLE ? lo : hi;
    for (size_t c = 0; c < k; c++)
        total += count[c] ? target : 0;
    size_t *res = kiln_alloc(total, sizeof *res);
    if (!res) {
        free(count);
        free(byclass);
        return KILN_ENOMEM;
    }
    kiln_rng r;
    kiln_rng_stream(&r, s->o.seed, stream);
    size_t m = 0;
    for (size_t c = 0; c < k; c++) {
        size_t nc = 0;
        for (size_t i = 0; i < n; i++)
            if ((size_t)s->y[rows[i]] == c)
                byclass[start + nc++] = rows[i];
        if (!nc)
            continue;
        kiln_rng_shuffle(&r, byclass + start, nc);
        for (size_t j = 0; j < target; j++)
            res[m++] = j < nc ? byclass[start + j] : byclass[start + kiln_rng_below(&r, nc)];
        start += nc;
    }
    qsort(res, m, sizeof *res, cmp_size);
    free(count);
    free(byclass);
    *out = res;
    *nout = m;
    return KILN_OK;
}

/* The frame of rows[0..n), resampled when the setup asks (classification only). */
static kiln_status fit_frame(const kiln_setup *s, const size_t *rows, size_t n, uint64_t stream, kiln_frame **out)
{
    if (s->o.imbalance == KILN_IMBALANCE_NONE || s->task != KILN_TASK_CLASSIFY)
        return kiln_frame_take_rows(s->all, rows, n, out);
    size_t *res, m;
    KILN_TRY(resample(s, rows, n, stream, &res, &m));
    kiln_status st = kiln_frame_take_rows(s->all, res, m, out);
    free(res);
    return st;
}

static kiln_status encode_variant(const kiln_setup *s, const kiln_frame *tf, const kiln_frame *vf,
                                  kiln_normalize norm, kiln_fold_enc *e)
{
    kiln_status st = kiln_pipeline_fit_transform(tf, s->target, s->task, norm, &e->pipe, &e->X, &e->y);
    if (st == KILN_OK)
        st = kiln_pipeline_transform(e->pipe, vf, &e->VX, &e->vy);
    if (st != KILN_OK) {
        enc_free(e);
        return st;
    }
    e->train = (kiln_dataset){.X = *e->X, .y = e->y, .task = s->task, .n_classes = s->n_classes,
                              .feature_names = (const char *const *)e->pipe->out_names};
    return KILN_OK;
}

kiln_status kiln_setup_prepare_fold(kiln_setup *s, int f, unsigned variants)
{
    size_t ntf = 0, nvf = 0;
    size_t *trows = kiln_alloc(s->ntr, sizeof *trows), *vrows = kiln_alloc(s->ntr, sizeof *vrows);
    kiln_frame *tf = NULL, *vf = NULL;
    kiln_status st = trows && vrows ? KILN_OK : KILN_ENOMEM;
    for (size_t i = 0; st == KILN_OK && i < s->ntr; i++) {
        if (s->fold[i] == f)
            vrows[nvf++] = s->tr[i];
        else
            trows[ntf++] = s->tr[i];
    }
    if (st == KILN_OK)
        st = fit_frame(s, trows, ntf, (uint64_t)f, &tf);
    if (st == KILN_OK)
        st = kiln_frame_take_rows(s->all, vrows, nvf, &vf);
    for (int v = 0; st == KILN_OK && v < KILN_NORM_VARIANTS; v++) {
        kiln_fold_enc *e = kiln_setup_enc(s, f, (kiln_normalize)(v + 1));
        if ((variants >> v & 1u) && !e->X)
            st = encode_variant(s, tf, vf, (kiln_normalize)(v + 1), e);
    }
    kiln_frame_free(tf);
    kiln_frame_free(vf);
    free(trows);
    free(vrows);
    return st;
}

kiln_fold_enc *kiln_setup_enc(const kiln_setup *s, int f, kiln_normalize resolved)
{
    return &s->enc[(size_t)f * KILN_NORM_VARIANTS + (size_t)resolved - 1];
}

kiln_status kiln_setup_fit(const kiln_setup *s, const kiln_algo *a, const kiln_params *p, int all_rows,
                           kiln_model **out)
{
    size_t n = all_rows ? s->all->nrows : s->ntr;
    size_t *rows = kiln_alloc(n, sizeof *rows);
    if (!rows)
        return KILN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        rows[i] = all_rows ? i : s->tr[i];
    kiln_frame *f = NULL;
    kiln_status st = fit_frame(s, rows, n, (uint64_t)s->o.folds, &f);
    free(rows);
    if (st != KILN_OK)
        return st;
    kiln_ctx ctx = kiln_ctx_default();
    ctx.seed = s->o.seed;
    ctx.threads = s->o.threads;
    st = kiln_model_train(f, NULL, s->target, a, p, s->task, s->o.normalize, &ctx, out);
    kiln_frame_free(f);
    return st;
}
