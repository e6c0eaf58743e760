/* Private to algos/select: the inside of a kiln_setup, shared by setup.c,
 * compare.c and tune.c. */
#ifndef KILN_SETUP_IMPL_H
#define KILN_SETUP_IMPL_H

#include "kiln/compare.h"

/* One encoding of a fold per resolved normalisation (NONE, ZSCORE, MINMAX). */
#define KILN_NORM_VARIANTS 3

/* A fold encoded by a pipeline fitted on its training rows. */
typedef struct kiln_fold_enc {
    kiln_pipeline *pipe;
    kiln_mat *X, *VX;      /* training rows, scored rows                    */
    double *y, *vy;
    kiln_dataset train;    /* over X and y; its cache holds the shared bins */
} kiln_fold_enc;

struct kiln_setup {
    const kiln_frame *all;
    char *target;
    kiln_setup_opts o;
    kiln_task task;
    size_t n_classes;
    double *y;             /* encoded target of every row of `all`          */
    size_t *tr, ntr;       /* rows of the training part (ascending)         */
    size_t *te, nte;       /* held-out rows                                 */
    kiln_frame *train, *holdout;
    int *fold;             /* ntr entries                                   */
    kiln_fold_enc *enc;    /* folds x KILN_NORM_VARIANTS, filled on demand  */
};

/* Encode fold f for each normalisation whose bit (1 << (normalize - 1)) is set
 * in `variants`, unless already done. */
kiln_status kiln_setup_prepare_fold(kiln_setup *s, int f, unsigned variants);
kiln_fold_enc *kiln_setup_enc(const kiln_setup *s, int f, kiln_normalize resolved);

#endif
