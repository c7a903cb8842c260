/* linalg.h — the small dense linear algebra the models need: Gram matrices and symmetric
 * positive-definite solves (Cholesky), in double precision, dimension up to ATT_MAX_DIM.
 * Shared by the on-device user model (implicit-ALS fold-in) and the server-side trainer. */
#ifndef ATT_LINALG_H
#define ATT_LINALG_H

#include <stddef.h>
#include <stdint.h>

/* Adds w * x x^T to the n x n row-major matrix a (only what a solve reads is required to be
 * exact, but the whole matrix is kept symmetric). */
void att__syr(double *a, const float *x, double w, int n);
/* a += w * x (length n). */
void att__axpy(double *a, const float *x, double w, int n);
/* Solves a x = b in place for symmetric positive-definite a (n x n, row-major, overwritten by
 * its Cholesky factor); b receives x.  Returns 0, or -1 when a is not positive definite. */
int att__spd_solve(double *a, double *b, int n);
/* Solves a x = b (n x n, row-major, overwritten) by Gaussian elimination with partial
 * pivoting; b receives x.  Returns -1 when a is singular.  Slow and obvious: the reference the
 * trainer's self-test and the unit tests check the Cholesky paths against. */
int att__gauss_solve(double *a, double *b, int n);
/* Dot product of a float vector and a double vector (exact scoring). */
double att__dot(const float *x, const double *y, int n);
/* Dot product of two float vectors in float (the ranking loop's): four running sums, and
 * 128-bit SIMD lanes when compiled with -msimd128. */
float att__dotf(const float *x, const float *y, uint32_t n);
/* Dot product of an int8 vector and a float vector in float (the ranking loop's, for int8 item
 * vectors).  The sum runs in a fixed order -- eight running sums, folded pairwise, then the
 * tail -- that the 128-bit SIMD lanes (-msimd128) and the scalar code both follow exactly, so
 * both wasm builds and the native one give the same bits. */
float att__dotq8(const int8_t *q, const float *y, uint32_t n);
/* Dot product of two int8 vectors, exact (|sum| <= 128 * 127 * 127 fits an int32). */
int32_t att__dot_i8(const int8_t *a, const int8_t *b, uint32_t n);

#endif
