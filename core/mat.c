/* Dense row-major matrices with a stride, and zero-copy views (see kiln/mat.h). */
#include "kiln/mat.h"

#include <stdlib.h>
#include <string.h>
#include "kiln/util.h"

kiln_mat *kiln_mat_new(size_t rows, size_t cols)
{
    kiln_mat *m = kiln_alloc(1, sizeof *m);
    if (!m)
        return NULL;
    size_t n = rows * cols;
    m->data = kiln_alloc(n ? n : 1, sizeof(double));
    if (!m->data) {
        free(m);
        return NULL;
    }
    m->rows = rows;
    m->cols = cols;
    m->stride = cols;
    m->owns = 1;
    return m;
}

void kiln_mat_free(kiln_mat *m)
{
    if (!m)
        return;
    if (m->owns)
        free(m->data);
    free(m);
}

kiln_mat kiln_mat_view(const kiln_mat *m, size_t row, size_t col, size_t rows, size_t cols)
{
    kiln_mat v = {m->data + row * m->stride + col, rows, cols, m->stride, 0};
    return v;
}

kiln_mat *kiln_mat_take_rows(const kiln_mat *m, const size_t *idx, size_t n)
{
    kiln_mat *out = kiln_mat_new(n, m->cols);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++)
        memcpy(KILN_MAT_ROW(out, i), KILN_MAT_ROW(m, idx[i]), m->cols * sizeof(double));
    return out;
}

kiln_mat *kiln_mat_copy(const kiln_mat *m)
{
    kiln_mat *out = kiln_mat_new(m->rows, m->cols);
    if (!out)
        return NULL;
    for (size_t i = 0; i < m->rows; i++)
        memcpy(KILN_MAT_ROW(out, i), KILN_MAT_ROW(m, i), m->cols * sizeof(double));
    return out;
}
