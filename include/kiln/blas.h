/* kiln/blas.h — thin wrappers over CBLAS for row-major data with size_t sizes.
 *
 *     // C (m x n) = alpha * A (m x k) * B (n x k)^T + beta * C
 *     kiln_blas_dgemm_nt(m, n, k, -2.0, A, lda, B, ldb, 0.0, C, ldc);
 *
 * Sizes must fit a BLAS int (an internal invariant: callers block their work).
 */
#ifndef KILN_BLAS_H
#define KILN_BLAS_H

#include <stddef.h>

void kiln_blas_dgemm_nt(size_t m, size_t n, size_t k, double alpha, const double *A, size_t lda, const double *B,
                        size_t ldb, double beta, double *C, size_t ldc);
void kiln_blas_sgemm_nt(size_t m, size_t n, size_t k, float alpha, const float *A, size_t lda, const float *B,
                        size_t ldb, float beta, float *C, size_t ldc);
double kiln_blas_ddot(size_t n, const double *x, const double *y);

#endif
