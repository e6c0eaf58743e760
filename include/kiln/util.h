/* kiln/util.h — timers, threads and small numeric helpers shared by every module.
 *
 *     double t0 = kiln_now();
 *     kiln_parallel_for(n_trees, threads, grow_one_tree, &job);  // fixed order of results
 *     double secs = kiln_now() - t0;
 *
 * kiln_parallel_for hands out indices 0..n-1 to `threads` workers; each index is
 * processed exactly once and must write only its own results, so the outcome
 * does not depend on the thread count. The caller works on its own job too;
 * the other workers are kept parked between calls (a call inside a running
 * one starts threads of its own), and a call waits only for workers that
 * joined it, never for one the system has not scheduled yet. While kiln's own
 * loops run in parallel, BLAS is held to one thread (kiln_blas_threads) so
 * the cores are not oversubscribed.
 */
#ifndef KILN_UTIL_H
#define KILN_UTIL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kiln/status.h"

/* Monotonic wall clock in seconds. */
double kiln_now(void);

/* The number of online processors (at least 1). */
int kiln_cpu_count(void);

/* Run fn(arg, i) for i in [0, n) on up to `threads` threads. Returns the first
 * failing status by index order (so errors are deterministic too). */
typedef kiln_status (*kiln_task_fn)(void *arg, size_t i);
kiln_status kiln_parallel_for(size_t n, int threads, kiln_task_fn fn, void *arg);

/* Watch *v for a short while (about 200 us) until it differs from `was`:
 * returns 1 when it did, 0 when the time ran out. For a thread about to sleep
 * on a condition variable for an event likely to come soon (waking a
 * sleeping thread costs tens of microseconds); it re-checks under its lock. */
int kiln_spin_changed(const atomic_ulong *v, unsigned long was);

/* Set and query the BLAS thread count (OpenBLAS). */
void kiln_blas_threads(int n);
int kiln_blas_get_threads(void);

/* Sort idx[0..n) so that key[idx[.]] ascends, ties by index (stable). */
void kiln_argsort(const double *key, size_t *idx, size_t n);

/* Radix sort of doubles (core/sort.c): kiln_radix_key maps a double (not NaN)
 * to an unsigned key of the same order, kiln_radix_value maps it back.
 * kiln_radix_sort sorts key[0..n) ascending, stably, carrying row[] when the
 * buffer was made with rows; it swaps the buffers as it goes, so read the
 * result from b->key / b->row after it.
 *
 *     kiln_radix b;
 *     kiln_radix_init(&b, n, 0);
 *     for (i...) b.key[i] = kiln_radix_key(v[i]);
 *     kiln_radix_sort(&b, n);   // kiln_radix_value(b.key[i]) ascend
 *     kiln_radix_free(&b);
 */
typedef struct kiln_radix {
    uint64_t *key, *key2;
    uint32_t *row, *row2;  /* NULL without rows */
    uint32_t *count;
} kiln_radix;
kiln_status kiln_radix_init(kiln_radix *b, size_t n, int with_rows);
void kiln_radix_free(kiln_radix *b);
void kiln_radix_sort(kiln_radix *b, size_t n);

/* Inline: binning calls them for every value of every column. */
static inline uint64_t kiln_radix_key(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

static inline double kiln_radix_value(uint64_t k)
{
    uint64_t u = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* qsort comparator for doubles, ascending (NaN-free input). */
int kiln_cmp_double(const void *a, const void *b);

/* Free s[0..n) and s itself; s may be NULL. */
void kiln_free_strings(char **s, size_t n);

/* The shortest decimal text that reads back as exactly v ("%.17g" at most). */
void kiln_number_text(double v, char *buf, size_t size);

/* Allocation helpers that record KILN_ENOMEM on failure. */
void *kiln_alloc(size_t n, size_t size);  /* zero-filled, like calloc */
void *kiln_realloc(void *p, size_t n, size_t size);
char *kiln_strdup(const char *s);

#endif
