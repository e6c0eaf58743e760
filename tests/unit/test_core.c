/* core/: matrices and views, the RNG and its streams, argsort, parameters, the parallel loop, the arena. */
#include <check.h>
#include <limits.h>
#include <stdatomic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/alloc_hook.h"
#include "core/arena.h"
#include "core/vmath.h"
#include "kiln/mat.h"
#include "kiln/params.h"
#include "kiln/rng.h"
#include "kiln/util.h"
#include "testrun.h"

START_TEST(view_writes_through_to_parent)
{
    kiln_mat *a = kiln_mat_new(4, 3);
    kiln_mat v = kiln_mat_view(a, 1, 1, 2, 2);
    KILN_MAT_AT(&v, 1, 0) = 7.0;
    ck_assert_msg(KILN_MAT_AT(a, 2, 1) == 7.0, "view element (1,0) is parent element (2,1)");
    ck_assert_msg(v.stride == 3 && !v.owns, "a view keeps the parent stride and owns nothing");
    size_t idx[2] = {2, 0};
    kiln_mat *t = kiln_mat_take_rows(a, idx, 2);
    ck_assert_msg(KILN_MAT_AT(t, 0, 1) == 7.0 && KILN_MAT_AT(t, 1, 1) == 0.0, "take_rows copies rows in order");
    kiln_mat_free(t);
    kiln_mat_free(a);
    kiln_mat_free(NULL);
}
END_TEST

START_TEST(rng_is_deterministic_and_streams_differ)
{
    kiln_rng a, b, c;
    kiln_rng_seed(&a, 42);
    kiln_rng_seed(&b, 42);
    kiln_rng_stream(&c, 42, 1);
    int same_ab = 1, same_ac = 1;
    for (int i = 0; i < 100; i++) {
        uint64_t x = kiln_rng_next(&a), y = kiln_rng_next(&b), z = kiln_rng_next(&c);
        same_ab &= x == y;
        same_ac &= x == z;
    }
    ck_assert_msg(same_ab, "same seed gives the same sequence");
    ck_assert_msg(!same_ac, "stream 1 differs from the base stream");
    /* Reference values of xoshiro256** seeded by splitmix64(0). */
    kiln_rng_seed(&a, 0);
    ck_assert_msg(kiln_rng_next(&a) == 0x99ec5f36cb75f2b4ULL, "first output for seed 0 matches the reference");
}
END_TEST

START_TEST(rng_below_and_uniform_in_range)
{
    kiln_rng r;
    kiln_rng_seed(&r, 7);
    size_t counts[3] = {0};
    for (int i = 0; i < 30000; i++) {
        size_t k = kiln_rng_below(&r, 3);
        ck_assert_msg(k < 3, "below(3) stays under 3");
        counts[k]++;
        double u = kiln_rng_uniform(&r);
        ck_assert_msg(u >= 0 && u < 1, "uniform in [0,1)");
    }
    for (int k = 0; k < 3; k++)
        ck_assert_msg(counts[k] > 9500 && counts[k] < 10500, "below(3) is roughly uniform");
}
END_TEST

START_TEST(argsort_is_stable)
{
    double key[6] = {3, 1, 2, 1, 3, 0};
    size_t idx[6];
    kiln_argsort(key, idx, 6);
    size_t want[6] = {5, 1, 3, 2, 0, 4};
    ck_assert_msg(memcmp(idx, want, sizeof want) == 0, "ascending keys, ties by index");
}
END_TEST

static const kiln_param_spec spec[] = {
    {"C", KILN_PARAM_REAL, "1.0", 0, 1e12, 1, NULL, "0.1,1,10", "inverse regularisation"},
    {"max_iter", KILN_PARAM_INT, "100", 1, 1e9, 0, NULL, NULL, "iterations"},
    {"penalty", KILN_PARAM_CHOICE, "l2", 0, 0, 0, "l2|l1|none", NULL, "penalty"},
    {"fit_intercept", KILN_PARAM_BOOL, "true", 0, 1, 0, NULL, NULL, "intercept"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL},
};

START_TEST(params_defaults_and_errors)
{
    kiln_params p;
    kiln_params_defaults(&p, spec);
    ck_assert_msg(p.n == 4, "four rows in the table");
    ck_assert_msg(kiln_params_num(&p, "C") == 1.0, "default C");
    ck_assert_msg(kiln_params_num(&p, "penalty") == 0, "default penalty is choice 0");
    ck_assert_msg(kiln_params_set(&p, "penalty=none") == KILN_OK && kiln_params_num(&p, "penalty") == 2, "choice index");
    ck_assert_msg(kiln_params_set(&p, "C=0") == KILN_EINPUT, "C=0 violates the open lower bound");
    ck_assert_msg(strstr(kiln_last_error(), "--param C=0") != NULL, "the message names the flag");
    ck_assert_msg(kiln_params_set(&p, "max_iter=2.5") == KILN_EINPUT, "a fraction for an int");
    ck_assert_msg(kiln_params_set(&p, "max_iter=abc") == KILN_EINPUT, "text for a number");
    ck_assert_msg(kiln_params_set(&p, "gamma=1") == KILN_EINPUT, "unknown name");
    ck_assert_msg(strstr(kiln_last_error(), "unknown parameter") != NULL, "unknown parameter is said");
    ck_assert_msg(kiln_params_set(&p, "penalty=l3") == KILN_EINPUT, "unknown choice");
    ck_assert_msg(kiln_params_set(&p, "fit_intercept=maybe") == KILN_EINPUT, "bad bool");
    ck_assert_msg(kiln_params_set(&p, "fit_intercept=False") == KILN_OK && kiln_params_num(&p, "fit_intercept") == 0 &&
                      strcmp(kiln_params_text(&p, "fit_intercept"), "false") == 0,
                  "Python's False is false, kept as false");
    ck_assert_msg(kiln_params_set(&p, "fit_intercept=TRUE") == KILN_OK && kiln_params_num(&p, "fit_intercept") == 1 &&
                      strcmp(kiln_params_text(&p, "fit_intercept"), "true") == 0,
                  "TRUE is true, kept as true");
    ck_assert_msg(kiln_params_set(&p, "C") == KILN_EINPUT, "no '='");
    ck_assert_msg(kiln_params_set(&p, "C=nan") == KILN_EINPUT, "nan is not a value");
    ck_assert_msg(kiln_params_num(&p, "C") == 1.0, "failed sets leave the value alone");
}
END_TEST

static kiln_status square_into(void *arg, size_t i)
{
    double *out = arg;
    out[i] = (double)(i * i);
    return i == 37 ? KILN_ERROR(KILN_EINPUT, "task %zu failed", i) : KILN_OK;
}

START_TEST(parallel_for_covers_every_index)
{
    double out[100];
    memset(out, 0, sizeof out);
    kiln_status s = kiln_parallel_for(100, 2, square_into, out);
    ck_assert_msg(s == KILN_EINPUT, "the failing task's status is returned");
    for (size_t i = 0; i < 100; i++)
        ck_assert_msg(out[i] == (double)(i * i), "every index ran once");
}
END_TEST

/* Task i of the outer loop runs an inner parallel loop over its own row:
 * the outer call holds the kept workers, so the inner ones start threads. */
static kiln_status count_into(void *arg, size_t i)
{
    atomic_int *row = arg;
    atomic_fetch_add(&row[i], 1);
    return KILN_OK;
}

static kiln_status nested_row(void *arg, size_t i)
{
    atomic_int(*grid)[64] = arg;
    return kiln_parallel_for(64, 3, count_into, grid[i]);
}

START_TEST(parallel_for_nests_and_repeats)
{
    static atomic_int grid[16][64];
    for (size_t i = 0; i < 16; i++)
        for (size_t j = 0; j < 64; j++)
            atomic_init(&grid[i][j], 0);
    for (int round = 0; round < 200; round++)
        ck_assert_msg(kiln_parallel_for(16, 2 + round % 3, nested_row, grid) == KILN_OK, "round %d runs", round);
    for (size_t i = 0; i < 16; i++)
        for (size_t j = 0; j < 64; j++)
            ck_assert_msg(atomic_load(&grid[i][j]) == 200, "cell %zu,%zu ran once per round (%d)", i, j,
                          atomic_load(&grid[i][j]));
}
END_TEST

/* The watch before a thread sleeps: a value that already differs ends it at
 * once; one that never changes ends it when its time runs out (it returns). */
START_TEST(spin_ends_on_change_or_time)
{
    atomic_ulong v;
    atomic_init(&v, 7);
    ck_assert_msg(kiln_spin_changed(&v, 6) == 1, "a value that differs is a change");
    ck_assert_msg(kiln_spin_changed(&v, 7) == 0, "an unchanged value: the watch gives up");
    ck_assert_msg(atomic_load(&v) == 7, "the watch only reads");
}
END_TEST

/* Pieces of many sizes, across chunk boundaries and one larger than a chunk:
 * each 64-byte aligned, fully writable, and none overlapping another (each is
 * filled with its own byte, and every byte is read back after the last). */
START_TEST(arena_pieces_are_aligned_and_apart)
{
    enum { N = 400 };
    kiln_arena *a = kiln_arena_new();
    ck_assert_ptr_nonnull(a);
    unsigned char *piece[N];
    size_t size[N];
    for (size_t k = 0; k < N; k++) {
        size[k] = k == 150 ? ((size_t)5 << 20) : k % 7 == 0 ? 0 : 1 + (k * 7919) % 40000;
        piece[k] = kiln_arena_alloc(a, size[k]);
        ck_assert_msg(piece[k] != NULL, "piece %zu of %zu bytes", k, size[k]);
        ck_assert_msg((uintptr_t)piece[k] % 64 == 0, "piece %zu is 64-byte aligned", k);
        memset(piece[k], (int)(k % 251), size[k]);
    }
    for (size_t k = 0; k < N; k++) {
        size_t i = 0;
        while (i < size[k] && piece[k][i] == k % 251)
            i++;
        ck_assert_msg(i == size[k], "piece %zu byte %zu kept its value", k, i);
    }
    kiln_arena_free(a);
    kiln_arena_free(NULL);
}
END_TEST

/* A failed chunk allocation is reported as out of memory, leaves the arena
 * usable, and the arena frees what it already had. */
START_TEST(arena_out_of_memory_is_reported)
{
    kiln_alloc_fail_after(1);
    ck_assert_ptr_null(kiln_arena_new());
    kiln_alloc_fail_after(0);
    kiln_arena *a = kiln_arena_new();
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(kiln_arena_alloc(a, 100));
    kiln_alloc_fail_after(1);
    ck_assert_ptr_null(kiln_arena_alloc(a, (size_t)3 << 20));
    kiln_alloc_fail_after(0);
    ck_assert_msg(strstr(kiln_last_error(), "out of memory") != NULL, "recorded: %s", kiln_last_error());
    ck_assert_ptr_null(kiln_arena_alloc(a, SIZE_MAX - 10));
    ck_assert_ptr_nonnull(kiln_arena_alloc(a, 100));
    kiln_arena_free(a);
}
END_TEST

/* vmath.h against libm: within 5e-16 relative over the ranges boosting uses,
 * exact at the ends, and a tiny e keeps its digits in log(1 + e). */
START_TEST(vmath_matches_libm)
{
    double worst_exp = 0, worst_log = 0;
    for (double x = 0; x <= 745; x += 0.0137) {
        double e = exp(-x), r = fabs(kiln_exp_neg(-x) - e) / e;
        worst_exp = x <= 700 && r > worst_exp ? r : worst_exp;
        if (x <= 40) {
            double l = log1p(e), rl = fabs(kiln_log1p_unit(e) - l) / l;
            worst_log = rl > worst_log ? rl : worst_log;
        }
    }
    ck_assert_msg(worst_exp < 5e-16, "exp: worst relative error %g", worst_exp);
    ck_assert_msg(worst_log < 5e-16, "log1p: worst relative error %g", worst_log);
    ck_assert(kiln_exp_neg(0) == 1.0);
    ck_assert(kiln_exp_neg(-0.0) == 1.0);
    ck_assert(kiln_exp_neg(-1e6) == kiln_exp_neg(-700) && kiln_exp_neg(-700) > 0);
    ck_assert(kiln_log1p_unit(0) == 0.0);
    ck_assert(fabs(kiln_log1p_unit(1) - log(2.0)) <= 1e-16);
    ck_assert(fabs(kiln_log1p_unit(1e-300) - 1e-300) <= 1e-316);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, view_writes_through_to_parent);
    tcase_add_test(tc, rng_is_deterministic_and_streams_differ);
    tcase_add_test(tc, rng_below_and_uniform_in_range);
    tcase_add_test(tc, argsort_is_stable);
    tcase_add_test(tc, params_defaults_and_errors);
    tcase_add_test(tc, parallel_for_covers_every_index);
    tcase_add_test(tc, parallel_for_nests_and_repeats);
    tcase_add_test(tc, spin_ends_on_change_or_time);
    tcase_add_test(tc, arena_pieces_are_aligned_and_apart);
    tcase_add_test(tc, arena_out_of_memory_is_reported);
    tcase_add_test(tc, vmath_matches_libm);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
