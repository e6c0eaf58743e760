/* Split criteria: what a node's summed statistics S are worth (see tree_impl.h).
 *
 * loss(S) is the node's weighted impurity; a split's gain is
 * loss(parent) - loss(left) - loss(right), i.e. scikit-learn's weighted
 * impurity decrease times the root weight, or XGBoost's structure-score gain.
 *   gini:     S = class weights, W = sum S_k, loss = W - sum S_k^2 / W
 *   entropy:  loss = -sum S_k log2(S_k / W)        (Shannon, bits, as sklearn)
 *   squared:  S = (W, sum w y, sum w y^2), loss = sum w y^2 - (sum w y)^2 / W
 *   Newton:   S = (G, H), loss = -G^2 / (2 (H + lambda)), leaf = -G / (H + lambda)
 *             (Chen & Guestrin 2016, eq. 6-7).
 * Breiman, Friedman, Olshen & Stone, Classification and Regression Trees (1984). */
#include <math.h>
#include "algos/tree/tree_impl.h"

static double class_weight_sum(const kiln_criterion *c, const double *s)
{
    return kiln_class_weight(s, c->n_stats);
}

static double gini_loss(const kiln_criterion *c, const double *s)
{
    return kiln_gini_loss(s, c->n_stats);
}

static double entropy_loss(const kiln_criterion *c, const double *s)
{
    double w = class_weight_sum(c, s), e = 0;
    for (size_t k = 0; k < c->n_stats; k++)
        if (s[k] > 0)
            e -= s[k] * log2(s[k] / w);
    return e;
}

static double per_weight(const kiln_criterion *c, const double *s)
{
    double w = c->cover(c, s);
    return w > 0 ? c->loss(c, s) / w : 0.0;
}

static void class_leaf(const kiln_criterion *c, const double *s, double *out)
{
    double w = class_weight_sum(c, s);
    for (size_t k = 0; k < c->n_stats; k++)
        out[k] = w > 0 ? s[k] / w : 0.0;
}

static double sq_loss(const kiln_criterion *c, const double *s)
{
    (void)c;
    return kiln_sq_loss(s);
}

static double first_stat(const kiln_criterion *c, const double *s)
{
    (void)c;
    return s[0];
}

static void mean_leaf(const kiln_criterion *c, const double *s, double *out)
{
    (void)c;
    out[0] = s[0] > 0 ? s[1] / s[0] : 0.0;
}

static double newton_loss(const kiln_criterion *c, const double *s)
{
    return kiln_newton_loss(s, c->lambda);
}

static double hessian(const kiln_criterion *c, const double *s)
{
    (void)c;
    return s[1];
}

static void newton_leaf(const kiln_criterion *c, const double *s, double *out)
{
    out[0] = -s[0] / (s[1] + c->lambda);
}

kiln_criterion kiln_criterion_gini(size_t n_classes)
{
    return (kiln_criterion){"gini", n_classes, n_classes, 0.0, 1, -1, gini_loss, class_weight_sum, per_weight,
                            class_leaf};
}

kiln_criterion kiln_criterion_entropy(size_t n_classes)
{
    return (kiln_criterion){"entropy", n_classes, n_classes, 0.0, 1, -1, entropy_loss, class_weight_sum, per_weight,
                            class_leaf};
}

kiln_criterion kiln_criterion_squared_error(void)
{
    return (kiln_criterion){"squared_error", 3, 1, 0.0, 1, -1, sq_loss, first_stat, per_weight, mean_leaf};
}

kiln_criterion kiln_criterion_newton(double lambda)
{
    return (kiln_criterion){"newton", 2, 1, lambda, 0, 1, newton_loss, hessian, per_weight, newton_leaf};
}
