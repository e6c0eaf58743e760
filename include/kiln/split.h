/* kiln/split.h — train/test splits and cross-validation folds.
 *
 * kiln_split_train_test shuffles with the seed and, when stratify is set,
 * keeps each class's share in both parts. The fold functions follow
 * scikit-learn's KFold(shuffle=False) and StratifiedKFold(shuffle=False)
 * exactly, so fold assignments can be compared with scikit-learn's.
 */
#ifndef KILN_SPLIT_H
#define KILN_SPLIT_H

#include <stddef.h>
#include <stdint.h>
#include "kiln/status.h"

/* Indices of the train and test rows, each in ascending order. y holds class
 * indices when stratify is 1. test_frac in (0, 1); both parts non-empty. */
kiln_status kiln_split_train_test(const double *y, size_t n, int stratify, double test_frac,
                                  uint64_t seed, size_t **train, size_t *ntrain,
                                  size_t **test, size_t *ntest);

/* fold[i] in [0, k) for each row: KFold semantics (contiguous blocks, the
 * first n % k folds one row larger). */
kiln_status kiln_split_kfold(size_t n, int k, int *fold);
/* StratifiedKFold semantics; y holds class indices 0..n_classes-1. Fails with
 * KILN_EINPUT when k exceeds the member count of the smallest class (where
 * scikit-learn only warns), so that every fold sees every class. */
kiln_status kiln_split_stratified_kfold(const double *y, size_t n, size_t n_classes, int k, int *fold);

#endif
