/* linalg.c — Gram updates and Cholesky solves (see linalg.h). */
#include "linalg.h"

#include <math.h>

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
