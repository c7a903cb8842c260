/* rank.c — scoring, selection and explanations (see rank.h). */
#include "rank.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "privacy.h"
#include "segment.h"

/* Why an item is left out of this call's ranking. */
enum {
  ATT__X_SEEN = 1,
  ATT__X_DISMISSED = 2,
  ATT__X_BLOCKED_ITEM = 4,
  ATT__X_BLOCKED_TAG = 8,
  ATT__X_EXCLUDED = 16,  /* by the caller */
  ATT__X_EDITORIAL = 32, /* by the site's editorial.exclude */
  ATT__X_FILTERED = 64,
  ATT__X_PINNED = 128    /* placed by a pin, so not in the personalised pool */
};

/* Signals of a score, in the order they are added. */
enum { ATT__S_POPULARITY, ATT__S_FRESHNESS, ATT__S_SEGMENT_TAG, ATT__S_AFFINITY, ATT__S_SEGMENT_CATEGORY,
       ATT__S_CATEGORY, ATT__S_SEGMENT_ITEM, ATT__S_RELATED, ATT__S_COUNT };

static const char *const att__signal_names[ATT__S_COUNT] = {
    "popularity", "freshness", "segment", "affinity", "segment", "category", "segment", "related"};
static const int att__signal_levels[ATT__S_COUNT] = {
    ATT_LEVEL_NONE,       ATT_LEVEL_NONE,    ATT_LEVEL_SEGMENT,    ATT_LEVEL_BEHAVIORAL,
    ATT_LEVEL_SEGMENT,    ATT_LEVEL_BEHAVIORAL, ATT_LEVEL_SEGMENT, ATT_LEVEL_BEHAVIORAL};

/* Affinities are shrunk toward zero by this many clicks' worth of evidence (see att__prepare). */
#define ATT__AFFINITY_PRIOR 3.0

typedef struct att__contrib {
  int signal;
  uint32_t key; /* tag, category or item, by signal */
  double w;
} att__contrib;

#define ATT__MAX_CONTRIB (2 * ATT_MAX_ITEM_TAGS + 8)

typedef struct att__sink {
  att__contrib v[ATT__MAX_CONTRIB];
  int n;
} att__sink;

static void att__sink_add(att__sink *s, int signal, uint32_t key, double w) {
  if (!s || w == 0 || s->n == ATT__MAX_CONTRIB) return;
  s->v[s->n].signal = signal;
  s->v[s->n].key = key;
  s->v[s->n].w = w;
  s->n++;
}

/* --- binding ----------------------------------------------------------------------------- */

void att__ranker_free(att__ranker *r) {
  att__free(r->fresh0);
  att__free(r->pin_idx);
  att__free(r->score);
  att__free(r->flag);
  att__free(r->tagw);
  att__free(r->tagaff);
  att__free(r->tagblk);
  att__free(r->catw);
  att__free(r->cataff);
  att__free(r->ib);
  att__free(r->rel);
  att__free(r->touched);
  att__free(r->heap);
  memset(r, 0, sizeof *r);
}

int att__ranker_bind(att__ranker *r, const att__config *cfg, const att__catalog *cat) {
  att__ranker x;
  uint32_t n = cat->n ? cat->n : 1, nt = cat->tags.n ? cat->tags.n : 1, nc = cat->cats.n ? cat->cats.n : 1, i;
  int p;
  double ref = -INFINITY;
  memset(&x, 0, sizeof x);
  x.cfg = cfg;
  x.cat = cat;
  x.fresh0 = att__malloc(n * sizeof *x.fresh0);
  x.pin_idx = att__malloc((size_t)(cfg->npins + 1) * sizeof *x.pin_idx);
  x.score = att__malloc(n * sizeof *x.score);
  x.flag = att__malloc(n);
  x.tagw = att__malloc(nt * sizeof *x.tagw);
  x.tagaff = att__malloc(nt * sizeof *x.tagaff);
  x.tagblk = att__malloc(nt);
  x.catw = att__malloc(nc * sizeof *x.catw);
  x.cataff = att__malloc(nc * sizeof *x.cataff);
  x.ib = att__calloc(n, sizeof *x.ib);
  x.rel = att__calloc(n, sizeof *x.rel);
  x.heap = att__malloc(n * sizeof *x.heap);
  if (!x.fresh0 || !x.pin_idx || !x.score || !x.flag || !x.tagw || !x.tagaff || !x.tagblk || !x.catw || !x.cataff ||
      !x.ib || !x.rel || !x.heap) {
    att__ranker_free(&x);
    return ATT_E_NOMEM;
  }
  for (i = 0; i < cat->n; i++)
    if (!isnan(cat->published[i]) && cat->published[i] > ref) ref = cat->published[i];
  x.fresh_ref = isfinite(ref) ? ref : 0;
  for (i = 0; i < cat->n; i++)
    x.fresh0[i] = isnan(cat->published[i])
                      ? 0.0f
                      : (float)exp2(((double)cat->published[i] - x.fresh_ref) / cfg->freshness_half_life_days);
  for (p = 0; p < cfg->npins; p++)
    x.pin_idx[p] = (int32_t)att__catalog_find(cat, cfg->pins[p].item, strlen(cfg->pins[p].item));
  att__ranker_free(r);
  *r = x;
  return ATT_OK;
}

/* --- options ----------------------------------------------------------------------------- */

void att__rank_opts_free(att__rank_opts *o) {
  att__free(o->exclude);
  att__free(o->ftags);
  att__free(o->fcats);
  memset(o, 0, sizeof *o);
}

/* Reads an array of strings at `path`, mapping each through `lookup` (unknown names are
 * skipped: they cannot rank anyway). */
static int att__opts_list(att__err *e, const att__jv *v, const char *path, const att__strtab *tab,
                          int ids, void **out, uint32_t *nout) {
  const att__jv *c;
  uint32_t n = 0, k = 0;
  size_t count;
  if (att__jv_type(v) != ATT__J_ARR)
    return att__fail(e, ATT_E_ARG, "%s: expected an array of strings, got %s", path, att__jv_typename(v));
  count = att__jv_count(v);
  if (count > ATT_MAX_LIST) return att__fail(e, ATT_E_LIMIT, "%s: at most %d entries", path, ATT_MAX_LIST);
  *out = att__malloc((count ? count : 1) * (ids ? sizeof(uint32_t) : sizeof(uint16_t)));
  if (!*out) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", path);
  for (c = att__jv_first(v); c; c = att__jv_next(c), k++) {
    size_t len;
    const char *s;
    int64_t id;
    if (att__jv_type(c) != ATT__J_STR)
      return att__fail(e, ATT_E_ARG, "%s[%u]: expected a string, got %s", path, k, att__jv_typename(c));
    s = att__jv_str(c, &len);
    if (len > (ids ? ATT_MAX_ID_LEN : ATT_MAX_TAG_LEN))
      return att__fail(e, ATT_E_ARG, "%s[%u]: longer than %d bytes", path, k, ids ? ATT_MAX_ID_LEN : ATT_MAX_TAG_LEN);
    id = att__strtab_find(tab, s, len);
    if (id < 0) continue;
    if (ids) ((uint32_t *)*out)[n++] = (uint32_t)id;
    else ((uint16_t *)*out)[n++] = (uint16_t)id;
  }
  *nout = n;
  return ATT_OK;
}

int att__rank_opts_parse(att__err *e, const att__config *cfg, const att__catalog *cat, const char *json, size_t len,
                         att__rank_opts *o) {
  static const char *const keys[] = {"k", "exclude", "filter", "context", NULL};
  static const char *const fkeys[] = {"tags", "categories", NULL};
  att__jv *root;
  const att__jv *x;
  int rc = ATT_OK;
  memset(o, 0, sizeof *o);
  o->k = 10;
  att__context_none(&o->context);
  if (len == 0) return ATT_OK;
  root = att__json_parse(e, "recommend options", json, len);
  if (!root) return e->code;
  if (att__jv_type(root) != ATT__J_OBJ) {
    rc = att__fail(e, ATT_E_ARG, "recommend options: expected an object, got %s", att__jv_typename(root));
    goto done;
  }
  if ((rc = att__json_check_keys(e, ATT_E_ARG, root, "recommend options", keys))) goto done;
  if ((x = att__jv_get(root, "k"))) {
    double k = att__jv_num(x);
    if (att__jv_type(x) != ATT__J_NUM || !isfinite(k) || k != floor(k) || k < 0 || k > ATT_MAX_K) {
      rc = att__fail(e, ATT_E_ARG, "recommend: k must be a whole number from 0 to %d", ATT_MAX_K);
      goto done;
    }
    o->k = (int)k;
  }
  if ((x = att__jv_get(root, "exclude")) &&
      (rc = att__opts_list(e, x, "recommend: exclude", &cat->ids, 1, (void **)&o->exclude, &o->nexclude)))
    goto done;
  if ((x = att__jv_get(root, "context")) && att__jv_type(x) != ATT__J_NULL &&
      (rc = att__context_parse(e, cfg, x, "recommend: context", &o->context)))
    goto done;
  if ((x = att__jv_get(root, "filter"))) {
    const att__jv *f;
    if (att__jv_type(x) != ATT__J_OBJ) {
      rc = att__fail(e, ATT_E_ARG, "recommend: filter must be an object {tags, categories}, got %s",
                     att__jv_typename(x));
      goto done;
    }
    if ((rc = att__json_check_keys(e, ATT_E_ARG, x, "recommend: filter", fkeys))) goto done;
    if ((f = att__jv_get(x, "tags"))) {
      o->has_ftags = 1;
      if ((rc = att__opts_list(e, f, "recommend: filter.tags", &cat->tags, 0, (void **)&o->ftags, &o->nftags)))
        goto done;
    }
    if ((f = att__jv_get(x, "categories"))) {
      o->has_fcats = 1;
      if ((rc = att__opts_list(e, f, "recommend: filter.categories", &cat->cats, 0, (void **)&o->fcats,
                               &o->nfcats)))
        goto done;
    }
  }
done:
  att__json_free(root);
  if (rc) att__rank_opts_free(o);
  return rc;
}

/* --- per-call preparation ---------------------------------------------------------------- */

static int att__touch(att__ranker *r, uint32_t i) {
  if (r->ib[i] != 0 || r->rel[i] != 0) return ATT_OK;
  if (r->ntouched == r->cap_touched) {
    uint32_t cap = r->cap_touched ? r->cap_touched * 2 : 256;
    uint32_t *t = att__realloc(r->touched, cap * sizeof *t);
    if (!t) return ATT_E_NOMEM;
    r->touched = t;
    r->cap_touched = cap;
  }
  r->touched[r->ntouched++] = i;
  return ATT_OK;
}

static double att__ev_weight(const att__config *cfg, const att__event *e) {
  return cfg->event_w[e->type] * e->value;
}

/* 1 when pin `p` applies to this call's segment. */
static int att__pin_applies(const att__ranker *r, int p) {
  int s = r->cfg->pins[p].segment;
  if (s == -2) return 1;
  if (r->seg < 0) return 0;
  return s == -1 ? r->seg == r->cfg->nsegments : s == r->seg;
}

static int att__prepare(att__err *e, att__ranker *r, const att__profile *p, const att__rank_opts *o, double now) {
  const att__config *cfg = r->cfg;
  const att__catalog *cat = r->cat;
  uint32_t n = cat->n, nt = cat->tags.n, nc = cat->cats.n, i, k;
  int level = p->level, j;
  double relmax = 0;

  r->now = now;
  for (i = 0; i < r->ntouched; i++) r->ib[r->touched[i]] = r->rel[r->touched[i]] = 0;
  r->ntouched = 0;
  memset(r->tagw, 0, nt * sizeof *r->tagw);
  memset(r->tagaff, 0, nt * sizeof *r->tagaff);
  memset(r->catw, 0, nc * sizeof *r->catw);
  memset(r->cataff, 0, nc * sizeof *r->cataff);
  memset(r->flag, 0, n);
  r->use_tags = 0;
  r->w_rel_norm = 0;
  r->fresh_scale = exp2(-(now / ATT_DAY_MS - r->fresh_ref) / cfg->freshness_half_life_days);

  r->seg = level >= ATT_LEVEL_SEGMENT ? att__segment_match(cfg, p, now) : -1;
  if (r->seg >= 0 && r->seg < cfg->nsegments) {
    const att__rule *rule = &cfg->segments[r->seg];
    for (j = 0; j < rule->nboost; j++) {
      const att__boost *b = &rule->boost[j];
      int64_t id;
      size_t len = strlen(b->key);
      if (b->kind == ATT_BOOST_TAG && (id = att__strtab_find(&cat->tags, b->key, len)) >= 0) {
        r->tagw[id] = b->w;
        r->use_tags = 1;
      } else if (b->kind == ATT_BOOST_CATEGORY && (id = att__strtab_find(&cat->cats, b->key, len)) >= 0) {
        r->catw[id] = b->w;
      } else if (b->kind == ATT_BOOST_ITEM && (id = att__catalog_find(cat, b->key, len)) >= 0) {
        if (att__touch(r, (uint32_t)id)) return att__fail(e, ATT_E_NOMEM, "recommend: out of memory");
        r->ib[id] = (float)b->w;
      }
    }
  }

  if (level >= ATT_LEVEL_BEHAVIORAL && p->nwin > 0) {
    double amax = 0, cmax = 0;
    for (i = 0; i < nt; i++) {
      r->tagaff[i] = att__profile_tag_aff(p, cfg, i, now);
      if (fabs(r->tagaff[i]) > amax) amax = fabs(r->tagaff[i]);
    }
    for (i = 0; i < nc; i++) {
      r->cataff[i] = att__profile_cat_aff(p, cfg, i, now);
      if (fabs(r->cataff[i]) > cmax) cmax = fabs(r->cataff[i]);
    }
    /* Scale by the strongest affinity plus a prior worth ATT__AFFINITY_PRIOR clicks, so one
     * interaction nudges the ranking and steady interest moves it (toward the full weight).
     * Sums that cancel out leave rounding dust; treat it as no affinity. */
    if (amax > 1e-9) {
      for (i = 0; i < nt; i++) r->tagaff[i] = cfg->w_affinity * r->tagaff[i] / (amax + ATT__AFFINITY_PRIOR);
      r->use_tags = 1;
    } else {
      memset(r->tagaff, 0, nt * sizeof *r->tagaff);
    }
    if (cmax > 1e-9)
      for (i = 0; i < nc; i++) r->cataff[i] = cfg->w_affinity * r->cataff[i] / (cmax + ATT__AFFINITY_PRIOR);
    else
      memset(r->cataff, 0, nc * sizeof *r->cataff);

    for (j = 0; j < p->nwin; j++) {
      const att__event *ev = &p->win[j];
      double w = att__ev_weight(cfg, ev);
      if (ev->idx < 0 || w <= 0) continue;
      w *= att__decay(now - ev->at, cfg->half_life_days);
      for (k = cat->nb_off[ev->idx]; k < cat->nb_off[ev->idx + 1]; k++) {
        uint32_t t = cat->nb_item[k];
        if (att__touch(r, t)) return att__fail(e, ATT_E_NOMEM, "recommend: out of memory");
        r->rel[t] += (float)(cat->nb_w[k] * w);
        if (r->rel[t] > relmax) relmax = r->rel[t];
      }
      if (ev->type != ATT_EV_DISMISS && cfg->exclude_seen) r->flag[ev->idx] |= ATT__X_SEEN;
    }
    r->w_rel_norm = relmax > 0 ? cfg->w_related / relmax : 0;
    for (j = 0; j < p->dismissed.n; j++)
      if (p->dismissed.v[j].idx >= 0) r->flag[p->dismissed.v[j].idx] |= ATT__X_DISMISSED;
  }

  for (j = 0; j < p->blocked_items.n; j++)
    if (p->blocked_items.v[j].idx >= 0) r->flag[p->blocked_items.v[j].idx] |= ATT__X_BLOCKED_ITEM;
  if (p->blocked_tags.n > 0) {
    int any = 0;
    memset(r->tagblk, 0, nt);
    for (j = 0; j < p->blocked_tags.n; j++)
      if (p->blocked_tags.v[j].idx >= 0) {
        r->tagblk[p->blocked_tags.v[j].idx] = 1;
        any = 1;
      }
    for (i = 0; any && i < n; i++)
      for (k = cat->tag_off[i]; k < cat->tag_off[i + 1]; k++)
        if (r->tagblk[cat->tag_ids[k]]) r->flag[i] |= ATT__X_BLOCKED_TAG;
  }
  for (j = 0; j < cfg->nexclude; j++) {
    int64_t id = att__catalog_find(cat, cfg->editorial_exclude[j], strlen(cfg->editorial_exclude[j]));
    if (id >= 0) r->flag[id] |= ATT__X_EDITORIAL;
  }
  if (o) {
    for (i = 0; i < o->nexclude; i++) r->flag[o->exclude[i]] |= ATT__X_EXCLUDED;
    if (o->has_ftags || o->has_fcats)
      for (i = 0; i < n; i++) {
        int ok = 1;
        if (o->has_ftags) {
          ok = 0;
          for (k = cat->tag_off[i]; !ok && k < cat->tag_off[i + 1]; k++)
            for (j = 0; j < (int)o->nftags; j++)
              if (cat->tag_ids[k] == o->ftags[j]) ok = 1;
        }
        if (ok && o->has_fcats) {
          ok = 0;
          for (j = 0; j < (int)o->nfcats; j++)
            if (cat->cat[i] == o->fcats[j]) ok = 1;
        }
        if (!ok) r->flag[i] |= ATT__X_FILTERED;
      }
  }
  return ATT_OK;
}

/* --- scoring ----------------------------------------------------------------------------- */

/* The score of item i: every contribution is added in the order it is reported to `sink`, so
 * the reported weights sum to the returned score exactly. */
static double att__score(const att__ranker *r, uint32_t i, att__sink *sink) {
  const att__catalog *cat = r->cat;
  const att__config *cfg = r->cfg;
  double s = 0, c, f;
  uint16_t cc = cat->cat[i];

  c = cfg->w_popularity * cat->pop[i];
  s += c;
  att__sink_add(sink, ATT__S_POPULARITY, i, c);
  f = r->fresh0[i] * r->fresh_scale;
  c = cfg->w_freshness * (f > 1 ? 1 : f);
  s += c;
  att__sink_add(sink, ATT__S_FRESHNESS, i, c);
  if (r->use_tags) {
    uint32_t k0 = cat->tag_off[i], k1 = cat->tag_off[i + 1], k;
    double inv = k1 > k0 ? 1.0 / sqrt((double)(k1 - k0)) : 0;
    for (k = k0; k < k1; k++) {
      uint16_t t = cat->tag_ids[k];
      c = r->tagw[t];
      s += c;
      att__sink_add(sink, ATT__S_SEGMENT_TAG, t, c);
      c = r->tagaff[t] * inv;
      s += c;
      att__sink_add(sink, ATT__S_AFFINITY, t, c);
    }
  }
  if (cc != ATT_NO_CATEGORY) {
    c = r->catw[cc];
    s += c;
    att__sink_add(sink, ATT__S_SEGMENT_CATEGORY, cc, c);
    c = r->cataff[cc];
    s += c;
    att__sink_add(sink, ATT__S_CATEGORY, cc, c);
  }
  c = r->ib[i];
  s += c;
  att__sink_add(sink, ATT__S_SEGMENT_ITEM, i, c);
  c = r->w_rel_norm * r->rel[i];
  s += c;
  att__sink_add(sink, ATT__S_RELATED, i, c);
  return s;
}

/* --- selection --------------------------------------------------------------------------- */

/* 1 when a ranks before b: higher score, then lower catalog index. */
static int att__before(const double *score, uint32_t a, uint32_t b) {
  return score[a] > score[b] || (score[a] == score[b] && a < b);
}

/* Heap with the worst kept item at the root. */
static void att__sift_down(const double *score, uint32_t *h, uint32_t n, uint32_t i) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, w = i, t;
    if (l < n && att__before(score, h[w], h[l])) w = l;
    if (r < n && att__before(score, h[w], h[r])) w = r;
    if (w == i) return;
    t = h[i];
    h[i] = h[w];
    h[w] = t;
    i = w;
  }
}

static void att__sift_up(const double *score, uint32_t *h, uint32_t i) {
  while (i > 0) {
    uint32_t parent = (i - 1) / 2, t;
    if (!att__before(score, h[parent], h[i])) return;
    t = h[i];
    h[i] = h[parent];
    h[parent] = t;
    i = parent;
  }
}

/* The best `cap` eligible items into r->heap in rank order; returns their count. */
static uint32_t att__select(att__ranker *r, uint32_t cap) {
  const double *score = r->score;
  uint32_t *h = r->heap, n = 0, i, end;
  if (cap == 0) return 0;
  for (i = 0; i < r->cat->n; i++) {
    if (r->flag[i]) continue;
    if (n < cap) {
      h[n] = i;
      att__sift_up(score, h, n++);
    } else if (att__before(score, i, h[0])) {
      h[0] = i;
      att__sift_down(score, h, n, 0);
    }
  }
  /* heap sort: repeatedly move the worst to the end */
  for (end = n; end > 1; end--) {
    uint32_t t = h[0];
    h[0] = h[end - 1];
    h[end - 1] = t;
    att__sift_down(score, h, end - 1, 0);
  }
  return n;
}

/* --- reasons ----------------------------------------------------------------------------- */

static const char *const att__verbs[] = {"viewed", "opened", "liked", "shared", "bought"};

static int att__cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Counts the distinct items behind a tag (or category, or neighbor) affinity reason and picks
 * the verb of the strongest interaction among them.  Returns the count; *week says whether
 * they all fall in the last 7 days. */
static int att__history_count(const att__ranker *r, const att__profile *p, int signal, uint32_t key,
                              int *verb, int *week) {
  uint32_t items[ATT_MAX_HISTORY];
  const att__catalog *cat = r->cat;
  int n = 0, j, distinct = 0, best = -1, recent = 1;
  for (j = 0; j < p->nwin; j++) {
    const att__event *ev = &p->win[j];
    int match = 0;
    uint32_t k;
    if (ev->idx < 0 || att__ev_weight(r->cfg, ev) <= 0) continue;
    if (signal == ATT__S_AFFINITY) {
      for (k = cat->tag_off[ev->idx]; k < cat->tag_off[ev->idx + 1]; k++)
        if (cat->tag_ids[k] == key) match = 1;
    } else {
      match = cat->cat[ev->idx] == key;
    }
    if (!match) continue;
    items[n++] = (uint32_t)ev->idx;
    if (ev->type < ATT_EV_DISMISS && ev->type > best) best = ev->type;
    if (r->now - ev->at > 7 * ATT_DAY_MS) recent = 0;
  }
  qsort(items, (size_t)n, sizeof *items, att__cmp_u32);
  for (j = 0; j < n; j++)
    if (j == 0 || items[j] != items[j - 1]) distinct++;
  *verb = best < 0 ? 0 : best;
  *week = recent;
  return distinct;
}

/* The window event that contributes most to item i's related score. */
static const att__event *att__related_source(const att__ranker *r, const att__profile *p, uint32_t i) {
  const att__catalog *cat = r->cat;
  const att__event *best = NULL;
  double bw = 0;
  int j;
  for (j = 0; j < p->nwin; j++) {
    const att__event *ev = &p->win[j];
    double w = att__ev_weight(r->cfg, ev);
    uint32_t k;
    if (ev->idx < 0 || w <= 0) continue;
    w *= att__decay(r->now - ev->at, r->cfg->half_life_days);
    for (k = cat->nb_off[ev->idx]; k < cat->nb_off[ev->idx + 1]; k++)
      if (cat->nb_item[k] == i && cat->nb_w[k] * w > bw) {
        bw = cat->nb_w[k] * w;
        best = ev;
      }
  }
  return best;
}

static const char *att__item_name(const att__catalog *cat, uint32_t i) {
  return cat->title[i] != ATT_NO_TITLE ? att__strtab_str(&cat->titles, cat->title[i], NULL)
                                       : att__catalog_id(cat, i);
}

/* Plain words for one contribution. */
static void att__reason(const att__ranker *r, const att__profile *p, const att__contrib *c, char *out, size_t cap) {
  const att__catalog *cat = r->cat;
  int verb, week, count;
  switch (c->signal) {
    case ATT__S_POPULARITY:
      snprintf(out, cap, "Popular on this site");
      break;
    case ATT__S_FRESHNESS: {
      double age = r->now / ATT_DAY_MS - cat->published[c->key];
      if (age < 1) snprintf(out, cap, "New today");
      else if (age < 2) snprintf(out, cap, "New since yesterday");
      else snprintf(out, cap, "Published %d days ago", (int)age);
      break;
    }
    case ATT__S_SEGMENT_TAG:
      snprintf(out, cap, "Suggested for the %s segment: tagged %s", att__segment_label(r->cfg, r->seg),
               att__strtab_str(&cat->tags, c->key, NULL));
      break;
    case ATT__S_SEGMENT_CATEGORY:
      snprintf(out, cap, "Suggested for the %s segment: in %s", att__segment_label(r->cfg, r->seg),
               att__strtab_str(&cat->cats, c->key, NULL));
      break;
    case ATT__S_SEGMENT_ITEM:
      snprintf(out, cap, "Suggested for the %s segment", att__segment_label(r->cfg, r->seg));
      break;
    case ATT__S_AFFINITY:
    case ATT__S_CATEGORY: {
      const char *name = c->signal == ATT__S_AFFINITY ? att__strtab_str(&cat->tags, c->key, NULL)
                                                      : att__strtab_str(&cat->cats, c->key, NULL);
      count = att__history_count(r, p, c->signal, c->key, &verb, &week);
      if (c->w < 0)
        snprintf(out, cap, "You dismissed items %s %s", c->signal == ATT__S_AFFINITY ? "tagged" : "in", name);
      else
        snprintf(out, cap, "Because you %s %d item%s %s %s %s", att__verbs[verb], count, count == 1 ? "" : "s",
                 c->signal == ATT__S_AFFINITY ? "tagged" : "in", name, week ? "this week" : "recently");
      break;
    }
    case ATT__S_RELATED: {
      const att__event *src = att__related_source(r, p, c->key);
      if (src)
        snprintf(out, cap, "Related to \"%s\", which you %s", att__item_name(cat, (uint32_t)src->idx),
                 att__verbs[src->type < ATT_EV_DISMISS ? src->type : 0]);
      else
        snprintf(out, cap, "Related to items you liked");
      break;
    }
    default:
      snprintf(out, cap, "?");
  }
}

static int att__cmp_contrib(const void *a, const void *b) {
  const att__contrib *x = a, *y = b;
  return x->w < y->w ? 1 : x->w > y->w ? -1 : 0;
}

/* Up to three reasons for item i, strongest first, one per kind of signal. */
static void att__reasons(att__jw *w, att__jv *arr, const att__ranker *r, const att__profile *p, uint32_t i,
                         int pinned) {
  att__sink sink;
  int j, shown = 0, used[ATT__S_COUNT] = {0};
  char text[320];
  sink.n = 0;
  att__score(r, i, &sink);
  qsort(sink.v, (size_t)sink.n, sizeof *sink.v, att__cmp_contrib);
  if (pinned) {
    att__jw_str(w, arr, NULL, "Chosen by the editors");
    shown++;
  }
  for (j = 0; j < sink.n && shown < 3; j++) {
    int sig = sink.v[j].signal;
    int kind = (sig == ATT__S_SEGMENT_CATEGORY || sig == ATT__S_SEGMENT_ITEM) ? ATT__S_SEGMENT_TAG : sig;
    if (sink.v[j].w <= 0 || used[kind]) continue;
    used[kind] = 1;
    att__reason(r, p, &sink.v[j], text, sizeof text);
    att__jw_str(w, arr, NULL, text);
    shown++;
  }
  if (shown == 0) att__jw_str(w, arr, NULL, "In the site's order");
}

/* --- recommend --------------------------------------------------------------------------- */

int att__rank_recommend(att__err *e, att__ranker *r, const att__profile *p, const att__rank_opts *o,
                        double now, att__buf *out, uint32_t *picked, int *npicked) {
  const att__config *cfg = r->cfg;
  uint32_t n = r->cat->n, i, cap, got, need, want;
  int32_t at_pos[ATT_MAX_K + 1];
  uint8_t is_pin[ATT_MAX_K + 1];
  int npins = 0, j, total = 0;
  uint32_t pers[ATT_MAX_K];
  int npers = 0;
  att__jw w;
  att__jv *arr;
  if (att__prepare(e, r, p, o, now)) return e->code;
  for (j = 0; j <= o->k; j++) at_pos[j] = -1;
  /* pins that apply, are in the catalog, within k and not excluded for the user */
  for (j = 0; j < cfg->npins; j++) {
    int32_t idx = r->pin_idx[j];
    int pos = cfg->pins[j].position;
    if (idx < 0 || pos > o->k || !att__pin_applies(r, j)) continue;
    if (r->flag[idx] & ~ATT__X_SEEN) continue;
    if (at_pos[pos] >= 0 || (r->flag[idx] & ATT__X_PINNED)) continue;
    at_pos[pos] = idx;
    r->flag[idx] |= ATT__X_PINNED;
    npins++;
  }
  for (i = 0; i < n; i++) r->score[i] = r->flag[i] ? -INFINITY : att__score(r, i, NULL);
  for (j = 1; j <= o->k; j++)
    if (at_pos[j] >= 0) r->score[at_pos[j]] = att__score(r, (uint32_t)at_pos[j], NULL);

  need = (uint32_t)(o->k - npins);
  want = need;
  if (cfg->max_per_category > 0 && need > 0) want = need * 2 + 16;
  for (;;) {
    int counts_ok = 1;
    cap = want < n ? want : n;
    got = att__select(r, cap);
    npers = 0;
    if (cfg->max_per_category > 0) {
      /* greedy in rank order, skipping categories that are full; pins count toward the cap */
      for (i = 0; i < got && (uint32_t)npers < need; i++) {
        uint32_t c = r->cat->cat[r->heap[i]], used = 0;
        int q;
        if (c != ATT_NO_CATEGORY) {
          for (q = 0; q < npers; q++)
            if (r->cat->cat[pers[q]] == c) used++;
          for (q = 1; q <= o->k; q++)
            if (at_pos[q] >= 0 && r->cat->cat[at_pos[q]] == c) used++;
          if (used >= (uint32_t)cfg->max_per_category) continue;
        }
        pers[npers++] = r->heap[i];
      }
      counts_ok = (uint32_t)npers >= need || got < cap || cap == n;
    } else {
      for (i = 0; i < got && (uint32_t)npers < need; i++) pers[npers++] = r->heap[i];
    }
    if (counts_ok) break;
    want *= 4;
  }

  /* merge: pins at their positions, personalised items fill the rest in order */
  {
    int next = 0;
    for (j = 1; j <= o->k; j++) {
      if (at_pos[j] >= 0) {
        picked[total] = (uint32_t)at_pos[j];
        is_pin[total++] = 1;
      } else if (next < npers) {
        picked[total] = pers[next++];
        is_pin[total++] = 0;
      }
    }
  }
  *npicked = total;

  arr = att__jw_begin(&w, 1);
  for (j = 0; j < total; j++) {
    att__jv *obj = att__jw_obj(&w, arr, NULL);
    att__jw_str(&w, obj, "id", att__catalog_id(r->cat, picked[j]));
    att__jw_num(&w, obj, "score", r->score[picked[j]]);
    att__reasons(&w, att__jw_arr(&w, obj, "reasons"), r, p, picked[j], is_pin[j]);
    if (is_pin[j]) att__jw_bool(&w, obj, "editorial", 1);
  }
  if (att__jw_finish(&w, out)) return att__fail(e, ATT_E_NOMEM, "recommend: out of memory");
  return ATT_OK;
}

/* --- explain ----------------------------------------------------------------------------- */

static const char *att__excluded_text(const att__ranker *r, const att__profile *p, uint32_t idx, int flag,
                                      char *buf, size_t cap) {
  const att__catalog *cat = r->cat;
  if (flag & ATT__X_BLOCKED_ITEM) return "You blocked this item";
  if (flag & ATT__X_BLOCKED_TAG) {
    int j;
    uint32_t k;
    for (k = cat->tag_off[idx]; k < cat->tag_off[idx + 1]; k++)
      for (j = 0; j < p->blocked_tags.n; j++)
        if (p->blocked_tags.v[j].idx == cat->tag_ids[k]) {
          snprintf(buf, cap, "You blocked the tag %s", p->blocked_tags.v[j].key);
          return buf;
        }
    return "You blocked one of its tags";
  }
  if (flag & ATT__X_DISMISSED) return "You said you are not interested";
  if (flag & ATT__X_EDITORIAL) return "Left out by the editors";
  if (flag & ATT__X_SEEN) return "You have already seen it";
  return NULL;
}

int att__rank_explain(att__err *e, att__ranker *r, const att__profile *p, uint32_t idx, double now,
                      att__buf *out) {
  const att__config *cfg = r->cfg;
  att__sink sink;
  att__jw w;
  att__jv *root, *list;
  char text[320], buf[160];
  const char *excluded;
  double score;
  uint32_t i, better = 0;
  int j, pinned = 0, flag;
  att__rank_opts none;
  memset(&none, 0, sizeof none);
  if (att__prepare(e, r, p, &none, now)) return e->code;
  flag = r->flag[idx];
  sink.n = 0;
  score = att__score(r, idx, &sink);
  r->score[idx] = score;
  for (i = 0; i < r->cat->n; i++) {
    if (i == idx || r->flag[i]) continue;
    r->score[i] = att__score(r, i, NULL);
    if (att__before(r->score, i, idx)) better++;
  }
  for (j = 0; j < cfg->npins; j++)
    if (r->pin_idx[j] == (int32_t)idx && att__pin_applies(r, j)) pinned = cfg->pins[j].position;

  root = att__jw_begin(&w, 0);
  att__jw_str(&w, root, "id", att__catalog_id(r->cat, idx));
  att__jw_num(&w, root, "score", score);
  att__jw_str(&w, root, "level", att__level_name(p->level));
  if (r->seg >= 0) att__jw_str(&w, root, "segment", att__segment_label(cfg, r->seg));
  else att__jw_null(&w, root, "segment");
  excluded = att__excluded_text(r, p, idx, flag, buf, sizeof buf);
  if (excluded && !(pinned && !(flag & ~ATT__X_SEEN))) {
    att__jw_null(&w, root, "rank");
    att__jw_str(&w, root, "excluded", excluded);
  } else {
    att__jw_num(&w, root, "rank", (double)better + 1);
    att__jw_null(&w, root, "excluded");
  }
  if (pinned) att__jw_num(&w, root, "editorial", pinned);
  else att__jw_null(&w, root, "editorial");
  list = att__jw_arr(&w, root, "contributions");
  for (j = 0; j < sink.n; j++) {
    att__jv *c = att__jw_obj(&w, list, NULL);
    const att__contrib *k = &sink.v[j];
    att__jw_str(&w, c, "signal", att__signal_names[k->signal]);
    att__jw_str(&w, c, "level", att__level_name(att__signal_levels[k->signal]));
    att__jw_num(&w, c, "weight", k->w);
    att__reason(r, p, k, text, sizeof text);
    att__jw_str(&w, c, "reason", text);
    if (k->signal == ATT__S_SEGMENT_TAG || k->signal == ATT__S_AFFINITY)
      att__jw_str(&w, c, "tag", att__strtab_str(&r->cat->tags, k->key, NULL));
    if (k->signal == ATT__S_SEGMENT_CATEGORY || k->signal == ATT__S_CATEGORY)
      att__jw_str(&w, c, "category", att__strtab_str(&r->cat->cats, k->key, NULL));
  }
  if (pinned) {
    att__jv *c = att__jw_obj(&w, list, NULL);
    snprintf(text, sizeof text, "Placed at position %d by the editors", pinned);
    att__jw_str(&w, c, "signal", "editorial");
    att__jw_str(&w, c, "level", "none");
    att__jw_num(&w, c, "weight", 0);
    att__jw_str(&w, c, "reason", text);
  }
  if (att__jw_finish(&w, out)) return att__fail(e, ATT_E_NOMEM, "explain: out of memory");
  return ATT_OK;
}
