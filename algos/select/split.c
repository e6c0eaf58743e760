/* Train/test splits and cross-validation folds (see kiln/split.h).
 *
 * Train/test: the test part has n_test = ceil(test_frac * n) rows, as in
 * scikit-learn's train_test_split. Unstratified, the rows are shuffled with
 * kiln_rng seeded by `seed` and the first n_test go to test. Stratified, class c
 * with n_c rows gets t_c test rows by the largest-remainder (Hamilton) method:
 * t_c = floor(n_test n_c / n), then the rows still missing go one at a time to
 * the classes with the largest remainders (n_test n_c mod n; ties to the
 * smaller label), never taking a class's last row, so every class keeps a row
 * for training. Each class's rows are shuffled with its own stream
 * kiln_rng_stream(seed, c) (c = the class's rank among the labels) and its first
 * t_c go to test. Both index lists come out ascending.
 *
 * KFold(shuffle=False): fold f is the contiguous block of n / k rows, plus one
 * for the first n % k folds.
 *
 * StratifiedKFold(shuffle=False), scikit-learn >= 0.22, _make_test_folds:
 * classes are numbered by first appearance in y; y_order is the sorted list of
 * those numbers; class c gets allocation[f][c] = #{j : j = f mod k,
 * y_order[j] = c} rows in fold f; its rows, in order, take fold 0 for the
 * first allocation[0][c], fold 1 for the next allocation[1][c], and so on.
 */
#include "kiln/split.h"

#include <math.h>
#include <stdlib.h>

#include "kiln/rng.h"
#include "kiln/util.h"

/* ---- train / test --------------------------------------------------------- */

typedef struct class_share {
    size_t start, count; /* the class's rows in the label-sorted order   */
    size_t rem;          /* n_test * count mod n, the quota's remainder  */
    size_t test;         /* rows given to the test part                  */
    size_t rank;         /* position among the labels                    */
} class_share;

static int by_remainder(const void *a, const void *b)
{
    const class_share *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem < y->rem ? 1 : -1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Largest-remainder allotment of n_test rows over the classes, each capped at
 * count - 1. The caller has checked that the caps add up to n_test or more. */
static void allot_test_rows(class_share *cls, size_t m, size_t n, size_t n_test)
{
    size_t given = 0;
    for (size_t c = 0; c < m; c++) {
        size_t quota = n_test * cls[c].count;
        cls[c].test = quota / n;
        if (cls[c].test > cls[c].count - 1)
            cls[c].test = cls[c].count - 1;
        cls[c].rem = quota % n;
        given += cls[c].test;
    }
    qsort(cls, m, sizeof *cls, by_remainder);
    while (given < n_test)
        for (size_t c = 0; c < m && given < n_test; c++)
            if (cls[c].test < cls[c].count - 1) {
                cls[c].test++;
                given++;
            }
}

/* Mark in_test for the stratified split; `order` is scratch of n entries. */
static kiln_status stratified_test_rows(const double *y, size_t n, size_t n_test, uint64_t seed,
                                        size_t *order, unsigned char *in_test)
{
    kiln_argsort(y, order, n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += i == 0 || y[order[i]] != y[order[i - 1]];
    class_share *cls = kiln_alloc(m, sizeof *cls);
    if (!cls)
        return KILN_ENOMEM;
    size_t c = 0, room = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && y[order[i]] != y[order[i - 1]])
            c++;
        if (cls[c].count++ == 0) {
            cls[c].start = i;
            cls[c].rank = c;
        }
    }
    for (c = 0; c < m; c++)
        room += cls[c].count - 1;
    if (room < n_test) {
        free(cls);
        return KILN_ERROR(KILN_EINPUT,
                          "stratified split: a test part of %zu rows would leave a class with no training "
                          "row (%zu classes, %zu rows); lower the test fraction",
                          n_test, m, n);
    }
    allot_test_rows(cls, m, n, n_test);
    for (c = 0; c < m; c++) {
        kiln_rng r;
        kiln_rng_stream(&r, seed, cls[c].rank);
        size_t *rows = order + cls[c].start;
        kiln_rng_shuffle(&r, rows, cls[c].count);
        for (size_t j = 0; j < cls[c].test; j++)
            in_test[rows[j]] = 1;
    }
    free(cls);
    return KILN_OK;
}

static kiln_status check_train_test(const double *y, size_t n, int stratify, double test_frac, size_t *n_test)
{
    if (!(test_frac > 0 && test_frac < 1))
        return KILN_ERROR(KILN_EINPUT, "split: test fraction %g is not in (0, 1)", test_frac);
    *n_test = (size_t)ceil(test_frac * (double)n);
    if (*n_test == 0 || *n_test >= n)
        return KILN_ERROR(KILN_EINPUT,
                          "split: a test fraction of %g of %zu rows leaves an empty %s part", test_frac, n,
                          *n_test == 0 ? "test" : "train");
    if (stratify && !y)
        return KILN_ERROR(KILN_EINPUT, "split: stratifying needs the class of every row");
    if (stratify)
        for (size_t i = 0; i < n; i++)
            if (isnan(y[i]))
                return KILN_ERROR(KILN_EINPUT, "split: row %zu: cannot stratify on a missing class", i);
    return KILN_OK;
}

kiln_status kiln_split_train_test(const double *y, size_t n, int stratify, double test_frac, uint64_t seed,
                                  size_t **train, size_t *ntrain, size_t **test, size_t *ntest)
{
    *train = *test = NULL;
    *ntrain = *ntest = 0;
    size_t n_test = 0;
    KILN_TRY(check_train_test(y, n, stratify, test_frac, &n_test));
    size_t *order = kiln_alloc(n, sizeof *order);
    unsigned char *in_test = kiln_alloc(n, sizeof *in_test);
    size_t *tr = kiln_alloc(n - n_test, sizeof *tr);
    size_t *te = kiln_alloc(n_test, sizeof *te);
    kiln_status s = order && in_test && tr && te ? KILN_OK : KILN_ENOMEM;
    if (s == KILN_OK && stratify) {
        s = stratified_test_rows(y, n, n_test, seed, order, in_test);
    } else if (s == KILN_OK) {
        kiln_rng r;
        kiln_rng_seed(&r, seed);
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        kiln_rng_shuffle(&r, order, n);
        for (size_t i = 0; i < n_test; i++)
            in_test[order[i]] = 1;
    }
    if (s == KILN_OK) {
        size_t a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (in_test[i])
                te[b++] = i;
            else
                tr[a++] = i;
        }
        *train = tr;
        *test = te;
        *ntrain = a;
        *ntest = b;
    } else {
        free(tr);
        free(te);
    }
    free(order);
    free(in_test);
    return s;
}

/* ---- k-fold --------------------------------------------------------------- */

kiln_status kiln_split_kfold(size_t n, int k, int *fold)
{
    if (k < 2 || (size_t)k > n)
        return KILN_ERROR(KILN_EINPUT, "folds: %d folds need 2 <= folds <= rows (%zu)", k, n);
    size_t kk = (size_t)k, base = n / kk, extra = n % kk, i = 0;
    for (size_t f = 0; f < kk; f++)
        for (size_t size = base + (f < extra); size > 0; size--)
            fold[i++] = (int)f;
    return KILN_OK;
}

/* #{j in [0, x) : j mod k = f} */
static size_t count_residue(size_t x, size_t k, size_t f)
{
    return x / k + (f < x % k);
}

/* Number the classes by first appearance: code[c] for label c (SIZE_MAX if
 * absent), counts per code. Returns the number of classes present. */
static size_t encode_by_appearance(const double *y, size_t n, size_t n_classes, size_t *code, size_t *count)
{
    size_t m = 0;
    for (size_t c = 0; c < n_classes; c++)
        code[c] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)y[i];
        if (code[c] == SIZE_MAX)
            code[c] = m++;
        count[code[c]]++;
    }
    return m;
}

static kiln_status check_stratified(const double *y, size_t n, size_t n_classes, int k)
{
    if (k < 2)
        return KILN_ERROR(KILN_EINPUT, "folds: %d folds; need at least 2", k);
    for (size_t i = 0; i < n; i++)
        if (!(y[i] >= 0 && y[i] < (double)n_classes && y[i] == floor(y[i])))
            return KILN_ERROR(KILN_EINPUT, "folds: row %zu: target %g is not a class index in [0, %zu)", i,
                              y[i], n_classes);
    return KILN_OK;
}

kiln_status kiln_split_stratified_kfold(const double *y, size_t n, size_t n_classes, int k, int *fold)
{
    KILN_TRY(check_stratified(y, n, n_classes, k));
    size_t kk = (size_t)k;
    /* code[n_classes], count[n_classes], then per class: its first row in
     * y_order, its current fold and the rows left in that fold. */
    size_t *code = kiln_alloc(5 * n_classes + 1, sizeof *code);
    if (!code)
        return KILN_ENOMEM;
    size_t *count = code + n_classes, *start = count + n_classes, *cur = start + n_classes,
           *left = cur + n_classes;
    size_t m = encode_by_appearance(y, n, n_classes, code, count);
    size_t smallest = n;
    for (size_t c = 0; c < m; c++)
        smallest = count[c] < smallest ? count[c] : smallest;
    if (m == 0 || kk > smallest) {
        free(code);
        return KILN_ERROR(KILN_EINPUT,
                          "folds: %d stratified folds need at least %d rows of every class; the smallest "
                          "class has %zu",
                          k, k, m ? smallest : 0);
    }
    for (size_t c = 0; c < m; c++) {
        start[c] = c ? start[c - 1] + count[c - 1] : 0;
        cur[c] = 0;
        left[c] = count_residue(start[c] + count[c], kk, 0) - count_residue(start[c], kk, 0);
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = code[(size_t)y[i]];
        while (left[c] == 0) {
            cur[c]++;
            left[c] = count_residue(start[c] + count[c], kk, cur[c]) - count_residue(start[c], kk, cur[c]);
        }
        fold[i] = (int)cur[c];
        left[c]--;
    }
    free(code);
    return KILN_OK;
}
