/* model.c — user vector fold-in and online signal weights (see model.h). */
#include "model.h"

#include <math.h>
#include <string.h>

#include "linalg.h"
#include "privacy.h"

/* Implicit-ALS fold-in: with item vectors y_i and confidences c_i = 1 + alpha * |w_i| (w_i: the
 * event weight, decayed to now), the user vector minimises
 *   sum over window items c_i (p_i - x.y_i)^2 + lambda |x|^2,  p_i = 1 for positive
 * interactions and 0 for dismissals, i.e. solves (sum c_i y_i y_i^T + lambda I) x = sum c_i p_i y_i.
 * Unobserved items are left out: their term, Y^T Y over the catalog, mostly shrinks x evenly
 * and would cost O(n D^2) per solve.  Only the direction of x is used (cosine scoring). */
double att__model_fold_in(const att__config *cfg, const att__catalog *cat, const att__profile *p,
                          const float *inv_norm, double now, double *gram, double *uvec) {
  int d = (int)cat->dim, j, npos = 0;
  double *a = gram, b[ATT_MAX_DIM], norm = 0;
  if (d == 0 || p->nwin == 0) return 0;
  memset(a, 0, (size_t)d * (size_t)d * sizeof *a);
  memset(b, 0, (size_t)d * sizeof *b);
  for (j = 0; j < d; j++) a[j * d + j] = cfg->model_lambda;
  for (j = 0; j < p->nwin; j++) {
    const att__event *ev = &p->win[j];
    const float *y;
    float row[ATT_MAX_DIM];
    double w, c;
    if (ev->idx < 0 || inv_norm[ev->idx] == 0) continue;
    y = att__catalog_vec(cat, (uint32_t)ev->idx, row); /* int8 vectors: dequantised */
    w = cfg->event_w[ev->type] * ev->value * att__decay_since(now, ev->at, cfg->half_life_days);
    c = 1 + cfg->model_alpha * fabs(w);
    att__syr(a, y, c, d);
    if (w > 0) {
      att__axpy(b, y, c, d);
      npos++;
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
 * not clicked.  Weights stay in [0, 5]; `bias` tracks the log-odds of a click for reports. */
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
