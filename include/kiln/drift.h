/* kiln/drift.h — has new data drifted from what a model was trained on?
 *
 * A fitted pipeline keeps a summary of each raw training column (see
 * kiln_pipe_col): numeric columns a sorted sketch of at most
 * KILN_SKETCH_SIZE values, categorical columns their level counts. Against
 * it, per column of a new frame:
 *   numeric:     the two-sample Kolmogorov-Smirnov statistic D and its
 *                asymptotic p-value, and the population stability index over
 *                ten bins cut at the training deciles;
 *   categorical: the population stability index over the training levels
 *                plus one bin for unseen levels (no KS test).
 * A numeric column drifts when its p-value is below alpha, a categorical one
 * when its PSI reaches the PSI threshold (a numeric column's PSI is shown, not
 * tested: on small samples it is noisy). Missing values are left out of both
 * sides. See docs/drift.md.
 *
 *     kiln_drift_options o = kiln_drift_options_default();
 *     kiln_drift_col *cols = calloc(model->pipe->n_in, sizeof *cols);
 *     kiln_drift_check(model->pipe, frame, &o, cols);
 */
#ifndef KILN_DRIFT_H
#define KILN_DRIFT_H

#include "kiln/pipeline.h"

typedef struct kiln_drift_options {
    double alpha;         /* KS p-value below it flags a numeric column (0.05)       */
    double psi_threshold; /* PSI at or above it flags a categorical column (0.2)   */
} kiln_drift_options;

kiln_drift_options kiln_drift_options_default(void);

typedef struct kiln_drift_col {
    const char *name;   /* the pipeline's column name (borrowed)          */
    int categorical;
    double n_train;     /* non-missing training values                    */
    double n_new;       /* non-missing new values                         */
    double ks, p_value; /* numeric only; NaN for categorical columns      */
    double psi;
    int drift;          /* flagged                                        */
} kiln_drift_col;

/* One result per input column of p (p->n_in entries, pipeline order).
 * KILN_EINPUT when the pipeline has no summary, a column is missing from f,
 * a numeric column holds text, or a column has no non-missing new value. */
kiln_status kiln_drift_check(const kiln_pipeline *p, const kiln_frame *f, const kiln_drift_options *opt,
                             kiln_drift_col *out);

/* Two-sample KS statistic sup_x |F_a(x) - F_b(x)| of two sorted samples. */
double kiln_ks_statistic(const double *a, size_t na, const double *b, size_t nb);
/* Its asymptotic two-sided p-value for sample sizes n1, n2:
 * Q_KS((sqrt(en) + 0.12 + 0.11 / sqrt(en)) D), en = n1 n2 / (n1 + n2). */
double kiln_ks_pvalue(double d, double n1, double n2);
/* The Kolmogorov survival function Q_KS(x) = 2 sum_k (-1)^(k-1) exp(-2 k^2 x^2). */
double kiln_kolmogorov_sf(double x);
/* PSI = sum_i (a_i - e_i) ln(a_i / e_i) over k bins of shares (each floored
 * at KILN_PSI_FLOOR so an empty bin stays finite). */
double kiln_psi(const double *expected, const double *actual, size_t k);

#define KILN_PSI_FLOOR 1e-4

#endif
