/* test_model.c — the individual level's user vector against a direct solution: the fold-in's
 * direction is the minimiser of the implicit-ALS objective written out over every catalog item
 * and solved by plain Gaussian elimination (att__gauss_solve: no Cholesky, no Gram shortcut); Y^T Y is exact for
 * small catalogs and a close estimate for large ones. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "attune.h"
#include "catalog.h"
#include "check.h"
#include "config.h"
#include "core.h"
#include "linalg.h"
#include "model.h"
#include "privacy.h"
#include "profile.h"
#include "tests.h"

#define NOW 1700000000000.0
#define HOUR_MS 3600000.0
#define TM_DIM 5

static uint32_t tm_rng = 7;
static double tm_unif(void) { /* xorshift32: the same numbers on every machine */
  tm_rng ^= tm_rng << 13;
  tm_rng ^= tm_rng >> 17;
  tm_rng ^= tm_rng << 5;
  return tm_rng / 4294967296.0;
}

/* A catalog of n items "m0".."m<n-1>" with seeded vectors of dimension dim, parsed from JSON. */
static att__catalog *tm_catalog(uint32_t n, uint32_t dim) {
  static char json[1 << 20];
  size_t o = 0;
  uint32_t i, k;
  att__catalog *c = NULL;
  att__err e;
  memset(&e, 0, sizeof e);
  o += (size_t)snprintf(json + o, sizeof json - o, "{\"version\":1,\"dim\":%u,\"items\":[", dim);
  for (i = 0; i < n && o < sizeof json - 200; i++) {
    o += (size_t)snprintf(json + o, sizeof json - o, "%s{\"id\":\"m%u\",\"tags\":[\"t\"],\"vector\":[", i ? "," : "", i);
    for (k = 0; k < dim; k++) o += (size_t)snprintf(json + o, sizeof json - o, "%s%.4f", k ? "," : "", tm_unif() * 2 - 1);
    o += (size_t)snprintf(json + o, sizeof json - o, "]}");
  }
  o += (size_t)snprintf(json + o, sizeof json - o, "]}");
  CHECK_MSG(att__catalog_parse(&e, json, o, ATT_VEC_F32, &c) == ATT_OK, "%s", e.msg);
  return c;
}

static void fold_in_is_the_implicit_als_minimiser(void) {
  static const struct {
    uint32_t item;
    int type;
    double hours_ago, value;
  } events[] = {{0, ATT_EV_CLICK, 1, 1},  {3, ATT_EV_LIKE, 5, 1},    {4, ATT_EV_VIEW, 30, 1},
                {9, ATT_EV_PURCHASE, 80, 2}, {12, ATT_EV_DISMISS, 2, 1}, {20, ATT_EV_SHARE, 200, 1}};
  enum { NEV = sizeof events / sizeof events[0] };
  att__catalog *cat = tm_catalog(60, TM_DIM);
  att__config cfg;
  att__profile p;
  att__event win[NEV];
  float inv_norm[60];
  double yty[TM_DIM * TM_DIM], gram[TM_DIM * TM_DIM], uvec[TM_DIM], a[TM_DIM * TM_DIM], b[TM_DIM], conf, norm = 0;
  double c_of[60], p_of[60];
  uint32_t i, k, j;
  if (!cat) return;
  att__config_defaults(&cfg);
  memset(&p, 0, sizeof p);
  memset(win, 0, sizeof win);
  for (i = 0; i < cat->n; i++) {
    double nn = 0;
    for (k = 0; k < TM_DIM; k++) nn += (double)cat->vec[i * TM_DIM + k] * cat->vec[i * TM_DIM + k];
    inv_norm[i] = (float)(1 / sqrt(nn));
    c_of[i] = 1; /* unobserved: confidence 1, preference 0 */
    p_of[i] = 0;
  }
  for (j = 0; j < NEV; j++) {
    double w;
    win[j].idx = (int32_t)events[j].item;
    win[j].type = (uint8_t)events[j].type;
    win[j].value = events[j].value;
    win[j].at = NOW - events[j].hours_ago * HOUR_MS;
    w = cfg.event_w[events[j].type] * events[j].value * att__decay_since(NOW, win[j].at, cfg.half_life_days);
    c_of[events[j].item] = 1 + cfg.model_alpha * fabs(w);
    p_of[events[j].item] = w > 0 ? 1 : w < 0 ? -1 : 0;
  }
  p.win = win;
  p.nwin = NEV;

  att__model_item_gram(cat, yty);
  conf = att__model_fold_in(&cfg, cat, &p, inv_norm, yty, NOW, gram, uvec);
  CHECK_MSG(fabs(conf - 5 / 8.0) < 1e-15, "confidence %g for 5 positive events", conf);

  /* the objective's normal equations, item by item over the whole catalog */
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  for (k = 0; k < TM_DIM; k++) a[k * TM_DIM + k] = cfg.model_lambda;
  for (i = 0; i < cat->n; i++) {
    const float *y = &cat->vec[i * TM_DIM];
    for (k = 0; k < TM_DIM; k++) {
      for (j = 0; j < TM_DIM; j++) a[k * TM_DIM + j] += c_of[i] * y[k] * y[j];
      b[k] += c_of[i] * p_of[i] * y[k];
    }
  }
  CHECK(att__gauss_solve(a, b, TM_DIM) == 0);
  for (k = 0; k < TM_DIM; k++) norm += b[k] * b[k];
  norm = sqrt(norm);
  for (k = 0; k < TM_DIM; k++)
    CHECK_MSG(fabs(uvec[k] - b[k] / norm) < 1e-9, "component %u: fold-in %.12f, direct %.12f", k, uvec[k], b[k] / norm);

  /* no positive event: no vector */
  p.win = &win[4]; /* the dismissal alone */
  p.nwin = 1;
  CHECK(att__model_fold_in(&cfg, cat, &p, inv_norm, yty, NOW, gram, uvec) == 0);
  att__config_free(&cfg);
  att__catalog_free(cat);
}

static void item_gram_is_exact_small_and_close_large(void) {
  uint32_t sizes[] = {2048, 9000}, s, i, k, j;
  for (s = 0; s < 2; s++) {
    att__catalog *cat = tm_catalog(sizes[s], 3);
    double est[9], exact[9], diff = 0, size = 0;
    if (!cat) return;
    memset(exact, 0, sizeof exact);
    for (i = 0; i < cat->n; i++)
      for (k = 0; k < 3; k++)
        for (j = 0; j < 3; j++) exact[k * 3 + j] += (double)cat->vec[i * 3 + k] * cat->vec[i * 3 + j];
    att__model_item_gram(cat, est);
    for (k = 0; k < 9; k++) {
      diff += (est[k] - exact[k]) * (est[k] - exact[k]);
      size += exact[k] * exact[k];
    }
    if (sizes[s] <= 2048)
      CHECK_MSG(sqrt(diff / size) < 1e-12, "%u items: Y^T Y off by %g (relative)", sizes[s], sqrt(diff / size));
    else /* every 5th item of 9000, scaled: a few per cent at most */
      CHECK_MSG(sqrt(diff / size) < 0.05, "%u items: Y^T Y estimate off by %g (relative)", sizes[s], sqrt(diff / size));
    att__catalog_free(cat);
  }
}

void test_model(void) {
  fold_in_is_the_implicit_als_minimiser();
  item_gram_is_exact_small_and_close_large();
}
