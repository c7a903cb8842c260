/* model.c — user vector fold-in and online signal weights (see model.h). */
#include "model.h"

#include <math.h>
#include <string.h>

#include "linalg.h"
#include "privacy.h"

/* Y^T Y over the catalog's item vectors, exact up to ATT__GRAM_SAMPLE items; beyond that,
 * estimated from every s-th item and scaled by n / (items sampled), so binding a 100k-item
 * catalog costs a few thousand rank-one updates rather than n of them. */
#define ATT__GRAM_SAMPLE 2048u
void att__model_item_gram(const att__catalog *cat, double *yty) {
  uint32_t d = cat->dim, stride = (cat->n + ATT__GRAM_SAMPLE - 1) / ATT__GRAM_SAMPLE, i, m = 0, k;
  memset(yty, 0, (size_t)d * d * sizeof *yty);
  if (d == 0 || cat->n == 0) return;
  for (i = 0; i < cat->n; i += stride, m++) {
    float row[ATT_MAX_DIM];
    att__syr(yty, att__catalog_vec(cat, i, row), 1, (int)d);
  }
  for (k = 0; k < d * d; k++) yty[k] *= (double)cat->n / m;
}

/* Implicit-ALS fold-in (Hu, Koren and Volinsky): every catalog item i counts, with preference
 * p_i = 1 for items the window holds positive interactions with, 0 for unobserved items and
 * -1 for dismissed ones (a dismissal says more than silence: it pushes the vector away rather
 * than only toward 0), and confidence c_i = 1 for unobserved items and 1 + alpha * |w_i| for
 * the window's (w_i: the event weight, decayed to now).  The user vector minimises
 *   sum over all items c_i (p_i - x.y_i)^2 + lambda |x|^2,
 * i.e. solves (Y^T Y + sum over the window (c_i - 1) y_i y_i^T + lambda I) x = sum c_i p_i y_i,
 * where Y^T Y (`yty`, from att__model_item_gram) is the same for every user, so a solve costs
 * O(window D^2 + D^3) -- less than scoring the catalog once, which is why it is redone on each
 * call instead of updated incrementally.  Only the direction of x is used (cosine scoring). */
double att__model_fold_in(const att__config *cfg, const att__catalog *cat, const att__profile *p,
                          const float *inv_norm, const double *yty, double now, double *gram, double *uvec) {
  int d = (int)cat->dim, j, npos = 0;
  double *a = gram, b[ATT_MAX_DIM], norm = 0;
  if (d == 0 || p->nwin == 0) return 0;
  memcpy(a, yty, (size_t)d * (size_t)d * sizeof *a);
  memset(b, 0, (size_t)d * sizeof *b);
  for (j = 0; j < d; j++) a[j * d + j] += cfg->model_lambda;
  for (j = 0; j < p->nwin; j++) {
    const att__event *ev = &p->win[j];
    const float *y;
    float row[ATT_MAX_DIM];
    double w, c;
    if (ev->idx < 0 || inv_norm[ev->idx] == 0) continue;
    y = att__catalog_vec(cat, (uint32_t)ev->idx, row); /* int8 vectors: dequantised */
    w = cfg->event_w[ev->type] * ev->value * att__decay_since(now, ev->at, cfg->half_life_days);
    c = 1 + cfg->model_alpha * fabs(w);
    att__syr(a, y, c - 1, d);
    if (w > 0) {
      att__axpy(b, y, c, d);
      npos++;
    } else if (w < 0) {
      att__axpy(b, y, -c, d);
    }
  }
  if (npos == 0 || att__spd_solve(a, b, d) != 0) return 0;
  for (j = 0; j < d; j++) norm += b[j] * b[j];
  if (!(norm > 0)) return 0;
  norm = sqrt(norm);
  for (j = 0; j < d; j++) uvec[j] = b[j] / norm;
  return npos / (npos + 3.0);
}

/* Pairwise logistic regression (Bradley-Terry) on the signal groups: the probability that the
 * clicked item is preferred to a skipped one is sigmoid(sum theta_g (pos_g - neg_g)), and one
 * stochastic-gradient step on its log loss, with an L2 pull toward the prior theta = 1, moves
 * the weights of the signals that told the two apart.  Learning from pairs within one list
 * needs no click-rate baseline, so weights do not shrink merely because most items shown are
 * not clicked, and no intercept (the model's `bias` stays 0).  Weights stay in [0, 5]. */
void att__model_learn(const att__config *cfg, att__model *m, const float *pos, const float *neg) {
  double z = 0, g, rate = cfg->model_rate;
  int i;
  const double pull = 0.01;
  for (i = 0; i < ATT_SIG_COUNT; i++) z += m->theta[i] * ((double)pos[i] - neg[i]);
  g = 1 / (1 + exp(z)); /* 1 - sigmoid(z) */
  for (i = 0; i < ATT_SIG_COUNT; i++) {
    double t = m->theta[i] + rate * (g * ((double)pos[i] - neg[i]) - pull * (m->theta[i] - 1));
    m->theta[i] = t < 0 ? 0 : t > 5 ? 5 : t;
  }
  m->updates++;
}

/* Forgets the item shown longest ago. */
static void att__drop_oldest(att__marks *im) {
  int oldest = 0, j;
  for (j = 1; j < im->n; j++)
    if (im->v[j].at < im->v[oldest].at) oldest = j;
  att__marks_remove(im, oldest);
}

void att__model_count_impression(att__model *m, char *key, int32_t idx, double at) {
  att__marks *im = &m->impressions;
  int i = att__marks_find(im, key, strlen(key));
  if (i >= 0) {
    im->v[i].n++;
    if (at > im->v[i].at) im->v[i].at = at;
    att__free(key);
    return;
  }
  if (im->n >= ATT_MAX_IMPRESSION_ITEMS) att__drop_oldest(im);
  att__marks_put(im, key, idx, at);
}

void att__model_trim(att__model *m) {
  while (m->impressions.n > ATT_MAX_IMPRESSION_ITEMS) att__drop_oldest(&m->impressions);
}
