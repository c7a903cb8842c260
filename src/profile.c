/* profile.c — the user's profile and its derived affinities.
 *
 * Affinities.  The affinity of tag t at time `now` is
 *     sum over window events e whose item has tag t of  w(e) * 2^(-(now - e.at) / halfLife)
 * where w(e) is the configured weight of the event type times the event's value.  Kept
 * incrementally as  A[t] = sum of w(e) * 2^((e.at - aff_t0) / halfLife)  in 2^-40 fixed point,
 * so adding or removing an event is one exact integer update per tag, and the current value is
 * A[t] * 2^(-(now - aff_t0) / halfLife).  aff_t0 depends only on the window (its newest event,
 * rounded down to a half-life), and the sums are rebuilt when it moves — about once per
 * half-life — so the same window always gives bit-identical affinities. */
#include "profile.h"

#include <math.h>
#include <string.h>

#include "privacy.h"

const char *const att__group_names[ATT_SIG_COUNT + 1] = {"popularity", "freshness", "segment", "affinity",
                                                          "related",    "context",   "model",   NULL};

void att__model_reset(att__model *m) {
  int i;
  att__marks_free(&m->impressions);
  memset(m, 0, sizeof *m);
  for (i = 0; i < ATT_SIG_COUNT; i++) m->theta[i] = 1;
}

void att__profile_init(att__profile *p, int level) {
  int i;
  memset(p, 0, sizeof *p);
  att__model_reset(&p->model);
  p->level = level;
  for (i = 0; i < ATT_MAX_TRAITS; i++) {
    p->trait[i] = -1;
    p->trait_at[i] = NAN;
  }
  p->act_day = 0;
  p->metrics_since = NAN;
  p->label_epoch = -1;
  p->label_first = NAN;
  p->aff_t0 = NAN;
}

void att__marks_free(att__marks *m) {
  int i;
  for (i = 0; i < m->n; i++) att__free(m->v[i].key);
  att__free(m->v);
  memset(m, 0, sizeof *m);
}

void att__profile_free(att__profile *p) {
  int i;
  for (i = 0; i < p->nwin; i++) att__free(p->win[i].item);
  att__free(p->win);
  att__marks_free(&p->dismissed);
  att__marks_free(&p->blocked_tags);
  att__marks_free(&p->blocked_items);
  att__marks_free(&p->model.impressions);
  att__free(p->tag_aff);
  att__free(p->cat_aff);
  memset(p, 0, sizeof *p);
}

void att__profile_reset(att__profile *p, int level) {
  att__profile_free(p);
  att__profile_init(p, level);
}

void att__profile_move(att__profile *to, att__profile *from) {
  att__profile_free(to);
  *to = *from;
  memset(from, 0, sizeof *from);
}

int att__marks_find(const att__marks *m, const char *key, size_t n) {
  int i;
  for (i = 0; i < m->n; i++)
    if (strlen(m->v[i].key) == n && memcmp(m->v[i].key, key, n) == 0) return i;
  return -1;
}

int att__marks_reserve(att__marks *m) {
  if (m->n < m->cap) return ATT_OK;
  {
    int cap = m->cap ? m->cap * 2 : 8;
    att__mark *v = att__realloc(m->v, (size_t)cap * sizeof *v);
    if (!v) return ATT_E_NOMEM;
    m->v = v;
    m->cap = cap;
  }
  return ATT_OK;
}

void att__marks_put(att__marks *m, char *key, int32_t idx, double at) {
  m->v[m->n].key = key;
  m->v[m->n].idx = idx;
  m->v[m->n].n = 1;
  m->v[m->n].at = at;
  m->n++;
}

int att__marks_add(att__marks *m, const char *key, size_t n, int32_t idx, double at, int max) {
  int i = att__marks_find(m, key, n);
  char *copy;
  if (i >= 0) {
    if (at > m->v[i].at) m->v[i].at = at;
    return ATT_OK;
  }
  if (m->n >= max) return ATT_E_LIMIT;
  if (att__marks_reserve(m) || !(copy = att__strndup(key, n))) return ATT_E_NOMEM;
  att__marks_put(m, copy, idx, at);
  return ATT_OK;
}

void att__marks_remove(att__marks *m, int i) {
  att__free(m->v[i].key);
  memmove(m->v + i, m->v + i + 1, (size_t)(m->n - i - 1) * sizeof *m->v);
  m->n--;
}

int att__metrics_slot(int position) {
  if (position <= 0) return 0;
  return position > ATT_POSITIONS ? ATT_POSITIONS : position;
}

/* --- affinities -------------------------------------------------------------------------- */

/* Fixed-point scale of the affinity sums.  Integer sums make adding and removing exact and
 * order-free, so a profile reached by any path (tracking, reload, merge) ranks identically. */
#define ATT__AFF_SCALE 1099511627776.0 /* 2^40 */

static double att__event_weight(const att__config *cfg, const att__event *e) {
  return cfg->event_w[e->type] * e->value;
}

/* The anchor is a function of the window alone: the newest event's time rounded down to a
 * whole half-life.  Events are at most one half-life newer than it, so each term is < 2w. */
static double att__aff_anchor_for(const att__profile *p, const att__config *cfg) {
  double q = cfg->half_life_days * ATT_DAY_MS;
  return p->nwin ? floor(p->win[p->nwin - 1].at / q) * q : NAN;
}

static int64_t att__aff_term(const att__profile *p, const att__config *cfg, const att__event *e) {
  double v = att__event_weight(cfg, e) * att__decay(p->aff_t0 - e->at, cfg->half_life_days);
  return (int64_t)llround(v * ATT__AFF_SCALE);
}

static void att__aff_apply(att__profile *p, const att__config *cfg, const att__catalog *cat,
                           const att__event *e, int sign) {
  int64_t w;
  uint32_t k;
  if (e->idx < 0 || !p->tag_aff) return;
  w = sign * att__aff_term(p, cfg, e);
  for (k = cat->tag_off[e->idx]; k < cat->tag_off[e->idx + 1]; k++) p->tag_aff[cat->tag_ids[k]] += w;
  if (cat->cat[e->idx] != ATT_NO_CATEGORY) p->cat_aff[cat->cat[e->idx]] += w;
}

/* Rebuilds the sums from the window at the window's anchor. */
static void att__aff_rebuild(att__profile *p, const att__config *cfg, const att__catalog *cat) {
  int i;
  p->aff_t0 = att__aff_anchor_for(p, cfg);
  if (!p->tag_aff) return;
  memset(p->tag_aff, 0, p->ntag_aff * sizeof *p->tag_aff);
  memset(p->cat_aff, 0, p->ncat_aff * sizeof *p->cat_aff);
  for (i = 0; i < p->nwin; i++) att__aff_apply(p, cfg, cat, &p->win[i], 1);
}

double att__profile_tag_aff(const att__profile *p, const att__config *cfg, uint32_t tag, double now) {
  if (!p->tag_aff || tag >= p->ntag_aff || isnan(p->aff_t0)) return 0;
  return (double)p->tag_aff[tag] / ATT__AFF_SCALE * att__decay_since(now, p->aff_t0, cfg->half_life_days);
}

double att__profile_cat_aff(const att__profile *p, const att__config *cfg, uint32_t c, double now) {
  if (!p->cat_aff || c >= p->ncat_aff || isnan(p->aff_t0)) return 0;
  return (double)p->cat_aff[c] / ATT__AFF_SCALE * att__decay_since(now, p->aff_t0, cfg->half_life_days);
}

int att__profile_bind(att__profile *p, const att__config *cfg, const att__catalog *cat) {
  uint32_t nt = cat ? cat->tags.n : 0, nc = cat ? cat->cats.n : 0;
  int64_t *ta = NULL, *ca = NULL;
  int i;
  if (cat) {
    ta = att__calloc(nt ? nt : 1, sizeof *ta);
    ca = att__calloc(nc ? nc : 1, sizeof *ca);
    if (!ta || !ca) {
      att__free(ta);
      att__free(ca);
      return ATT_E_NOMEM;
    }
  }
  att__free(p->tag_aff);
  att__free(p->cat_aff);
  p->tag_aff = ta;
  p->cat_aff = ca;
  p->ntag_aff = nt;
  p->ncat_aff = nc;
  for (i = 0; i < p->nwin; i++) {
    const char *id = p->win[i].item;
    p->win[i].idx = (int32_t)att__catalog_find(cat, id, strlen(id));
  }
  for (i = 0; i < p->dismissed.n; i++) {
    const char *id = p->dismissed.v[i].key;
    p->dismissed.v[i].idx = (int32_t)att__catalog_find(cat, id, strlen(id));
  }
  for (i = 0; i < p->blocked_items.n; i++) {
    const char *id = p->blocked_items.v[i].key;
    p->blocked_items.v[i].idx = (int32_t)att__catalog_find(cat, id, strlen(id));
  }
  for (i = 0; i < p->model.impressions.n; i++) {
    const char *id = p->model.impressions.v[i].key;
    p->model.impressions.v[i].idx = (int32_t)att__catalog_find(cat, id, strlen(id));
  }
  for (i = 0; i < p->blocked_tags.n; i++) {
    const char *t = p->blocked_tags.v[i].key;
    p->blocked_tags.v[i].idx = cat ? (int32_t)att__strtab_find(&cat->tags, t, strlen(t)) : -1;
  }
  /* a tag the site has since marked sensitive must not stay learned */
  for (i = p->nwin - 1; i >= 0; i--)
    if (att__item_sensitive(cfg, cat, p->win[i].idx)) {
      att__free(p->win[i].item);
      memmove(p->win + i, p->win + i + 1, (size_t)(p->nwin - i - 1) * sizeof *p->win);
      p->nwin--;
    }
  att__aff_rebuild(p, cfg, cat);
  return ATT_OK;
}

int att__profile_reserve(att__profile *p) {
  if (p->nwin < p->capwin) return ATT_OK;
  {
    int cap = p->capwin ? p->capwin * 2 : 16;
    att__event *w = att__realloc(p->win, (size_t)cap * sizeof *w);
    if (!w) return ATT_E_NOMEM;
    p->win = w;
    p->capwin = cap;
  }
  return ATT_OK;
}

int att__profile_add_event(att__profile *p, const att__config *cfg, const att__catalog *cat,
                           const att__event *ev) {
  int i, pos;
  for (i = 0; i < p->nwin; i++)
    if (p->win[i].eid == ev->eid) return 0;
  if (att__profile_reserve(p)) return -ATT_E_NOMEM;
  /* sorted by time; events of the same millisecond keep the order they arrived in */
  for (pos = p->nwin; pos > 0 && ev->at < p->win[pos - 1].at; pos--) {
  }
  memmove(p->win + pos + 1, p->win + pos, (size_t)(p->nwin - pos) * sizeof *p->win);
  p->win[pos] = *ev;
  p->nwin++;
  if (att__aff_anchor_for(p, cfg) != p->aff_t0) att__aff_rebuild(p, cfg, cat);
  else att__aff_apply(p, cfg, cat, &p->win[pos], 1);
  return 1;
}

int att__profile_trim(att__profile *p, const att__config *cfg, const att__catalog *cat) {
  int removed = 0;
  while (p->nwin > cfg->history_size) {
    att__profile_remove_event(p, cfg, cat, 0);
    removed++;
  }
  return removed;
}

void att__profile_remove_event(att__profile *p, const att__config *cfg, const att__catalog *cat, int i) {
  att__aff_apply(p, cfg, cat, &p->win[i], -1);
  att__free(p->win[i].item);
  memmove(p->win + i, p->win + i + 1, (size_t)(p->nwin - i - 1) * sizeof *p->win);
  p->nwin--;
  if (att__aff_anchor_for(p, cfg) != p->aff_t0 && !(p->nwin == 0 && isnan(p->aff_t0)))
    att__aff_rebuild(p, cfg, cat);
}

/* --- activity ---------------------------------------------------------------------------- */

static int32_t att__day(double ms) { return (int32_t)floor(ms / ATT_DAY_MS); }

void att__profile_roll_activity(att__profile *p, double now) {
  int32_t d = att__day(now), shift;
  if (d <= p->act_day) return;
  shift = d - p->act_day;
  p->act_bits = shift >= 30 ? 0 : (p->act_bits << shift) & 0x3fffffffu;
  p->act_day = d;
}

void att__profile_mark_active(att__profile *p, double at) {
  int32_t d = att__day(at);
  if (p->act_bits == 0) p->act_day = d;
  att__profile_roll_activity(p, at);
  if (p->act_day - d < 30) p->act_bits |= 1u << (p->act_day - d);
}

int att__profile_active_days(const att__profile *p, double now) {
  int32_t shift = att__day(now) - p->act_day;
  if (p->act_bits == 0 || shift >= 30) return 0;
  if (shift < 0) shift = 0;
  return att__popcount32(p->act_bits & ((1u << (30 - shift)) - 1));
}

int att__profile_usage(const att__profile *p, const att__config *cfg, double now) {
  int days = att__profile_active_days(p, now);
  if (days >= cfg->usage_heavy_days) return 2;
  if (days >= cfg->usage_regular_days) return 1;
  return 0;
}
