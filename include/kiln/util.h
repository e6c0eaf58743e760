/* kiln/util.h — timers, threads and small numeric helpers shared by every module.
 *
 *     double t0 = kiln_now();
 *     kiln_parallel_for(n_trees, threads, grow_one_tree, &job);  // fixed order of results
 *     double secs = kiln_now() - t0;
 *
 * kiln_parallel_for hands out indices 0..n-1 to `threads` workers; each index is
 * processed exactly once and must write only its own results, so the outcome
 * does not depend on the thread count. While kiln's own loops run in parallel,
 * BLAS is held to one thread (kiln_blas_threads) so the cores are not
 * oversubscribed.
 */
#ifndef KILN_UTIL_H
#define KILN_UTIL_H

#include <stddef.h>
#include "kiln/status.h"

/* Monotonic wall clock in seconds. */
double kiln_now(void);

/* The number of online processors (at least 1). */
int kiln_cpu_count(void);

/* Run fn(arg, i) for i in [0, n) on up to `threads` threads. Returns the first
 * failing status by index order (so errors are deterministic too). */
typedef kiln_status (*kiln_task_fn)(void *arg, size_t i);
kiln_status kiln_parallel_for(size_t n, int threads, kiln_task_fn fn, void *arg);

/* Set and query the BLAS thread count (OpenBLAS). */
void kiln_blas_threads(int n);
int kiln_blas_get_threads(void);

/* Sort idx[0..n) so that key[idx[.]] ascends, ties by index (stable). */
void kiln_argsort(const double *key, size_t *idx, size_t n);

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
