/* train.c — the interaction matrix, co-occurrence neighbors and implicit ALS (see train.h). */
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "linalg.h"

/* --- the matrix ------------------------------------------------------------------------- */

static int trn_event_cmp(const void *pa, const void *pb) {
  const trn_event *a = pa, *b = pb;
  if (a->user != b->user) return a->user < b->user ? -1 : 1;
  if (a->item != b->item) return a->item < b->item ? -1 : 1;
  return 0;
}

void trn_matrix_free(trn_matrix *m) {
  att__free(m->u_off);
  att__free(m->u_item);
  att__free(m->u_r);
  att__free(m->u_w);
  att__free(m->i_off);
  att__free(m->i_user);
  att__free(m->i_r);
  att__free(m->i_w);
  att__free(m->i_users);
  memset(m, 0, sizeof *m);
}

int trn_matrix_build(trn_matrix *m, uint32_t users, uint32_t items, trn_event *ev, size_t n,
                     uint32_t min_count) {
  size_t k, pairs = 0, kept = 0;
  uint32_t i, u;
  memset(m, 0, sizeof *m);
  m->users = users;
  m->items = items;
  /* Sorting by (user, item) puts each pair's events together and gives the by-user rows in
   * order, so both orientations are built with counting passes. */
  if (n > 1) qsort(ev, n, sizeof *ev, trn_event_cmp); /* ev may be NULL when n == 0 */
  m->i_users = att__calloc((size_t)items + 1, sizeof *m->i_users);
  m->u_off = att__calloc((size_t)users + 1, sizeof *m->u_off);
  m->i_off = att__calloc((size_t)items + 1, sizeof *m->i_off);
  if (!m->i_users || !m->u_off || !m->i_off) goto oom;
  for (k = 0; k < n; k++)
    if (k == 0 || trn_event_cmp(&ev[k - 1], &ev[k]) != 0) {
      pairs++;
      m->i_users[ev[k].item]++;
    }
  for (i = 0; i < items; i++)
    if (m->i_users[i] > 0 && m->i_users[i] < min_count) m->dropped_items++;
  for (k = 0; k < n; k++)
    if ((k == 0 || trn_event_cmp(&ev[k - 1], &ev[k]) != 0) && m->i_users[ev[k].item] >= min_count) kept++;
  m->pairs = kept;
  m->u_item = att__malloc((kept ? kept : 1) * sizeof *m->u_item);
  m->u_r = att__malloc((kept ? kept : 1) * sizeof *m->u_r);
  m->u_w = att__malloc((kept ? kept : 1) * sizeof *m->u_w);
  m->i_user = att__malloc((kept ? kept : 1) * sizeof *m->i_user);
  m->i_r = att__malloc((kept ? kept : 1) * sizeof *m->i_r);
  m->i_w = att__malloc((kept ? kept : 1) * sizeof *m->i_w);
  if (!m->u_item || !m->u_r || !m->u_w || !m->i_user || !m->i_r || !m->i_w) goto oom;

  /* By user: aggregate each run of equal (user, item) events into one pair. */
  kept = 0;
  for (k = 0; k < n;) {
    size_t end = k + 1;
    double r = ev[k].weight;
    float w = ev[k].weight;
    while (end < n && trn_event_cmp(&ev[k], &ev[end]) == 0) {
      r += ev[end].weight;
      if (ev[end].weight > w) w = ev[end].weight;
      end++;
    }
    if (m->i_users[ev[k].item] >= min_count) {
      m->u_item[kept] = ev[k].item;
      m->u_r[kept] = (float)r;
      m->u_w[kept] = w;
      m->u_off[ev[k].user + 1]++;
      m->i_off[ev[k].item + 1]++;
      kept++;
    }
    k = end;
  }
  for (u = 0; u < users; u++) m->u_off[u + 1] += m->u_off[u];
  for (i = 0; i < items; i++) m->i_off[i + 1] += m->i_off[i];

  /* By item: scatter the by-user rows; walking users in order keeps each item's users sorted. */
  {
    uint32_t *fill = att__malloc(((size_t)items + 1) * sizeof *fill);
    if (!fill) goto oom;
    memcpy(fill, m->i_off, ((size_t)items + 1) * sizeof *fill);
    for (u = 0; u < users; u++)
      for (k = m->u_off[u]; k < m->u_off[u + 1]; k++) {
        uint32_t at = fill[m->u_item[k]]++;
        m->i_user[at] = u;
        m->i_r[at] = m->u_r[k];
        m->i_w[at] = m->u_w[k];
      }
    att__free(fill);
  }
  return 0;
oom:
  trn_matrix_free(m);
  return -1;
}

/* --- neighbors ---------------------------------------------------------------------------- */

int trn_neighbors(const trn_matrix *mx, uint32_t m, double shrink, uint32_t min_common, trn_nb *out,
                  uint32_t *count) {
  uint32_t n = mx->items, i;
  double *co = att__calloc((size_t)n + 1, sizeof *co);
  double *norm = att__calloc((size_t)n + 1, sizeof *norm);
  double *best = att__malloc(((size_t)m + 1) * sizeof *best);
  uint32_t *cnt = att__calloc((size_t)n + 1, sizeof *cnt);
  uint32_t *touched = att__malloc(((size_t)n + 1) * sizeof *touched);
  if (!co || !norm || !best || !cnt || !touched) {
    att__free(co);
    att__free(norm);
    att__free(best);
    att__free(cnt);
    att__free(touched);
    return -1;
  }
  for (i = 0; i < n; i++) {
    size_t k;
    for (k = mx->i_off[i]; k < mx->i_off[i + 1]; k++) norm[i] += (double)mx->i_w[k] * mx->i_w[k];
  }
  /* One item at a time, co-occurrence counts accumulate in a dense scratch row reached
   * through each of its users, so memory stays O(items) however many pairs co-occur. */
  for (i = 0; i < n; i++) {
    trn_nb *row = out + (size_t)i * m;
    uint32_t nt = 0, have = 0, t;
    size_t k, q;
    count[i] = 0;
    if (m == 0) continue;
    for (k = mx->i_off[i]; k < mx->i_off[i + 1]; k++) {
      uint32_t u = mx->i_user[k];
      double wi = mx->i_w[k];
      for (q = mx->u_off[u]; q < mx->u_off[u + 1]; q++) {
        uint32_t j = mx->u_item[q];
        if (j == i) continue;
        if (cnt[j]++ == 0) touched[nt++] = j;
        co[j] += wi * mx->u_w[q];
      }
    }
    for (t = 0; t < nt; t++) {
      uint32_t j = touched[t], pos;
      double sim = cnt[j] >= min_common ? co[j] / (sqrt(norm[i] * norm[j]) + shrink) : 0;
      co[j] = 0;
      cnt[j] = 0;
      if (!(sim > 0)) continue;
      /* insertion into the best-first list; equal similarities keep the lower item first */
      pos = have;
      while (pos > 0 && (sim > best[pos - 1] || (sim == best[pos - 1] && j < row[pos - 1].item))) pos--;
      if (pos >= m) continue;
      if (have < m) have++;
      memmove(row + pos + 1, row + pos, (size_t)(have - 1 - pos) * sizeof *row);
      memmove(best + pos + 1, best + pos, (size_t)(have - 1 - pos) * sizeof *best);
      row[pos].item = j;
      row[pos].w = (float)sim;
      best[pos] = sim;
    }
    count[i] = have;
  }
  att__free(co);
  att__free(norm);
  att__free(best);
  att__free(cnt);
  att__free(touched);
  return 0;
}

/* --- implicit ALS ------------------------------------------------------------------------- */

uint64_t trn_rand64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double trn_rand_sym(uint64_t *state) {
  return (double)(trn_rand64(state) >> 11) * (1.0 / 4503599627370496.0) - 1.0; /* 53 bits / 2^52 */
}

void trn_als_init(const trn_matrix *mx, int dim, uint64_t seed, float *item_f) {
  uint64_t st = seed;
  double scale = sqrt(3.0 / dim); /* U[-1,1) has variance 1/3 */
  uint32_t i;
  int d;
  for (i = 0; i < mx->items; i++) {
    float *row = item_f + (size_t)i * dim;
    int used = mx->i_off[i + 1] > mx->i_off[i];
    for (d = 0; d < dim; d++) row[d] = used ? (float)(trn_rand_sym(&st) * scale) : 0.0f;
  }
}

/* g = sum of s_b s_b^T over the n rows of s (dim wide). */
static void trn_gram(double *g, const float *s, uint32_t n, int dim) {
  uint32_t b;
  memset(g, 0, (size_t)dim * dim * sizeof *g);
  for (b = 0; b < n; b++) att__syr(g, s + (size_t)b * dim, 1.0, dim);
}

int trn_als_solve(const trn_als_opts *o, uint32_t n_dst, const uint32_t *off, const uint32_t *idx,
                  const float *r, const float *src, uint32_t n_src, float *dst, uint32_t *bad) {
  int dim = o->dim, d;
  size_t dd = (size_t)dim * dim;
  double *g = att__malloc(dd * sizeof *g), *a = att__malloc(dd * sizeof *a), *b = att__malloc((size_t)dim * sizeof *b);
  uint32_t row;
  int rc = 0;
  if (!g || !a || !b) {
    rc = -1;
    goto done;
  }
  /* S^T S + lambda I is shared by every row: the unobserved pairs (confidence 1, preference 0)
   * all live in it, so each row only adds its observed pairs' extra confidence alpha*r. */
  trn_gram(g, src, n_src, dim);
  for (d = 0; d < dim; d++) g[d * dim + d] += o->lambda;
  for (row = 0; row < n_dst; row++) {
    float *x = dst + (size_t)row * dim;
    size_t k;
    if (off[row] == off[row + 1]) {
      memset(x, 0, (size_t)dim * sizeof *x);
      continue;
    }
    memcpy(a, g, dd * sizeof *a);
    memset(b, 0, (size_t)dim * sizeof *b);
    for (k = off[row]; k < off[row + 1]; k++) {
      const float *s = src + (size_t)idx[k] * dim;
      double c1 = o->alpha * r[k];
      att__syr(a, s, c1, dim);
      att__axpy(b, s, 1.0 + c1, dim); /* p = 1 for every observed pair */
    }
    if (att__spd_solve(a, b, dim) != 0) {
      if (bad) *bad = row;
      rc = -2;
      goto done;
    }
    for (d = 0; d < dim; d++) x[d] = (float)b[d];
  }
done:
  att__free(g);
  att__free(a);
  att__free(b);
  return rc;
}

static double trn_sq(const float *x, size_t n) {
  double s = 0;
  size_t k;
  for (k = 0; k < n; k++) s += (double)x[k] * x[k];
  return s;
}

double trn_als_loss(const trn_matrix *mx, const trn_als_opts *o, const float *user_f, const float *item_f) {
  int dim = o->dim, d, e;
  double *g = att__malloc((size_t)dim * dim * sizeof *g), loss = 0;
  uint32_t u;
  if (!g) return NAN;
  trn_gram(g, item_f, mx->items, dim);
  for (u = 0; u < mx->users; u++) {
    const float *x = user_f + (size_t)u * dim;
    size_t k;
    for (d = 0; d < dim; d++) /* every pair as if unobserved: x^T (Y^T Y) x */
      for (e = 0; e < dim; e++) loss += x[d] * g[d * dim + e] * x[e];
    for (k = mx->u_off[u]; k < mx->u_off[u + 1]; k++) { /* then correct the observed ones */
      const float *y = item_f + (size_t)mx->u_item[k] * dim;
      double s = 0, c = 1.0 + o->alpha * mx->u_r[k];
      for (d = 0; d < dim; d++) s += (double)x[d] * y[d];
      loss += c * (1 - s) * (1 - s) - s * s;
    }
  }
  att__free(g);
  return loss + o->lambda * (trn_sq(user_f, (size_t)mx->users * dim) + trn_sq(item_f, (size_t)mx->items * dim));
}

int trn_als(const trn_matrix *mx, const trn_als_opts *o, float *item_f,
            void (*on_iter)(void *ctx, uint32_t iter, double loss), void *ctx, uint32_t *bad) {
  float *user_f = att__calloc((size_t)mx->users * o->dim + 1, sizeof *user_f);
  uint32_t it;
  int rc = 0;
  if (!user_f) return -1;
  trn_als_init(mx, o->dim, o->seed, item_f);
  for (it = 0; it < o->iters && rc == 0; it++) {
    rc = trn_als_solve(o, mx->users, mx->u_off, mx->u_item, mx->u_r, item_f, mx->items, user_f, bad);
    if (rc == 0) {
      rc = trn_als_solve(o, mx->items, mx->i_off, mx->i_user, mx->i_r, user_f, mx->users, item_f, bad);
      if (rc == -2) rc = -3;
    }
    if (rc == 0 && on_iter) on_iter(ctx, it + 1, trn_als_loss(mx, o, user_f, item_f));
  }
  att__free(user_f); /* the user factors never leave this function */
  return rc;
}
