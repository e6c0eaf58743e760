/* kiln/mat.h — dense double matrices, row-major with a stride.
 *
 * A kiln_mat either owns its data (made by kiln_mat_new, released by
 * kiln_mat_free) or is a view into another matrix (made by kiln_mat_view,
 * costs nothing, never freed). Element (i, j) is data[i * stride + j].
 *
 *     kiln_mat *a = kiln_mat_new(100, 3);          // zero-filled
 *     kiln_mat top = kiln_mat_view(a, 0, 0, 10, 3); // first ten rows
 *     KILN_MAT_AT(&top, 2, 1) = 4.0;               // writes into a
 *     kiln_mat_free(a);
 */
#ifndef KILN_MAT_H
#define KILN_MAT_H

#include <stddef.h>
#include "kiln/status.h"

typedef struct kiln_mat {
    double *data;
    size_t rows, cols;
    size_t stride; /* elements between the starts of consecutive rows */
    int owns;      /* 1 when kiln_mat_free must release data          */
} kiln_mat;

#define KILN_MAT_AT(m, i, j) ((m)->data[(size_t)(i) * (m)->stride + (size_t)(j)])
#define KILN_MAT_ROW(m, i) ((m)->data + (size_t)(i) * (m)->stride)

/* A new zero-filled rows x cols matrix, or NULL with the error recorded. */
kiln_mat *kiln_mat_new(size_t rows, size_t cols);
void kiln_mat_free(kiln_mat *m);

/* A view of the block starting at (row, col); no copy. */
kiln_mat kiln_mat_view(const kiln_mat *m, size_t row, size_t col, size_t rows, size_t cols);

/* A new matrix holding the rows idx[0..n) of m, in that order. */
kiln_mat *kiln_mat_take_rows(const kiln_mat *m, const size_t *idx, size_t n);

/* A new deep copy with stride == cols. */
kiln_mat *kiln_mat_copy(const kiln_mat *m);

#endif
