/* kiln/knn.h — k-nearest neighbours: the estimator and a neighbour query.
 *
 * The estimator is kiln_algo_knn (id "knn", see kiln/algo.h): it keeps the
 * training rows and predicts vote shares (classification) or the mean of the
 * neighbours' targets (regression), with scikit-learn's parameters. Its model
 * can also be asked for the neighbours of one row, which `kiln inspect
 * --neighbors ROW` prints:
 *
 *     size_t idx[5]; double dist[5];
 *     kiln_knn_neighbors(model, row, 5, idx, dist);  // ascending distance,
 *                                                   // lower index first on ties
 */
#ifndef KILN_KNN_H
#define KILN_KNN_H

#include <stddef.h>
#include "kiln/algo.h"

extern const kiln_algo kiln_algo_knn;

typedef struct kiln_knn_model kiln_knn_model;

/* The k (<= training rows) nearest training rows of `row` (d features, in the
 * model's encoded units): their indices and distances, nearest first. */
kiln_status kiln_knn_neighbors(const void *model, const double *row, size_t k, size_t *idx, double *dist);

/* The number of training rows and features the model holds. */
size_t kiln_knn_n_train(const void *model);
size_t kiln_knn_n_features(const void *model);

/* Training row i (< kiln_knn_n_train) in encoded units, and its target
 * (a class index for classification). */
const double *kiln_knn_train_row(const void *model, size_t i);
double kiln_knn_train_target(const void *model, size_t i);

#endif
