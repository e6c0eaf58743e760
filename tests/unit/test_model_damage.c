/* Damaged model files: each check a loader makes on a model file has an input
 * here that fails it, and the test asserts the refusal (KILN_EINPUT, no model)
 * and its message (docs/errors.md lists them).
 *
 * A damaged file is a format-1 file of tests/data/models/v1 with one section's
 * payload patched (bytes overwritten at an offset) or replaced (a payload
 * written here), then rewritten with a valid checksum, so the container checks
 * pass and the section's own loader speaks. The payload layouts are those of
 * the loaders' save functions (docs/model-file.md describes the container). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kiln/pipeline.h"
#include "kiln/serial.h"
#include "testrun.h"

#define MODELS KILN_SOURCE_DIR "/tests/data/models/v1/"

/* A whole file in memory. */
typedef struct blob {
    unsigned char *b;
    size_t n;
} blob;

static blob read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s opens", path);
    blob o = {NULL, 0};
    size_t cap = 0, got;
    do {
        if (o.n == cap) {
            cap = cap ? 2 * cap : 4096;
            o.b = realloc(o.b, cap);
        }
        got = fread(o.b + o.n, 1, cap - o.n, f);
        o.n += got;
    } while (got > 0);
    fclose(f);
    return o;
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Writes the replacement payload of a section; orig is the original payload. */
typedef void (*craft_fn)(kiln_writer *w, const unsigned char *orig, size_t n);

/* One section changed: bytes overwritten at an offset of its payload, or the
 * whole payload written by a function. */
typedef struct edit {
    const char *tag;
    size_t at;
    const char *bytes;
    size_t n_bytes;
    craft_fn craft;
} edit;

typedef struct damage {
    const char *model; /* file of tests/data/models/v1 */
    edit e[2];         /* the second may be empty      */
    const char *want;  /* part of the refusal          */
} damage;

/* The payload of a section, with the edit of d that names it applied. */
static int apply_edit(const damage *d, kiln_writer *w, const char *tag, const unsigned char *payload, size_t len)
{
    for (int i = 0; i < 2; i++) {
        const edit *e = &d->e[i];
        if (!e->tag || strcmp(e->tag, tag) != 0)
            continue;
        if (e->craft) {
            e->craft(w, payload, len);
            return 1;
        }
        ck_assert_msg(e->at + e->n_bytes <= len, "%s: the patch lies inside section %s", d->model, tag);
        unsigned char *p = malloc(len);
        memcpy(p, payload, len);
        memcpy(p + e->at, e->bytes, e->n_bytes);
        kiln_w_bytes(w, p, len);
        free(p);
        return 1;
    }
    kiln_w_bytes(w, payload, len);
    return 0;
}

/* The file of d, damaged, written to path with a valid checksum. */
static void write_damaged(const damage *d, const char *path)
{
    char src[512];
    snprintf(src, sizeof src, MODELS "%s", d->model);
    blob f = read_file(src);
    kiln_writer *w = kiln_writer_new();
    size_t pos = 16 + (size_t)get_le(f.b + 12, 4);
    int edited = 0;
    while (pos + 12 <= f.n - 4) {
        const unsigned char *tag = f.b + pos, *payload = f.b + pos + 12;
        size_t len = (size_t)get_le(f.b + pos + 4, 8);
        char t[5] = {0};
        memcpy(t, tag, 4);
        ck_assert_msg(kiln_writer_section(w, t) == KILN_OK, "section %s is copied", t);
        edited += apply_edit(d, w, t, payload, len);
        pos += 12 + len;
    }
    ck_assert_msg(edited == 1 + (d->e[1].tag != NULL), "%s has the sections edited", d->model);
    ck_assert_msg(kiln_writer_commit(w, path) == KILN_OK, "the damaged file is written: %s", kiln_last_error());
    kiln_writer_free(w);
    free(f.b);
}

static void expect_refused(const damage *d)
{
    char path[] = "/tmp/kiln-damage-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "a scratch file is made");
    close(fd);
    write_damaged(d, path);
    kiln_model *m = NULL;
    kiln_status s = kiln_model_load(path, &m);
    unlink(path);
    if (s == KILN_OK)
        kiln_model_free(m);
    ck_assert_msg(s == KILN_EINPUT, "%s with %s damaged is refused as bad input (status %d: %s)",
                  d->model, d->e[0].tag, (int)s, kiln_last_error());
    ck_assert_msg(strstr(kiln_last_error(), d->want) != NULL, "%s with %s damaged: message '%s' holds '%s'", d->model,
                  d->e[0].tag, kiln_last_error(), d->want);
}

/* ---- crafted payloads ---------------------------------------------------- */

/* META: an estimator id no kiln knows. */
static void meta_unknown(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    kiln_w_str(w, "zzz");
    kiln_w_u64(w, 0);
    kiln_w_u32(w, 0);
}

/* PIPE: target, task, classes, normalisation, then one column x. */
static void pipe_start(kiln_writer *w, uint32_t task, uint32_t n_classes)
{
    kiln_w_str(w, "y");
    kiln_w_u32(w, task);
    kiln_w_u64(w, n_classes);
    for (uint32_t k = 0; k < n_classes; k++)
        kiln_w_str(w, k ? "b" : "a");
    kiln_w_u32(w, 0);
    kiln_w_u64(w, 1);
    kiln_w_str(w, "x");
}

static void pipe_bad_task(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    pipe_start(w, 7, 2);
}

static void pipe_one_class(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    pipe_start(w, KILN_TASK_CLASSIFY, 1);
}

static void pipe_bad_encoding(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    pipe_start(w, KILN_TASK_CLASSIFY, 2);
    kiln_w_u32(w, 9);   /* encoding */
    kiln_w_f64(w, 0);   /* imputed  */
    kiln_w_u64(w, 0);   /* levels   */
}

static void pipe_bad_impute(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    pipe_start(w, KILN_TASK_CLASSIFY, 2);
    kiln_w_u32(w, KILN_ENC_BINARY);
    kiln_w_f64(w, 5); /* level 5 of 2 */
    kiln_w_u64(w, 2);
    kiln_w_str(w, "p");
    kiln_w_str(w, "q");
}

/* A valid numeric column x, for a SUMM of one column. */
static void pipe_numeric(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    pipe_start(w, KILN_TASK_CLASSIFY, 2);
    kiln_w_u32(w, KILN_ENC_NUMERIC);
    kiln_w_f64(w, 0);
    kiln_w_u64(w, 0);
    kiln_w_f64(w, 0); /* shift */
    kiln_w_f64(w, 1); /* scale */
}

static void summ_negative(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    kiln_w_f64(w, -1); /* training values of x */
    kiln_w_u64(w, 0);
}

/* ESTM of dummy: task, class count, values. */
static void dummy_bad_task(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    kiln_w_u32(w, 7);
    kiln_w_u64(w, 1);
    kiln_w_f64(w, 0);
}

/* ESTM of lr: task, d, k, n_classes, n_iter, converged, solver. */
static void lr_shape(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    kiln_w_u32(w, KILN_TASK_CLASSIFY);
    kiln_w_u64(w, 3);
    kiln_w_u64(w, 3); /* 3 coefficient rows for 2 classes */
    kiln_w_u64(w, 2);
}

static void lr_solver(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    kiln_w_u32(w, KILN_TASK_CLASSIFY);
    kiln_w_u64(w, 3);
    kiln_w_u64(w, 1);
    kiln_w_u64(w, 2);
    kiln_w_u32(w, 10);
    kiln_w_u8(w, 1);
    kiln_w_u8(w, 99);
}

/* LINM: the estimator id, then d and the class count. */
static void linm_other_id(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    kiln_w_str(w, "ridge");
}

static void linm_one_class(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)orig, (void)n;
    kiln_w_str(w, "lasso");
    kiln_w_u64(w, 3);
    kiln_w_u64(w, 1);
}

/* knn ESTM: k u64, weights, metric u8, p f64, algorithm, engine u8, leaf u64,
 * task u8, n_classes u64 (37 bytes), then n, d u64 and the rows, then y. */
enum { KNN_N = 37, KNN_D = 45, KNN_X = 53 };

static void knn_class_out_of_range(kiln_writer *w, const unsigned char *orig, size_t n)
{
    size_t rows = (size_t)get_le(orig + KNN_N, 8), d = (size_t)get_le(orig + KNN_D, 8);
    size_t y0 = KNN_X + 8 * rows * d;
    ck_assert_msg(y0 + 8 <= n, "the knn file holds its targets");
    kiln_w_bytes(w, orig, y0);
    kiln_w_f64(w, 99);
    kiln_w_bytes(w, orig + y0 + 8, n - y0 - 8);
}

/* The TREE section of dt: its 6-int header, seed, OOB score, no parameters,
 * one tree whose node arrays follow. */
static void tree_start(kiln_writer *w, const unsigned char *orig, size_t n_nodes)
{
    kiln_w_bytes(w, orig, 24);
    kiln_w_u64(w, 0);
    kiln_w_f64(w, 0);
    kiln_w_u32(w, 0);
    kiln_w_u64(w, 1);
    kiln_w_u64(w, n_nodes);
    kiln_w_bytes(w, orig + 8, 4);  /* n_features (i32, small) ...  */
    kiln_w_bytes(w, "\0\0\0\0", 4); /* ... as a u64                 */
    kiln_w_bytes(w, orig + 16, 4); /* outputs                       */
    kiln_w_bytes(w, "\0\0\0\0", 4);
}

static void tree_no_nodes(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)n;
    tree_start(w, orig, 0);
}

/* One node that splits on a feature the model does not have. */
static void tree_bad_node(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)n;
    tree_start(w, orig, 1);
    size_t k = (size_t)get_le(orig + 16, 4);
    kiln_w_i32(w, 1000); /* feature      */
    kiln_w_f64(w, 0);    /* threshold    */
    kiln_w_u8(w, 0);     /* bin          */
    kiln_w_u8(w, 0);     /* default_left */
    kiln_w_i32(w, -1);   /* left, right  */
    kiln_w_i32(w, -1);
    kiln_w_f64(w, 0); /* gain, impurity, cover */
    kiln_w_f64(w, 0);
    kiln_w_f64(w, 1);
    kiln_w_u32(w, 1);
    for (size_t j = 0; j < k; j++)
        kiln_w_f64(w, 0);
}

/* A root split on feature 0 whose right child (2) is not left (1) + 1: the
 * nodes exist and follow their parent, but a tree keeps only left. */
static void tree_right_not_next(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)n;
    tree_start(w, orig, 4);
    size_t k = (size_t)get_le(orig + 16, 4);
    const int32_t feature[4] = {0, -1, -1, -1}, left[4] = {1, -1, -1, -1}, right[4] = {3, -1, -1, -1};
    kiln_w_i32s(w, feature, 4);
    for (int i = 0; i < 4; i++)
        kiln_w_f64(w, 0.5); /* threshold */
    for (int i = 0; i < 8; i++)
        kiln_w_u8(w, 0); /* bin, default_left */
    kiln_w_i32s(w, left, 4);
    kiln_w_i32s(w, right, 4);
    for (int i = 0; i < 12; i++)
        kiln_w_f64(w, 1); /* gain, impurity, cover */
    for (int i = 0; i < 4; i++)
        kiln_w_u32(w, 1);
    for (size_t j = 0; j < 4 * k; j++)
        kiln_w_f64(w, 0);
}

static void forest_no_trees(kiln_writer *w, const unsigned char *orig, size_t n)
{
    (void)n;
    kiln_w_bytes(w, orig, 24);
    kiln_w_u64(w, 0);
    kiln_w_f64(w, 0);
    kiln_w_u32(w, 0);
    kiln_w_u64(w, 0);
}

/* ---- the cases ------------------------------------------------------------ */

#define I32(v) (const char[4]){(char)(v), (char)((v) >> 8), (char)((v) >> 16), (char)((v) >> 24)}, 4
#define U8(v) (const char[1]){(char)(v)}, 1
#define U64(v) (const char[8]){(char)(v), 0, 0, 0, 0, 0, 0, 0}, 8

static const damage cases[] = {
    {"lr.kiln", {{"META", 0, NULL, 0, meta_unknown}}, "unknown estimator 'zzz' (written by kiln"},
    {"lr.kiln", {{"PIPE", 0, NULL, 0, pipe_bad_task}}, "model file: bad pipeline header"},
    {"lr.kiln", {{"PIPE", 0, NULL, 0, pipe_one_class}}, "model file: bad pipeline header"},
    {"lr.kiln", {{"PIPE", 0, NULL, 0, pipe_bad_encoding}}, "model file: unknown encoding 9 for column 'x'"},
    {"lr.kiln", {{"PIPE", 0, NULL, 0, pipe_bad_impute}}, "model file: bad imputed level for column 'x'"},
    {"dummy.kiln", {{"ESTM", 0, NULL, 0, dummy_bad_task}}, "model file: inconsistent dummy model"},
    {"lr.kiln", {{"ESTM", 0, NULL, 0, lr_shape}}, "model file: inconsistent lr shape"},
    {"lr.kiln", {{"ESTM", 0, NULL, 0, lr_solver}}, "model file: unknown lr solver 99"},
    {"lasso.kiln", {{"LINM", 0, NULL, 0, linm_other_id}}, "model file: the linear section is not a 'lasso' model"},
    {"lasso.kiln", {{"LINM", 0, NULL, 0, linm_one_class}}, "lasso model: one class is not a classifier"},
    {"knn.kiln", {{"ESTM", 8, U8(9), NULL}}, "knn model: invalid configuration in the model file"},
    {"knn.kiln", {{"ESTM", KNN_N, U64(0), NULL}}, "knn model: invalid shape 0 x"},
    {"knn.kiln", {{"ESTM", 0, NULL, 0, knn_class_out_of_range}},
     "knn model: class index out of range in the model file"},
    {"dt.kiln", {{"TREE", 8, I32(0), NULL}}, "model file: inconsistent tree model header"},
    {"rf.kiln", {{"TREE", 8, I32(99), NULL}}, "model file: tree 0 does not fit the model"},
    {"rf.kiln", {{"TREE", 40, I32(200), NULL}}, "model file: 200 tree parameters"},
    {"rf.kiln", {{"TREE", 0, NULL, 0, forest_no_trees}}, "model file: a forest without trees"},
    {"dt.kiln", {{"TREE", 0, NULL, 0, tree_no_nodes}}, "model file: a tree has no nodes or no outputs"},
    {"dt.kiln", {{"TREE", 0, NULL, 0, tree_bad_node}}, "model file: tree node 0 is malformed"},
    {"dt.kiln", {{"TREE", 0, NULL, 0, tree_right_not_next}}, "model file: tree node 0 is malformed"},
    /* GBMT: 6 ints and 8 reals of configuration, the seed, then task, loss,
     * n_features, n_classes, k as i32 from offset 96. */
    {"gbm.kiln", {{"GBMT", 96, I32(7), NULL}}, "gbm model: inconsistent task, loss and class count"},
    {"gbm.kiln", {{"GBMT", 104, I32(99), NULL}}, "gbm model: tree 0 does not fit the model"},
    /* A SUMM describes the columns of its PIPE: both are replaced. */
    {"lr.kiln", {{"PIPE", 0, NULL, 0, pipe_numeric}, {"SUMM", 0, NULL, 0, summ_negative}},
     "model file: bad training summary for column 'x'"},
};

START_TEST(each_damage_is_refused_with_its_message)
{
    expect_refused(&cases[_i]);
}
END_TEST

static Suite *damage_suite(void)
{
    Suite *s = suite_create("model_damage");
    TCase *tc = tcase_create("damage");
    tcase_add_loop_test(tc, each_damage_is_refused_with_its_message, 0, (int)(sizeof cases / sizeof cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run_suite(damage_suite());
}
