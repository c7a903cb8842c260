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

float att__dotq8(const int8_t *q, const float *y, uint32_t n) {
  uint32_t i = 0;
  float l0, l1, l2, l3, s;
#ifdef __wasm_simd128__
  /* lanes j of a and b hold the sums of elements 8m + j and 8m + 4 + j.  The int8 values become
     floats exactly through the bits of 1.5 * 2^23 + q (wasm_f32x4_convert_i32x4 here is
     turned into one scalar conversion per lane by this Emscripten's LLVM). */
  const v128_t magic_bits = wasm_i32x4_splat(0x4B400000), magic = wasm_f32x4_splat(12582912.0f);
  v128_t a = wasm_f32x4_splat(0), b = wasm_f32x4_splat(0);
  for (; i + 8 <= n; i += 8) {
    v128_t w = wasm_i16x8_load8x8(q + i); /* 8 int8, sign-extended */
    v128_t lo = wasm_f32x4_sub(wasm_i32x4_add(wasm_i32x4_extend_low_i16x8(w), magic_bits), magic);
    v128_t hi = wasm_f32x4_sub(wasm_i32x4_add(wasm_i32x4_extend_high_i16x8(w), magic_bits), magic);
    a = wasm_f32x4_add(a, wasm_f32x4_mul(lo, wasm_v128_load(y + i)));
    b = wasm_f32x4_add(b, wasm_f32x4_mul(hi, wasm_v128_load(y + i + 4)));
  }
  a = wasm_f32x4_add(a, b);
  l0 = wasm_f32x4_extract_lane(a, 0);
  l1 = wasm_f32x4_extract_lane(a, 1);
  l2 = wasm_f32x4_extract_lane(a, 2);
  l3 = wasm_f32x4_extract_lane(a, 3);
#else
  /* the same sums in the same order as the SIMD lanes above */
  float a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  for (; i + 8 <= n; i += 8) {
    a0 += (float)q[i] * y[i];
    a1 += (float)q[i + 1] * y[i + 1];
    a2 += (float)q[i + 2] * y[i + 2];
    a3 += (float)q[i + 3] * y[i + 3];
    b0 += (float)q[i + 4] * y[i + 4];
    b1 += (float)q[i + 5] * y[i + 5];
    b2 += (float)q[i + 6] * y[i + 6];
    b3 += (float)q[i + 7] * y[i + 7];
  }
  l0 = a0 + b0;
  l1 = a1 + b1;
  l2 = a2 + b2;
  l3 = a3 + b3;
#endif
  s = (l0 + l1) + (l2 + l3);
  for (; i < n; i++) s += (float)q[i] * y[i];
  return s;
}

int32_t att__dot_i8(const int8_t *a, const int8_t *b, uint32_t n) {
  int32_t s = 0;
  uint32_t i;
  for (i = 0; i < n; i++) s += (int32_t)a[i] * b[i];
  return s;
}

int att__gauss_solve(double *a, double *b, int n) {
  int i, j, k;
  for (k = 0; k < n; k++) {
    int p = k;
    for (i = k + 1; i < n; i++)
      if (fabs(a[i * n + k]) > fabs(a[p * n + k])) p = i;
    if (a[p * n + k] == 0) return -1;
    if (p != k) {
      double t;
      for (j = 0; j < n; j++) {
        t = a[k * n + j];
        a[k * n + j] = a[p * n + j];
        a[p * n + j] = t;
      }
      t = b[k];
      b[k] = b[p];
      b[p] = t;
    }
    for (i = k + 1; i < n; i++) {
      double f = a[i * n + k] / a[k * n + k];
      for (j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j];
      b[i] -= f * b[k];
    }
  }
  for (i = n - 1; i >= 0; i--) {
    double s = b[i];
    for (j = i + 1; j < n; j++) s -= a[i * n + j] * b[j];
    b[i] = s / a[i * n + i];
  }
  return 0;
}
