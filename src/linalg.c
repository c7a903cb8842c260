/* linalg.c — Gram updates and Cholesky solves (see linalg.h). */
#include "linalg.h"

#include <math.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

void att__syr(double *a, const float *x, double w, int n) {
  int i, j;
  for (i = 0; i < n; i++) {
    double wx = w * x[i];
    for (j = 0; j < n; j++) a[i * n + j] += wx * x[j];
  }
}

void att__axpy(double *a, const float *x, double w, int n) {
  int i;
  for (i = 0; i < n; i++) a[i] += w * x[i];
}

int att__spd_solve(double *a, double *b, int n) {
  int i, j, k;
  /* a = L L^T, L stored in the lower triangle */
  for (j = 0; j < n; j++) {
    double d = a[j * n + j];
    for (k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return -1;
    d = sqrt(d);
    a[j * n + j] = d;
    for (i = j + 1; i < n; i++) {
      double s = a[i * n + j];
      for (k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
  }
  for (i = 0; i < n; i++) { /* L y = b */
    double s = b[i];
    for (k = 0; k < i; k++) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (i = n - 1; i >= 0; i--) { /* L^T x = y */
    double s = b[i];
    for (k = i + 1; k < n; k++) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return 0;
}

double att__dot(const float *x, const double *y, int n) {
  double s = 0;
  int i;
  for (i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

float att__dotf(const float *x, const float *y, uint32_t n) {
  uint32_t i = 0;
  float s;
#ifdef __wasm_simd128__
  v128_t a = wasm_f32x4_splat(0), b = wasm_f32x4_splat(0);
  for (; i + 8 <= n; i += 8) {
    a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(x + i), wasm_v128_load(y + i)));
    b = wasm_f32x4_add(b, wasm_f32x4_mul(wasm_v128_load(x + i + 4), wasm_v128_load(y + i + 4)));
  }
  a = wasm_f32x4_add(a, b);
  s = wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1) + wasm_f32x4_extract_lane(a, 2) +
      wasm_f32x4_extract_lane(a, 3);
#else
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  s = (s0 + s1) + (s2 + s3);
#endif
  for (; i < n; i++) s += x[i] * y[i];
  return s;
}
