/* gbm_impl.h — gradient boosting, one round at a time.
 *
 * kiln_algo_gbm.fit is the loop below; tests and teaching code drive the
 * rounds themselves to watch the losses or stop early:
 *
 *     kiln_gbm_fit *f;
 *     kiln_gbm_init(&f, &params, &train, &ctx);
 *     int done = 0;
 *     while (!done) kiln_gbm_iterate(f, &done);   // one tree per class per round
 *     void *model; kiln_gbm_finish(f, &model);     // cut back to the best round; frees f
 */
#ifndef KILN_GBM_IMPL_H
#define KILN_GBM_IMPL_H

#include "kiln/algo.h"

extern const kiln_algo kiln_algo_gbm;

typedef struct kiln_gbm_fit kiln_gbm_fit;

/* Check the parameters and data, bin the features, set the starting score. */
kiln_status kiln_gbm_init(kiln_gbm_fit **out, const kiln_params *p, const kiln_dataset *train, const kiln_ctx *ctx);
/* Grow one round of trees; *done becomes 1 after the last round or when early
 * stopping fires. Writes a trace line when ctx->trace is set. */
kiln_status kiln_gbm_iterate(kiln_gbm_fit *f, int *done);
/* The training loss after the latest round (the starting score's loss before any). */
double kiln_gbm_train_loss(const kiln_gbm_fit *f);
/* Hand over the model (cut back to the best round) and free the fit state. */
kiln_status kiln_gbm_finish(kiln_gbm_fit *f, void **model);
void kiln_gbm_fit_free(kiln_gbm_fit *f);

/* What a fitted model reports: rounds kept, the best round (1-based), and the
 * per-round losses (valid is NaN without a validation set). */
size_t kiln_gbm_rounds(const void *model);
size_t kiln_gbm_best_round(const void *model);
double kiln_gbm_round_loss(const void *model, size_t round, int valid);

#endif
