/* kiln/curves.h — a classifier's threshold curves for one class against the rest.
 *
 * The thresholds are the distinct scores, from the highest down; at each, the
 * rows scoring at least the threshold are predicted positive.
 *   ROC: x = false positive rate, y = true positive rate, from (0, 0) at
 *        threshold +inf to (1, 1): scikit-learn's roc_curve with
 *        drop_intermediate=False. Its trapezoid area is the AUC (ties count half).
 *   PR:  x = recall, y = precision, in scikit-learn's (>= 1.1)
 *        precision_recall_curve order: from the lowest threshold up to the
 *        highest, then the point (recall 0, precision 1) with threshold +inf.
 *
 *     kiln_curve roc;
 *     kiln_curve_roc(score, is_positive, n, &roc);
 *     double auc = kiln_curve_area(&roc);
 *     kiln_curve_clear(&roc);
 */
#ifndef KILN_CURVES_H
#define KILN_CURVES_H

#include <stddef.h>
#include "kiln/status.h"

typedef struct kiln_curve {
    size_t n;          /* points                                           */
    double *x, *y;     /* ROC: FPR, TPR; PR: recall, precision             */
    double *threshold; /* the score threshold of each point (+inf for the end point) */
} kiln_curve;

/* Both need at least one positive and one negative row (KILN_EINPUT otherwise). */
kiln_status kiln_curve_roc(const double *score, const unsigned char *pos, size_t n, kiln_curve *out);
kiln_status kiln_curve_pr(const double *score, const unsigned char *pos, size_t n, kiln_curve *out);
/* The trapezoid area under y(x), in the order of the points (absolute value). */
double kiln_curve_area(const kiln_curve *c);
/* Free the points; the struct is left empty. */
void kiln_curve_clear(kiln_curve *c);

#endif
