/* Shared by the linear-family tests: load a standardised split written by
 * tests/data/linear/make_linear_fixtures.py as a kiln_dataset, fit an estimator with
 * "name=value" settings, and check a save -> load -> predict round trip. */
#ifndef KILN_LINEAR_FIXTURE_H
#define KILN_LINEAR_FIXTURE_H

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"
#include "testdata.h"

typedef struct lin_split {
    kiln_mat *raw;       /* features then the target, as in the file */
    kiln_dataset ds;     /* X a view of raw, y the target column      */
    double *y;
} lin_split;

/* tests/data/linear/<name>_<part>.csv; n_classes 0 for regression. */
static inline void lin_split_load(lin_split *s, const char *name, const char *part, size_t n_classes)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/linear/%s_%s.csv", name, part);
    s->raw = test_load_matrix(rel);
    ck_assert_msg(s->raw != NULL, "fixture %s loads", rel);
    size_t n = s->raw->rows, d = s->raw->cols - 1;
    s->y = malloc(n * sizeof *s->y);
    for (size_t i = 0; i < n; i++)
        s->y[i] = KILN_MAT_AT(s->raw, i, d);
    memset(&s->ds, 0, sizeof s->ds);
    s->ds.X = kiln_mat_view(s->raw, 0, 0, n, d);
    s->ds.y = s->y;
    s->ds.task = n_classes ? KILN_TASK_CLASSIFY : KILN_TASK_REGRESS;
    s->ds.n_classes = n_classes;
}

static inline void lin_split_free(lin_split *s)
{
    kiln_mat_free(s->raw);
    free(s->y);
}

/* The classification datasets of tests/data/linear/ and their class counts. */
typedef struct lin_set {
    const char *name;
    size_t n_classes;
} lin_set;
static const lin_set LIN_CLASSIFY[] = {{"breast_cancer", 2}, {"wine", 3}, {"digits", 10}};
#define LIN_N_CLASSIFY (sizeof LIN_CLASSIFY / sizeof *LIN_CLASSIFY)

/* A dataset's train and test splits and scikit-learn's answer on it,
 * tests/data/linear/<name>_<ref>.csv. */
typedef struct lin_case {
    lin_split tr, te;
    kiln_mat *ref;
} lin_case;

static inline void lin_case_load(lin_case *c, const char *name, size_t n_classes, const char *ref)
{
    lin_split_load(&c->tr, name, "train", n_classes);
    lin_split_load(&c->te, name, "test", n_classes);
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/linear/%s_%s.csv", name, ref);
    c->ref = test_load_matrix(rel);
    ck_assert_msg(c->ref != NULL, "fixture %s loads", rel);
}

static inline void lin_case_free(lin_case *c)
{
    lin_split_free(&c->tr);
    lin_split_free(&c->te);
    kiln_mat_free(c->ref);
}

/* Fit algo `id` with settings "a=1 b=2" (space-separated); returns the status. */
static inline kiln_status lin_fit(const char *id, const char *settings, const kiln_dataset *ds, int threads,
                                  void **model)
{
    const kiln_algo *a = kiln_algo_find(id);
    ck_assert_msg(a != NULL, "estimator %s is registered", id);
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", settings);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
        KILN_TRY(kiln_params_set(&p, tok));
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = threads;
    ctx.seed = 7;
    return a->fit(model, &p, ds, &ctx);
}

/* predict into a new matrix with `cols` columns. */
static inline kiln_mat *lin_predict(const char *id, const void *model, const kiln_mat *X, size_t cols)
{
    kiln_mat *out = kiln_mat_new(X->rows, cols);
    ck_assert_msg(kiln_algo_find(id)->predict(model, X, out) == KILN_OK, "%s predicts", id);
    return out;
}

/* The arg-max class of each row's scores, and the share equal to y. */
static inline double lin_accuracy(const kiln_mat *scores, const double *y)
{
    size_t hit = 0;
    for (size_t i = 0; i < scores->rows; i++) {
        size_t best = 0;
        for (size_t c = 1; c < scores->cols; c++)
            if (KILN_MAT_AT(scores, i, c) > KILN_MAT_AT(scores, i, best))
                best = c;
        hit += (double)best == y[i];
    }
    return (double)hit / (double)scores->rows;
}

/* save (inside an estimator section, as the model file does) -> load from memory
 * -> predict gives bit-identical outputs. */
static inline void lin_check_roundtrip(const char *id, const void *model, const kiln_mat *X, size_t cols)
{
    const kiln_algo *a = kiln_algo_find(id);
    kiln_writer *w = kiln_writer_new();
    ck_assert_msg(kiln_writer_section(w, "ESTM") == KILN_OK, "%s: the estimator section opens", id);
    ck_assert_msg(a->save(model, w) == KILN_OK, "%s saves", id);
    const unsigned char *bytes;
    size_t len;
    ck_assert_msg(kiln_writer_finish(w, &bytes, &len) == KILN_OK, "%s file finishes", id);
    kiln_reader *r;
    ck_assert_msg(kiln_reader_open_mem(bytes, len, "mem", &r) == KILN_OK, "%s file opens", id);
    ck_assert_msg(kiln_reader_section(r, "ESTM") == KILN_OK, "%s: the estimator section is there", id);
    void *back = NULL;
    ck_assert_msg(a->load(&back, r) == KILN_OK, "%s loads: %s", id, kiln_last_error());
    kiln_mat *p1 = lin_predict(id, model, X, cols), *p2 = lin_predict(id, back, X, cols);
    ck_assert_msg(memcmp(p1->data, p2->data, X->rows * cols * sizeof(double)) == 0,
                  "%s predictions after save/load are bit-identical", id);
    kiln_mat_free(p1);
    kiln_mat_free(p2);
    a->free(back);
    kiln_reader_free(r);
    kiln_writer_free(w);
}

#endif
