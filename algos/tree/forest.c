/* Decision tree, random forest and extra trees: T trees from the shared
 * histogram builder, their outputs averaged.
 *
 *   dt  one CART tree on all rows and all features (Breiman et al. 1984).
 *   rf  random forest (Breiman 2001): tree t is grown on a bootstrap sample
 *       (max_samples rows drawn with replacement) and looks at max_features
 *       random features per node; predictions average the trees' class
 *       frequencies (or means). Rows a tree never saw give the out-of-bag score.
 *   et  extra trees (Geurts, Ernst & Wehenkel 2006): like rf, but without
 *       bootstrap by default and with one uniformly random threshold per
 *       candidate feature instead of the best one.
 *
 * A classification tree grows from per-row statistics w_i * c_{y_i} * [y_i == k]
 * (c the class weight: balanced = n / (K n_k)), a regression tree from
 * (w, w y, w y^2). Tree t draws its randomness from kiln_rng_stream(seed, t),
 * and trees write only their own slot, so any thread count gives the same
 * model. Impurity importance of a feature is the total gain of its splits,
 * normalised per tree and averaged over trees (scikit-learn's definition). */
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/tree_impl.h"
#include "kiln/util.h"

typedef enum forest_kind { FOREST_DT = 0, FOREST_RF = 1, FOREST_ET = 2 } forest_kind;

enum { CW_FIXED = 0, CW_SUBSAMPLE = 1 }; /* fixed: none, balanced or k:w pairs */
enum { CRIT_AUTO = 0, CRIT_GINI = 1, CRIT_ENTROPY = 2, CRIT_SQUARED = 3 };

/* The resolved hyperparameters of one fit. */
typedef struct forest_cfg {
    forest_kind kind;
    int criterion;
    int max_depth;             /* -1: none */
    size_t max_leaf_nodes;     /* 0: none */
    size_t min_samples_split, min_samples_leaf;
    double min_impurity_decrease;
    size_t max_features;       /* resolved against d */
    int class_weight;
    char class_weight_spec[KILN_PARAM_TEXT_MAX];
    size_t n_estimators;
    int bootstrap, oob_score;
    size_t max_samples;        /* rows per bootstrap sample */
    int max_bins;
} forest_cfg;

typedef struct forest {
    forest_kind kind;
    int32_t task;
    size_t n_features, n_classes, k; /* k outputs per tree */
    size_t n_trees;
    kiln_tree **trees;
    kiln_arena **arenas; /* the trees' nodes: one arena per fitting worker */
    size_t n_arenas;
    uint64_t seed;
    int has_oob;
    double oob_score;
    kiln_params params; /* as given, for inspect's "config" */
} forest;

/* ---- parameters --------------------------------------------------------- */

#define P_CRITERION {"criterion", KILN_PARAM_CHOICE, "auto", 0, 0, 0, "auto|gini|entropy|squared_error", NULL, \
                     "split criterion; auto = gini (classification), squared_error (regression)"}
#define P_MAX_DEPTH(grid) {"max_depth", KILN_PARAM_TEXT, "none", 0, 0, 0, NULL, grid, \
                           "deepest level (root = 0), an integer >= 1, or none"}
#define P_MIN_SPLIT {"min_samples_split", KILN_PARAM_INT, "2", 2, 1e9, 0, NULL, "2,5,10", \
                     "a node with fewer rows is not split"}
#define P_MIN_LEAF {"min_samples_leaf", KILN_PARAM_INT, "1", 1, 1e9, 0, NULL, "1,2,4,8", \
                    "rows each child must keep"}
#define P_MIN_DECREASE {"min_impurity_decrease", KILN_PARAM_REAL, "0", 0, 1e300, 0, NULL, NULL, \
                        "split only when the weighted impurity decrease reaches this"}
#define P_MAX_FEATURES(def, grid) {"max_features", KILN_PARAM_TEXT, def, 0, 0, 0, NULL, grid, \
                                   "features tried per node: sqrt, log2, a fraction in (0,1], an integer, or auto (sqrt for classification, 1.0 for regression)"}
#define P_MAX_LEAVES {"max_leaf_nodes", KILN_PARAM_TEXT, "none", 0, 0, 0, NULL, NULL, \
                      "grow best-first up to this many leaves (integer >= 2), or none"}
#define P_CLASS_WEIGHT {"class_weight", KILN_PARAM_TEXT, "none", 0, 0, 0, NULL, NULL, \
                        "none, balanced (n / (n_classes * class count)), balanced_subsample (per bootstrap sample), or k:w,k:w"}
#define P_MAX_BINS {"max_bins", KILN_PARAM_INT, "255", 2, 255, 0, NULL, NULL, "quantile bins per feature"}
#define P_N_EST {"n_estimators", KILN_PARAM_INT, "100", 1, 100000, 0, NULL, "50,100,200,300", "trees"}
#define P_BOOTSTRAP(def) {"bootstrap", KILN_PARAM_BOOL, def, 0, 0, 0, NULL, NULL, \
                          "grow each tree on a sample drawn with replacement"}
#define P_MAX_SAMPLES {"max_samples", KILN_PARAM_TEXT, "none", 0, 0, 0, NULL, NULL, \
                       "bootstrap sample size: a fraction in (0,1], an integer, or none (all rows)"}
#define P_OOB {"oob_score", KILN_PARAM_BOOL, "false", 0, 0, 0, NULL, NULL, \
               "score each row on the trees that did not see it (needs bootstrap)"}

static const kiln_param_spec dt_params[] = {
    P_CRITERION, P_MAX_DEPTH("none,2,4,6,8,12"), P_MIN_SPLIT, P_MIN_LEAF, P_MIN_DECREASE,
    P_MAX_FEATURES("1.0", NULL), P_MAX_LEAVES, P_CLASS_WEIGHT, P_MAX_BINS, {NULL},
};

static const kiln_param_spec rf_params[] = {
    P_N_EST, P_CRITERION, P_MAX_DEPTH("none,4,8,16"), P_MIN_SPLIT, P_MIN_LEAF, P_MIN_DECREASE,
    P_MAX_FEATURES("auto", "sqrt,log2,0.5,1.0"), P_MAX_LEAVES, P_CLASS_WEIGHT, P_BOOTSTRAP("true"),
    P_MAX_SAMPLES, P_OOB, P_MAX_BINS, {NULL},
};

static const kiln_param_spec et_params[] = {
    P_N_EST, P_CRITERION, P_MAX_DEPTH("none,4,8,16"), P_MIN_SPLIT, P_MIN_LEAF, P_MIN_DECREASE,
    P_MAX_FEATURES("auto", "sqrt,log2,0.5,1.0"), P_MAX_LEAVES, P_CLASS_WEIGHT, P_BOOTSTRAP("false"),
    P_MAX_SAMPLES, P_OOB, P_MAX_BINS, {NULL},
};

/* An integer from text, whole and in [lo, hi]; 0 if it is not one. */
static int parse_count(const char *s, double lo, double hi, size_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || strchr(s, '.') || v != floor(v) || v < lo || v > hi)
        return 0;
    *out = (size_t)v;
    return 1;
}

/* "none" or an integer >= lo; none gives 0. */
static kiln_status parse_none_or_count(const char *name, const char *s, double lo, size_t *out)
{
    *out = 0;
    if (strcmp(s, "none") == 0 || parse_count(s, lo, 1e12, out))
        return KILN_OK;
    return KILN_ERROR(KILN_EINPUT, "--param %s=%s: must be none or a whole number >= %g", name, s, lo);
}

/* max_features against d features. */
static kiln_status parse_max_features(const char *s, size_t d, kiln_task task, size_t *out)
{
    if (strcmp(s, "auto") == 0)
        s = task == KILN_TASK_CLASSIFY ? "sqrt" : "1.0";
    double dd = (double)d;
    if (strcmp(s, "sqrt") == 0) {
        *out = (size_t)floor(sqrt(dd));
    } else if (strcmp(s, "log2") == 0) {
        *out = (size_t)floor(log2(dd > 1 ? dd : 1));
    } else if (strcmp(s, "none") == 0) {
        *out = d;
    } else if (strchr(s, '.')) {
        char *end;
        double f = strtod(s, &end);
        if (end == s || *end || !(f > 0 && f <= 1))
            return KILN_ERROR(KILN_EINPUT, "--param max_features=%s: a fraction must be in (0, 1]", s);
        *out = (size_t)floor(f * dd);
    } else if (!parse_count(s, 1, 1e12, out)) {
        return KILN_ERROR(KILN_EINPUT,
                          "--param max_features=%s: expected sqrt, log2, a fraction in (0,1] or an integer >= 1", s);
    } else if (*out > d) {
        return KILN_ERROR(KILN_EINPUT, "--param max_features=%s: the data has only %zu features", s, d);
    }
    if (*out < 1)
        *out = 1;
    return KILN_OK;
}

/* max_samples against n rows; none = n. */
static kiln_status parse_max_samples(const char *s, size_t n, size_t *out)
{
    *out = n;
    if (strcmp(s, "none") == 0)
        return KILN_OK;
    if (strchr(s, '.')) {
        char *end;
        double f = strtod(s, &end);
        if (end == s || *end || !(f > 0 && f <= 1))
            return KILN_ERROR(KILN_EINPUT, "--param max_samples=%s: a fraction must be in (0, 1]", s);
        *out = (size_t)round(f * (double)n);
        if (*out < 1)
            *out = 1;
        return KILN_OK;
    }
    if (!parse_count(s, 1, (double)n, out))
        return KILN_ERROR(KILN_EINPUT, "--param max_samples=%s: expected none, a fraction in (0,1] or 1..%zu", s, n);
    return KILN_OK;
}

static int has_param(const kiln_params *p, const char *name)
{
    return kiln_params_index(p, name) >= 0;
}

static kiln_status resolve(const kiln_params *p, const kiln_dataset *train, forest_kind kind, forest_cfg *c)
{
    size_t n = train->X.rows, d = train->X.cols, v;
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->criterion = (int)kiln_params_num(p, "criterion");
    if (c->criterion == CRIT_AUTO)
        c->criterion = train->task == KILN_TASK_CLASSIFY ? CRIT_GINI : CRIT_SQUARED;
    if ((c->criterion == CRIT_SQUARED) != (train->task == KILN_TASK_REGRESS))
        return KILN_ERROR(KILN_EINPUT, "--param criterion=%s does not fit %s", kiln_params_text(p, "criterion"),
                          train->task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    KILN_TRY(parse_none_or_count("max_depth", kiln_params_text(p, "max_depth"), 1, &v));
    c->max_depth = v ? (int)(v < 100000 ? v : 100000) : -1;
    KILN_TRY(parse_none_or_count("max_leaf_nodes", kiln_params_text(p, "max_leaf_nodes"), 2, &c->max_leaf_nodes));
    c->min_samples_split = (size_t)kiln_params_num(p, "min_samples_split");
    c->min_samples_leaf = (size_t)kiln_params_num(p, "min_samples_leaf");
    if (c->min_samples_leaf > n)
        return KILN_ERROR(KILN_EINPUT, "--param min_samples_leaf=%zu: larger than the %zu training rows",
                          c->min_samples_leaf, n);
    c->min_impurity_decrease = kiln_params_num(p, "min_impurity_decrease");
    KILN_TRY(parse_max_features(kiln_params_text(p, "max_features"), d, train->task, &c->max_features));
    const char *cw = kiln_params_text(p, "class_weight");
    snprintf(c->class_weight_spec, sizeof c->class_weight_spec, "%s", cw);
    c->class_weight = strcmp(cw, "balanced_subsample") == 0 ? CW_SUBSAMPLE : CW_FIXED;
    if (strcmp(cw, "none") != 0 && train->task != KILN_TASK_CLASSIFY)
        return KILN_ERROR(KILN_EINPUT, "--param class_weight: only for classification");
    if (c->class_weight == CW_FIXED)
        KILN_TRY(kiln_class_weights(cw, NULL, 0, train->n_classes, NULL));
    c->max_bins = (int)kiln_params_num(p, "max_bins");
    c->n_estimators = has_param(p, "n_estimators") ? (size_t)kiln_params_num(p, "n_estimators") : 1;
    c->bootstrap = has_param(p, "bootstrap") && kiln_params_num(p, "bootstrap") != 0;
    c->oob_score = has_param(p, "oob_score") && kiln_params_num(p, "oob_score") != 0;
    if (c->oob_score && !c->bootstrap)
        return KILN_ERROR(KILN_EINPUT, "--param oob_score=true needs bootstrap=true");
    if (c->class_weight == CW_SUBSAMPLE && !c->bootstrap) {
        c->class_weight = CW_FIXED; /* without a subsample it is the same thing */
        snprintf(c->class_weight_spec, sizeof c->class_weight_spec, "balanced");
    }
    c->max_samples = n;
    if (has_param(p, "max_samples")) {
        const char *ms = kiln_params_text(p, "max_samples");
        if (strcmp(ms, "none") != 0 && !c->bootstrap)
            return KILN_ERROR(KILN_EINPUT, "--param max_samples needs bootstrap=true");
        KILN_TRY(parse_max_samples(ms, n, &c->max_samples));
    }
    return KILN_OK;
}

static kiln_status check_data(const kiln_dataset *train)
{
    if (train->X.rows == 0 || train->X.cols == 0)
        return KILN_ERROR(KILN_EINPUT, "trees need at least one row and one feature");
    if (train->X.rows > UINT32_MAX)
        return KILN_ERROR(KILN_EINPUT, "trees take at most %u rows", (unsigned)UINT32_MAX);
    if (train->task == KILN_TASK_CLASSIFY && train->n_classes < 1)
        return KILN_ERROR(KILN_EINPUT, "classification needs at least one class");
    return KILN_OK;
}

static kiln_status forest_check_kind(const kiln_params *p, const kiln_dataset *train, forest_kind kind)
{
    KILN_TRY(check_data(train));
    forest_cfg c;
    return resolve(p, train, kind, &c);
}

/* ---- fitting -------------------------------------------------------------- */

typedef struct fit_job {
    const forest_cfg *cfg;
    const kiln_dataset *train;
    const kiln_bins *bins;
    const uint8_t *row_codes; /* the bins' codes row-major */
    const double *stats;    /* n x m, class weights applied (not for balanced_subsample) */
    size_t m;
    kiln_criterion crit;
    uint64_t seed;
    int tree_threads;
    kiln_tree **trees;
    kiln_arena **arenas;        /* one per worker, for its trees' nodes */
    volatile const int *cancel; /* ctx->cancel: checked before each tree */
    atomic_size_t next;         /* the next tree a worker takes */
} fit_job;

static double row_weight(const kiln_dataset *d, size_t i)
{
    return d->w ? d->w[i] : 1.0;
}

/* Row statistics for the criterion; cw (K class weights) or NULL. */
static void fill_stats(const kiln_dataset *d, const double *cw, size_t m, const uint32_t *rows, size_t n_rows,
                       double *st)
{
    for (size_t k = 0; k < n_rows; k++) {
        size_t i = rows ? rows[k] : k;
        double w = row_weight(d, i), y = d->y[i];
        double *s = st + i * m;
        if (d->task == KILN_TASK_CLASSIFY) {
            size_t c = (size_t)y;
            memset(s, 0, m * sizeof *s);
            s[c] = w * (cw ? cw[c] : 1.0);
        } else {
            s[0] = w;
            s[1] = w * y;
            s[2] = w * y * y;
        }
    }
}

/* Tree t's rows, ascending: the distinct rows of a bootstrap sample (counts[i]
 * = how often row i was drawn; scikit-learn's sample weights), or every row.
 * Returns how many. */
static size_t draw_rows(const forest_cfg *cfg, size_t n, kiln_rng *rng, uint32_t *rows, uint32_t *counts)
{
    if (!cfg->bootstrap) {
        for (size_t i = 0; i < n; i++)
            rows[i] = (uint32_t)i;
        return n;
    }
    memset(counts, 0, n * sizeof *counts);
    for (size_t k = 0; k < cfg->max_samples; k++)
        counts[kiln_rng_below(rng, n)]++;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (counts[i])
            rows[k++] = (uint32_t)i;
    return k;
}

static size_t sample_size(const forest_cfg *cfg, size_t n)
{
    return cfg->bootstrap ? cfg->max_samples : n;
}

static kiln_status grow_one(fit_job *job, size_t t, uint32_t *rows, uint32_t *counts, double *own_stats,
                            kiln_tree_ws *ws, kiln_arena *arena)
{
    const forest_cfg *cfg = job->cfg;
    const kiln_dataset *d = job->train;
    size_t n = d->X.rows, n_drawn = sample_size(cfg, n);
    kiln_rng rng;
    kiln_rng_stream(&rng, job->seed, t);
    size_t n_rows = draw_rows(cfg, n, &rng, rows, counts);
    const double *stats = job->stats;
    if (own_stats) {
        /* balanced_subsample: balanced weights of this tree's sample (repeats included) */
        double *ys = kiln_alloc(n_drawn, sizeof *ys), *cw = kiln_alloc(d->n_classes, sizeof *cw);
        kiln_status s = ys && cw ? KILN_OK : KILN_ENOMEM;
        for (size_t k = 0, q = 0; s == KILN_OK && k < n_rows; k++)
            for (uint32_t c = 0; c < (counts ? counts[rows[k]] : 1u); c++)
                ys[q++] = d->y[rows[k]];
        if (s == KILN_OK)
            s = kiln_class_weights("balanced", ys, n_drawn, d->n_classes, cw);
        if (s == KILN_OK)
            fill_stats(d, cw, job->m, rows, n_rows, own_stats);
        free(ys);
        free(cw);
        KILN_TRY(s);
        stats = own_stats;
    }
    double root_cover = 0;
    for (size_t k = 0; k < n_rows; k++)
        root_cover +=
            (counts ? counts[rows[k]] : 1.0) * job->crit.cover(&job->crit, stats + (size_t)rows[k] * job->m);
    kiln_tree_params tp = kiln_tree_params_default();
    tp.max_depth = cfg->max_depth;
    tp.max_leaf_nodes = cfg->max_leaf_nodes;
    tp.min_samples_split = cfg->min_samples_split;
    tp.min_samples_leaf = cfg->min_samples_leaf;
    /* scikit-learn makes a leaf when improvement + DBL_EPSILON < min_impurity_decrease,
     * its improvement being the gain over the root's weight: a split whose gain
     * rounds to slightly below zero (equal class proportions on both sides, with
     * weights that are not whole numbers) is still taken. */
    tp.min_split_gain = (cfg->min_impurity_decrease - DBL_EPSILON) * root_cover;
    tp.max_features = cfg->max_features;
    tp.random_splits = cfg->kind == FOREST_ET;
    tp.threads = job->tree_threads;
    tp.row_codes = job->row_codes;
    tp.ws = ws;
    tp.arena = arena;
    kiln_tree_stats st = {.m = job->m, .row = stats, .repeat = counts};
    return kiln_tree_grow(job->bins, &st, rows, n_rows, &tp, &job->crit, &rng, &job->trees[t], NULL);
}

/* One worker: it takes the next tree until none is left, with buffers (the
 * sample, the builder's workspace and node arrays) kept from one of its
 * trees to the next, and puts its trees' nodes in an arena of its own.
 * Which worker grows a tree does not change the tree. */
static kiln_status tree_worker(void *arg, size_t worker)
{
    fit_job *job = arg;
    kiln_arena *arena = job->arenas[worker] = kiln_arena_new();
    size_t n = job->train->X.rows;
    uint32_t *rows = kiln_alloc(sample_size(job->cfg, n), sizeof *rows);
    uint32_t *counts = job->cfg->bootstrap ? kiln_alloc(n, sizeof *counts) : NULL;
    double *own = job->cfg->class_weight == CW_SUBSAMPLE ? kiln_alloc(n * job->m, sizeof *own) : NULL;
    kiln_tree_ws *ws = kiln_tree_ws_new();
    kiln_status s = KILN_ENOMEM;
    if (arena && rows && ws && (counts || !job->cfg->bootstrap) && (own || job->cfg->class_weight != CW_SUBSAMPLE))
        s = KILN_OK;
    for (size_t t; s == KILN_OK && (t = atomic_fetch_add(&job->next, 1)) < job->cfg->n_estimators;) {
        if (job->cancel && *job->cancel)
            s = KILN_ERROR(KILN_ECANCEL, "forest: interrupted");
        else
            s = grow_one(job, t, rows, counts, own, ws, arena);
    }
    if (s != KILN_OK) /* the other workers stop after their current tree */
        atomic_store(&job->next, job->cfg->n_estimators);
    free(rows);
    free(counts);
    free(own);
    kiln_tree_ws_free(ws);
    return s;
}

static void forest_free(void *model)
{
    forest *f = model;
    if (!f)
        return;
    for (size_t t = 0; t < f->n_trees; t++)
        kiln_tree_free(f->trees[t]);
    free(f->trees);
    for (size_t a = 0; a < f->n_arenas; a++)
        kiln_arena_free(f->arenas[a]);
    free(f->arenas);
    free(f);
}

static kiln_criterion make_criterion(const forest_cfg *cfg, size_t n_classes)
{
    if (cfg->criterion == CRIT_GINI)
        return kiln_criterion_gini(n_classes);
    if (cfg->criterion == CRIT_ENTROPY)
        return kiln_criterion_entropy(n_classes);
    return kiln_criterion_squared_error();
}

/* Whole-data statistics with fixed class weights; NULL for balanced_subsample. */
static kiln_status shared_stats(const forest_cfg *cfg, const kiln_dataset *d, size_t m, double **out)
{
    *out = NULL;
    if (cfg->class_weight == CW_SUBSAMPLE)
        return KILN_OK;
    double *st = kiln_alloc(d->X.rows * m, sizeof *st);
    double *cw = d->task == KILN_TASK_CLASSIFY ? kiln_alloc(d->n_classes, sizeof *cw) : NULL;
    kiln_status s = st && (cw || d->task != KILN_TASK_CLASSIFY) ? KILN_OK : KILN_ENOMEM;
    if (s == KILN_OK && cw)
        s = kiln_class_weights(cfg->class_weight_spec, d->y, d->X.rows, d->n_classes, cw);
    if (s == KILN_OK)
        fill_stats(d, cw, m, NULL, d->X.rows, st);
    free(cw);
    if (s != KILN_OK) {
        free(st);
        return s;
    }
    *out = st;
    return KILN_OK;
}

static kiln_status check_targets(const kiln_dataset *d)
{
    for (size_t i = 0; i < d->X.rows; i++) {
        double y = d->y[i];
        if (!isfinite(y))
            return KILN_ERROR(KILN_EINPUT, "target of row %zu is missing or not finite", i + 1);
        if (d->task == KILN_TASK_CLASSIFY && (y < 0 || y != floor(y) || y >= (double)d->n_classes))
            return KILN_ERROR(KILN_EINPUT, "class index %g of row %zu is not in 0..%zu", y, i + 1,
                              d->n_classes - 1);
    }
    return KILN_OK;
}

static kiln_status oob_compute(forest *f, const forest_cfg *cfg, const kiln_dataset *d);

static kiln_status forest_fit_kind(void **model, const kiln_params *p, const kiln_dataset *train,
                                   const kiln_ctx *ctx, forest_kind kind)
{
    *model = NULL;
    forest_cfg cfg;
    KILN_TRY(check_data(train));
    KILN_TRY(resolve(p, train, kind, &cfg));
    KILN_TRY(check_targets(train));
    const kiln_bins *bins;
    int threads = ctx->threads < 1 ? 1 : ctx->threads;
    KILN_TRY(kiln_bins_cached(train, cfg.max_bins, threads, &bins));
    forest *f = kiln_alloc(1, sizeof *f);
    if (!f)
        return KILN_ENOMEM;
    f->kind = kind;
    f->task = (int32_t)train->task;
    f->n_features = train->X.cols;
    f->n_classes = train->task == KILN_TASK_CLASSIFY ? train->n_classes : 0;
    f->seed = ctx->seed;
    f->params = *p;
    fit_job job = {.cfg = &cfg, .train = train, .bins = bins, .crit = make_criterion(&cfg, train->n_classes),
                   .seed = ctx->seed, .tree_threads = cfg.n_estimators == 1 ? threads : 1, .cancel = ctx->cancel};
    job.m = job.crit.n_stats;
    f->k = job.crit.n_outputs;
    size_t workers = cfg.n_estimators < (size_t)threads ? cfg.n_estimators : (size_t)threads;
    f->trees = kiln_alloc(cfg.n_estimators, sizeof *f->trees);
    f->arenas = kiln_alloc(workers, sizeof *f->arenas);
    f->n_arenas = f->arenas ? workers : 0;
    double *stats = NULL;
    uint8_t *row_codes = NULL;
    kiln_status s = f->trees && f->arenas ? shared_stats(&cfg, train, job.m, &stats) : KILN_ENOMEM;
    if (s == KILN_OK)
        s = kiln_tree_row_codes(bins, threads, &row_codes);
    if (s == KILN_OK) {
        job.row_codes = row_codes;
        job.stats = stats;
        job.trees = f->trees;
        job.arenas = f->arenas;
        atomic_init(&job.next, 0);
        s = kiln_parallel_for(workers, (int)workers, tree_worker, &job);
    }
    free(stats);
    free(row_codes);
    f->n_trees = f->trees ? cfg.n_estimators : 0;
    if (s == KILN_OK && cfg.oob_score)
        s = oob_compute(f, &cfg, train);
    if (s != KILN_OK) {
        forest_free(f);
        return s;
    }
    *model = f;
    return KILN_OK;
}

/* ---- prediction ---------------------------------------------------------- */

typedef struct predict_job {
    const forest *f;
    const kiln_mat *X;
    kiln_mat *out;
    size_t block;
} predict_job;

/* Rows [b * block, ...) summed over the trees in order, then divided by the
 * tree count (so a constant target predicts the constant exactly): the same
 * sums for any thread count and block size. */
static kiln_status predict_block(void *arg, size_t b)
{
    predict_job *job = arg;
    size_t lo = b * job->block, hi = lo + job->block < job->X->rows ? lo + job->block : job->X->rows;
    kiln_mat X = kiln_mat_view(job->X, lo, 0, hi - lo, job->X->cols);
    kiln_mat out = kiln_mat_view(job->out, lo, 0, hi - lo, job->out->cols);
    for (size_t t = 0; t < job->f->n_trees; t++)
        kiln_tree_predict_add(job->f->trees[t], &X, &out, 0, 1.0);
    double n_trees = (double)job->f->n_trees;
    for (size_t i = 0; i < out.rows; i++)
        for (size_t k = 0; k < out.cols; k++)
            KILN_MAT_AT(&out, i, k) /= n_trees;
    return KILN_OK;
}

static kiln_status forest_predict(const void *model, const kiln_mat *X, kiln_mat *out)
{
    const forest *f = model;
    if (X->cols != f->n_features)
        return KILN_ERROR(KILN_EINPUT, "the model expects %zu features, the data has %zu", f->n_features, X->cols);
    if (out->rows != X->rows || out->cols != f->k)
        return KILN_ERROR(KILN_EINTERNAL, "prediction matrix is %zux%zu, expected %zux%zu", out->rows, out->cols,
                          X->rows, f->k);
    for (size_t i = 0; i < out->rows; i++)
        memset(KILN_MAT_ROW(out, i), 0, out->cols * sizeof(double));
    int threads = kiln_cpu_count();
    predict_job job = {f, X, out, kiln_tree_predict_block((const kiln_tree *const *)f->trees, f->n_trees, X, threads)};
    size_t blocks = (X->rows + job.block - 1) / job.block;
    return kiln_parallel_for(blocks, threads, predict_block, &job);
}

/* Out-of-bag score: every row predicted by the trees whose bootstrap sample
 * missed it (regenerated from the same streams); accuracy or R^2 over the
 * rows that at least one tree left out. */
static kiln_status oob_compute(forest *f, const forest_cfg *cfg, const kiln_dataset *d)
{
    size_t n = d->X.rows, k = f->k;
    double *sum = kiln_alloc(n * k, sizeof *sum);
    uint32_t *votes = kiln_alloc(n, sizeof *votes);
    uint32_t *rows = kiln_alloc(cfg->max_samples, sizeof *rows);
    uint32_t *counts = kiln_alloc(n, sizeof *counts);
    if (!sum || !votes || !rows || !counts) {
        free(sum);
        free(votes);
        free(rows);
        free(counts);
        return KILN_ENOMEM;
    }
    for (size_t t = 0; t < f->n_trees; t++) {
        kiln_rng rng;
        kiln_rng_stream(&rng, f->seed, t);
        draw_rows(cfg, n, &rng, rows, counts);
        for (size_t i = 0; i < n; i++) {
            if (counts[i])
                continue;
            const double *v = f->trees[t]->value + kiln_tree_leaf(f->trees[t], KILN_MAT_ROW(&d->X, i)) * k;
            for (size_t q = 0; q < k; q++)
                sum[i * k + q] += v[q];
            votes[i]++;
        }
    }
    double hit = 0, used = 0, ss_res = 0, mean = 0;
    for (size_t i = 0; i < n; i++)
        if (votes[i]) {
            mean += d->y[i];
            used++;
        }
    mean = used > 0 ? mean / used : 0;
    double ss_tot = 0;
    for (size_t i = 0; i < n; i++) {
        if (!votes[i])
            continue;
        const double *s = sum + i * k;
        if (f->task == KILN_TASK_CLASSIFY) {
            size_t best = 0;
            for (size_t q = 1; q < k; q++)
                if (s[q] > s[best])
                    best = q;
            hit += (double)best == d->y[i];
        } else {
            double e = d->y[i] - s[0] / votes[i];
            ss_res += e * e;
            ss_tot += (d->y[i] - mean) * (d->y[i] - mean);
        }
    }
    f->has_oob = used > 0;
    if (f->task == KILN_TASK_CLASSIFY)
        f->oob_score = used > 0 ? hit / used : NAN;
    else
        f->oob_score = ss_tot > 0 ? 1.0 - ss_res / ss_tot : NAN;
    free(sum);
    free(votes);
    free(rows);
    free(counts);
    return KILN_OK;
}

/* ---- importances ------------------------------------------------------- */

static kiln_status forest_importance(const void *model, double *out, size_t d)
{
    const forest *f = model;
    double *one = kiln_alloc(d, sizeof *one);
    if (!one)
        return KILN_ENOMEM;
    memset(out, 0, d * sizeof *out);
    for (size_t t = 0; t < f->n_trees; t++) {
        memset(one, 0, d * sizeof *one);
        kiln_tree_importance_add(f->trees[t], one, d);
        double total = 0;
        for (size_t j = 0; j < d; j++)
            total += one[j];
        for (size_t j = 0; j < d && total > 0; j++)
            out[j] += one[j] / total;
    }
    double total = 0;
    for (size_t j = 0; j < d; j++)
        total += out[j];
    for (size_t j = 0; j < d && total > 0; j++)
        out[j] /= total;
    free(one);
    return KILN_OK;
}

/* ---- files ------------------------------------------------------------------ */

static const kiln_param_spec *spec_of(forest_kind kind)
{
    return kind == FOREST_DT ? dt_params : kind == FOREST_RF ? rf_params : et_params;
}

static kiln_status forest_save(const void *model, kiln_writer *w)
{
    const forest *f = model;
    KILN_TRY(kiln_writer_section(w, "TREE"));
    const int32_t head[] = {(int32_t)f->kind, f->task, (int32_t)f->n_features, (int32_t)f->n_classes,
                            (int32_t)f->k, f->has_oob};
    KILN_TRY(kiln_w_i32s(w, head, 6));
    KILN_TRY(kiln_w_u64(w, f->seed));
    KILN_TRY(kiln_w_f64(w, f->oob_score));
    KILN_TRY(kiln_w_u32(w, (uint32_t)f->params.n));
    for (size_t i = 0; i < f->params.n; i++) {
        KILN_TRY(kiln_w_str(w, f->params.spec[i].name));
        KILN_TRY(kiln_w_str(w, f->params.v[i].text));
    }
    KILN_TRY(kiln_w_u64(w, f->n_trees));
    size_t bytes = 0;
    for (size_t t = 0; t < f->n_trees; t++)
        bytes += kiln_tree_file_bytes(f->trees[t]);
    KILN_TRY(kiln_writer_reserve(w, bytes));
    for (size_t t = 0; t < f->n_trees; t++)
        KILN_TRY(kiln_tree_save(f->trees[t], w));
    return KILN_OK;
}

static kiln_status read_params(forest *f, kiln_reader *r)
{
    kiln_params_defaults(&f->params, spec_of(f->kind));
    uint32_t n;
    KILN_TRY(kiln_r_u32(r, &n));
    if (n > KILN_PARAMS_MAX)
        return KILN_ERROR(KILN_EINPUT, "model file: %u tree parameters", n);
    for (uint32_t i = 0; i < n; i++) {
        char *name = NULL, *value = NULL;
        kiln_status s = kiln_r_str(r, &name);
        if (s == KILN_OK)
            s = kiln_r_str(r, &value);
        if (s == KILN_OK)
            s = kiln_params_set_value(&f->params, name, value);
        free(name);
        free(value);
        KILN_TRY(s);
    }
    return KILN_OK;
}

static kiln_status read_forest(forest *f, kiln_reader *r, forest_kind kind)
{
    KILN_TRY(kiln_reader_section(r, "TREE"));
    int32_t head[6];
    KILN_TRY(kiln_r_i32s(r, head, 6));
    if (head[0] != (int32_t)kind || (head[1] != KILN_TASK_CLASSIFY && head[1] != KILN_TASK_REGRESS) || head[2] < 1 ||
        head[3] < 0 || head[4] < 1 || (head[1] == KILN_TASK_CLASSIFY ? head[4] != head[3] : head[4] != 1))
        return KILN_ERROR(KILN_EINPUT, "model file: inconsistent tree model header");
    f->kind = kind;
    f->task = head[1];
    f->n_features = (size_t)head[2];
    f->n_classes = (size_t)head[3];
    f->k = (size_t)head[4];
    f->has_oob = head[5] != 0;
    KILN_TRY(kiln_r_u64(r, &f->seed));
    KILN_TRY(kiln_r_f64(r, &f->oob_score));
    KILN_TRY(read_params(f, r));
    size_t n_trees;
    KILN_TRY(kiln_r_count(r, 100000, &n_trees));
    if (n_trees == 0)
        return KILN_ERROR(KILN_EINPUT, "model file: a forest without trees");
    if (!(f->trees = kiln_alloc(n_trees, sizeof *f->trees)) || !(f->arenas = kiln_alloc(1, sizeof *f->arenas)))
        return KILN_ENOMEM;
    f->n_arenas = 1;
    if (!(f->arenas[0] = kiln_arena_new()))
        return KILN_ENOMEM;
    for (size_t t = 0; t < n_trees; t++) {
        KILN_TRY(kiln_tree_load(&f->trees[t], r, f->arenas[0]));
        f->n_trees = t + 1;
        if (f->trees[t]->n_features != f->n_features || f->trees[t]->n_outputs != f->k)
            return KILN_ERROR(KILN_EINPUT, "model file: tree %zu does not fit the model", t);
    }
    return KILN_OK;
}

static kiln_status forest_load_kind(void **model, kiln_reader *r, forest_kind kind)
{
    *model = NULL;
    forest *f = kiln_alloc(1, sizeof *f);
    if (!f)
        return KILN_ENOMEM;
    kiln_status s = read_forest(f, r, kind);
    if (s != KILN_OK) {
        forest_free(f);
        return s;
    }
    *model = f;
    return KILN_OK;
}

/* ---- inspect ------------------------------------------------------------------ */

static const char *kind_name(forest_kind kind)
{
    return kind == FOREST_DT ? "Decision Tree" : kind == FOREST_RF ? "Random Forest" : "Extra Trees";
}

static size_t total_nodes(const forest *f)
{
    size_t n = 0;
    for (size_t t = 0; t < f->n_trees; t++)
        n += f->trees[t]->n_nodes;
    return n;
}

static size_t total_leaves(const forest *f)
{
    size_t n = 0;
    for (size_t t = 0; t < f->n_trees; t++)
        for (size_t k = 0; k < f->trees[t]->n_nodes; k++)
            n += f->trees[t]->feature[k] < 0;
    return n;
}

static int tree_depth(const kiln_tree *t, size_t k)
{
    if (t->feature[k] < 0)
        return 0;
    int l = tree_depth(t, (size_t)t->left[k]), r = tree_depth(t, (size_t)t->left[k] + 1);
    return 1 + (l > r ? l : r);
}

static const char *name_of(const kiln_inspect_args *a, size_t j, char *buf, size_t len)
{
    if (a->feature_names && j < a->n_features)
        return a->feature_names[j];
    snprintf(buf, len, "feature_%zu", j);
    return buf;
}

static int wants(const kiln_inspect_args *a, size_t t)
{
    return a->tree < 0 || (size_t)a->tree == t;
}

static void inspect_text(const forest *f, const kiln_inspect_args *a, const double *imp, FILE *out)
{
    fprintf(out, "%s: %s, %zu tree%s, %zu nodes (%zu leaves), %zu bytes per node\n", kind_name(f->kind),
            f->task == KILN_TASK_CLASSIFY ? "classification" : "regression", f->n_trees, f->n_trees == 1 ? "" : "s",
            total_nodes(f), total_leaves(f), kiln_tree_bytes_per_node(f->trees[0]));
    fputs("config:", out);
    for (size_t i = 0; i < f->params.n; i++)
        fprintf(out, " %s=%s", f->params.spec[i].name, f->params.v[i].text);
    fputc('\n', out);
    if (f->has_oob)
        fprintf(out, "oob_score: %.6f (%s)\n", f->oob_score, f->task == KILN_TASK_CLASSIFY ? "accuracy" : "R2");
    char buf[32];
    fprintf(out, "\n%-24s %s\n", "feature", "importance");
    for (size_t j = 0; j < f->n_features; j++)
        if (imp[j] > 0)
            fprintf(out, "%-24s %.6f\n", name_of(a, j, buf, sizeof buf), imp[j]);
    for (size_t t = 0; t < f->n_trees; t++) {
        if (!wants(a, t))
            continue;
        fprintf(out, "\ntree %zu (depth %d, %zu nodes)\n", t, tree_depth(f->trees[t], 0), f->trees[t]->n_nodes);
        kiln_tree_write_text(f->trees[t], a, out);
    }
}

static void inspect_json(const forest *f, const kiln_inspect_args *a, const double *imp, FILE *out)
{
    kiln_json j;
    char buf[32];
    kiln_json_init(&j, out, 1);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "model");
    kiln_json_str(&j, kind_name(f->kind));
    kiln_json_key(&j, "task");
    kiln_json_str(&j, f->task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    kiln_json_key(&j, "config");
    kiln_json_begin_object(&j);
    for (size_t i = 0; i < f->params.n; i++) {
        kiln_json_key(&j, f->params.spec[i].name);
        kiln_json_str(&j, f->params.v[i].text);
    }
    kiln_json_end_object(&j);
    kiln_json_key(&j, "seed");
    kiln_json_int(&j, (long long)f->seed);
    kiln_json_key(&j, "n_trees");
    kiln_json_int(&j, (long long)f->n_trees);
    kiln_json_key(&j, "n_nodes");
    kiln_json_int(&j, (long long)total_nodes(f));
    kiln_json_key(&j, "bytes_per_node");
    kiln_json_int(&j, (long long)kiln_tree_bytes_per_node(f->trees[0]));
    if (f->has_oob) {
        kiln_json_key(&j, "oob_score");
        kiln_json_num(&j, f->oob_score);
    }
    kiln_json_key(&j, "feature_importances");
    kiln_json_begin_object(&j);
    for (size_t q = 0; q < f->n_features; q++) {
        kiln_json_key(&j, name_of(a, q, buf, sizeof buf));
        kiln_json_num(&j, imp[q]);
    }
    kiln_json_end_object(&j);
    kiln_json_key(&j, "trees");
    kiln_json_begin_array(&j);
    for (size_t t = 0; t < f->n_trees; t++)
        if (wants(a, t))
            kiln_tree_write_json(f->trees[t], a, &j);
    kiln_json_end_array(&j);
    kiln_json_end_object(&j);
    fputc('\n', out);
}

static kiln_status forest_inspect(const void *model, const kiln_inspect_args *a, FILE *out)
{
    const forest *f = model;
    if (a->tree >= 0 && (size_t)a->tree >= f->n_trees)
        return KILN_ERROR(KILN_EINPUT, "--tree %d: the model has %zu tree%s (0..%zu)", a->tree, f->n_trees,
                          f->n_trees == 1 ? "" : "s", f->n_trees - 1);
    double *imp = kiln_alloc(f->n_features, sizeof *imp);
    if (!imp)
        return KILN_ENOMEM;
    kiln_status s = forest_importance(f, imp, f->n_features);
    if (s == KILN_OK) {
        if (a->format == KILN_INSPECT_TEXT)
            inspect_text(f, a, imp, out);
        else if (a->format == KILN_INSPECT_JSON)
            inspect_json(f, a, imp, out);
        else
            for (size_t t = 0; t < f->n_trees; t++)
                if (wants(a, t))
                    kiln_tree_write_dot(f->trees[t], a, t, out);
    }
    free(imp);
    return s;
}

/* ---- the three estimators ------------------------------------------------------ */

#define FOREST_ALGO(kind_, id_, name_, params_, lower)                                                          \
    static kiln_status lower##_check(const kiln_params *p, const kiln_dataset *train)                         \
    {                                                                                                         \
        return forest_check_kind(p, train, kind_);                                                            \
    }                                                                                                         \
    static kiln_status lower##_fit(void **m, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *c) \
    {                                                                                                         \
        return forest_fit_kind(m, p, train, c, kind_);                                                        \
    }                                                                                                         \
    static kiln_status lower##_load(void **m, kiln_reader *r)                                                 \
    {                                                                                                         \
        return forest_load_kind(m, r, kind_);                                                                 \
    }                                                                                                         \
    const kiln_algo kiln_algo_##lower = {.id = id_,                                                           \
                                         .name = name_ " Classifier",                                         \
                                         .name_regress = name_ " Regressor",                                  \
                                         .tasks = KILN_TASK_CLASSIFY | KILN_TASK_REGRESS,                     \
                                         .flags = KILN_ALGO_PROBA | KILN_ALGO_TREES,                          \
                                         .params = params_,                                                   \
                                         .check = lower##_check,                                              \
                                         .fit = lower##_fit,                                                  \
                                         .predict = forest_predict,                                           \
                                         .save = forest_save,                                                 \
                                         .load = lower##_load,                                                \
                                         .inspect = forest_inspect,                                           \
                                         .importance = forest_importance,                                     \
                                         .free = forest_free};

FOREST_ALGO(FOREST_DT, "dt", "Decision Tree", dt_params, dt)
FOREST_ALGO(FOREST_RF, "rf", "Random Forest", rf_params, rf)
FOREST_ALGO(FOREST_ET, "et", "Extra Trees", et_params, et)
