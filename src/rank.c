/* rank.c — scoring, selection and explanations (see rank.h). */
#include "rank.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "linalg.h"
#include "model.h"
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

/* Signals of a score, in the order the exact scorer adds them. */
enum {
  ATT__S_POPULARITY, ATT__S_FRESHNESS,
  ATT__S_SEGMENT_TAG, ATT__S_AFFINITY, ATT__S_CONTEXT_TAG, ATT__S_CONTEXT_LEARNED, ATT__S_SESSION,
  ATT__S_SEGMENT_CATEGORY, ATT__S_CATEGORY, ATT__S_CONTEXT_CATEGORY,
  ATT__S_SEGMENT_ITEM, ATT__S_CONTEXT_ITEM, ATT__S_RELATED, ATT__S_MODEL, ATT__S_FATIGUE,
  ATT__S_COUNT
};

static const char *const att__signal_names[ATT__S_COUNT] = {
    "popularity", "freshness", "segment", "affinity", "context", "context", "session",
    "segment", "category", "context", "segment", "context", "related", "model", "fatigue"};
static const int att__signal_levels[ATT__S_COUNT] = {
    ATT_LEVEL_NONE,       ATT_LEVEL_NONE,       ATT_LEVEL_SEGMENT,    ATT_LEVEL_BEHAVIORAL,
    ATT_LEVEL_CONTEXTUAL, ATT_LEVEL_CONTEXTUAL, ATT_LEVEL_CONTEXTUAL, ATT_LEVEL_SEGMENT,
    ATT_LEVEL_BEHAVIORAL, ATT_LEVEL_CONTEXTUAL, ATT_LEVEL_SEGMENT,    ATT_LEVEL_CONTEXTUAL,
    ATT_LEVEL_BEHAVIORAL, ATT_LEVEL_INDIVIDUAL, ATT_LEVEL_INDIVIDUAL};
/* the group whose learned weight multiplies each signal */
static const int att__signal_groups[ATT__S_COUNT] = {
    ATT_SIG_POPULARITY, ATT_SIG_FRESHNESS, ATT_SIG_SEGMENT, ATT_SIG_AFFINITY, ATT_SIG_CONTEXT,
    ATT_SIG_CONTEXT,    ATT_SIG_CONTEXT,   ATT_SIG_SEGMENT, ATT_SIG_AFFINITY, ATT_SIG_CONTEXT,
    ATT_SIG_SEGMENT,    ATT_SIG_CONTEXT,   ATT_SIG_RELATED, ATT_SIG_MODEL,    ATT_SIG_MODEL};

/* Affinities are shrunk toward zero by this many clicks' worth of evidence (see att__prepare). */
#define ATT__AFFINITY_PRIOR 3.0
/* A context bucket's own affinities count fully after this many interactions in it. */
#define ATT__BUCKET_PRIOR 5.0
/* Score taken off per impression of an item never opened (up to ATT__FATIGUE_CAP of them). */
#define ATT__FATIGUE_STEP 0.05
#define ATT__FATIGUE_CAP 10

typedef struct att__contrib {
  int signal;
  uint32_t key; /* tag, category or item, by signal */
  double w;     /* what it adds to the score */
  double raw;   /* the same before the learned weight of its group */
} att__contrib;

#define ATT__MAX_CONTRIB (5 * ATT_MAX_ITEM_TAGS + 16)

typedef struct att__sink {
  att__contrib v[ATT__MAX_CONTRIB];
  int n;
  double feat[ATT_SIG_COUNT]; /* raw sums per group, before learned weights */
} att__sink;

/* --- binding ----------------------------------------------------------------------------- */

void att__ranker_free(att__ranker *r) {
  att__free(r->fresh0);
  att__free(r->inv_norm);
  att__free(r->pin_idx);
  att__free(r->score);
  att__free(r->flag);
  att__free(r->rel);
  att__free(r->extra);
  att__free(r->touched);
  att__free(r->heap);
  att__free(r->tagw);
  att__free(r->tagaff);
  att__free(r->ctxrule_tag);
  att__free(r->ctxlearn_tag);
  att__free(r->sess_tag);
  att__free(r->tag_pair);
  att__free(r->uvecf);
  att__free(r->tagblk);
  att__free(r->catw);
  att__free(r->cataff);
  att__free(r->ctxrule_cat);
  att__free(r->cat_all);
  att__free(r->uvec);
  att__free(r->gram);
  att__free(r->yty);
  att__free(r->rule_on);
  memset(r, 0, sizeof *r);
}

int att__ranker_bind(att__ranker *r, const att__config *cfg, const att__catalog *cat) {
  att__ranker x;
  uint32_t n = cat->n ? cat->n : 1, nt = cat->tags.n ? cat->tags.n : 1, nc = cat->cats.n ? cat->cats.n : 1, i, k;
  int p;
  double ref = -INFINITY;
  memset(&x, 0, sizeof x);
  x.cfg = cfg;
  x.cat = cat;
#define ATT__ALLOC(field, count) (x.field = att__malloc((size_t)(count) * sizeof *x.field))
  if (!ATT__ALLOC(fresh0, n) || !ATT__ALLOC(inv_norm, n) || !ATT__ALLOC(pin_idx, cfg->npins + 1) ||
      !ATT__ALLOC(score, n) || !ATT__ALLOC(flag, n) || !ATT__ALLOC(heap, n) || !ATT__ALLOC(tagw, nt) ||
      !ATT__ALLOC(tagaff, nt) || !ATT__ALLOC(ctxrule_tag, nt) || !ATT__ALLOC(ctxlearn_tag, nt) ||
      !ATT__ALLOC(sess_tag, nt) || !ATT__ALLOC(tag_pair, 2 * nt) || !ATT__ALLOC(tagblk, nt) ||
      !ATT__ALLOC(catw, nc) || !ATT__ALLOC(cataff, nc) || !ATT__ALLOC(ctxrule_cat, nc) || !ATT__ALLOC(cat_all, nc) ||
      !ATT__ALLOC(uvec, cat->dim + 1) || !ATT__ALLOC(uvecf, cat->dim + 1) ||
      !ATT__ALLOC(gram, cat->dim * cat->dim + 1) || !ATT__ALLOC(yty, cat->dim * cat->dim + 1) || !ATT__ALLOC(rule_on, cfg->ncontext_rules + 1) ||
      !(x.rel = att__calloc(n, sizeof *x.rel)) || !(x.extra = att__calloc(n, sizeof *x.extra))) {
    att__ranker_free(&x);
    return ATT_E_NOMEM;
  }
#undef ATT__ALLOC
  for (i = 0; i < cat->n; i++)
    if (!isnan(cat->published[i]) && cat->published[i] > ref) ref = cat->published[i];
  x.fresh_ref = isfinite(ref) ? ref : 0;
  for (i = 0; i < cat->n; i++) {
    double nn = 0;
    float row[ATT_MAX_DIM];
    const float *y = att__catalog_vec(cat, i, row);
    /* exponents are clamped (here and in att__prepare) so 0 x infinity never makes a NaN */
    x.fresh0[i] = isnan(cat->published[i])
                      ? 0.0f
                      : (float)exp2(fmax(-1000, ((double)cat->published[i] - x.fresh_ref) / cfg->freshness_half_life_days));
    for (k = 0; k < cat->dim; k++) nn += (double)y[k] * y[k];
    x.inv_norm[i] = nn > 0 ? (float)(1 / sqrt(nn)) : 0.0f;
  }
  for (p = 0; p < cfg->npins; p++)
    x.pin_idx[p] = (int32_t)att__catalog_find(cat, cfg->pins[p].item, strlen(cfg->pins[p].item));
  for (p = 1; p <= ATT_MAX_ITEM_TAGS; p++) x.inv_sqrt[p] = (float)(1 / sqrt((double)p));
  att__ranker_free(r);
  *r = x;
  return ATT_OK;
}

size_t att__ranker_bytes(const att__ranker *r) {
  size_t n = r->cat->n, nt = r->cat->tags.n, nc = r->cat->cats.n, d = r->cat->dim;
  return n * (sizeof *r->fresh0 + sizeof *r->inv_norm + sizeof *r->score + sizeof *r->flag + sizeof *r->rel +
              sizeof *r->extra + sizeof *r->heap) +
         r->cap_touched * sizeof *r->touched + nt * (5 * sizeof(double) + 2 * sizeof(float) + 1) +
         nc * 4 * sizeof(double) + d * (2 * sizeof(double) + sizeof(float)) + 2 * d * d * sizeof(double);
}

/* --- options ----------------------------------------------------------------------------- */

void att__rank_opts_free(att__rank_opts *o) {
  att__free(o->exclude);
  att__free(o->ftags);
  att__free(o->fcats);
  memset(o, 0, sizeof *o);
}

/* Reads an array of strings at `path`, mapping each to its id in `tab` (unknown names are
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
  static const char *const keys[] = {"k", "exclude", "filter", "context", "seed", NULL};
  static const char *const fkeys[] = {"tags", "categories", NULL};
  att__jv *root;
  const att__jv *x;
  int rc = ATT_OK;
  memset(o, 0, sizeof *o);
  o->k = 10;
  o->seed = NAN;
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
  if ((x = att__jv_get(root, "seed"))) {
    if (att__jv_type(x) != ATT__J_NUM || !isfinite(att__jv_num(x))) {
      rc = att__fail(e, ATT_E_ARG, "recommend: seed must be a finite number");
      goto done;
    }
    o->seed = att__jv_num(x);
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
  if (r->rel[i] != 0 || r->extra[i] != 0) return ATT_OK;
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

/* Adds a matched rule's item boosts, times the signal weight `w`, to the per-item part of the
 * fast score.  Boosts naming items not in the catalog are skipped.  ATT_E_NOMEM on failure. */
static int att__item_boosts(att__ranker *r, const att__rule *rule, double w) {
  int j;
  for (j = 0; j < rule->nboost; j++) {
    int64_t id;
    if (rule->boost[j].kind != ATT_BOOST_ITEM) continue;
    id = att__catalog_find(r->cat, rule->boost[j].key, strlen(rule->boost[j].key));
    if (id < 0) continue;
    if (att__touch(r, (uint32_t)id)) return ATT_E_NOMEM;
    r->extra[id] += (float)(w * rule->boost[j].w);
  }
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

/* Normalises raw affinities in place: by the strongest plus a prior, so one interaction nudges
 * the ranking and steady interest moves it; returns 0 when there is no real signal (sums that
 * cancel out leave rounding dust). */
static int att__normalise(double *a, uint32_t n, double weight) {
  double m = 0;
  uint32_t i;
  for (i = 0; i < n; i++)
    if (fabs(a[i]) > m) m = fabs(a[i]);
  if (m <= 1e-9) {
    memset(a, 0, n * sizeof *a);
    return 0;
  }
  for (i = 0; i < n; i++) a[i] = weight * a[i] / (m + ATT__AFFINITY_PRIOR);
  return 1;
}

/* The value an item's boost list gives item i (segment or context rule items). */
static double att__item_boost(const att__catalog *cat, const att__rule *rule, uint32_t i) {
  const char *id = att__catalog_id(cat, i);
  int j;
  for (j = 0; j < rule->nboost; j++)
    if (rule->boost[j].kind == ATT_BOOST_ITEM && strcmp(rule->boost[j].key, id) == 0) return rule->boost[j].w;
  return 0;
}

/* Adds a rule's tag and category boosts to the given tables (items are handled by callers). */
static void att__rule_tables(const att__catalog *cat, const att__rule *rule, double *tag, double *catv) {
  int j;
  for (j = 0; j < rule->nboost; j++) {
    const att__boost *b = &rule->boost[j];
    size_t len = strlen(b->key);
    int64_t id;
    if (b->kind == ATT_BOOST_TAG && (id = att__strtab_find(&cat->tags, b->key, len)) >= 0) tag[id] += b->w;
    else if (b->kind == ATT_BOOST_CATEGORY && (id = att__strtab_find(&cat->cats, b->key, len)) >= 0) catv[id] += b->w;
  }
}

/* Accumulates window interactions in buckets matching `bucket` (every interaction when bucket
 * is -1) into per-tag sums, decayed to now; returns how many positive ones there were. */
static double att__bucket_affinity(const att__ranker *r, const att__profile *p, int bucket, double *tag) {
  const att__catalog *cat = r->cat;
  double n = 0;
  int j;
  uint32_t k;
  for (j = 0; j < p->nwin; j++) {
    const att__event *ev = &p->win[j];
    double w;
    if (ev->idx < 0 || (bucket >= 0 && (ev->bucket == 0 || !att__buckets_match(ev->bucket - 1, bucket)))) continue;
    w = att__ev_weight(r->cfg, ev) * att__decay_since(r->now, ev->at, r->cfg->half_life_days);
    for (k = cat->tag_off[ev->idx]; k < cat->tag_off[ev->idx + 1]; k++) tag[cat->tag_ids[k]] += w;
    if (w > 0) n += 1;
  }
  return n;
}

static int att__prepare(att__err *e, att__ranker *r, const att__profile *p, const att__session *s,
                        const att__context *ctx, const att__rank_opts *o, double now) {
  const att__config *cfg = r->cfg;
  const att__catalog *cat = r->cat;
  uint32_t n = cat->n, nt = cat->tags.n, nc = cat->cats.n, i, k;
  int level = p->level, j, g;
  double relmax = 0;

  r->now = now;
  r->level = level;
  r->ctx = *ctx;
  r->sess = s;
  for (i = 0; i < r->ntouched; i++) r->rel[r->touched[i]] = r->extra[r->touched[i]] = 0;
  r->ntouched = 0;
  memset(r->tagw, 0, nt * sizeof *r->tagw);
  memset(r->tagaff, 0, nt * sizeof *r->tagaff);
  memset(r->ctxrule_tag, 0, nt * sizeof *r->ctxrule_tag);
  memset(r->ctxlearn_tag, 0, nt * sizeof *r->ctxlearn_tag);
  memset(r->sess_tag, 0, nt * sizeof *r->sess_tag);
  memset(r->catw, 0, nc * sizeof *r->catw);
  memset(r->cataff, 0, nc * sizeof *r->cataff);
  memset(r->ctxrule_cat, 0, nc * sizeof *r->ctxrule_cat);
  memset(r->flag, 0, n);
  r->use_tags = 0;
  r->w_rel_norm = 0;
  r->lambda_b = 0;
  r->uconf = 0;
  r->fresh_scale = exp2(fmin(100, fmax(-1000, -(now / ATT_DAY_MS - r->fresh_ref) / cfg->freshness_half_life_days)));
  r->fresh_scale_f = (float)r->fresh_scale;
  for (g = 0; g < ATT_SIG_COUNT; g++) r->theta[g] = level >= ATT_LEVEL_INDIVIDUAL ? p->model.theta[g] : 1;
  r->w_pop_f = (float)(r->theta[ATT_SIG_POPULARITY] * cfg->w_popularity);
  r->w_fresh_f = (float)(r->theta[ATT_SIG_FRESHNESS] * cfg->w_freshness);
  r->model_w = 0;

  r->seg = level >= ATT_LEVEL_SEGMENT ? att__segment_match(cfg, p, now) : -1;
  if (r->seg >= 0 && r->seg < cfg->nsegments) att__rule_tables(cat, &cfg->segments[r->seg], r->tagw, r->catw);

  if (level >= ATT_LEVEL_BEHAVIORAL && p->nwin > 0) {
    for (i = 0; i < nt; i++) r->tagaff[i] = att__profile_tag_aff(p, cfg, i, now);
    for (i = 0; i < nc; i++) r->cataff[i] = att__profile_cat_aff(p, cfg, i, now);
    att__normalise(r->tagaff, nt, cfg->w_affinity);
    att__normalise(r->cataff, nc, cfg->w_affinity);
    for (j = 0; j < p->nwin; j++) {
      const att__event *ev = &p->win[j];
      double w = att__ev_weight(cfg, ev);
      if (ev->idx < 0) continue;
      if (ev->type != ATT_EV_DISMISS && cfg->exclude_seen) r->flag[ev->idx] |= ATT__X_SEEN;
      if (w <= 0) continue;
      w *= att__decay_since(now, ev->at, cfg->half_life_days);
      for (k = cat->nb_off[ev->idx]; k < cat->nb_off[ev->idx + 1]; k++) {
        uint32_t t = cat->nb_item[k];
        if (att__touch(r, t)) return att__fail(e, ATT_E_NOMEM, "recommend: out of memory");
        r->rel[t] += (float)(cat->nb_w[k] * w);
        if (r->rel[t] > relmax) relmax = r->rel[t];
      }
    }
    r->w_rel_norm = relmax > 0 ? cfg->w_related / relmax : 0;
    for (j = 0; j < p->dismissed.n; j++)
      if (p->dismissed.v[j].idx >= 0) r->flag[p->dismissed.v[j].idx] |= ATT__X_DISMISSED;
  }

  if (level >= ATT_LEVEL_CONTEXTUAL) {
    int bucket = att__context_bucket(ctx);
    /* site rules for this context */
    for (j = 0; j < cfg->ncontext_rules; j++) {
      r->rule_on[j] = (uint8_t)att__context_matches(cfg, ctx, &cfg->context_rules[j]);
      if (r->rule_on[j]) att__rule_tables(cat, &cfg->context_rules[j], r->ctxrule_tag, r->ctxrule_cat);
    }
    /* learned: this bucket's affinities, shrunk toward the overall ones by how much data it has;
       the contribution is the difference the bucket makes */
    if (bucket >= 0 && p->nwin > 0) {
      /* the overall side of the difference is summed the same way as the bucket's, so a
         profile whose every interaction is in this bucket gets exactly nothing from it */
      double nb = att__bucket_affinity(r, p, bucket, r->ctxlearn_tag);
      memset(r->sess_tag, 0, nt * sizeof *r->sess_tag); /* scratch for the overall sums */
      att__bucket_affinity(r, p, -1, r->sess_tag);
      if (nb > 0 && att__normalise(r->ctxlearn_tag, nt, cfg->w_affinity)) {
        att__normalise(r->sess_tag, nt, cfg->w_affinity);
        r->lambda_b = nb / (nb + ATT__BUCKET_PRIOR);
        /* in context-weight units: w_context scales how much context may move things */
        for (i = 0; i < nt; i++)
          r->ctxlearn_tag[i] = cfg->w_context * r->lambda_b * (r->ctxlearn_tag[i] - r->sess_tag[i]);
      } else {
        memset(r->ctxlearn_tag, 0, nt * sizeof *r->ctxlearn_tag);
      }
      memset(r->sess_tag, 0, nt * sizeof *r->sess_tag);
    }
    /* session intent: what was done in this session, newest strongest */
    if (s && s->n > 0) {
      for (j = 0; j < s->n; j++) {
        double w = (j + 1.0) / s->n;
        if (s->idx[j] < 0) continue;
        for (k = cat->tag_off[s->idx[j]]; k < cat->tag_off[s->idx[j] + 1]; k++) r->sess_tag[cat->tag_ids[k]] += w;
      }
      att__normalise(r->sess_tag, nt, cfg->w_session);
    }
  }

  if (level >= ATT_LEVEL_INDIVIDUAL) {
    if (!r->yty_ready) {
      att__model_item_gram(cat, r->yty);
      r->yty_ready = 1;
    }
    r->uconf = att__model_fold_in(cfg, cat, p, r->inv_norm, r->yty, now, r->gram, r->uvec);
    for (j = 0; j < p->model.impressions.n; j++) {
      const att__mark *m = &p->model.impressions.v[j];
      if (m->idx < 0) continue;
      if (att__touch(r, (uint32_t)m->idx)) return att__fail(e, ATT_E_NOMEM, "recommend: out of memory");
    }
  }

  /* the fast path's combined tables; the exact scorer reads the parts */
  for (i = 0; i < nt; i++) {
    double a = r->theta[ATT_SIG_SEGMENT] * r->tagw[i] + r->theta[ATT_SIG_CONTEXT] * r->ctxrule_tag[i];
    double b = r->theta[ATT_SIG_AFFINITY] * r->tagaff[i] + r->theta[ATT_SIG_CONTEXT] * (r->ctxlearn_tag[i] + r->sess_tag[i]);
    r->tag_pair[2 * i] = (float)a;
    r->tag_pair[2 * i + 1] = (float)b;
    if (a != 0 || b != 0) r->use_tags = 1;
  }
  r->model_w = r->uconf > 0 ? (float)(r->theta[ATT_SIG_MODEL] * cfg->w_model * r->uconf) : 0;
  for (i = 0; i < cat->dim; i++) r->uvecf[i] = (float)r->uvec[i];
  for (i = 0; i < nc; i++)
    r->cat_all[i] = r->theta[ATT_SIG_SEGMENT] * r->catw[i] + r->theta[ATT_SIG_AFFINITY] * r->cataff[i] +
                    r->theta[ATT_SIG_CONTEXT] * r->ctxrule_cat[i];
  if (r->seg >= 0 && r->seg < cfg->nsegments &&
      att__item_boosts(r, &cfg->segments[r->seg], r->theta[ATT_SIG_SEGMENT]))
    return att__fail(e, ATT_E_NOMEM, "recommend: out of memory");
  if (level >= ATT_LEVEL_CONTEXTUAL)
    for (g = 0; g < cfg->ncontext_rules; g++)
      if (r->rule_on[g] && att__item_boosts(r, &cfg->context_rules[g], r->theta[ATT_SIG_CONTEXT]))
        return att__fail(e, ATT_E_NOMEM, "recommend: out of memory");
  for (i = 0; i < r->ntouched; i++) {
    uint32_t t = r->touched[i];
    r->extra[t] += (float)(r->theta[ATT_SIG_RELATED] * r->w_rel_norm * r->rel[t]);
  }
  if (level >= ATT_LEVEL_INDIVIDUAL)
    for (j = 0; j < p->model.impressions.n; j++) {
      const att__mark *m = &p->model.impressions.v[j];
      if (m->idx >= 0)
        r->extra[m->idx] -= (float)(r->theta[ATT_SIG_MODEL] * ATT__FATIGUE_STEP *
                                    (m->n < ATT__FATIGUE_CAP ? m->n : ATT__FATIGUE_CAP));
    }

  /* exclusions */
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

/* The cosine of item i's vector with the user vector (int8 vectors: dequantised, so every
 * returned or explained score is computed one way). */
static double att__cosine(const att__ranker *r, uint32_t i) {
  float row[ATT_MAX_DIM];
  const float *y = att__catalog_vec(r->cat, i, row);
  return att__dot(y, r->uvec, (int)r->cat->dim) * r->inv_norm[i];
}

/* The fast score used to select items: the same terms as att__score, combined per call into
 * float tables (the exact scorer reports the returned items' scores). */
static double att__score_fast(const att__ranker *r, uint32_t i) {
  const att__catalog *cat = r->cat;
  float s, f = r->fresh0[i] * r->fresh_scale_f;
  uint16_t cc = cat->cat[i];
  s = r->w_pop_f * cat->pop[i] + r->w_fresh_f * (f > 1 ? 1 : f) + r->extra[i];
  if (r->use_tags) {
    const uint16_t *t = cat->tag_ids + cat->tag_off[i];
    uint32_t n = cat->tag_off[i + 1] - cat->tag_off[i], k;
    float a = 0, b = 0;
    for (k = 0; k < n; k++) {
      const float *pair = r->tag_pair + 2 * t[k];
      a += pair[0];
      b += pair[1];
    }
    s += a + (n ? b * r->inv_sqrt[n] : 0);
  }
  if (cc != ATT_NO_CATEGORY) s += (float)r->cat_all[cc];
  if (r->model_w != 0 && r->inv_norm[i] > 0) s += r->model_w * att__catalog_dotf(cat, i, r->uvecf) * r->inv_norm[i];
  return s;
}

/* Fast scores of every item into r->score (-inf when excluded); returns how many are eligible.
 * The loop reads everything through local restrict pointers, so the stores into score[] do
 * not force the compiler to reload the tables on every item. */
static uint32_t att__score_all(att__ranker *r) {
  const att__catalog *cat = r->cat;
  const uint32_t n = cat->n, dim = cat->dim;
  float *restrict score = r->score;
  const uint8_t *restrict flag = r->flag;
  const float *restrict pop = cat->pop, *restrict fresh0 = r->fresh0, *restrict extra = r->extra;
  const float *restrict pair = r->tag_pair, *restrict inv_norm = r->inv_norm, *restrict inv_sqrt = r->inv_sqrt;
  const float *restrict vec = cat->vec, *restrict vscale = cat->vscale, *restrict u = r->uvecf;
  const int8_t *restrict vq = cat->vq; /* int8 vectors: vq and vscale instead of vec */
  const uint16_t *restrict tag_ids = cat->tag_ids, *restrict cats = cat->cat;
  const uint32_t *restrict tag_off = cat->tag_off;
  const double *restrict cat_all = r->cat_all;
  const float w_pop = r->w_pop_f, w_fresh = r->w_fresh_f, scale = r->fresh_scale_f, model_w = r->model_w;
  const int use_tags = r->use_tags;
  uint32_t i, eligible = 0;
  for (i = 0; i < n; i++) {
    float s, f;
    if (flag[i]) {
      score[i] = -INFINITY;
      continue;
    }
    f = fresh0[i] * scale;
    s = w_pop * pop[i] + w_fresh * (f > 1 ? 1 : f) + extra[i];
    if (use_tags) {
      uint32_t k = tag_off[i], end = tag_off[i + 1];
      float a = 0, b = 0;
      for (; k < end; k++) {
        const float *t = pair + 2 * tag_ids[k];
        a += t[0];
        b += t[1];
      }
      s += a + b * inv_sqrt[tag_off[i + 1] - tag_off[i]];
    }
    if (cats[i] != ATT_NO_CATEGORY) s += (float)cat_all[cats[i]];
    if (model_w != 0 && inv_norm[i] > 0)
      s += model_w * (vq ? att__dotq8(vq + (size_t)i * dim, u, dim) * vscale[i] : att__dotf(vec + (size_t)i * dim, u, dim)) *
           inv_norm[i];
    score[i] = s;
    eligible++;
  }
  return eligible;
}

static void att__emit(const att__ranker *r, att__sink *sink, double *s, int signal, uint32_t key, double raw) {
  double w;
  if (raw == 0) return;
  w = r->theta[att__signal_groups[signal]] * raw;
  *s += w;
  if (!sink) return;
  sink->feat[att__signal_groups[signal]] += raw;
  if (sink->n < ATT__MAX_CONTRIB) {
    sink->v[sink->n].signal = signal;
    sink->v[sink->n].key = key;
    sink->v[sink->n].w = w;
    sink->v[sink->n].raw = raw;
    sink->n++;
  }
}

/* The exact score of item i, one contribution at a time: each is reported to `sink` in the
 * order it is added, so the reported weights sum to the returned score exactly. */
static double att__score(const att__ranker *r, const att__profile *p, uint32_t i, att__sink *sink) {
  const att__catalog *cat = r->cat;
  const att__config *cfg = r->cfg;
  double s = 0, f = r->fresh0[i] * r->fresh_scale;
  uint16_t cc = cat->cat[i];
  int j;
  if (sink) {
    sink->n = 0;
    memset(sink->feat, 0, sizeof sink->feat);
  }
  att__emit(r, sink, &s, ATT__S_POPULARITY, i, cfg->w_popularity * cat->pop[i]);
  att__emit(r, sink, &s, ATT__S_FRESHNESS, i, cfg->w_freshness * (f > 1 ? 1 : f));
  {
    /* per tag for the site's boosts and the affinities; the learned context and the session
       are one contribution each, named by their strongest tag */
    uint32_t k0 = cat->tag_off[i], k1 = cat->tag_off[i + 1], k;
    double inv = k1 > k0 ? 1.0 / sqrt((double)(k1 - k0)) : 0, learned = 0, session = 0;
    uint16_t lt = 0, st = 0;
    for (k = k0; k < k1; k++) {
      uint16_t t = cat->tag_ids[k];
      att__emit(r, sink, &s, ATT__S_SEGMENT_TAG, t, r->tagw[t]);
      att__emit(r, sink, &s, ATT__S_AFFINITY, t, r->tagaff[t] * inv);
      att__emit(r, sink, &s, ATT__S_CONTEXT_TAG, t, r->ctxrule_tag[t]);
      if (fabs(r->ctxlearn_tag[t]) > fabs(r->ctxlearn_tag[lt]) || k == k0) lt = t;
      if (r->sess_tag[t] > r->sess_tag[st] || k == k0) st = t;
      learned += r->ctxlearn_tag[t];
      session += r->sess_tag[t];
    }
    att__emit(r, sink, &s, ATT__S_CONTEXT_LEARNED, lt, learned * inv);
    att__emit(r, sink, &s, ATT__S_SESSION, st, session * inv);
  }
  if (cc != ATT_NO_CATEGORY) {
    att__emit(r, sink, &s, ATT__S_SEGMENT_CATEGORY, cc, r->catw[cc]);
    att__emit(r, sink, &s, ATT__S_CATEGORY, cc, r->cataff[cc]);
    att__emit(r, sink, &s, ATT__S_CONTEXT_CATEGORY, cc, r->ctxrule_cat[cc]);
  }
  if (r->seg >= 0 && r->seg < cfg->nsegments)
    att__emit(r, sink, &s, ATT__S_SEGMENT_ITEM, i, att__item_boost(cat, &cfg->segments[r->seg], i));
  if (r->level >= ATT_LEVEL_CONTEXTUAL)
    for (j = 0; j < cfg->ncontext_rules; j++)
      if (r->rule_on[j]) att__emit(r, sink, &s, ATT__S_CONTEXT_ITEM, i, att__item_boost(cat, &cfg->context_rules[j], i));
  att__emit(r, sink, &s, ATT__S_RELATED, i, r->w_rel_norm * r->rel[i]);
  if (r->uconf > 0 && r->inv_norm[i] > 0) att__emit(r, sink, &s, ATT__S_MODEL, i, cfg->w_model * r->uconf * att__cosine(r, i));
  if (r->level >= ATT_LEVEL_INDIVIDUAL)
    for (j = 0; j < p->model.impressions.n; j++)
      if (p->model.impressions.v[j].idx == (int32_t)i) {
        uint32_t n = p->model.impressions.v[j].n;
        att__emit(r, sink, &s, ATT__S_FATIGUE, i, -ATT__FATIGUE_STEP * (n < ATT__FATIGUE_CAP ? n : ATT__FATIGUE_CAP));
      }
  return s;
}

/* --- selection --------------------------------------------------------------------------- */

/* 1 when a ranks before b: higher score, then lower catalog index. */
static int att__before(const float *score, uint32_t a, uint32_t b) {
  return score[a] > score[b] || (score[a] == score[b] && a < b);
}

/* Heap with the worst kept item at the root. */
static void att__sift_down(const float *score, uint32_t *h, uint32_t n, uint32_t i) {
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

static void att__sift_up(const float *score, uint32_t *h, uint32_t i) {
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
  const float *score = r->score;
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
  for (end = n; end > 1; end--) { /* heap sort: move the worst to the end */
    uint32_t t = h[0];
    h[0] = h[end - 1];
    h[end - 1] = t;
    att__sift_down(score, h, end - 1, 0);
  }
  return n;
}

/* Similarity of two items for diversity: tag overlap (Jaccard), averaged with the cosine of
 * their vectors when the catalog has them. */
static double att__similarity(const att__ranker *r, uint32_t a, uint32_t b) {
  const att__catalog *cat = r->cat;
  uint32_t i = cat->tag_off[a], j = cat->tag_off[b], ie = cat->tag_off[a + 1], je = cat->tag_off[b + 1], inter = 0;
  uint32_t na = ie - i, nb = je - j;
  double jac, cos;
  while (i < ie && j < je) { /* tags are sorted by id: merge */
    if (cat->tag_ids[i] < cat->tag_ids[j]) i++;
    else if (cat->tag_ids[i] > cat->tag_ids[j]) j++;
    else {
      inter++;
      i++;
      j++;
    }
  }
  jac = na + nb > inter ? (double)inter / (double)(na + nb - inter) : 0;
  if (cat->cat[a] != ATT_NO_CATEGORY && cat->cat[a] == cat->cat[b]) jac = (jac + 1) / 2;
  if (cat->dim == 0 || r->inv_norm[a] == 0 || r->inv_norm[b] == 0) return jac;
  cos = att__catalog_dot_items(cat, a, b) * (double)r->inv_norm[a] * r->inv_norm[b];
  return (jac + (cos > 0 ? cos : 0)) / 2;
}

/* Maximal-marginal-relevance re-ranking of `c[0..n)` (best first) in place: each next item
 * maximises (1 - lambda) * relevance - lambda * (similarity to what is already chosen), with
 * relevance the score scaled to [0, 1] over the candidates.  Only the first `upto` places are
 * chosen this way; the rest keep score order. */
static void att__mmr(const att__ranker *r, uint32_t *c, uint32_t n, uint32_t upto, double lambda) {
  double lo = INFINITY, hi = -INFINITY, sim;
  uint32_t i, k;
  double maxsim[ATT_MAX_K * 4 + 64];
  if (n < 3 || lambda <= 0 || n > sizeof maxsim / sizeof *maxsim) return;
  for (i = 0; i < n; i++) {
    if (r->score[c[i]] < lo) lo = r->score[c[i]];
    if (r->score[c[i]] > hi) hi = r->score[c[i]];
    maxsim[i] = 0;
  }
  for (k = 1; k < n && k < upto; k++) {
    uint32_t best = k, t;
    double bestv = -INFINITY;
    for (i = k; i < n; i++) maxsim[i] = fmax(maxsim[i], att__similarity(r, c[k - 1], c[i]));
    for (i = k; i < n; i++) {
      double rel = hi > lo ? (r->score[c[i]] - lo) / (hi - lo) : 1;
      double v = (1 - lambda) * rel - lambda * maxsim[i];
      if (v > bestv) {
        bestv = v;
        best = i;
      }
    }
    t = c[k];
    c[k] = c[best];
    c[best] = t;
    sim = maxsim[k];
    maxsim[k] = maxsim[best];
    maxsim[best] = sim;
  }
}

/* --- reasons ----------------------------------------------------------------------------- */

static const char *const att__verbs[] = {"viewed", "opened", "liked", "shared", "bought"};

static int att__cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Counts the distinct items behind a tag (or category) affinity reason and picks the verb of
 * the strongest interaction among them.  *week says whether they all fall in the last 7 days. */
static int att__history_count(const att__ranker *r, const att__profile *p, int by_tag, uint32_t key, int *verb,
                              int *week) {
  uint32_t items[ATT_MAX_HISTORY];
  const att__catalog *cat = r->cat;
  int n = 0, j, distinct = 0, best = -1, recent = 1;
  for (j = 0; j < p->nwin; j++) {
    const att__event *ev = &p->win[j];
    int match = 0;
    uint32_t k;
    if (ev->idx < 0 || att__ev_weight(r->cfg, ev) <= 0) continue;
    if (by_tag) {
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
    w *= att__decay_since(r->now, ev->at, r->cfg->half_life_days);
    for (k = cat->nb_off[ev->idx]; k < cat->nb_off[ev->idx + 1]; k++)
      if (cat->nb_item[k] == i && cat->nb_w[k] * w > bw) {
        bw = cat->nb_w[k] * w;
        best = ev;
      }
  }
  return best;
}

/* The positive window event whose item's vector is closest to item i's (by cosine: the model
 * signal this names is a cosine). */
static const att__event *att__similar_source(const att__ranker *r, const att__profile *p, uint32_t i) {
  const att__catalog *cat = r->cat;
  const att__event *best = NULL;
  float bs = 0;
  int j;
  for (j = 0; j < p->nwin; j++) {
    const att__event *ev = &p->win[j];
    float sim;
    if (ev->idx < 0 || (uint32_t)ev->idx == i || att__ev_weight(r->cfg, ev) <= 0) continue;
    sim = att__catalog_dot_items(cat, (uint32_t)ev->idx, i) * r->inv_norm[ev->idx];
    if (sim > bs) {
      bs = sim;
      best = ev;
    }
  }
  return best;
}

static const char *att__item_name(const att__catalog *cat, uint32_t i) {
  return cat->title && cat->title[i] != ATT_NO_TITLE ? att__strtab_str(&cat->titles, cat->title[i], NULL)
                                       : att__catalog_id(cat, i);
}

/* "the morning, mobile readers, visitors from search, ..." for the conditions of a rule, with
 * the values that held in this call's context. */
static void att__describe_rule(const att__ranker *r, const att__rule *rule, char *out, size_t cap) {
  static const char *const wd[] = {"Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"};
  static const char *const refs[] = {"search", "social", "email", "direct", "internal"};
  size_t o = 0;
  int k, i;
  out[0] = 0;
  for (k = 0; k < rule->nwhen && o < cap; k++) {
    const char *key = rule->when[k].key, *sep = o ? ", " : "";
    char part[100];
    part[0] = 0;
    if (strcmp(key, "daypart") == 0 && r->ctx.daypart >= 0) att__fmt(part, sizeof part, "the %s", att__daypart_names[r->ctx.daypart]);
    else if (strcmp(key, "device") == 0 && r->ctx.device >= 0) att__fmt(part, sizeof part, "%s readers", att__device_names[r->ctx.device]);
    else if (strcmp(key, "weekday") == 0 && r->ctx.weekday >= 0) att__fmt(part, sizeof part, "%s", wd[r->ctx.weekday]);
    else if (strcmp(key, "referrer") == 0 && r->ctx.referrer >= 0) att__fmt(part, sizeof part, "visitors from %s", refs[r->ctx.referrer]);
    else
      for (i = 0; i < r->cfg->ncontext_keys; i++)
        if (strcmp(r->cfg->context_keys[i], key) == 0 && r->ctx.site[i][0]) att__fmt(part, sizeof part, "%s %s", key, r->ctx.site[i]);
    if (!part[0]) continue;
    o += (size_t)snprintf(out + o, cap - o, "%s%s", sep, part);
  }
  if (!out[0]) att__fmt(out, cap, "this situation");
}

/* 1 when rule `rule` boosts the key of contribution `c` (a tag, category or item). */
static int att__rule_boosts(const att__catalog *cat, const att__rule *rule, const att__contrib *c) {
  int j;
  for (j = 0; j < rule->nboost; j++) {
    const att__boost *b = &rule->boost[j];
    size_t len = strlen(b->key);
    if (c->signal == ATT__S_CONTEXT_TAG && b->kind == ATT_BOOST_TAG && att__strtab_find(&cat->tags, b->key, len) == c->key)
      return 1;
    if (c->signal == ATT__S_CONTEXT_CATEGORY && b->kind == ATT_BOOST_CATEGORY &&
        att__strtab_find(&cat->cats, b->key, len) == c->key)
      return 1;
    if (c->signal == ATT__S_CONTEXT_ITEM && b->kind == ATT_BOOST_ITEM && att__catalog_find(cat, b->key, len) == c->key)
      return 1;
  }
  return 0;
}

/* Plain words for one contribution. */
static void att__reason(const att__ranker *r, const att__profile *p, const att__contrib *c, char *out, size_t cap) {
  const att__catalog *cat = r->cat;
  const att__config *cfg = r->cfg;
  int verb, week, count, j;
  switch (c->signal) {
    case ATT__S_POPULARITY:
      att__fmt(out, cap, "Popular on this site");
      break;
    case ATT__S_FRESHNESS: {
      double age = r->now / ATT_DAY_MS - cat->published[c->key];
      if (!(age >= 1)) att__fmt(out, cap, "New today");
      else if (age < 2) att__fmt(out, cap, "New since yesterday");
      else att__fmt(out, cap, "Published %.0f days ago", floor(age));
      break;
    }
    case ATT__S_SEGMENT_TAG:
      att__fmt(out, cap, "Suggested for the %s segment: tagged %s", att__segment_label(cfg, r->seg),
               att__strtab_str(&cat->tags, c->key, NULL));
      break;
    case ATT__S_SEGMENT_CATEGORY:
      att__fmt(out, cap, "Suggested for the %s segment: in %s", att__segment_label(cfg, r->seg),
               att__strtab_str(&cat->cats, c->key, NULL));
      break;
    case ATT__S_SEGMENT_ITEM:
      att__fmt(out, cap, "Suggested for the %s segment", att__segment_label(cfg, r->seg));
      break;
    case ATT__S_AFFINITY:
    case ATT__S_CATEGORY: {
      int by_tag = c->signal == ATT__S_AFFINITY;
      const char *name = by_tag ? att__strtab_str(&cat->tags, c->key, NULL) : att__strtab_str(&cat->cats, c->key, NULL);
      count = att__history_count(r, p, by_tag, c->key, &verb, &week);
      if (c->w < 0)
        att__fmt(out, cap, "You dismissed items %s %s", by_tag ? "tagged" : "in", name);
      else
        att__fmt(out, cap, "Because you %s %d item%s %s %s %s", att__verbs[verb], count, count == 1 ? "" : "s",
                 by_tag ? "tagged" : "in", name, week ? "this week" : "recently");
      break;
    }
    case ATT__S_CONTEXT_TAG:
    case ATT__S_CONTEXT_CATEGORY:
    case ATT__S_CONTEXT_ITEM: {
      char who[200];
      att__fmt(who, sizeof who, "this situation");
      for (j = 0; j < cfg->ncontext_rules; j++) /* the first rule that holds and boosts it */
        if (r->rule_on[j] && att__rule_boosts(cat, &cfg->context_rules[j], c)) {
          att__describe_rule(r, &cfg->context_rules[j], who, sizeof who);
          break;
        }
      att__fmt(out, cap, "Suggested for %s", who);
      break;
    }
    case ATT__S_CONTEXT_LEARNED: {
      char when[48];
      if (r->ctx.device >= 0)
        att__fmt(when, sizeof when, "on %s in the %s", att__device_names[r->ctx.device], att__daypart_names[r->ctx.daypart]);
      else
        att__fmt(when, sizeof when, "in the %s", att__daypart_names[r->ctx.daypart]);
      if (c->w < 0) att__fmt(out, cap, "Less your thing %s", when);
      else att__fmt(out, cap, "Often read %s: %s", when, att__strtab_str(&cat->tags, c->key, NULL));
      break;
    }
    case ATT__S_SESSION: {
      const char *name = NULL;
      if (r->sess)
        for (j = r->sess->n - 1; j >= 0 && !name; j--) {
          uint32_t k;
          if (r->sess->idx[j] < 0) continue;
          for (k = cat->tag_off[r->sess->idx[j]]; k < cat->tag_off[r->sess->idx[j] + 1]; k++)
            if (cat->tag_ids[k] == c->key) name = att__item_name(cat, (uint32_t)r->sess->idx[j]);
        }
      if (name) att__fmt(out, cap, "Because you just read \"%s\"", name);
      else att__fmt(out, cap, "Like what you are reading now");
      break;
    }
    case ATT__S_RELATED: {
      const att__event *src = att__related_source(r, p, c->key);
      if (src)
        att__fmt(out, cap, "Related to \"%s\", which you %s", att__item_name(cat, (uint32_t)src->idx),
                 att__verbs[src->type < ATT_EV_DISMISS ? src->type : 0]);
      else
        att__fmt(out, cap, "Related to items you liked");
      break;
    }
    case ATT__S_MODEL: {
      const att__event *src = c->w > 0 ? att__similar_source(r, p, c->key) : NULL;
      if (c->w < 0) att__fmt(out, cap, "Unlike what you usually like");
      else if (src) att__fmt(out, cap, "Similar to \"%s\", which you %s", att__item_name(cat, (uint32_t)src->idx),
                             att__verbs[src->type < ATT_EV_DISMISS ? src->type : 0]);
      else att__fmt(out, cap, "Similar to what you liked");
      break;
    }
    case ATT__S_FATIGUE:
      att__fmt(out, cap, "Shown to you %d times without being opened", (int)(-c->raw / ATT__FATIGUE_STEP + 0.5));
      break;
    default:
      att__fmt(out, cap, "?");
  }
}

static int att__cmp_contrib(const void *a, const void *b) {
  const att__contrib *x = a, *y = b;
  return x->w < y->w ? 1 : x->w > y->w ? -1 : 0;
}

/* Up to three reasons for an item, strongest first, one per kind of signal. */
static void att__reasons(att__jw *w, att__jv *arr, const att__ranker *r, const att__profile *p, att__sink *sink,
                         int pinned, int explored) {
  int j, shown = 0, used[ATT__S_COUNT] = {0};
  char text[320];
  qsort(sink->v, (size_t)sink->n, sizeof *sink->v, att__cmp_contrib);
  if (pinned) {
    att__jw_str(w, arr, NULL, "Chosen by the editors");
    shown++;
  }
  if (explored) {
    att__jw_str(w, arr, NULL, "Exploring something new");
    shown++;
  }
  for (j = 0; j < sink->n && shown < 3; j++) {
    int sig = sink->v[j].signal, kind = sig;
    if (sig == ATT__S_SEGMENT_CATEGORY || sig == ATT__S_SEGMENT_ITEM) kind = ATT__S_SEGMENT_TAG;
    if (sig == ATT__S_CONTEXT_CATEGORY || sig == ATT__S_CONTEXT_ITEM) kind = ATT__S_CONTEXT_TAG;
    if (sink->v[j].w <= 0 || used[kind]) continue;
    used[kind] = 1;
    att__reason(r, p, &sink->v[j], text, sizeof text);
    att__jw_str(w, arr, NULL, text);
    shown++;
  }
  if (shown == 0) att__jw_str(w, arr, NULL, "In the site's order");
}

/* --- recommend --------------------------------------------------------------------------- */

/* The t-th eligible item not in the list (listed items carry the pinned flag). */
static int64_t att__explore_pick(const att__ranker *r, uint32_t t) {
  uint32_t seen = 0, i;
  for (i = 0; i < r->cat->n; i++) {
    if (r->flag[i]) continue;
    if (seen++ == t) return i;
  }
  return -1;
}

int att__rank_recommend(att__err *e, att__ranker *r, const att__profile *p, const att__session *s,
                        const att__rank_opts *o, double now, att__buf *out, att__served_item *picked, int *npicked) {
  const att__config *cfg = r->cfg;
  uint32_t n = r->cat->n, i, cap, got, need, want, eligible = 0;
  int32_t at_pos[ATT_MAX_K + 1];
  uint32_t pers[ATT_MAX_K];
  uint8_t is_pin[ATT_MAX_K], explored[ATT_MAX_K];
  int npins = 0, j, total = 0, npers = 0;
  att__jw w;
  att__jv *arr;
  att__sink sink;
  att__rng rng;
  if (att__prepare(e, r, p, s, &o->context, o, now)) return e->code;
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
  eligible = att__score_all(r);

  need = (uint32_t)(o->k - npins);
  want = need;
  if (cfg->max_per_category > 0 && need > 0) want = need * 2 + 16;
  if (r->level >= ATT_LEVEL_BEHAVIORAL && cfg->diversity > 0 && need > 0) {
    uint32_t pool = need * 3 > need + 30 ? need * 3 : need + 30;
    if (pool > ATT_MAX_K * 4 + 64) pool = ATT_MAX_K * 4 + 64;
    if (pool > want) want = pool;
  }
  for (;;) {
    cap = want < n ? want : n;
    got = att__select(r, cap);
    /* with a category cap the walk below may need more than `need` places in MMR order */
    if (r->level >= ATT_LEVEL_BEHAVIORAL && cfg->diversity > 0)
      att__mmr(r, r->heap, got, cfg->max_per_category > 0 ? got : need, cfg->diversity);
    npers = 0;
    if (cfg->max_per_category > 0) {
      /* in rank order, skipping categories that are full; pins count toward the cap */
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
      if ((uint32_t)npers >= need || got < cap || cap == n) break;
      want *= 4;
    } else {
      for (i = 0; i < got && (uint32_t)npers < need; i++) pers[npers++] = r->heap[i];
      break;
    }
  }

  /* merge: pins at their positions, personalised items fill the rest in order */
  {
    int next = 0;
    for (j = 1; j <= o->k; j++) {
      if (at_pos[j] >= 0) {
        picked[total].idx = (uint32_t)at_pos[j];
        is_pin[total++] = 1;
      } else if (next < npers) {
        picked[total].idx = pers[next++];
        is_pin[total++] = 0;
      }
    }
  }
  *npicked = total;

  /* exploration (individual level): each personalised slot, with probability epsilon, shows a
     draw that is uniform over the eligible items not listed plus the slot's greedy item; every
     item carries the probability that it was put in its slot (its propensity) */
  memset(explored, 0, sizeof explored);
  for (j = 0; j < total; j++) {
    picked[j].greedy = 1;
    picked[j].propensity = 1;
    r->flag[picked[j].idx] |= ATT__X_PINNED; /* listed: never drawn again */
  }
  if (r->level >= ATT_LEVEL_INDIVIDUAL && cfg->exploration > 0) {
    double eps = cfg->exploration;
    uint32_t pool = eligible - (uint32_t)npers; /* eligible counted pins out already */
    att__rng_seed(&rng, isnan(o->seed) ? now : o->seed);
    for (j = 0; j < total; j++) {
      double choices = (double)pool + 1;
      if (is_pin[j]) continue;
      picked[j].propensity = (float)((1 - eps) + eps / choices);
      if (att__rng_unit(&rng) < eps) {
        uint32_t t = (uint32_t)(att__rng_unit(&rng) * choices);
        int64_t x = t < pool ? att__explore_pick(r, t) : -1;
        if (x >= 0) {
          r->flag[picked[j].idx] &= (uint8_t)~ATT__X_PINNED; /* the greedy item goes back in the pool */
          r->flag[x] |= ATT__X_PINNED;
          picked[j].idx = (uint32_t)x;
          picked[j].greedy = 0;
          picked[j].propensity = (float)(eps / choices);
          explored[j] = 1;
        }
      }
    }
  }

  arr = att__jw_begin(&w, 1);
  for (j = 0; j < total; j++) {
    att__jv *obj = att__jw_obj(&w, arr, NULL);
    uint32_t idx = picked[j].idx;
    double score = att__score(r, p, idx, &sink);
    int g;
    for (g = 0; g < ATT_SIG_COUNT; g++) picked[j].feat[g] = (float)sink.feat[g];
    att__jw_str(&w, obj, "id", att__catalog_id(r->cat, idx));
    att__jw_num(&w, obj, "score", score);
    att__reasons(&w, att__jw_arr(&w, obj, "reasons"), r, p, &sink, is_pin[j], explored[j]);
    if (is_pin[j]) att__jw_bool(&w, obj, "editorial", 1);
    if (r->level >= ATT_LEVEL_INDIVIDUAL) att__jw_num(&w, obj, "propensity", picked[j].propensity);
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
          att__fmt(buf, cap, "You blocked the tag %s", p->blocked_tags.v[j].key);
          return buf;
        }
    return "You blocked one of its tags";
  }
  if (flag & ATT__X_DISMISSED) return "You said you are not interested";
  if (flag & ATT__X_EDITORIAL) return "Left out by the editors";
  if (flag & ATT__X_SEEN) return "You have already seen it";
  return NULL;
}

int att__rank_explain(att__err *e, att__ranker *r, const att__profile *p, const att__session *s,
                      const att__context *ctx, uint32_t idx, double now, att__buf *out) {
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
  if (att__prepare(e, r, p, s, ctx, &none, now)) return e->code;
  flag = r->flag[idx];
  score = att__score(r, p, idx, &sink);
  r->score[idx] = (float)att__score_fast(r, idx);
  for (i = 0; i < r->cat->n; i++) {
    if (i == idx || r->flag[i]) continue;
    r->score[i] = (float)att__score_fast(r, i);
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
    switch (k->signal) {
      case ATT__S_SEGMENT_TAG: case ATT__S_AFFINITY: case ATT__S_CONTEXT_TAG: case ATT__S_CONTEXT_LEARNED:
      case ATT__S_SESSION:
        att__jw_str(&w, c, "tag", att__strtab_str(&r->cat->tags, k->key, NULL));
        break;
      case ATT__S_SEGMENT_CATEGORY: case ATT__S_CATEGORY: case ATT__S_CONTEXT_CATEGORY:
        att__jw_str(&w, c, "category", att__strtab_str(&r->cat->cats, k->key, NULL));
        break;
      default:
        break;
    }
    if (r->level >= ATT_LEVEL_INDIVIDUAL) att__jw_num(&w, c, "learnedWeight", r->theta[att__signal_groups[k->signal]]);
  }
  if (pinned) {
    att__jv *c = att__jw_obj(&w, list, NULL);
    att__fmt(text, sizeof text, "Placed at position %d by the editors", pinned);
    att__jw_str(&w, c, "signal", "editorial");
    att__jw_str(&w, c, "level", "none");
    att__jw_num(&w, c, "weight", 0);
    att__jw_str(&w, c, "reason", text);
  }
  if (att__jw_finish(&w, out)) return att__fail(e, ATT_E_NOMEM, "explain: out of memory");
  return ATT_OK;
}
