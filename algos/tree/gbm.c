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
#include <stdatomic.h>
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
    {"loss", KILN_PARAM_CHOICE, "auto", 0, 0, 0, "auto|squared_error|absolute_error|huber|log_loss", NULL,
     "auto: squared_error (regression) or log_loss (classification)"},
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
    const char *loss = kiln_params_text(p, "loss");
    if (strcmp(loss, "absolute_error") == 0)
        return KILN_LOSS_ABSOLUTE;
    return strcmp(loss, "huber") == 0 ? KILN_LOSS_HUBER : KILN_LOSS_SQUARED; /* auto, squared_error */
}

/* A loss that does not fit the task is refused, not ignored. */
static kiln_status check_loss(const kiln_params *p, kiln_task task)
{
    const char *loss = kiln_params_text(p, "loss");
    int auto_or_log = strcmp(loss, "auto") == 0 || strcmp(loss, "log_loss") == 0;
    if (task == KILN_TASK_CLASSIFY && !auto_or_log)
        return KILN_ERROR(KILN_EINPUT, "--param loss=%s: a regression loss; classification uses log_loss", loss);
    if (task == KILN_TASK_REGRESS && strcmp(loss, "log_loss") == 0)
        return KILN_ERROR(KILN_EINPUT, "--param loss=log_loss: a classification loss; regression takes "
                                       "squared_error, absolute_error or huber");
    return KILN_OK;
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
        KILN_TRY(check_loss(p, train->task));
        if (train->task == KILN_TASK_CLASSIFY && train->n_classes < 2)
            return KILN_ERROR(KILN_EINPUT, "gbm: classification needs at least 2 classes, got %zu", train->n_classes);
    }
    return KILN_OK;
}

/* ------------------------------------------------------------------------ */
/* The model                                                                 */

typedef struct gbm_model {
    gbm_config cfg;
    uint64_t seed;
    int32_t task;
    int32_t loss;                      /* kiln_loss_kind */
    uint32_t n_features, n_classes, k; /* k raw scores per row */
    double *base;                      /* k starting scores */
    size_t n_trees;                    /* rounds x k; tree t adds to raw score t % k */
    kiln_tree **trees;                 /* leaf values already shrunk by the learning rate */
    size_t n_rounds, best_round;       /* rounds grown; rounds kept (1-based best) */
    double *train_loss, *valid_loss;   /* per round grown, mean weighted loss; valid NaN if none */
} gbm_model;

static void model_free(gbm_model *m)
{
    if (!m)
        return;
    for (size_t t = 0; t < m->n_trees; t++)
        kiln_tree_free(m->trees[t]);
    free(m->trees);
    free(m->base);
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

static size_t n_outputs(const gbm_model *m)
{
    return m->task == KILN_TASK_CLASSIFY ? m->n_classes : 1;
}

/* raw (rows x k) = base + the trees [0, n_trees) in order. */
static void raw_scores(const gbm_model *m, const kiln_mat *X, kiln_mat *raw)
{
    for (size_t i = 0; i < raw->rows; i++)
        memcpy(KILN_MAT_ROW(raw, i), m->base, m->k * sizeof(double));
    for (size_t t = 0; t < m->n_trees; t++)
        kiln_tree_predict_add(m->trees[t], X, raw, t % m->k, 1.0);
}

typedef struct predict_job {
    const gbm_model *m;
    const kiln_mat *X;
    kiln_mat *out;
    size_t block;
} predict_job;

/* One block of rows (kiln_tree_predict_block): every tree adds to its raw
 * scores in turn. */
static kiln_status predict_block(void *arg, size_t b)
{
    const predict_job *j = arg;
    const gbm_model *m = j->m;
    size_t r0 = b * j->block, r1 = r0 + j->block < j->X->rows ? r0 + j->block : j->X->rows;
    kiln_mat *raw = kiln_mat_new(r1 - r0, m->k);
    if (!raw)
        return KILN_ENOMEM;
    kiln_mat block = kiln_mat_view(j->X, r0, 0, r1 - r0, j->X->cols);
    raw_scores(m, &block, raw);
    const kiln_loss *L = kiln_loss_get((kiln_loss_kind)m->loss);
    kiln_loss_cfg c = model_loss_cfg(m);
    for (size_t i = r0; i < r1; i++)
        L->inverse_link(KILN_MAT_ROW(raw, i - r0), &c, KILN_MAT_ROW(j->out, i));
    kiln_mat_free(raw);
    return KILN_OK;
}

static kiln_status gbm_predict(const void *model, const kiln_mat *X, kiln_mat *out)
{
    const gbm_model *m = model;
    if (X->cols != m->n_features)
        return KILN_ERROR(KILN_EINPUT, "gbm: the model has %u features, the data %zu", m->n_features, X->cols);
    if (out->rows != X->rows || out->cols != n_outputs(m))
        return KILN_ERROR(KILN_EINPUT, "gbm: the output must be %zu x %zu", X->rows, n_outputs(m));
    int threads = kiln_cpu_count();
    predict_job j = {m, X, out, kiln_tree_predict_block((const kiln_tree *const *)m->trees, m->n_trees, X, threads)};
    size_t blocks = (X->rows + j.block - 1) / j.block;
    return kiln_parallel_for(blocks, threads, predict_block, &j);
}

/* ------------------------------------------------------------------------ */
/* Model file: section "GBMT", then the trees in the builder's format        */

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
    const int32_t head[] = {m->task, m->loss, (int32_t)m->n_features, (int32_t)m->n_classes, (int32_t)m->k};
    KILN_TRY(kiln_w_i32s(w, head, 5));
    KILN_TRY(kiln_w_f64s(w, m->base, m->k));
    KILN_TRY(kiln_w_u64(w, m->n_rounds));
    KILN_TRY(kiln_w_u64(w, m->best_round));
    KILN_TRY(kiln_w_f64s(w, m->train_loss, m->n_rounds));
    KILN_TRY(kiln_w_f64s(w, m->valid_loss, m->n_rounds));
    for (size_t t = 0; t < m->n_trees; t++)
        KILN_TRY(kiln_tree_save(m->trees[t], w));
    return KILN_OK;
}

static kiln_status read_model(kiln_reader *r, gbm_model *m)
{
    KILN_TRY(kiln_reader_section(r, "GBMT"));
    KILN_TRY(read_config(r, &m->cfg));
    KILN_TRY(kiln_r_u64(r, &m->seed));
    int32_t head[5];
    KILN_TRY(kiln_r_i32s(r, head, 5));
    m->task = head[0];
    m->loss = head[1];
    m->n_features = (uint32_t)head[2];
    m->n_classes = (uint32_t)head[3];
    m->k = (uint32_t)head[4];
    const kiln_loss *L = kiln_loss_get((kiln_loss_kind)m->loss);
    int classify = m->task == KILN_TASK_CLASSIFY;
    if (!L || head[2] < 0 || head[3] < 0 || m->k < 1 || m->k > 1u << 16 || m->k != kiln_loss_n_raw(L, m->n_classes) ||
        classify != (L->kind == KILN_LOSS_LOGISTIC || L->kind == KILN_LOSS_SOFTMAX) ||
        (!classify && m->task != KILN_TASK_REGRESS))
        return KILN_ERROR(KILN_EINPUT, "gbm model: inconsistent task, loss and class count");
    if (!(m->base = kiln_alloc(m->k, sizeof *m->base)))
        return KILN_ENOMEM;
    KILN_TRY(kiln_r_f64s(r, m->base, m->k));
    KILN_TRY(kiln_r_count(r, 10000000, &m->n_rounds));
    KILN_TRY(kiln_r_count(r, m->n_rounds, &m->best_round));
    m->train_loss = kiln_alloc(m->n_rounds + 1, sizeof *m->train_loss);
    m->valid_loss = kiln_alloc(m->n_rounds + 1, sizeof *m->valid_loss);
    m->trees = kiln_alloc(m->best_round * m->k + 1, sizeof *m->trees);
    if (!m->train_loss || !m->valid_loss || !m->trees)
        return KILN_ENOMEM;
    KILN_TRY(kiln_r_f64s(r, m->train_loss, m->n_rounds));
    KILN_TRY(kiln_r_f64s(r, m->valid_loss, m->n_rounds));
    for (size_t t = 0; t < m->best_round * m->k; t++) {
        KILN_TRY(kiln_tree_load(&m->trees[t], r, NULL));
        m->n_trees = t + 1;
        if (m->trees[t]->n_features != m->n_features || m->trees[t]->n_outputs != 1)
            return KILN_ERROR(KILN_EINPUT, "gbm model: tree %zu does not fit the model", t);
    }
    return KILN_OK;
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

/* ------------------------------------------------------------------------ */
/* Importances and inspection                                                */

/* Per feature: total gain, number of splits, total cover (hessian) of its splits. */
static kiln_status feature_stats(const gbm_model *m, double **gain, double **splits, double **cover)
{
    size_t d = m->n_features;
    *gain = kiln_alloc(d + 1, sizeof **gain);
    *splits = kiln_alloc(d + 1, sizeof **splits);
    *cover = kiln_alloc(d + 1, sizeof **cover);
    if (!*gain || !*splits || !*cover) {
        free(*gain);
        free(*splits);
        free(*cover);
        return KILN_ENOMEM;
    }
    for (size_t t = 0; t < m->n_trees; t++) {
        const kiln_tree *tr = m->trees[t];
        kiln_tree_importance_add(tr, *gain, d);
        for (size_t i = 0; i < tr->n_nodes; i++) {
            if (tr->feature[i] < 0)
                continue;
            (*splits)[tr->feature[i]] += 1;
            (*cover)[tr->feature[i]] += tr->cover[i];
        }
    }
    return KILN_OK;
}

static void normalise(double *v, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        s += v[j];
    for (size_t j = 0; j < d && s > 0; j++)
        v[j] /= s;
}

static kiln_status gbm_importance(const void *model, double *out, size_t d)
{
    const gbm_model *m = model;
    if (d != m->n_features)
        return KILN_ERROR(KILN_EINPUT, "gbm: importance asked for %zu features, the model has %u", d, m->n_features);
    double *gain, *splits, *cover;
    KILN_TRY(feature_stats(m, &gain, &splits, &cover));
    normalise(gain, d);
    memcpy(out, gain, d * sizeof *out);
    free(gain);
    free(splits);
    free(cover);
    return KILN_OK;
}

/* Trees hold raw scores: inspect them as regression trees, without class names. */
static kiln_inspect_args tree_args(const kiln_inspect_args *a)
{
    kiln_inspect_args t = *a;
    t.class_names = NULL;
    t.n_classes = 0;
    return t;
}

static void inspect_text(const gbm_model *m, const kiln_inspect_args *a, const double *gain, const double *splits,
                         const double *cover, FILE *out)
{
    const kiln_loss *L = kiln_loss_get((kiln_loss_kind)m->loss);
    fprintf(out, "Gradient boosting: %s, %zu rounds grown, %zu kept (best round %zu), %zu trees\n", L->name,
            m->n_rounds, m->best_round, m->best_round, m->n_trees);
    size_t nodes = 0, leaves = 0;
    for (size_t t = 0; t < m->n_trees; t++) {
        nodes += m->trees[t]->n_nodes;
        leaves += (m->trees[t]->n_nodes + 1) / 2;
    }
    fprintf(out, "%zu nodes (%zu leaves), %zu bytes per node\n", nodes, leaves,
            m->n_trees ? kiln_tree_bytes_per_node(m->trees[0]) : 0);
    fprintf(out, "learning_rate %g  max_depth %d  reg_lambda %g  max_bins %d\nbase score", m->cfg.learning_rate,
            m->cfg.max_depth, m->cfg.reg_lambda, m->cfg.max_bins);
    for (size_t c = 0; c < m->k; c++)
        fprintf(out, " %.6g", m->base[c]);
    fprintf(out, "\n\n%-6s %-12s %-12s\n", "round", "train_loss", "valid_loss");
    for (size_t r = 0; r < m->n_rounds; r++)
        fprintf(out, "%-6zu %-12.6g %-12.6g%s\n", r + 1, m->train_loss[r], m->valid_loss[r],
                r + 1 == m->best_round && m->best_round < m->n_rounds ? "  <- best" : "");
    fprintf(out, "\n%-24s %-10s %-8s %-12s\n", "feature", "gain", "splits", "cover");
    char buf[32];
    for (size_t j = 0; j < m->n_features; j++)
        if (splits[j] > 0)
            fprintf(out, "%-24s %-10.6f %-8.0f %-12.6g\n", kiln_inspect_feature(a, j, buf, sizeof buf), gain[j], splits[j], cover[j]);
    kiln_inspect_args ta = tree_args(a);
    for (size_t t = 0; t < m->n_trees; t++) {
        if (a->tree >= 0 && (size_t)a->tree != t)
            continue;
        fprintf(out, "\ntree %zu (round %zu, score %zu)\n", t, t / m->k + 1, t % m->k);
        kiln_tree_write_text(m->trees[t], &ta, out);
    }
}

static void json_array(kiln_json *j, const char *key, const double *v, size_t n)
{
    kiln_json_key(j, key);
    kiln_json_begin_array(j);
    for (size_t i = 0; i < n; i++)
        kiln_json_num(j, v[i]);
    kiln_json_end_array(j);
}

static void inspect_json(const gbm_model *m, const kiln_inspect_args *a, const double *gain, const double *splits,
                         const double *cover, FILE *out)
{
    kiln_json j;
    kiln_json_init(&j, out, 1);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "model");
    kiln_json_str(&j, "gbm");
    kiln_json_key(&j, "config");
    const gbm_config *c = &m->cfg;
    const struct {
        const char *name;
        double v;
    } config[] = {{"n_estimators", c->n_estimators},
                  {"learning_rate", c->learning_rate},
                  {"max_depth", c->max_depth},
                  {"max_leaf_nodes", c->max_leaf_nodes},
                  {"reg_lambda", c->reg_lambda},
                  {"min_split_gain", c->min_split_gain},
                  {"min_child_weight", c->min_child_weight},
                  {"subsample", c->subsample},
                  {"colsample_bytree", c->colsample_bytree},
                  {"max_bins", c->max_bins},
                  {"huber_delta", c->huber_delta},
                  {"class_weight_balanced", c->balanced},
                  {"validation_fraction", c->validation_fraction},
                  {"n_iter_no_change", c->n_iter_no_change},
                  {"seed", (double)m->seed}};
    kiln_json_begin_object(&j);
    for (size_t i = 0; i < sizeof config / sizeof config[0]; i++) {
        kiln_json_key(&j, config[i].name);
        kiln_json_num(&j, config[i].v);
    }
    kiln_json_end_object(&j);
    kiln_json_key(&j, "loss");
    kiln_json_str(&j, kiln_loss_get((kiln_loss_kind)m->loss)->name);
    json_array(&j, "base_score", m->base, m->k);
    kiln_json_key(&j, "rounds");
    kiln_json_int(&j, (long long)m->n_rounds);
    kiln_json_key(&j, "best_iteration");
    kiln_json_int(&j, (long long)m->best_round);
    json_array(&j, "train_loss", m->train_loss, m->n_rounds);
    json_array(&j, "valid_loss", m->valid_loss, m->n_rounds);
    kiln_json_key(&j, "importance");
    kiln_json_begin_object(&j);
    json_array(&j, "gain", gain, m->n_features);
    json_array(&j, "split", splits, m->n_features);
    json_array(&j, "cover", cover, m->n_features);
    kiln_json_end_object(&j);
    kiln_json_key(&j, "trees");
    kiln_json_begin_array(&j);
    kiln_inspect_args ta = tree_args(a);
    for (size_t t = 0; t < m->n_trees; t++)
        if (a->tree < 0 || (size_t)a->tree == t)
            kiln_tree_write_json(m->trees[t], &ta, &j);
    kiln_json_end_array(&j);
    kiln_json_end_object(&j);
    fputc('\n', out);
}

static kiln_status gbm_inspect(const void *model, const kiln_inspect_args *a, FILE *out)
{
    const gbm_model *m = model;
    if (a->tree >= 0 && (size_t)a->tree >= m->n_trees)
        return KILN_ERROR(KILN_EINPUT, "--tree %d: the model has %zu trees", a->tree, m->n_trees);
    if (a->format == KILN_INSPECT_DOT) {
        size_t t = a->tree >= 0 ? (size_t)a->tree : 0;
        kiln_inspect_args ta = tree_args(a);
        kiln_tree_write_dot(m->trees[t], &ta, t, out);
        return KILN_OK;
    }
    double *gain, *splits, *cover;
    KILN_TRY(feature_stats(m, &gain, &splits, &cover));
    normalise(gain, m->n_features);
    if (a->format == KILN_INSPECT_JSON)
        inspect_json(m, a, gain, splits, cover, out);
    else
        inspect_text(m, a, gain, splits, cover, out);
    free(gain);
    free(splits);
    free(cover);
    return KILN_OK;
}

/* ------------------------------------------------------------------------ */
/* Fitting, one round at a time                                              */

/* One scored set of rows: the training rows, or the validation rows. */
typedef struct gbm_rows {
    kiln_dataset data; /* X, y, w (w may be NULL); its own cache when we made it */
    kiln_mat *X_own;   /* owned copies when split off the training set, else NULL */
    double *y_own, *w_own;
    kiln_mat *raw;     /* n x k current raw scores */
} gbm_rows;

struct kiln_gbm_fit {
    gbm_model *m;
    const kiln_loss *L;
    kiln_loss_cfg lc;
    kiln_ctx ctx;
    gbm_rows train, valid;
    int has_valid;
    const kiln_bins *bins;
    float *g, *h;      /* n x k, class-major: class c of row i at [c * n + i] */
    uint32_t *rows;    /* the round's subsample (NULL without subsampling: every row) */
    size_t growers;    /* trees grown at once: one per thread when a round's */
                       /* trees are split among the threads (class_growers), else 1 */
    int32_t *row_leaf; /* n per tree of a round grown at once: each sampled row's leaf */
    uint32_t *tree_features; /* d per tree likewise: a tree's features under colsample_bytree */
    double *work_v, *work_w; /* n: residuals and weights for median leaves */
    kiln_tree_ws **ws; /* per grower: the builder's buffers, kept from round to round */
    double *part;      /* 2 per row block: partial loss sums */
    size_t cap_rounds;
    double best_valid;
    size_t since_best;
    double last_train_loss;
};

static void rows_free(gbm_rows *r)
{
    if (r->X_own)
        kiln_dataset_clear_cache(&r->data);
    kiln_mat_free(r->X_own);
    free(r->y_own);
    free(r->w_own);
    kiln_mat_free(r->raw);
}

void kiln_gbm_fit_free(kiln_gbm_fit *f)
{
    if (!f)
        return;
    model_free(f->m);
    rows_free(&f->train);
    rows_free(&f->valid);
    free(f->g);
    free(f->h);
    free(f->rows);
    free(f->row_leaf);
    free(f->tree_features);
    free(f->work_v);
    free(f->work_w);
    for (size_t i = 0; f->ws && i < f->growers; i++)
        kiln_tree_ws_free(f->ws[i]);
    free(f->ws);
    free(f->part);
    free(f);
}

static kiln_status check_targets(const kiln_dataset *d, const char *what)
{
    for (size_t i = 0; i < d->X.rows; i++) {
        double y = d->y[i];
        if (!isfinite(y))
            return KILN_ERROR(KILN_EINPUT, "gbm: %s target of row %zu is %g; targets must be finite", what, i + 1, y);
        if (d->task == KILN_TASK_CLASSIFY && (y < 0 || y != floor(y) || y >= (double)d->n_classes))
            return KILN_ERROR(KILN_EINPUT, "gbm: %s target of row %zu is %g, not a class index below %zu", what,
                              i + 1, y, d->n_classes);
        if (d->w && !(d->w[i] >= 0 && isfinite(d->w[i])))
            return KILN_ERROR(KILN_EINPUT, "gbm: %s weight of row %zu is %g", what, i + 1, d->w[i]);
    }
    return KILN_OK;
}

/* Copy rows idx[0..n) of d into r (an owned dataset with its own cache). */
static kiln_status rows_take(gbm_rows *r, const kiln_dataset *d, const size_t *idx, size_t n)
{
    r->X_own = kiln_mat_take_rows(&d->X, idx, n);
    r->y_own = kiln_alloc(n, sizeof *r->y_own);
    r->w_own = d->w ? kiln_alloc(n, sizeof *r->w_own) : NULL;
    if (!r->X_own || !r->y_own || (d->w && !r->w_own))
        return KILN_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        r->y_own[i] = d->y[idx[i]];
        if (d->w)
            r->w_own[i] = d->w[idx[i]];
    }
    r->data = *d;
    memset(r->data.cache, 0, sizeof r->data.cache);
    r->data.X = *r->X_own;
    r->data.y = r->y_own;
    r->data.w = r->w_own;
    return KILN_OK;
}

/* Split off a random validation_fraction of the rows (RNG stream (seed, 0)). */
static kiln_status split_validation(kiln_gbm_fit *f, const kiln_dataset *train, double fraction)
{
    size_t n = train->X.rows, n_valid = (size_t)floor(fraction * (double)n + 0.5);
    size_t *idx = kiln_alloc(n, sizeof *idx);
    if (!idx)
        return KILN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    kiln_rng rng;
    kiln_rng_stream(&rng, f->ctx.seed, 0);
    kiln_rng_shuffle(&rng, idx, n);
    kiln_status s = rows_take(&f->valid, train, idx, n_valid);
    if (s == KILN_OK)
        s = rows_take(&f->train, train, idx + n_valid, n - n_valid);
    free(idx);
    return s;
}

/* class_weight=balanced: w_i *= n / (K n_{y_i}), over the training rows. */
static kiln_status balance_weights(gbm_rows *r, size_t n_classes)
{
    size_t n = r->data.X.rows;
    double *count = kiln_alloc(n_classes, sizeof *count);
    double *w = r->w_own ? r->w_own : kiln_alloc(n, sizeof *w);
    if (!count || !w) {
        free(count);
        if (!r->w_own)
            free(w);
        return KILN_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        count[(size_t)r->data.y[i]] += 1;
    for (size_t i = 0; i < n; i++) {
        double base = r->data.w ? r->data.w[i] : 1.0;
        w[i] = base * (double)n / ((double)n_classes * count[(size_t)r->data.y[i]]);
    }
    free(count);
    r->w_own = w;
    r->data.w = w;
    return KILN_OK;
}

static kiln_status rows_start(gbm_rows *r, const double *base, size_t k)
{
    if (!(r->raw = kiln_mat_new(r->data.X.rows, k)))
        return KILN_ENOMEM;
    for (size_t i = 0; i < r->data.X.rows; i++)
        memcpy(KILN_MAT_ROW(r->raw, i), base, k * sizeof *base);
    return KILN_OK;
}

/* The loss and its gradients are computed a fixed block of rows per task,
 * and per-block sums are added in block order, so the results are the same
 * for any thread count. */
#define ROW_BLOCK 16384

static size_t row_blocks(size_t n)
{
    return (n + ROW_BLOCK - 1) / ROW_BLOCK;
}

typedef struct block_job {
    const kiln_gbm_fit *f;
    const gbm_rows *r;
    int grad;     /* also the gradients (training rows) */
    double *part; /* per block: the loss and the weight summed */
} block_job;

static size_t block_rows(const gbm_rows *r, size_t b, size_t *lo)
{
    *lo = b * ROW_BLOCK;
    return *lo + ROW_BLOCK < r->data.X.rows ? ROW_BLOCK : r->data.X.rows - *lo;
}

static kiln_status eval_block(void *arg, size_t b)
{
    const block_job *j = arg;
    const kiln_dataset *d = &j->r->data;
    size_t lo, n = block_rows(j->r, b, &lo), k = j->f->lc.k;
    j->f->L->eval(d->y + lo, d->w ? d->w + lo : NULL, j->r->raw->data + lo * k, n, &j->f->lc,
                  j->grad ? j->f->g + lo : NULL, j->grad ? j->f->h + lo : NULL, &j->part[2 * b],
                  &j->part[2 * b + 1]);
    return KILN_OK;
}

/* The mean loss of the rows at their current scores; with `grad`, the same
 * pass leaves the next round's gradients in f->g, f->h. */
static double mean_loss(const kiln_gbm_fit *f, const gbm_rows *r, int grad)
{
    block_job j = {f, r, grad, f->part};
    size_t blocks = row_blocks(r->data.X.rows);
    kiln_parallel_for(blocks, f->ctx.threads, eval_block, &j);
    double loss = 0, weight = 0;
    for (size_t b = 0; b < blocks; b++) {
        loss += f->part[2 * b];
        weight += f->part[2 * b + 1];
    }
    return weight > 0 ? loss / weight : 0;
}

/* Softmax grows k trees a round, each from its class's g, h of the round's
 * start, so they do not depend on each other: with at least two per thread
 * they are grown side by side, a tree per thread at a time, each on one
 * thread (no thread then waits on another inside a tree, whose top levels
 * leave them idle in turn). A tree is the same whichever thread grows it and
 * on how many, so the model is the same bytes either way. Returns the trees
 * grown at once. */
static size_t class_growers(size_t k, int threads)
{
    return threads > 1 && k >= 2 * (size_t)threads ? (size_t)threads : 1;
}

static kiln_status fit_setup(kiln_gbm_fit *f, const kiln_params *p, const kiln_dataset *train)
{
    gbm_model *m = f->m;
    m->cfg = config_from_params(p);
    m->seed = f->ctx.seed;
    m->task = train->task;
    m->loss = loss_kind(p, train);
    m->n_features = (uint32_t)train->X.cols;
    m->n_classes = train->task == KILN_TASK_CLASSIFY ? (uint32_t)train->n_classes : 0;
    f->L = kiln_loss_get((kiln_loss_kind)m->loss);
    m->k = (uint32_t)kiln_loss_n_raw(f->L, m->n_classes);
    f->lc = model_loss_cfg(m);
    KILN_TRY(check_targets(train, "training"));
    if (m->cfg.validation_fraction > 0) {
        KILN_TRY(split_validation(f, train, m->cfg.validation_fraction));
        f->has_valid = 1;
    } else {
        f->train.data = *train;
        memset(f->train.data.cache, 0, sizeof f->train.data.cache);
        if (f->ctx.valid) {
            if (f->ctx.valid->X.cols != train->X.cols)
                return KILN_ERROR(KILN_EINPUT, "gbm: the validation set has %zu features, the training set %zu",
                                  f->ctx.valid->X.cols, train->X.cols);
            KILN_TRY(check_targets(f->ctx.valid, "validation"));
            f->valid.data = *f->ctx.valid;
            memset(f->valid.data.cache, 0, sizeof f->valid.data.cache);
            f->has_valid = 1;
        }
    }
    if (m->cfg.balanced && m->task == KILN_TASK_CLASSIFY)
        KILN_TRY(balance_weights(&f->train, m->n_classes));
    size_t n = f->train.data.X.rows, k = m->k;
    if (n == 0 || n > UINT32_MAX)
        return KILN_ERROR(KILN_EINPUT, "gbm: %zu training rows", n);
    /* Bins are cached on the dataset that owns the rows: ours when we copied
     * them, else the caller's (a struct copy's cache would never be freed). */
    KILN_TRY(kiln_bins_cached(f->train.X_own ? &f->train.data : train, m->cfg.max_bins, f->ctx.threads, &f->bins));
    m->base = kiln_alloc(k, sizeof *m->base);
    f->lc.g_col = n;
    f->g = kiln_alloc(n * k, sizeof *f->g);
    f->h = kiln_alloc(n * k, sizeof *f->h);
    if (m->cfg.subsample < 1)
        f->rows = kiln_alloc(n, sizeof *f->rows);
    f->growers = class_growers(k, f->ctx.threads);
    size_t per_round = f->growers > 1 ? k : 1;
    f->row_leaf = kiln_alloc(n * per_round, sizeof *f->row_leaf);
    f->tree_features = kiln_alloc(train->X.cols * per_round, sizeof *f->tree_features);
    f->ws = kiln_alloc(f->growers, sizeof *f->ws);
    for (size_t i = 0; f->ws && i < f->growers; i++)
        if (!(f->ws[i] = kiln_tree_ws_new()))
            return KILN_ENOMEM;
    size_t nv = f->has_valid ? f->valid.data.X.rows : 0;
    f->part = kiln_alloc(2 * row_blocks(n > nv ? n : nv), sizeof *f->part);
    f->cap_rounds = (size_t)m->cfg.n_estimators;
    m->trees = kiln_alloc(f->cap_rounds * k, sizeof *m->trees);
    m->train_loss = kiln_alloc(f->cap_rounds, sizeof *m->train_loss);
    m->valid_loss = kiln_alloc(f->cap_rounds, sizeof *m->valid_loss);
    if (!m->base || !f->g || !f->h || (m->cfg.subsample < 1 && !f->rows) || !f->row_leaf || !f->tree_features || !f->ws ||
        !f->part || !m->trees || !m->train_loss || !m->valid_loss)
        return KILN_ENOMEM;
    if (f->L->median_leaves) {
        f->work_v = kiln_alloc(n, sizeof *f->work_v);
        f->work_w = kiln_alloc(n, sizeof *f->work_w);
        if (!f->work_v || !f->work_w)
            return KILN_ENOMEM;
    }
    KILN_TRY(f->L->init(f->train.data.y, f->train.data.w, n, &f->lc, m->base));
    KILN_TRY(rows_start(&f->train, m->base, k));
    if (f->has_valid)
        KILN_TRY(rows_start(&f->valid, m->base, k));
    f->best_valid = INFINITY;
    f->last_train_loss = mean_loss(f, &f->train, 1);
    return KILN_OK;
}

kiln_status kiln_gbm_init(kiln_gbm_fit **out, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx)
{
    KILN_TRY(gbm_check(p, train));
    if (train->X.rows == 0 || train->X.cols == 0)
        return KILN_ERROR(KILN_EINPUT, "gbm: the training set has %zu rows and %zu features", train->X.rows,
                          train->X.cols);
    kiln_gbm_fit *f = kiln_alloc(1, sizeof *f);
    if (!f)
        return KILN_ENOMEM;
    f->ctx = *ctx;
    if (f->ctx.threads < 1)
        f->ctx.threads = 1;
    if (!(f->m = kiln_alloc(1, sizeof *f->m))) {
        free(f);
        return KILN_ENOMEM;
    }
    kiln_status s = fit_setup(f, p, train);
    if (s != KILN_OK) {
        kiln_gbm_fit_free(f);
        return s;
    }
    *out = f;
    return KILN_OK;
}

/* The round's rows: all (f->rows is NULL), or floor(subsample n) of them in
 * f->rows, drawn without replacement in ascending order (selection sampling, Knuth TAOCP 3.4.2 Algorithm S). */
static size_t sample_rows(const kiln_gbm_fit *f, size_t round)
{
    size_t n = f->train.data.X.rows;
    double frac = f->m->cfg.subsample;
    if (frac >= 1)
        return n;
    size_t want = (size_t)floor(frac * (double)n), got = 0;
    if (want == 0)
        want = 1;
    kiln_rng rng;
    kiln_rng_stream(&rng, f->ctx.seed, 1 + round);
    for (size_t i = 0; i < n && got < want; i++)
        if ((double)(n - i) * kiln_rng_uniform(&rng) < (double)(want - got))
            f->rows[got++] = (uint32_t)i;
    return got;
}

/* Absolute error: each leaf's value becomes eta times the weighted median of
 * its sampled rows' residuals y - F (Friedman 2001, LAD_TreeBoost). */
static kiln_status median_leaves(kiln_gbm_fit *f, kiln_tree *t, size_t n_rows)
{
    const gbm_rows *tr = &f->train;
    for (size_t leaf = 0; leaf < t->n_nodes; leaf++) {
        if (t->feature[leaf] >= 0)
            continue;
        size_t c = 0;
        for (size_t s = 0; s < n_rows; s++) {
            size_t i = f->rows ? f->rows[s] : s;
            if ((size_t)f->row_leaf[i] != leaf)
                continue;
            f->work_v[c] = tr->data.y[i] - KILN_MAT_AT(tr->raw, i, 0);
            f->work_w[c++] = tr->data.w ? tr->data.w[i] : 1.0;
        }
        double med = 0;
        if (c > 0)
            KILN_TRY(kiln_loss_weighted_median(f->work_v, f->work_w, c, &med));
        t->value[leaf] = f->m->cfg.learning_rate * med;
    }
    return KILN_OK;
}

static kiln_tree_params tree_params(const kiln_gbm_fit *f, kiln_tree_ws *ws, int threads)
{
    const gbm_config *c = &f->m->cfg;
    kiln_tree_params p = kiln_tree_params_default();
    p.max_depth = c->max_depth;
    p.max_leaf_nodes = c->max_leaf_nodes > 0 ? (size_t)c->max_leaf_nodes : 0;
    p.min_samples_split = 2;
    p.min_samples_leaf = 1;
    p.min_child_weight = c->min_child_weight;
    p.min_split_gain = c->min_split_gain;
    p.threads = threads;
    p.ws = ws;
    return p;
}

/* colsample_bytree: ceil(fraction d) features drawn without replacement for
 * one tree (a partial Fisher-Yates shuffle on the tree's RNG), ascending. */
static void sample_features(const kiln_gbm_fit *f, kiln_rng *rng, uint32_t *v, kiln_tree_params *p)
{
    double frac = f->m->cfg.colsample_bytree;
    size_t d = f->m->n_features;
    if (frac >= 1)
        return;
    size_t keep = (size_t)ceil(frac * (double)d);
    if (keep == 0)
        keep = 1;
    for (size_t j = 0; j < d; j++)
        v[j] = (uint32_t)j;
    for (size_t i = 0; i < keep; i++) {
        size_t r = i + kiln_rng_below(rng, d - i);
        uint32_t t = v[i];
        v[i] = v[r];
        v[r] = t;
    }
    for (size_t i = 1; i < keep; i++) { /* insertion sort of the kept ones */
        uint32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    p->features = v;
    p->n_tree_features = keep;
}

/* Where the tree of score column `cls` keeps its rows' leaves and its
 * features: a place per class of the round when its trees grow at once. */
static size_t tree_slot(const kiln_gbm_fit *f, size_t cls)
{
    return f->growers > 1 ? cls : 0;
}

/* Grow the tree of score column `cls` on the round's rows with the buffers
 * ws, on `threads` threads. */
static kiln_status grow_one(kiln_gbm_fit *f, size_t round, size_t cls, size_t n_rows, kiln_tree_ws *ws, int threads,
                            kiln_tree **out)
{
    gbm_model *m = f->m;
    size_t k = m->k;
    size_t n = f->train.data.X.rows, slot = tree_slot(f, cls);
    kiln_tree_stats st = {.m = 2, .g = f->g + cls * n, .h = f->h + cls * n, .stride = 1};
    kiln_tree_params tp = tree_params(f, ws, threads);
    kiln_criterion crit = kiln_criterion_newton(m->cfg.reg_lambda);
    kiln_rng rng;
    kiln_rng_stream(&rng, f->ctx.seed, 1 + (uint64_t)m->cfg.n_estimators + round * k + cls);
    sample_features(f, &rng, f->tree_features + slot * m->n_features, &tp);
    kiln_tree *t;
    KILN_TRY(kiln_tree_grow(f->bins, &st, f->rows, n_rows, &tp, &crit, &rng, &t, f->row_leaf + slot * n));
    for (size_t i = 0; i < t->n_nodes; i++)
        t->value[i] *= m->cfg.learning_rate;
    kiln_status s = f->L->median_leaves ? median_leaves(f, t, n_rows) : KILN_OK;
    if (s != KILN_OK) {
        kiln_tree_free(t);
        return s;
    }
    *out = t;
    return KILN_OK;
}

typedef struct add_job {
    kiln_gbm_fit *f;
    kiln_tree *const *t; /* the trees of score columns first, first + 1, ... */
    size_t first, count;
    int all_rows;        /* the round grew on every row: row_leaf holds each row's leaf */
    size_t train_blocks; /* blocks [0, train_blocks) are training rows, the rest validation rows */
} add_job;

/* Block b of add_trees' rows. */
static kiln_status add_block(void *arg, size_t b)
{
    const add_job *j = arg;
    kiln_gbm_fit *f = j->f;
    gbm_rows *r = b < j->train_blocks ? &f->train : &f->valid;
    size_t lo, n = block_rows(r, b < j->train_blocks ? b : b - j->train_blocks, &lo), rows = r->data.X.rows;
    for (size_t q = 0; q < j->count; q++) {
        const kiln_tree *t = j->t[q];
        size_t cls = j->first + q;
        if (r == &f->valid) {
            kiln_mat X = kiln_mat_view(&r->data.X, lo, 0, n, r->data.X.cols);
            kiln_mat raw = kiln_mat_view(r->raw, lo, 0, n, r->raw->cols);
            kiln_tree_predict_add(t, &X, &raw, cls, 1.0);
            continue;
        }
        const int32_t *leaf = f->row_leaf + tree_slot(f, cls) * rows;
        for (size_t i = lo; i < lo + n; i++)
            KILN_MAT_AT(r->raw, i, cls) +=
                t->value[j->all_rows ? (size_t)leaf[i] : kiln_tree_leaf_binned(t, f->bins, i)];
    }
    return KILN_OK;
}

/* Add the trees t[0..count) (score columns first, ...) to the raw scores of
 * the training and validation rows, a block of rows per task (each row's
 * score is its own). */
static void add_trees(kiln_gbm_fit *f, kiln_tree *const *t, size_t first, size_t count, size_t n_rows)
{
    size_t train_blocks = row_blocks(f->train.data.X.rows);
    size_t valid_blocks = f->has_valid ? row_blocks(f->valid.data.X.rows) : 0;
    add_job j = {f, t, first, count, n_rows == f->train.data.X.rows, train_blocks};
    kiln_parallel_for(train_blocks + valid_blocks, f->ctx.threads, add_block, &j);
}

typedef struct class_job {
    kiln_gbm_fit *f;
    size_t round, n_rows;
    kiln_tree **trees; /* k: the round's trees */
    atomic_size_t next;
} class_job;

/* Grower w: the round's next tree until none is left, each on one thread
 * with the buffers of w (class_growers). */
static kiln_status class_task(void *arg, size_t w)
{
    class_job *j = arg;
    kiln_status s = KILN_OK;
    for (size_t c; s == KILN_OK && (c = atomic_fetch_add(&j->next, 1)) < j->f->m->k;)
        s = grow_one(j->f, j->round, c, j->n_rows, j->f->ws[w], 1, &j->trees[c]);
    if (s != KILN_OK) /* the others stop after their current tree */
        atomic_store(&j->next, j->f->m->k);
    return s;
}

/* The round's k trees grown at once into m->trees, then added to the scores. */
static kiln_status grow_classes(kiln_gbm_fit *f, size_t round, size_t n_rows)
{
    gbm_model *m = f->m;
    kiln_tree **trees = m->trees + m->n_trees;
    class_job j = {.f = f, .round = round, .n_rows = n_rows, .trees = trees};
    atomic_init(&j.next, 0);
    memset(trees, 0, m->k * sizeof *trees);
    kiln_status s = kiln_parallel_for(f->growers, (int)f->growers, class_task, &j);
    if (s != KILN_OK) {
        for (size_t c = 0; c < m->k; c++)
            kiln_tree_free(trees[c]);
        return s;
    }
    m->n_trees += m->k;
    add_trees(f, trees, 0, m->k, n_rows);
    return KILN_OK;
}

double kiln_gbm_train_loss(const kiln_gbm_fit *f)
{
    return f->last_train_loss;
}

static void record_round(kiln_gbm_fit *f, size_t round, int *done)
{
    gbm_model *m = f->m;
    double train_loss = mean_loss(f, &f->train, 1);
    double valid_loss = f->has_valid ? mean_loss(f, &f->valid, 0) : NAN;
    m->train_loss[round] = train_loss;
    m->valid_loss[round] = valid_loss;
    m->n_rounds = round + 1;
    f->last_train_loss = train_loss;
    if (f->ctx.trace)
        fprintf(f->ctx.trace, "iter %zu  train_loss %.6g  valid_loss %.6g\n", round + 1, train_loss, valid_loss);
    if (f->has_valid && valid_loss < f->best_valid) {
        f->best_valid = valid_loss;
        f->since_best = 0;
        m->best_round = round + 1;
    } else {
        f->since_best++;
    }
    int stop_early = f->has_valid && m->cfg.n_iter_no_change > 0 && f->since_best >= (size_t)m->cfg.n_iter_no_change;
    *done = stop_early || m->n_rounds >= f->cap_rounds;
}

kiln_status kiln_gbm_iterate(kiln_gbm_fit *f, int *done)
{
    gbm_model *m = f->m;
    if (f->ctx.cancel && *f->ctx.cancel)
        return KILN_ERROR(KILN_ECANCEL, "gbm: interrupted after %zu rounds", m->n_rounds);
    size_t round = m->n_rounds, k = m->k;
    if (round >= f->cap_rounds) {
        *done = 1;
        return KILN_OK;
    }
    size_t n_rows = sample_rows(f, round);
    if (f->growers > 1)
        KILN_TRY(grow_classes(f, round, n_rows));
    for (size_t c = 0; f->growers == 1 && c < k; c++) {
        kiln_tree *t;
        KILN_TRY(grow_one(f, round, c, n_rows, f->ws[0], f->ctx.threads, &t));
        m->trees[m->n_trees++] = t;
        add_trees(f, &m->trees[m->n_trees - 1], c, 1, n_rows);
    }
    record_round(f, round, done);
    if (f->ctx.progress)
        f->ctx.progress(f->ctx.progress_arg, m->n_rounds, f->cap_rounds);
    return KILN_OK;
}

kiln_status kiln_gbm_finish(kiln_gbm_fit *f, void **model)
{
    gbm_model *m = f->m;
    /* Without early stopping every round is kept. */
    if (!(f->has_valid && m->cfg.n_iter_no_change > 0) || m->best_round == 0)
        m->best_round = m->n_rounds;
    while (m->n_trees > m->best_round * m->k)
        kiln_tree_free(m->trees[--m->n_trees]);
    if (f->ctx.trace && f->has_valid)
        fprintf(f->ctx.trace, "best iteration %zu of %zu: valid_loss %.6g; the model keeps %zu rounds\n",
                m->best_round, m->n_rounds, m->valid_loss[m->best_round - 1], m->best_round);
    *model = m;
    f->m = NULL;
    kiln_gbm_fit_free(f);
    return KILN_OK;
}

static kiln_status gbm_fit(void **model, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx)
{
    kiln_gbm_fit *f;
    KILN_TRY(kiln_gbm_init(&f, p, train, ctx));
    int done = 0;
    while (!done) {
        kiln_status s = kiln_gbm_iterate(f, &done);
        if (s != KILN_OK) {
            kiln_gbm_fit_free(f);
            return s;
        }
    }
    return kiln_gbm_finish(f, model);
}

size_t kiln_gbm_rounds(const void *model)
{
    return ((const gbm_model *)model)->n_rounds;
}

size_t kiln_gbm_best_round(const void *model)
{
    return ((const gbm_model *)model)->best_round;
}

double kiln_gbm_round_loss(const void *model, size_t round, int valid)
{
    const gbm_model *m = model;
    return valid ? m->valid_loss[round] : m->train_loss[round];
}

const kiln_algo kiln_algo_gbm = {
    .id = "gbm",
    .name = "Gradient Boosting Machine",
    .tasks = KILN_TASK_CLASSIFY | KILN_TASK_REGRESS,
    .flags = KILN_ALGO_PROBA | KILN_ALGO_TREES,
    .params = gbm_params,
    .check = gbm_check,
    .fit = gbm_fit,
    .predict = gbm_predict,
    .save = gbm_save,
    .load = gbm_load,
    .inspect = gbm_inspect,
    .importance = gbm_importance,
    .free = gbm_free,
};
