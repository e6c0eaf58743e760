/* k-nearest neighbours for classification and regression.
 *
 * Fit keeps the training rows. A query's neighbours are the k training rows
 * smallest under the order (distance, training index): among equal distances
 * the lower index wins. Classification predicts vote shares,
 *     P(c | x) = sum_{i in N(x), y_i = c} w_i / sum_{i in N(x)} w_i,
 * with w_i = 1 (weights=uniform) or 1/dist_i (weights=distance; when some
 * neighbours are at distance 0 they share all the weight equally); the label
 * is the class of largest share, the smallest class index on ties.
 * Regression predicts sum w_i y_i / sum w_i. This is scikit-learn's
 * KNeighborsClassifier/Regressor (sklearn/neighbors/_classification.py,
 * _regression.py, _base.py: _get_weights); Cover & Hart (1967).
 *
 * The search engines live in knn_brute.c (blocked GEMM) and kdtree.c;
 * docs/knn.md explains the distance identity, its rounding and the tie rules.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "algos/neighbors/knn_impl.h"
#include "kiln/util.h"

/* The row order of this table is the order of kiln_params values. */
static const kiln_param_spec knn_param_spec[] = {
    {"n_neighbors", KILN_PARAM_INT, "5", 1, 1e9, 0, NULL, "3,5,7,9,11,15,21,31",
     "number of neighbours that vote (at most the training rows)"},
    {"weights", KILN_PARAM_CHOICE, "uniform", 0, 0, 0, "uniform|distance", "uniform,distance",
     "uniform: one vote each; distance: votes weighted by 1/distance"},
    {"metric", KILN_PARAM_CHOICE, "minkowski", 0, 0, 0, "minkowski|euclidean|manhattan|cosine",
     "minkowski,manhattan", "distance between rows"},
    {"p", KILN_PARAM_REAL, "2", 0, 1e6, 1, NULL, NULL, "power of the Minkowski metric (metric=minkowski)"},
    {"algorithm", KILN_PARAM_CHOICE, "auto", 0, 0, 0, "auto|brute|kd_tree", NULL,
     "neighbour search: auto picks the kd-tree for at most 12 features"},
    {"leaf_size", KILN_PARAM_INT, "30", 1, 1e9, 0, NULL, NULL, "rows per kd-tree leaf"},
    {NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL},
};

enum { P_N_NEIGHBORS, P_WEIGHTS, P_METRIC, P_P, P_ALGORITHM, P_LEAF_SIZE };
enum { METRIC_MINKOWSKI, METRIC_EUCLIDEAN, METRIC_MANHATTAN, METRIC_COSINE };

/* auto chooses the kd-tree up to this many features: bench_knn --auto measured
 * the crossover between 12 and 15 (docs/knn.md); scikit-learn uses 15. */
#define KD_MAX_D 12

static const char *const metric_names[] = {"euclidean", "manhattan", "minkowski", "cosine"};
static const char *const weights_names[] = {"uniform", "distance"};
static const char *const algorithm_names[] = {"auto", "brute", "kd_tree"};

/* ---- the neighbour heap and the distances shared by the engines ---- */

static void heap_swap(knn_heap *h, size_t a, size_t b)
{
    double d = h->d[a];
    size_t i = h->i[a];
    h->d[a] = h->d[b];
    h->i[a] = h->i[b];
    h->d[b] = d;
    h->i[b] = i;
}

/* Restore the max-heap below `top` within the first n entries. */
static void heap_sift_down(knn_heap *h, size_t top, size_t n)
{
    for (;;) {
        size_t l = 2 * top + 1, r = l + 1, big = top;
        if (l < n && knn_after(h->d[l], h->i[l], h->d[big], h->i[big]))
            big = l;
        if (r < n && knn_after(h->d[r], h->i[r], h->d[big], h->i[big]))
            big = r;
        if (big == top)
            return;
        heap_swap(h, top, big);
        top = big;
    }
}

void knn_heap_push(knn_heap *h, double d, size_t i)
{
    if (h->size < h->cap) {
        size_t c = h->size++;
        h->d[c] = d;
        h->i[c] = i;
        while (c > 0 && knn_after(h->d[c], h->i[c], h->d[(c - 1) / 2], h->i[(c - 1) / 2])) {
            heap_swap(h, c, (c - 1) / 2);
            c = (c - 1) / 2;
        }
        return;
    }
    if (!knn_after(h->d[0], h->i[0], d, i))
        return;
    h->d[0] = d;
    h->i[0] = i;
    heap_sift_down(h, 0, h->size);
}

void knn_heap_sort(knn_heap *h)
{
    for (size_t n = h->size; n > 1; n--) {
        heap_swap(h, 0, n - 1);
        heap_sift_down(h, 0, n - 1);
    }
}

double knn_rdist(const kiln_knn_model *m, const double *a, const double *b, size_t d)
{
    double r = 0;
    switch (m->metric) {
    case KNN_EUCLIDEAN:
        for (size_t j = 0; j < d; j++)
            r += (a[j] - b[j]) * (a[j] - b[j]);
        break;
    case KNN_MANHATTAN:
        for (size_t j = 0; j < d; j++)
            r += fabs(a[j] - b[j]);
        break;
    case KNN_MINKOWSKI:
        for (size_t j = 0; j < d; j++)
            r += pow(fabs(a[j] - b[j]), m->p);
        break;
    case KNN_COSINE:
        abort(); /* cosine is searched by GEMM only (an internal invariant) */
    }
    return r;
}

double knn_dist_from_rdist(const kiln_knn_model *m, double r)
{
    switch (m->metric) {
    case KNN_EUCLIDEAN:
        return sqrt(r);
    case KNN_MINKOWSKI:
        return pow(r, 1.0 / m->p);
    case KNN_MANHATTAN:
    case KNN_COSINE:
        break;
    }
    return r;
}

kiln_status knn_search(const kiln_knn_model *m, const kiln_mat *Q, size_t k, size_t *idx, double *rdist)
{
    if (m->engine == KNN_KD_TREE)
        return knn_kdtree_search(m, Q, k, idx, rdist);
    return knn_brute_search(m, Q, k, 1, idx, rdist);
}

/* ---- configuration ---- */

static knn_metric resolve_metric(const kiln_params *p)
{
    switch ((int)p->v[P_METRIC].num) {
    case METRIC_EUCLIDEAN:
        return KNN_EUCLIDEAN;
    case METRIC_MANHATTAN:
        return KNN_MANHATTAN;
    case METRIC_COSINE:
        return KNN_COSINE;
    default:
        break;
    }
    double pw = p->v[P_P].num;
    return pw == 2 ? KNN_EUCLIDEAN : pw == 1 ? KNN_MANHATTAN : KNN_MINKOWSKI;
}

/* algorithm=auto, as scikit-learn but with the measured threshold: a tree for few features and k
 * below half the rows, brute force otherwise and for cosine. */
static knn_algorithm resolve_engine(knn_algorithm asked, knn_metric metric, size_t k, size_t n, size_t d)
{
    if (asked != KNN_AUTO)
        return asked;
    return metric != KNN_COSINE && d <= KD_MAX_D && k < n / 2 ? KNN_KD_TREE : KNN_BRUTE;
}

static kiln_status knn_check(const kiln_params *p, const kiln_dataset *train)
{
    size_t k = (size_t)p->v[P_N_NEIGHBORS].num, n = train->X.rows;
    if (n == 0)
        return KILN_ERROR(KILN_EINPUT, "knn: no training rows");
    if (k > n)
        return KILN_ERROR(KILN_EINPUT, "--param n_neighbors=%zu: larger than the %zu training rows", k, n);
    if ((int)p->v[P_ALGORITHM].num == KNN_KD_TREE && resolve_metric(p) == KNN_COSINE)
        return KILN_ERROR(KILN_EINPUT, "--param algorithm=kd_tree: the kd-tree does not support metric=cosine");
    if (train->task == KILN_TASK_CLASSIFY && train->n_classes == 0)
        return KILN_ERROR(KILN_EINPUT, "knn: classification needs at least one class");
    return KILN_OK;
}

/* ---- model life cycle ---- */

static void knn_free(void *model)
{
    kiln_knn_model *m = model;
    if (!m)
        return;
    kiln_mat_free(m->X);
    free(m->y);
    free(m->norm_sq);
    kiln_mat_free(m->unit);
    free(m->X32);
    knn_kdtree_free(m->tree);
    free(m);
}

/* Build what the engines derive from the training rows. */
static kiln_status knn_prepare(kiln_knn_model *m)
{
    if (m->engine == KNN_KD_TREE)
        return knn_kdtree_build(m, m->leaf_size, &m->tree);
    return knn_brute_prepare(m);
}

static kiln_status knn_fit(void **model, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx)
{
    KILN_TRY(knn_check(p, train));
    size_t n = train->X.rows, d = train->X.cols;
    kiln_knn_model *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return KILN_ENOMEM;
    m->k = (size_t)p->v[P_N_NEIGHBORS].num;
    m->weights = (knn_weights)p->v[P_WEIGHTS].num;
    m->metric = resolve_metric(p);
    m->p = p->v[P_P].num;
    m->algorithm = (knn_algorithm)p->v[P_ALGORITHM].num;
    m->engine = resolve_engine(m->algorithm, m->metric, m->k, n, d);
    m->leaf_size = (size_t)p->v[P_LEAF_SIZE].num;
    m->task = train->task;
    m->n_classes = train->task == KILN_TASK_CLASSIFY ? train->n_classes : 0;
    m->threads = ctx && ctx->threads > 0 ? ctx->threads : kiln_cpu_count();
    m->X = kiln_mat_copy(&train->X);
    m->y = kiln_alloc(n, sizeof *m->y);
    if (!m->X || !m->y) {
        knn_free(m);
        return KILN_ENOMEM;
    }
    memcpy(m->y, train->y, n * sizeof *m->y);
    kiln_status s = knn_prepare(m);
    if (s != KILN_OK) {
        knn_free(m);
        return s;
    }
    *model = m;
    return KILN_OK;
}

/* ---- prediction ---- */

/* Neighbour weights from one row's k distances (scikit-learn's _get_weights). */
static void neighbour_weights(const kiln_knn_model *m, const double *rdist, size_t k, double *w)
{
    int zero = 0;
    for (size_t i = 0; i < k; i++) {
        double dist = knn_dist_from_rdist(m, rdist[i]);
        w[i] = m->weights == KNN_UNIFORM ? 1.0 : 1.0 / dist;
        zero |= m->weights == KNN_DISTANCE && dist == 0.0;
    }
    if (zero)
        for (size_t i = 0; i < k; i++)
            w[i] = knn_dist_from_rdist(m, rdist[i]) == 0.0 ? 1.0 : 0.0;
}

static void predict_row(const kiln_knn_model *m, const size_t *idx, const double *rdist, double *w, double *out)
{
    neighbour_weights(m, rdist, m->k, w);
    if (m->task == KILN_TASK_REGRESS) {
        double num = 0, den = 0;
        for (size_t i = 0; i < m->k; i++) {
            num += m->y[idx[i]] * w[i];
            den += w[i];
        }
        out[0] = m->weights == KNN_UNIFORM ? num / (double)m->k : num / den;
        return;
    }
    double total = 0;
    for (size_t c = 0; c < m->n_classes; c++)
        out[c] = 0;
    for (size_t i = 0; i < m->k; i++) {
        out[(size_t)m->y[idx[i]]] += w[i];
        total += w[i];
    }
    for (size_t c = 0; c < m->n_classes && total != 0; c++)
        out[c] /= total;
}

static kiln_status knn_predict(const void *model, const kiln_mat *X, kiln_mat *out)
{
    const kiln_knn_model *m = model;
    size_t want = m->task == KILN_TASK_REGRESS ? 1 : m->n_classes;
    if (X->cols != m->X->cols)
        return KILN_ERROR(KILN_EINPUT, "knn: %zu features given, the model was fitted on %zu", X->cols, m->X->cols);
    if (out->rows != X->rows || out->cols != want)
        return KILN_ERROR(KILN_EINTERNAL, "knn: output is %zu x %zu, expected %zu x %zu", out->rows, out->cols,
                          X->rows, want);
    size_t n = X->rows, k = m->k;
    size_t *idx = kiln_alloc(n * k, sizeof *idx);
    double *rdist = kiln_alloc(n * k, sizeof *rdist);
    double *w = kiln_alloc(k, sizeof *w);
    kiln_status s = idx && rdist && w ? knn_search(m, X, k, idx, rdist) : KILN_ENOMEM;
    for (size_t i = 0; i < n && s == KILN_OK; i++)
        predict_row(m, idx + i * k, rdist + i * k, w, KILN_MAT_ROW(out, i));
    free(idx);
    free(rdist);
    free(w);
    return s;
}

kiln_status kiln_knn_neighbors(const void *model, const double *row, size_t k, size_t *idx, double *dist)
{
    const kiln_knn_model *m = model;
    if (k == 0 || k > m->X->rows)
        return KILN_ERROR(KILN_EINPUT, "knn: cannot list %zu neighbours of %zu training rows", k, m->X->rows);
    kiln_mat q = {(double *)row, 1, m->X->cols, m->X->cols, 0};
    KILN_TRY(knn_search(m, &q, k, idx, dist));
    for (size_t i = 0; i < k; i++)
        dist[i] = knn_dist_from_rdist(m, dist[i]);
    return KILN_OK;
}

size_t kiln_knn_n_train(const void *model)
{
    return ((const kiln_knn_model *)model)->X->rows;
}

size_t kiln_knn_n_features(const void *model)
{
    return ((const kiln_knn_model *)model)->X->cols;
}

const double *kiln_knn_train_row(const void *model, size_t i)
{
    const kiln_knn_model *m = model;
    return m->X->data + i * m->X->stride;
}

double kiln_knn_train_target(const void *model, size_t i)
{
    return ((const kiln_knn_model *)model)->y[i];
}

/* ---- model files ---- */

/* The estimator section: config, then the training rows and targets. The derived data
 * (norms, float copy, kd-tree) is rebuilt at load, deterministically. The
 * thread count is not saved: a loaded model uses every core. */
static kiln_status knn_save(const void *model, kiln_writer *wr)
{
    const kiln_knn_model *m = model;
    size_t n = m->X->rows, d = m->X->cols;
    KILN_TRY(kiln_w_u64(wr, m->k));
    KILN_TRY(kiln_w_u8(wr, (uint8_t)m->weights));
    KILN_TRY(kiln_w_u8(wr, (uint8_t)m->metric));
    KILN_TRY(kiln_w_f64(wr, m->p));
    KILN_TRY(kiln_w_u8(wr, (uint8_t)m->algorithm));
    KILN_TRY(kiln_w_u8(wr, (uint8_t)m->engine));
    KILN_TRY(kiln_w_u64(wr, m->leaf_size));
    KILN_TRY(kiln_w_u8(wr, (uint8_t)m->task));
    KILN_TRY(kiln_w_u64(wr, m->n_classes));
    KILN_TRY(kiln_w_u64(wr, n));
    KILN_TRY(kiln_w_u64(wr, d));
    KILN_TRY(kiln_w_f64s(wr, m->X->data, n * d));
    return kiln_w_f64s(wr, m->y, n);
}

/* Read the config and check every value a corrupt file could spoil. */
static kiln_status load_config(kiln_knn_model *m, kiln_reader *r)
{
    uint8_t weights, metric, algorithm, engine, task;
    uint64_t k, leaf, n_classes;
    KILN_TRY(kiln_r_u64(r, &k));
    KILN_TRY(kiln_r_u8(r, &weights));
    KILN_TRY(kiln_r_u8(r, &metric));
    KILN_TRY(kiln_r_f64(r, &m->p));
    KILN_TRY(kiln_r_u8(r, &algorithm));
    KILN_TRY(kiln_r_u8(r, &engine));
    KILN_TRY(kiln_r_u64(r, &leaf));
    KILN_TRY(kiln_r_u8(r, &task));
    KILN_TRY(kiln_r_u64(r, &n_classes));
    if (weights > KNN_DISTANCE || metric > KNN_COSINE || algorithm > KNN_KD_TREE || engine == KNN_AUTO ||
        engine > KNN_KD_TREE || (task != KILN_TASK_CLASSIFY && task != KILN_TASK_REGRESS) || k == 0 || leaf == 0 ||
        !(m->p > 0) || (engine == KNN_KD_TREE && metric == KNN_COSINE) || n_classes > (1u << 24))
        return KILN_ERROR(KILN_EINPUT, "knn model: invalid configuration in the model file");
    m->k = k;
    m->weights = weights;
    m->metric = metric;
    m->algorithm = algorithm;
    m->engine = engine;
    m->leaf_size = leaf;
    m->task = task;
    m->n_classes = n_classes;
    return KILN_OK;
}

static kiln_status load_rows(kiln_knn_model *m, kiln_reader *r)
{
    size_t n, d;
    KILN_TRY(kiln_r_count(r, (size_t)1 << 40, &n));
    KILN_TRY(kiln_r_count(r, (size_t)1 << 24, &d));
    if (n == 0 || d == 0 || m->k > n || n > ((size_t)1 << 40) / d)
        return KILN_ERROR(KILN_EINPUT, "knn model: invalid shape %zu x %zu in the model file", n, d);
    m->X = kiln_mat_new(n, d);
    m->y = kiln_alloc(n, sizeof *m->y);
    if (!m->X || !m->y)
        return KILN_ENOMEM;
    KILN_TRY(kiln_r_f64s(r, m->X->data, n * d));
    KILN_TRY(kiln_r_f64s(r, m->y, n));
    for (size_t i = 0; i < n && m->task == KILN_TASK_CLASSIFY; i++)
        if (!(m->y[i] >= 0 && m->y[i] < (double)m->n_classes && m->y[i] == floor(m->y[i])))
            return KILN_ERROR(KILN_EINPUT, "knn model: class index out of range in the model file");
    return KILN_OK;
}

static kiln_status knn_load(void **model, kiln_reader *r)
{
    kiln_knn_model *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return KILN_ENOMEM;
    m->threads = kiln_cpu_count();
    kiln_status s = load_config(m, r);
    if (s == KILN_OK)
        s = load_rows(m, r);
    if (s == KILN_OK)
        s = knn_prepare(m);
    if (s != KILN_OK) {
        knn_free(m);
        return s;
    }
    *model = m;
    return KILN_OK;
}

/* ---- inspect ---- */

static void inspect_text(const kiln_knn_model *m, FILE *out)
{
    fprintf(out, "k-nearest neighbours (knn), %s\n", m->task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    fprintf(out, "  n_neighbors  %zu\n", m->k);
    fprintf(out, "  weights      %s\n", weights_names[m->weights]);
    fprintf(out, "  metric       %s", metric_names[m->metric]);
    if (m->metric == KNN_MINKOWSKI)
        fprintf(out, " (p=%.17g)", m->p);
    fprintf(out, "\n  algorithm    %s (search: %s)\n", algorithm_names[m->algorithm], algorithm_names[m->engine]);
    fprintf(out, "  leaf_size    %zu\n", m->leaf_size);
    fprintf(out, "  training rows %zu, features %zu", m->X->rows, m->X->cols);
    if (m->task == KILN_TASK_CLASSIFY)
        fprintf(out, ", classes %zu", m->n_classes);
    fprintf(out, "\n");
}

static void inspect_json(const kiln_knn_model *m, FILE *out)
{
    kiln_json j;
    kiln_json_init(&j, out, 1);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "model");
    kiln_json_str(&j, "knn");
    kiln_json_key(&j, "task");
    kiln_json_str(&j, m->task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    kiln_json_key(&j, "config");
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "n_neighbors");
    kiln_json_int(&j, (long long)m->k);
    kiln_json_key(&j, "weights");
    kiln_json_str(&j, weights_names[m->weights]);
    kiln_json_key(&j, "metric");
    kiln_json_str(&j, metric_names[m->metric]);
    kiln_json_key(&j, "p");
    kiln_json_num(&j, m->p);
    kiln_json_key(&j, "algorithm");
    kiln_json_str(&j, algorithm_names[m->algorithm]);
    kiln_json_key(&j, "leaf_size");
    kiln_json_int(&j, (long long)m->leaf_size);
    kiln_json_end_object(&j);
    kiln_json_key(&j, "learned");
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "search");
    kiln_json_str(&j, algorithm_names[m->engine]);
    kiln_json_key(&j, "n_train");
    kiln_json_int(&j, (long long)m->X->rows);
    kiln_json_key(&j, "n_features");
    kiln_json_int(&j, (long long)m->X->cols);
    if (m->task == KILN_TASK_CLASSIFY) {
        kiln_json_key(&j, "n_classes");
        kiln_json_int(&j, (long long)m->n_classes);
    }
    kiln_json_end_object(&j);
    kiln_json_end_object(&j);
    fputc('\n', out);
}

static kiln_status knn_inspect(const void *model, const kiln_inspect_args *args, FILE *out)
{
    if (args->format == KILN_INSPECT_DOT)
        return KILN_ERROR(KILN_EINPUT, "knn: no DOT form (it has no tree to draw); use text or json");
    if (args->format == KILN_INSPECT_JSON)
        inspect_json(model, out);
    else
        inspect_text(model, out);
    return KILN_OK;
}

const kiln_algo kiln_algo_knn = {
    .id = "knn",
    .name = "K Neighbors Classifier",
    .name_regress = "K Neighbors Regressor",
    .tasks = KILN_TASK_CLASSIFY | KILN_TASK_REGRESS,
    .flags = KILN_ALGO_PROBA | KILN_ALGO_SCALE,
    .params = knn_param_spec,
    .check = knn_check,
    .fit = knn_fit,
    .predict = knn_predict,
    .save = knn_save,
    .load = knn_load,
    .inspect = knn_inspect,
    .importance = NULL,
    .warning = NULL,
    .free = knn_free,
};
