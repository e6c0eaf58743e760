/* Allocation failure: for every n, the n-th allocation fails (core/alloc_hook.h)
 * while reading a CSV file, loading a model file and training every registered
 * estimator; each run must return KILN_ENOMEM with nothing allocated, never
 * crash, and (under the sanitizer build's LeakSanitizer) leak nothing. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/alloc_hook.h"
#include "kiln/algo.h"
#include "kiln/frame.h"
#include "kiln/pipeline.h"

/* 24 rows: two numbers (one missing), a category, a class label and a real target. */
static const char *const small_csv =
    "x1,x2,color,label,value\n"
    "0.1,1.5,red,yes,1.25\n0.9,,blue,no,3.5\n0.4,2.5,green,yes,0.75\n0.7,0.5,red,no,2.0\n"
    "0.2,1.0,blue,yes,1.5\n0.8,3.0,green,no,3.25\n0.3,2.0,red,yes,1.0\n0.6,1.5,blue,no,2.75\n"
    "0.15,1.25,green,yes,0.5\n0.85,2.25,red,no,3.0\n0.35,0.75,blue,yes,1.75\n0.65,2.75,green,no,2.5\n"
    "0.05,1.5,red,yes,0.25\n0.95,0.5,blue,no,3.75\n0.45,2.0,green,yes,1.125\n0.55,1.0,red,no,2.25\n"
    "0.25,3.0,blue,yes,1.375\n0.75,1.75,green,no,2.875\n0.12,0.25,red,yes,0.625\n0.88,2.5,blue,no,3.125\n"
    "0.42,1.25,green,yes,1.0\n0.58,0.75,red,no,2.5\n0.22,2.25,blue,yes,0.875\n0.78,1.5,green,no,3.375\n";

static char dir[64];
static char csv_path[96];
static char model_path[96];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/kiln_alloc_fail_XXXXXX");
    ck_assert_msg(mkdtemp(dir) != NULL, "a temporary directory");
    snprintf(csv_path, sizeof csv_path, "%s/small.csv", dir);
    snprintf(model_path, sizeof model_path, "%s/m.kiln", dir);
    FILE *f = fopen(csv_path, "w");
    ck_assert_msg(f && fputs(small_csv, f) >= 0 && fclose(f) == 0, "the small CSV is written");
}

static void teardown(void)
{
    unlink(csv_path);
    unlink(model_path);
    rmdir(dir);
}

/* One run of the operation under test; *out is whatever it allocated (NULL on failure). */
typedef kiln_status (*op_fn)(const void *arg, void **out);
typedef void (*free_fn)(void *);

/* Count the allocations of a clean run, then fail each of them in turn. */
static long fail_every_allocation(const char *what, op_fn op, const void *arg, free_fn release)
{
    void *out = NULL;
    kiln_alloc_fail_after(LONG_MAX);
    kiln_status s = op(arg, &out);
    long used = LONG_MAX - kiln_alloc_fail_after(0);
    ck_assert_msg(s == KILN_OK, "%s succeeds without injected failures: %s", what, kiln_last_error());
    release(out);
    for (long n = 1; n <= used; n++) {
        out = NULL;
        kiln_alloc_fail_after(n);
        s = op(arg, &out);
        long left = kiln_alloc_fail_after(0);
        ck_assert_msg(left == 0, "%s: allocation %ld of %ld was made", what, n, used);
        ck_assert_msg(s == KILN_ENOMEM, "%s with allocation %ld of %ld failing returns KILN_ENOMEM, not %d (%s)",
                      what, n, used, (int)s, kiln_last_error());
        ck_assert_msg(out == NULL, "%s with allocation %ld failing hands back nothing", what, n);
    }
    return used;
}

static kiln_status read_csv(const void *arg, void **out)
{
    (void)arg;
    return kiln_csv_read(csv_path, NULL, (kiln_frame **)out);
}

static void release_frame(void *f)
{
    kiln_frame_free(f);
}

static void release_model(void *m)
{
    kiln_model_free(m);
}

START_TEST(csv_read_fails_cleanly_at_every_allocation)
{
    long used = fail_every_allocation("reading the CSV", read_csv, NULL, release_frame);
    ck_assert_msg(used > 5, "reading a CSV allocates (%ld)", used);
}
END_TEST

/* The training job: one estimator on the small frame. */
typedef struct train_job {
    const kiln_frame *frame;
    const kiln_algo *algo;
    const char *target;
    kiln_task task;
    kiln_params params;
} train_job;

static kiln_status train(const void *arg, void **out)
{
    const train_job *j = arg;
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = 1;
    ctx.seed = 3;
    return kiln_model_train(j->frame, NULL, j->target, j->algo, &j->params, j->task, KILN_NORMALIZE_AUTO, &ctx,
                            (kiln_model **)out);
}

/* A job for `a` on its first task, with small ensembles so every n runs quickly. */
static train_job job_for(const kiln_frame *f, const kiln_algo *a)
{
    train_job j = {f, a, "label", KILN_TASK_CLASSIFY, {0}};
    if (kiln_algo_check_task(a, KILN_TASK_CLASSIFY) != KILN_OK) {
        j.target = "value";
        j.task = KILN_TASK_REGRESS;
    }
    kiln_params_defaults(&j.params, a->params);
    if (kiln_params_index(&j.params, "n_estimators") >= 0)
        ck_assert_msg(kiln_params_set(&j.params, "n_estimators=3") == KILN_OK, "%s takes n_estimators=3", a->id);
    return j;
}

START_TEST(training_fails_cleanly_at_every_allocation)
{
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(csv_path, NULL, &f) == KILN_OK, "the small CSV reads: %s", kiln_last_error());
    for (size_t i = 0; i < kiln_algo_count(); i++) {
        const kiln_algo *a = kiln_algo_at(i);
        train_job j = job_for(f, a);
        char what[64];
        snprintf(what, sizeof what, "training %s", a->id);
        long used = fail_every_allocation(what, train, &j, release_model);
        ck_assert_msg(used > 0, "%s allocates", what);
    }
    kiln_frame_free(f);
}
END_TEST

static kiln_status load_model(const void *arg, void **out)
{
    (void)arg;
    return kiln_model_load(model_path, (kiln_model **)out);
}

START_TEST(model_load_fails_cleanly_at_every_allocation)
{
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(csv_path, NULL, &f) == KILN_OK, "the small CSV reads: %s", kiln_last_error());
    for (size_t i = 0; i < kiln_algo_count(); i++) {
        const kiln_algo *a = kiln_algo_at(i);
        train_job j = job_for(f, a);
        kiln_model *m = NULL;
        ck_assert_msg(train(&j, (void **)&m) == KILN_OK, "%s trains: %s", a->id, kiln_last_error());
        ck_assert_msg(kiln_model_save(m, model_path) == KILN_OK, "%s saves: %s", a->id, kiln_last_error());
        kiln_model_free(m);
        char what[64];
        snprintf(what, sizeof what, "loading a %s model", a->id);
        fail_every_allocation(what, load_model, NULL, release_model);
    }
    kiln_frame_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc_fail");
    TCase *tc = tcase_create("alloc_fail");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, csv_read_fails_cleanly_at_every_allocation);
    tcase_add_test(tc, model_load_fails_cleanly_at_every_allocation);
    tcase_add_test(tc, training_fails_cleanly_at_every_allocation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
