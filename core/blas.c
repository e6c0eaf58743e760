/* Thin CBLAS wrappers (see kiln/blas.h). */
#include "kiln/blas.h"

#include <cblas.h>

void kiln_blas_dgemm_nt(size_t m, size_t n, size_t k, double alpha, const double *A, size_t lda, const double *B,
                        size_t ldb, double beta, double *C, size_t ldc)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)m, (blasint)n, (blasint)k, alpha, A, (blasint)lda,
                B, (blasint)ldb, beta, C, (blasint)ldc);
}

void kiln_blas_sgemm_nt(size_t m, size_t n, size_t k, float alpha, const float *A, size_t lda, const float *B,
                        size_t ldb, float beta, float *C, size_t ldc)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)m, (blasint)n, (blasint)k, alpha, A, (blasint)lda,
                B, (blasint)ldb, beta, C, (blasint)ldc);
}

double kiln_blas_ddot(size_t n, const double *x, const double *y)
{
    return cblas_ddot((blasint)n, x, 1, y, 1);
}
