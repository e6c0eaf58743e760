/* Gradient boosting: second-order histogram boosting (XGBoost's "hist", LightGBM).
 *
 * The model is F(x) = F_0 + sum_m eta f_m(x), one raw score per class for
 * softmax. Round m computes g_i = dl/dF and h_i = d2l/dF2 at the current
 * scores (loss.c) and grows each tree f on them with the shared histogram
 * builder, which picks splits by the gain
 *
 *   gain = 1/2 [G_L^2/(H_L+lambda) + G_R^2/(H_R+lambda) - G^2/(H+lambda)] - gamma
 *
 * and sets leaf values to the Newton step w = -G/(H+lambda); the tree enters
 * the model as eta w (shrinkage). Missing values follow the direction learned
 * per split. The absolute error refits its leaves to median residuals.
 *
 * Early stopping measures the validation loss after each round and keeps the
 * round where it was lowest. Prediction walks flat node arrays, a block of
 * rows at a time, blocks spread over threads; every sum runs in a fixed order,
 * so results do not depend on the thread count.
 *
 * References: J. H. Friedman, Greedy function approximation: a gradient
 * boosting machine, Ann. Statist. 29(5), 2001; T. Chen & C. Guestrin, XGBoost:
 * a scalable tree boosting system, KDD 2016; G. Ke et al., LightGBM, NeurIPS
 * 2017. docs/gbm.md has the derivation.
 */
#include "algos/tree/gbm_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/loss_impl.h"
#include "algos/tree/tree_impl.h"
#include "kiln/util.h"

/* ------------------------------------------------------------------------ */
/* Parameters                                                                */

static const kiln_param_spec gbm_params[] = {
    {"n_estimators", KILN_PARAM_INT, "100", 1, 100000, 0, NULL, "50,100,200,400", "boosting rounds"},
    {"learning_rate", KILN_PARAM_REAL, "0.1", 0, 1, 1, NULL, "0.03,0.1,0.3", "shrinkage of each tree, > 0"},
    {"max_depth", KILN_PARAM_INT, "6", -1, 64, 0, NULL, "3,4,6,8",
     "tree depth; -1 = unlimited, grown leaf-wise up to max_leaf_nodes"},
    {"max_leaf_nodes", KILN_PARAM_INT, "0", 0, 1 << 20, 0, NULL, NULL,
     "leaves per tree when grown leaf-wise (0 = no limit)"},
    {"reg_lambda", KILN_PARAM_REAL, "1.0", 0, 1e12, 0, NULL, "0,1,10", "L2 penalty on leaf values (lambda)"},
    {"min_split_gain", KILN_PARAM_REAL, "0", 0, 1e300, 0, NULL, NULL, "minimum gain to split (gamma)"},
    {"min_child_weight", KILN_PARAM_REAL, "1.0", 0, 1e300, 0, NULL, "1,5", "minimum hessian sum in a child"},
    {"subsample", KILN_PARAM_REAL, "1.0", 0, 1, 1, NULL, "0.7,1.0", "fraction of rows drawn per round"},
    {"colsample_bytree", KILN_PARAM_REAL, "1.0", 0, 1, 1, NULL, "0.7,1.0", "fraction of features per tree"},
    {"max_bins", KILN_PARAM_INT, "255", 2, 255, 0, NULL, NULL, "histogram bins per feature"},
    {"loss", KILN_PARAM_CHOICE, "squared_error", 0, 0, 0, "squared_error|absolute_error|huber", NULL,
     "regression loss"},
    {"huber_delta", KILN_PARAM_REAL, "1.0", 0, 1e300, 1, NULL, NULL, "residual where the Huber loss turns linear"},
    {"class_weight", KILN_PARAM_CHOICE, "none", 0, 0, 0, "none|balanced", NULL,
     "balanced: weight class k by n / (K n_k)"},
    {"validation_fraction", KILN_PARAM_REAL, "0", 0, 1, 0, NULL, NULL,
     "rows held out for early stopping (0 = off)"},
    {"n_iter_no_change", KILN_PARAM_INT, "0", 0, 1000000, 0, NULL, NULL,
     "stop after this many rounds without a better validation loss (0 = never)"},
    {NULL},
};

/* The parameters as plain numbers, stored in the model file. */
typedef struct gbm_config {
    int32_t n_estimators, max_depth, max_leaf_nodes, max_bins, n_iter_no_change, balanced;
    double learning_rate, reg_lambda, min_split_gain, min_child_weight, subsample, colsample_bytree, huber_delta,
        validation_fraction;
} gbm_config;

static gbm_config config_from_params(const kiln_params *p)
{
    gbm_config c;
    c.n_estimators = (int32_t)kiln_params_num(p, "n_estimators");
    c.max_depth = (int32_t)kiln_params_num(p, "max_depth");
    c.max_leaf_nodes = (int32_t)kiln_params_num(p, "max_leaf_nodes");
    c.max_bins = (int32_t)kiln_params_num(p, "max_bins");
    c.n_iter_no_change = (int32_t)kiln_params_num(p, "n_iter_no_change");
    c.balanced = kiln_params_num(p, "class_weight") == 1;
    c.learning_rate = kiln_params_num(p, "learning_rate");
    c.reg_lambda = kiln_params_num(p, "reg_lambda");
    c.min_split_gain = kiln_params_num(p, "min_split_gain");
    c.min_child_weight = kiln_params_num(p, "min_child_weight");
    c.subsample = kiln_params_num(p, "subsample");
    c.colsample_bytree = kiln_params_num(p, "colsample_bytree");
    c.huber_delta = kiln_params_num(p, "huber_delta");
    c.validation_fraction = kiln_params_num(p, "validation_fraction");
    return c;
}

static kiln_loss_kind loss_kind(const kiln_params *p, const kiln_dataset *train)
{
    if (train->task == KILN_TASK_CLASSIFY)
        return train->n_classes > 2 ? KILN_LOSS_SOFTMAX : KILN_LOSS_LOGISTIC;
    static const kiln_loss_kind regress[] = {KILN_LOSS_SQUARED, KILN_LOSS_ABSOLUTE, KILN_LOSS_HUBER};
    return regress[(int)kiln_params_num(p, "loss")];
}

static kiln_status gbm_check(const kiln_params *p, const kiln_dataset *train)
{
    gbm_config c = config_from_params(p);
    if (c.max_depth == 0)
        return KILN_ERROR(KILN_EINPUT, "--param max_depth=0: must be >= 1, or -1 for leaf-wise growth");
    if (c.validation_fraction >= 1)
        return KILN_ERROR(KILN_EINPUT, "--param validation_fraction=%g: must be < 1", c.validation_fraction);
    if (train) {
        size_t n = train->X.rows;
        size_t n_valid = (size_t)floor(c.validation_fraction * (double)n + 0.5);
        if (c.validation_fraction > 0 && (n_valid == 0 || n_valid >= n))
            return KILN_ERROR(KILN_EINPUT,
                              "--param validation_fraction=%g leaves %zu validation and %zu training rows of %zu",
                              c.validation_fraction, n_valid, n - n_valid, n);
        if (train->task == KILN_TASK_CLASSIFY && train->n_classes < 2)
            return KILN_ERROR(KILN_EINPUT, "gbm: classification needs at least 2 classes, got %zu", train->n_classes);
    }
    return KILN_OK;
}

/* ------------------------------------------------------------------------ */
/* The model: flat node arrays                                               */

/* One node; children are indices within the same tree, always after the node. */
typedef struct gbm_node {
    double value;     /* the node's shrunk Newton step; a leaf's output    */
    double threshold; /* x <= threshold goes left                          */
    double gain;      /* the split's gain (0 for a leaf)                    */
    double cover;     /* hessian sum of the node's training rows            */
    int32_t feature;  /* -1 for a leaf                                      */
    int32_t left, right;
    int32_t default_left; /* where a missing value goes                    */
} gbm_node;

typedef struct gbm_model {
    gbm_config cfg;
    uint64_t seed;
    int32_t task;
    int32_t loss;       /* kiln_loss_kind */
    uint32_t n_features, n_classes, k; /* k raw scores per row */
    double *base;       /* k starting scores */
    size_t n_trees;     /* rounds x k, tree t belongs to class t % k */
    size_t *tree_start; /* n_trees + 1 offsets into nodes */
    gbm_node *nodes;
    size_t n_nodes, cap_nodes;
    size_t n_rounds, best_round;
    double *train_loss, *valid_loss; /* per round, mean weighted loss */
    int has_valid;
} gbm_model;

static void model_free(gbm_model *m)
{
    if (!m)
        return;
    free(m->base);
    free(m->tree_start);
    free(m->nodes);
    free(m->train_loss);
    free(m->valid_loss);
    free(m);
}

static void gbm_free(void *model)
{
    model_free(model);
}

static kiln_loss_cfg model_loss_cfg(const gbm_model *m)
{
    return (kiln_loss_cfg){.k = m->k, .delta = m->cfg.huber_delta};
}

static double tree_predict(const gbm_node *t, const double *x)
{
    const gbm_node *n = t;
    while (n->feature >= 0) {
        double v = x[n->feature];
        int left = isnan(v) ? n->default_left : v <= n->threshold;
        n = t + (left ? n->left : n->right);
    }
    return n->value;
}

/* raw[i*k + c] += the trees' outputs for rows [r0, r1), trees in order. */
static void add_trees(const gbm_model *m, size_t t0, size_t t1, const kiln_mat *X, const size_t *rows, size_t r0,
                      size_t r1, double *raw)
{
    for (size_t t = t0; t < t1; t++) {
        const gbm_node *tree = m->nodes + m->tree_start[t];
        size_t c = t % m->k;
        for (size_t i = r0; i < r1; i++) {
            size_t r = rows ? rows[i] : i;
            raw[i * m->k + c] += tree_predict(tree, KILN_MAT_ROW(X, r));
        }
    }
}

#define PREDICT_BLOCK 512

typedef struct predict_job {
    const gbm_model *m;
    const kiln_mat *X;
    kiln_mat *out;
} predict_job;

static kiln_status predict_block(void *arg, size_t b)
{
    const predict_job *j = arg;
    const gbm_model *m = j->m;
    size_t r0 = b * PREDICT_BLOCK, r1 = r0 + PREDICT_BLOCK < j->X->rows ? r0 + PREDICT_BLOCK : j->X->rows;
    double *raw = kiln_alloc((r1 - r0) * m->k, sizeof *raw);
    if (!raw)
        return KILN_ENOMEM;
    for (size_t i = r0; i < r1; i++)
        memcpy(raw + (i - r0) * m->k, m->base, m->k * sizeof *raw);
    kiln_mat block = kiln_mat_view(j->X, r0, 0, r1 - r0, j->X->cols);
    add_trees(m, 0, m->n_trees, &block, NULL, 0, r1 - r0, raw);
    const kiln_loss *L = kiln_loss_get((kiln_loss_kind)m->loss);
    kiln_loss_cfg c = model_loss_cfg(m);
    for (size_t i = r0; i < r1; i++)
        L->inverse_link(raw + (i - r0) * m->k, &c, KILN_MAT_ROW(j->out, i));
    free(raw);
    return KILN_OK;
}

static size_t n_outputs(const gbm_model *m)
{
    return m->task == KILN_TASK_CLASSIFY ? m->n_classes : 1;
}

static kiln_status gbm_predict(const void *model, const kiln_mat *X, kiln_mat *out)
{
    const gbm_model *m = model;
    if (X->cols != m->n_features)
        return KILN_ERROR(KILN_EINPUT, "gbm: the model has %u features, the data %zu", m->n_features, X->cols);
    if (out->rows != X->rows || out->cols != n_outputs(m))
        return KILN_ERROR(KILN_EINPUT, "gbm: the output must be %zu x %zu", X->rows, n_outputs(m));
    predict_job j = {m, X, out};
    size_t blocks = (X->rows + PREDICT_BLOCK - 1) / PREDICT_BLOCK;
    return kiln_parallel_for(blocks, kiln_cpu_count(), predict_block, &j);
}

/* ------------------------------------------------------------------------ */
/* Model file: section "GBMT"                                                */

static kiln_status write_config(kiln_writer *w, const gbm_config *c)
{
    const int32_t ints[] = {c->n_estimators, c->max_depth, c->max_leaf_nodes, c->max_bins, c->n_iter_no_change,
                            c->balanced};
    const double reals[] = {c->learning_rate,    c->reg_lambda,       c->min_split_gain, c->min_child_weight,
                            c->subsample,        c->colsample_bytree, c->huber_delta,    c->validation_fraction};
    KILN_TRY(kiln_w_i32s(w, ints, 6));
    return kiln_w_f64s(w, reals, 8);
}

static kiln_status read_config(kiln_reader *r, gbm_config *c)
{
    int32_t ints[6];
    double reals[8];
    KILN_TRY(kiln_r_i32s(r, ints, 6));
    KILN_TRY(kiln_r_f64s(r, reals, 8));
    *c = (gbm_config){.n_estimators = ints[0], .max_depth = ints[1], .max_leaf_nodes = ints[2], .max_bins = ints[3],
                      .n_iter_no_change = ints[4], .balanced = ints[5], .learning_rate = reals[0],
                      .reg_lambda = reals[1], .min_split_gain = reals[2], .min_child_weight = reals[3],
                      .subsample = reals[4], .colsample_bytree = reals[5], .huber_delta = reals[6],
                      .validation_fraction = reals[7]};
    return KILN_OK;
}

static kiln_status gbm_save(const void *model, kiln_writer *w)
{
    const gbm_model *m = model;
    KILN_TRY(kiln_writer_section(w, "GBMT"));
    KILN_TRY(write_config(w, &m->cfg));
    KILN_TRY(kiln_w_u64(w, m->seed));
    const int32_t head[] = {m->task, m->loss, (int32_t)m->n_features, (int32_t)m->n_classes, (int32_t)m->k,
                            m->has_valid};
    KILN_TRY(kiln_w_i32s(w, head, 6));
    KILN_TRY(kiln_w_f64s(w, m->base, m->k));
    KILN_TRY(kiln_w_u64(w, m->n_rounds));
    KILN_TRY(kiln_w_u64(w, m->best_round));
    KILN_TRY(kiln_w_f64s(w, m->train_loss, m->n_rounds));
    KILN_TRY(kiln_w_f64s(w, m->valid_loss, m->n_rounds));
    KILN_TRY(kiln_w_u64(w, m->n_trees));
    for (size_t t = 0; t <= m->n_trees; t++)
        KILN_TRY(kiln_w_u64(w, m->tree_start[t]));
    for (size_t i = 0; i < m->n_nodes; i++) {
        const gbm_node *n = &m->nodes[i];
        const double d[] = {n->value, n->threshold, n->gain, n->cover};
        const int32_t s[] = {n->feature, n->left, n->right, n->default_left};
        KILN_TRY(kiln_w_f64s(w, d, 4));
        KILN_TRY(kiln_w_i32s(w, s, 4));
    }
    return KILN_OK;
}

/* A node array read from a file is trusted only when every tree is well formed:
 * children inside the tree and after their parent (so a walk ends), features in range. */
static kiln_status check_trees(const gbm_model *m)
{
    for (size_t t = 0; t < m->n_trees; t++) {
        size_t a = m->tree_start[t], b = m->tree_start[t + 1];
        if (b <= a || b > m->n_nodes)
            return KILN_ERROR(KILN_EINPUT, "gbm model: tree %zu has bad node offsets", t);
        for (size_t i = a; i < b; i++) {
            const gbm_node *n = &m->nodes[i];
            int64_t self = (int64_t)(i - a), size = (int64_t)(b - a);
            if (n->feature < 0)
                continue;
            if ((uint32_t)n->feature >= m->n_features || n->left <= self || n->right <= self || n->left >= size ||
                n->right >= size)
                return KILN_ERROR(KILN_EINPUT, "gbm model: tree %zu node %zu is malformed", t, i - a);
        }
    }
    return KILN_OK;
}

static kiln_status read_model(kiln_reader *r, gbm_model *m)
{
    KILN_TRY(kiln_reader_section(r, "GBMT"));
    KILN_TRY(read_config(r, &m->cfg));
    KILN_TRY(kiln_r_u64(r, &m->seed));
    int32_t head[6];
    KILN_TRY(kiln_r_i32s(r, head, 6));
    m->task = head[0];
    m->loss = head[1];
    m->n_features = (uint32_t)head[2];
    m->n_classes = (uint32_t)head[3];
    m->k = (uint32_t)head[4];
    m->has_valid = head[5];
    const kiln_loss *L = kiln_loss_get((kiln_loss_kind)m->loss);
    if (!L || head[2] < 0 || head[3] < 0 || m->k < 1 || m->k > 1u << 16 ||
        m->k != kiln_loss_n_raw(L, m->n_classes) ||
        (m->task == KILN_TASK_CLASSIFY) != (L->kind == KILN_LOSS_LOGISTIC || L->kind == KILN_LOSS_SOFTMAX))
        return KILN_ERROR(KILN_EINPUT, "gbm model: inconsistent task, loss and class count");
    if (!(m->base = kiln_alloc(m->k, sizeof *m->base)))
        return KILN_ENOMEM;
    KILN_TRY(kiln_r_f64s(r, m->base, m->k));
    KILN_TRY(kiln_r_count(r, 10000000, &m->n_rounds));
    KILN_TRY(kiln_r_count(r, m->n_rounds, &m->best_round));
    m->train_loss = kiln_alloc(m->n_rounds + 1, sizeof *m->train_loss);
    m->valid_loss = kiln_alloc(m->n_rounds + 1, sizeof *m->valid_loss);
    if (!m->train_loss || !m->valid_loss)
        return KILN_ENOMEM;
    KILN_TRY(kiln_r_f64s(r, m->train_loss, m->n_rounds));
    KILN_TRY(kiln_r_f64s(r, m->valid_loss, m->n_rounds));
    KILN_TRY(kiln_r_count(r, (size_t)m->best_round * m->k, &m->n_trees));
    if (m->n_trees != m->best_round * m->k)
        return KILN_ERROR(KILN_EINPUT, "gbm model: %zu trees for %zu rounds", m->n_trees, m->best_round);
    if (!(m->tree_start = kiln_alloc(m->n_trees + 1, sizeof *m->tree_start)))
        return KILN_ENOMEM;
    for (size_t t = 0; t <= m->n_trees; t++)
        KILN_TRY(kiln_r_count(r, (size_t)1 << 40, &m->tree_start[t]));
    m->n_nodes = m->tree_start[m->n_trees];
    if (m->tree_start[0] != 0 || m->n_nodes > ((size_t)1 << 31))
        return KILN_ERROR(KILN_EINPUT, "gbm model: bad node count");
    if (!(m->nodes = kiln_alloc(m->n_nodes + 1, sizeof *m->nodes)))
        return KILN_ENOMEM;
    m->cap_nodes = m->n_nodes + 1;
    for (size_t i = 0; i < m->n_nodes; i++) {
        gbm_node *n = &m->nodes[i];
        double d[4];
        int32_t s[4];
        KILN_TRY(kiln_r_f64s(r, d, 4));
        KILN_TRY(kiln_r_i32s(r, s, 4));
        *n = (gbm_node){d[0], d[1], d[2], d[3], s[0], s[1], s[2], s[3] != 0};
    }
    return check_trees(m);
}

static kiln_status gbm_load(void **model, kiln_reader *r)
{
    gbm_model *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return KILN_ENOMEM;
    kiln_status s = read_model(r, m);
    if (s != KILN_OK) {
        model_free(m);
        return s;
    }
    *model = m;
    return KILN_OK;
}
