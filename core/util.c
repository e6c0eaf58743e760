/* Timers, the thread pool (workers kept between calls), BLAS thread control, argsort and allocation
 * helpers (see kiln/util.h). */
#include "kiln/util.h"
#include "core/alloc_hook.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

double kiln_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int kiln_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Calls left before an injected failure; 0 when off (see core/alloc_hook.h). */
static atomic_long alloc_countdown;

long kiln_alloc_fail_after(long n)
{
    return atomic_exchange(&alloc_countdown, n);
}

/* Whether this allocation is the one chosen to fail. */
static int alloc_injected_failure(void)
{
    return atomic_load_explicit(&alloc_countdown, memory_order_relaxed) != 0 &&
           atomic_fetch_sub(&alloc_countdown, 1) == 1;
}

/* Blocks of HUGE_BLOCK bytes or more ask for transparent huge pages (the
 * kernel's "madvise" mode): a fresh 45 MB matrix otherwise costs 11000 page
 * faults, which dominated the encoding of 200000 x 28 rows on a virtual
 * machine. Only the 2 MB-aligned interior of the block is advised. */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HUGE_BLOCK (2 * (size_t)HUGE_PAGE)

static void advise_huge(void *p, size_t bytes)
{
    uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);
    if (bytes >= HUGE_BLOCK && hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

/* n * size zeroed bytes; a large block is advised before it is zeroed, so
 * its pages are first touched as huge pages. */
static void *alloc_zeroed(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    if (bytes < HUGE_BLOCK)
        return calloc(n, size);
    void *p = malloc(bytes);
    if (p) {
        advise_huge(p, bytes);
        memset(p, 0, bytes);
    }
    return p;
}

void *kiln_alloc(size_t n, size_t size)
{
    void *p = alloc_injected_failure() ? NULL : alloc_zeroed(n ? n : 1, size ? size : 1);
    if (!p)
        KILN_NOMEM();
    return p;
}

void *kiln_realloc(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        KILN_NOMEM();
        return NULL;
    }
    size_t bytes = n * size;
    void *q = alloc_injected_failure() ? NULL : realloc(p, bytes ? bytes : 1);
    if (!q)
        KILN_NOMEM();
    else
        advise_huge(q, bytes);
    return q;
}

char *kiln_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = kiln_alloc(n, 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

void kiln_blas_threads(int n)
{
    openblas_set_num_threads(n < 1 ? 1 : n);
}

int kiln_blas_get_threads(void)
{
    return openblas_get_num_threads();
}

/* Workers take the next index from a shared counter; each index's status is
 * kept so the first failure by index (not by time) is reported. */
typedef struct pool_job {
    size_t n;
    kiln_task_fn fn;
    void *arg;
    atomic_size_t next;
    kiln_status *status;
} pool_job;

static void pool_worker(pool_job *job)
{
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n)
            break;
        job->status[i] = job->fn(job->arg, i);
    }
}

static void *spawned_worker(void *p)
{
    pool_job *job = p;
    pool_worker(job);
    return NULL;
}

/* Threads started for one call and joined at its end: the path of a call
 * made while another one holds the kept workers (a nested or concurrent
 * parallel loop). */
static void run_spawned(pool_job *job, int threads)
{
    pthread_t tid[threads];
    int started = 0;
    for (; started < threads - 1; started++)
        if (pthread_create(&tid[started], NULL, spawned_worker, job) != 0)
            break;
    pool_worker(job);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

/* Waking a thread asleep on a condition variable took 70-80 us on a 2-core
 * virtual machine (a parallel loop of two 114 us halves ran in 185 us), and
 * a boosting round makes several parallel calls a few ms apart; so a thread
 * about to sleep for an event that is likely to come soon first watches for
 * it this long (OpenMP runtimes spin the same way: OMP_WAIT_POLICY,
 * GOMP_SPINCOUNT). */
#define SPIN_SECONDS 200e-6

int kiln_spin_changed(const atomic_ulong *v, unsigned long was)
{
    double until = kiln_now() + SPIN_SECONDS;
    for (unsigned i = 1;; i++) {
        if (atomic_load_explicit(v, memory_order_relaxed) != was)
            return 1;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (i % 64 == 0 && kiln_now() > until)
            return 0;
    }
}

/* Kept workers, started on first use and parked between calls. A call opens
 * its job, works on it itself, then closes it: workers that wake after the
 * close skip it, so on a busy machine the caller never waits for a worker
 * that has not been scheduled, only for those already working. A worker
 * watches for the next job, and the caller for its workers to finish, before
 * sleeping (kiln_spin_changed). */
#define POOL_MAX 256

static struct {
    pthread_mutex_t owner; /* held by the call using the kept workers */
    pthread_mutex_t m;
    pthread_cond_t wake, idle;
    int n_threads;   /* workers started */
    pool_job *job;   /* the open job, or NULL */
    int wanted;      /* workers the open job may take */
    int joined;
    atomic_ulong active, gen;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, NULL, 0, 0, 0, 0};

static void *kept_worker(void *unused)
{
    (void)unused;
    unsigned long seen = 0;
    pthread_mutex_lock(&pool.m);
    for (;;) {
        pthread_mutex_unlock(&pool.m);
        kiln_spin_changed(&pool.gen, seen);
        pthread_mutex_lock(&pool.m);
        while (atomic_load(&pool.gen) == seen)
            pthread_cond_wait(&pool.wake, &pool.m);
        seen = atomic_load(&pool.gen);
        if (!pool.job || pool.joined >= pool.wanted)
            continue;
        pool.joined++;
        atomic_fetch_add(&pool.active, 1);
        pool_job *job = pool.job;
        pthread_mutex_unlock(&pool.m);
        pool_worker(job);
        pthread_mutex_lock(&pool.m);
        if (atomic_fetch_sub(&pool.active, 1) == 1)
            pthread_cond_signal(&pool.idle);
    }
    return NULL;
}

/* A forked child has none of the parent's workers. */
static void pool_after_fork(void)
{
    pthread_mutex_init(&pool.owner, NULL);
    pthread_mutex_init(&pool.m, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_cond_init(&pool.idle, NULL);
    pool.n_threads = 0;
    pool.job = NULL;
}

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_init(void)
{
    pthread_atfork(NULL, NULL, pool_after_fork);
}

static void run_kept(pool_job *job, int threads)
{
    pthread_once(&pool_once, pool_init);
    while (pool.n_threads < threads - 1 && pool.n_threads < POOL_MAX) {
        pthread_t t;
        if (pthread_create(&t, NULL, kept_worker, NULL) != 0)
            break;
        pthread_detach(t);
        pool.n_threads++;
    }
    pthread_mutex_lock(&pool.m);
    pool.job = job;
    pool.wanted = threads - 1;
    pool.joined = 0;
    atomic_store(&pool.active, 0);
    atomic_fetch_add(&pool.gen, 1);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.m);
    pool_worker(job);
    pthread_mutex_lock(&pool.m);
    pool.job = NULL;
    pthread_mutex_unlock(&pool.m);
    unsigned long busy;
    while ((busy = atomic_load(&pool.active)) > 0 && kiln_spin_changed(&pool.active, busy))
        ;
    pthread_mutex_lock(&pool.m);
    while (atomic_load(&pool.active) > 0)
        pthread_cond_wait(&pool.idle, &pool.m);
    pthread_mutex_unlock(&pool.m);
}

kiln_status kiln_parallel_for(size_t n, int threads, kiln_task_fn fn, void *arg)
{
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > n)
        threads = (int)n;
    if (threads <= 1) {
        for (size_t i = 0; i < n; i++)
            KILN_TRY(fn(arg, i));
        return KILN_OK;
    }
    pool_job job = {.n = n, .fn = fn, .arg = arg};
    atomic_init(&job.next, 0);
    job.status = kiln_alloc(n, sizeof *job.status);
    if (!job.status)
        return KILN_ENOMEM;
    int blas = kiln_blas_get_threads();
    kiln_blas_threads(1);
    if (pthread_mutex_trylock(&pool.owner) == 0) {
        run_kept(&job, threads);
        pthread_mutex_unlock(&pool.owner);
    } else {
        run_spawned(&job, threads);
    }
    kiln_blas_threads(blas);
    kiln_status s = KILN_OK;
    for (size_t i = 0; i < n && s == KILN_OK; i++)
        s = job.status[i];
    free(job.status);
    return s;
}

/* Stable merge sort of indices by key. */
static void merge_pass(const double *key, size_t *a, size_t *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = key[a[j]] < key[a[i]] ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

void kiln_argsort(const double *key, size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp) {
        /* Insertion sort needs no memory; only reached when malloc fails. */
        for (size_t i = 1; i < n; i++) {
            size_t v = idx[i], j = i;
            for (; j > 0 && key[v] < key[idx[j - 1]]; j--)
                idx[j] = idx[j - 1];
            idx[j] = v;
        }
        return;
    }
    merge_pass(key, idx, tmp, n);
    free(tmp);
}

int kiln_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void kiln_free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

void kiln_number_text(double v, char *buf, size_t size)
{
    /* Whole numbers below 2^53 print as integers ("100", not "1e+02"). */
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}
