/* selftest.c — `attune-train --self-test`: the fast code in train.c checked against slow,
 * obvious versions on seeded random data, so a build on a new platform (or a change to
 * train.c or linalg.c) can prove its arithmetic.  The references use dense user x item
 * matrices and sum over every pair, observed or not, with plain Gaussian elimination (att__gauss_solve);
 * the fast code uses sparse rows, the Y^T Y trick and Cholesky. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "linalg.h"
#include "train.h"

#define ST_USERS 41 /* the last user has no events */
#define ST_ITEMS 14 /* the last two items have no events */
#define ST_DIM 5
#define ST_M 4

static int st_fails;

static void st_check(int ok, const char *what) {
  if (!ok) {
    printf("self-test: FAILED: %s\n", what);
    st_fails++;
  }
}

/* One dense half-sweep: every row a of dst solves
 *   (sum over ALL b of c_ab s_b s_b^T + lambda I) x = sum over b of c_ab p_ab s_b,
 * where r[a * nb + b] is the aggregated rating (0 = unobserved). */
static int st_dense_solve(const trn_als_opts *o, const double *r, int na, int nb, const float *src, double *dst) {
  double a[ST_DIM * ST_DIM], b[ST_DIM];
  int row, k, d, e;
  for (row = 0; row < na; row++) {
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    for (k = 0; k < nb; k++) {
      double rr = r[row * nb + k], c = 1 + o->alpha * rr, p = rr > 0 ? 1 : 0;
      const float *s = src + k * ST_DIM;
      for (d = 0; d < ST_DIM; d++) {
        for (e = 0; e < ST_DIM; e++) a[d * ST_DIM + e] += c * s[d] * s[e];
        b[d] += c * p * s[d];
      }
    }
    for (d = 0; d < ST_DIM; d++) a[d * ST_DIM + d] += o->lambda;
    if (att__gauss_solve(a, b, ST_DIM) != 0) return -1;
    for (d = 0; d < ST_DIM; d++) dst[row * ST_DIM + d] = b[d];
  }
  return 0;
}

/* Largest |fast - ref| relative to the largest |ref|. */
static double st_rel_diff(const float *fast, const double *ref, int n) {
  double diff = 0, scale = 1e-12;
  int k;
  for (k = 0; k < n; k++) {
    if (fabs(fast[k] - ref[k]) > diff) diff = fabs(fast[k] - ref[k]);
    if (fabs(ref[k]) > scale) scale = fabs(ref[k]);
  }
  return diff / scale;
}

typedef struct st_losses {
  double v[16];
  uint32_t n;
} st_losses;

static void st_on_iter(void *ctx, uint32_t iter, double loss) {
  st_losses *l = ctx;
  (void)iter;
  if (l->n < 16) l->v[l->n++] = loss;
}

int trn_self_test(void) {
  static trn_event ev[ST_USERS * ST_ITEMS * 3];
  static double r[ST_USERS * ST_ITEMS], w[ST_USERS * ST_ITEMS], rt[ST_ITEMS * ST_USERS];
  static float xf[ST_USERS * ST_DIM], yf[ST_ITEMS * ST_DIM];
  static double xr[ST_USERS * ST_DIM], yr[ST_ITEMS * ST_DIM];
  static trn_nb nb[ST_ITEMS * ST_M];
  static uint32_t nbc[ST_ITEMS];
  static const float weights[] = {0.2f, 1, 2, 3};
  trn_matrix mx;
  trn_als_opts o = {ST_DIM, 8, 0.5, 3, 11};
  st_losses losses;
  uint64_t st = 7;
  size_t n = 0, pairs = 0, k;
  int u, i, j, d;
  double worst, dense_loss = 0;

  st_fails = 0;
  /* --- aggregation: sums and maxima per pair, both orientations, the min-count cut --- */
  for (u = 0; u < ST_USERS - 1; u++)
    for (i = 0; i < ST_ITEMS - 2; i++) {
      int reps;
      if (trn_rand_sym(&st) > -0.4) continue; /* about 30 % of pairs observed */
      for (reps = 1 + (int)(trn_rand64(&st) % 3); reps > 0; reps--) {
        float wt = weights[trn_rand64(&st) % 4];
        ev[n].user = (uint32_t)u;
        ev[n].item = (uint32_t)i;
        ev[n].weight = wt;
        n++;
        r[u * ST_ITEMS + i] += wt;
        if (wt > w[u * ST_ITEMS + i]) w[u * ST_ITEMS + i] = wt;
      }
      pairs++;
    }
  for (u = 0; u < ST_USERS; u++)
    for (i = 0; i < ST_ITEMS; i++) rt[i * ST_USERS + u] = r[u * ST_ITEMS + i];
  if (trn_matrix_build(&mx, ST_USERS, ST_ITEMS, ev, n, 1) != 0) {
    printf("self-test: FAILED: out of memory\n");
    return 1;
  }
  st_check(mx.pairs == pairs, "the matrix has one pair per observed (user, item)");
  for (u = 0; u < ST_USERS; u++)
    for (k = mx.u_off[u]; k < mx.u_off[u + 1]; k++) {
      i = (int)mx.u_item[k];
      st_check(fabs(mx.u_r[k] - r[u * ST_ITEMS + i]) < 1e-5 && mx.u_w[k] == (float)w[u * ST_ITEMS + i],
               "a by-user pair carries the sum and the maximum of its events' weights");
    }
  for (i = 0; i < ST_ITEMS; i++)
    for (k = mx.i_off[i]; k < mx.i_off[i + 1]; k++) {
      u = (int)mx.i_user[k];
      st_check(fabs(mx.i_r[k] - r[u * ST_ITEMS + i]) < 1e-5 && mx.i_w[k] == (float)w[u * ST_ITEMS + i] &&
                   (k == mx.i_off[i] || mx.i_user[k - 1] < mx.i_user[k]),
               "a by-item pair matches its by-user twin, users in order");
    }
  printf("self-test: %zu events aggregate into %zu pairs, by user and by item\n", n, mx.pairs);

  /* --- ALS: each half-sweep equals the dense normal equations --- */
  trn_als_init(&mx, ST_DIM, o.seed, yf);
  for (d = 0; d < ST_DIM; d++)
    st_check(yf[(ST_ITEMS - 1) * ST_DIM + d] == 0, "items without events start (and stay) at zero");
  st_check(trn_als_solve(&o, mx.users, mx.u_off, mx.u_item, mx.u_r, yf, mx.items, xf, NULL) == 0 &&
               st_dense_solve(&o, r, ST_USERS, ST_ITEMS, yf, xr) == 0,
           "the user solves succeed");
  worst = st_rel_diff(xf, xr, ST_USERS * ST_DIM);
  st_check(worst < 1e-5, "user factors match the dense solve");
  st_check(trn_als_solve(&o, mx.items, mx.i_off, mx.i_user, mx.i_r, xf, mx.users, yf, NULL) == 0 &&
               st_dense_solve(&o, rt, ST_ITEMS, ST_USERS, xf, yr) == 0,
           "the item solves succeed");
  {
    double wi = st_rel_diff(yf, yr, ST_ITEMS * ST_DIM);
    if (wi > worst) worst = wi;
    st_check(wi < 1e-5, "item factors match the dense solve");
  }
  printf("self-test: ALS user and item solves match the dense normal equations (max relative "
         "difference %.2g)\n", worst);

  /* --- the objective: the sparse formula equals the sum over every pair, and falls --- */
  for (u = 0; u < ST_USERS; u++)
    for (i = 0; i < ST_ITEMS; i++) {
      double s = 0, rr = r[u * ST_ITEMS + i], c = 1 + o.alpha * rr, p = rr > 0 ? 1 : 0;
      for (d = 0; d < ST_DIM; d++) s += (double)xf[u * ST_DIM + d] * yf[i * ST_DIM + d];
      dense_loss += c * (p - s) * (p - s);
    }
  for (k = 0; k < ST_USERS * ST_DIM; k++) dense_loss += o.lambda * xf[k] * xf[k];
  for (k = 0; k < ST_ITEMS * ST_DIM; k++) dense_loss += o.lambda * yf[k] * yf[k];
  {
    double fast = trn_als_loss(&mx, &o, xf, yf);
    st_check(fabs(fast - dense_loss) <= 1e-9 * dense_loss, "the objective matches the dense sum");
    printf("self-test: objective %.10g matches the dense sum %.10g\n", fast, dense_loss);
  }
  memset(&losses, 0, sizeof losses);
  st_check(trn_als(&mx, &o, yf, st_on_iter, &losses, NULL) == 0 && losses.n == o.iters, "ALS runs its sweeps");
  for (k = 1; k < losses.n; k++)
    st_check(losses.v[k] <= losses.v[k - 1] * (1 + 1e-6), "the objective never rises from one sweep to the next");
  if (losses.n == o.iters)
    printf("self-test: the objective falls every sweep: %.6g -> %.6g over %u sweeps\n", losses.v[0],
           losses.v[losses.n - 1], losses.n);

  /* --- neighbors: the scratch-row scan equals brute-force pair counting --- */
  st_check(trn_neighbors(&mx, ST_M, 2.0, 2, nb, nbc) == 0, "neighbors are computed");
  for (i = 0; i < ST_ITEMS; i++) {
    double sim[ST_ITEMS], ni = 0, sorted[ST_ITEMS];
    int cand = 0, a, b;
    for (u = 0; u < ST_USERS; u++) ni += w[u * ST_ITEMS + i] * w[u * ST_ITEMS + i];
    for (j = 0; j < ST_ITEMS; j++) {
      double co = 0, nj = 0;
      int common = 0;
      for (u = 0; u < ST_USERS; u++) {
        co += w[u * ST_ITEMS + i] * w[u * ST_ITEMS + j];
        nj += w[u * ST_ITEMS + j] * w[u * ST_ITEMS + j];
        common += w[u * ST_ITEMS + i] > 0 && w[u * ST_ITEMS + j] > 0;
      }
      sim[j] = j != i && common >= 2 ? co / (sqrt(ni * nj) + 2.0) : 0;
      if (sim[j] > 0) sorted[cand++] = sim[j];
    }
    for (a = 1; a < cand; a++) /* insertion sort, best first */
      for (b = a; b > 0 && sorted[b] > sorted[b - 1]; b--) {
        double t = sorted[b];
        sorted[b] = sorted[b - 1];
        sorted[b - 1] = t;
      }
    st_check(nbc[i] == (uint32_t)(cand < ST_M ? cand : ST_M), "each item keeps min(M, candidates) neighbors");
    for (k = 0; k < nbc[i] && k < (size_t)cand; k++) {
      const trn_nb *x = &nb[i * ST_M + k];
      /* the listed item really has the listed similarity, and it is the k-th best (ties may
       * list either item first) */
      st_check((int)x->item != i && fabs(x->w - sim[x->item]) <= 1e-6 * sim[x->item] &&
                   fabs(x->w - sorted[k]) <= 1e-6 * sorted[k],
               "neighbor lists match brute force, best first");
    }
  }
  printf("self-test: neighbors match brute-force pair counting for %d items\n", ST_ITEMS);
  trn_matrix_free(&mx);

  /* --- the min-count cut: an item with fewer users vanishes from both orientations --- */
  {
    uint32_t users_of[ST_ITEMS] = {0}, cut = 12, dropped = 0;
    for (u = 0; u < ST_USERS; u++)
      for (i = 0; i < ST_ITEMS; i++) users_of[i] += r[u * ST_ITEMS + i] > 0;
    for (i = 0; i < ST_ITEMS; i++) dropped += users_of[i] > 0 && users_of[i] < cut;
    if (trn_matrix_build(&mx, ST_USERS, ST_ITEMS, ev, n, cut) != 0) {
      printf("self-test: FAILED: out of memory\n");
      return 1;
    }
    st_check(mx.dropped_items == dropped && dropped > 0, "items below the min-count are counted as dropped");
    for (i = 0; i < ST_ITEMS; i++)
      st_check((mx.i_off[i + 1] > mx.i_off[i]) == (users_of[i] >= cut), "only items at or above the min-count keep pairs");
    for (k = 0; k < mx.pairs; k++) st_check(users_of[mx.u_item[k]] >= cut, "no user row keeps a dropped item");
    printf("self-test: --min-count %u drops %u items from both orientations\n", cut, dropped);
    trn_matrix_free(&mx);
  }

  if (st_fails) printf("self-test: %d checks FAILED\n", st_fails);
  else printf("self-test: ok\n");
  return st_fails ? 1 : 0;
}
