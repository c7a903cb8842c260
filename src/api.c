/* api.c — the public functions of attune.h: argument checks, the clock tick, and the order of
 * operations around each module.  The only file that knows it may be compiled to wasm. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attune.h"
#include "catalog.h"
#include "config.h"
#include "context.h"
#include "core.h"
#include "json.h"
#include "merge.h"
#include "model.h"
#include "privacy.h"
#include "profile.h"
#include "rank.h"
#include "segment.h"
#include "snapshot.h"
#include "transparency.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define ATT_API EMSCRIPTEN_KEEPALIVE
#else
#define ATT_API
#endif

/* Recent recommendation lists, so a click can be attributed to the position it was shown at. */
#define ATT__SERVED_LISTS 4

typedef struct att__served {
  att__served_item items[ATT_MAX_K];
  int n, level;
} att__served;

struct att_engine {
  att__err err;
  att__buf result;
  att__config cfg;
  att__catalog *cat;   /* NULL until a catalog is loaded */
  att__ranker rank;
  att__profile prof;
  int dirty;
  att__served served[ATT__SERVED_LISTS];
  int served_next;
  att__served_item picked[ATT_MAX_K]; /* the list being ranked, before it is known to succeed */
  att__session session; /* this session's interactions: memory only (level contextual and up) */
};

static const char *const att__code_names[] = {"ok",          "out_of_memory",   "bad_json",
                                              "bad_config",  "bad_catalog",     "bad_argument",
                                              "unknown_item", "bad_trait",      "corrupt_profile",
                                              "newer_version", "level_not_allowed", "too_large",
                                              "bad_state"};

/* --- helpers ----------------------------------------------------------------------------- */

static void att__begin(att_engine *h) {
  h->err.code = ATT_OK;
  h->err.msg[0] = 0;
  h->result.len = 0;
}

static int att__result_text(att_engine *h, const char *s) {
  h->result.len = 0;
  if (att__buf_put(&h->result, s, strlen(s))) return att__fail(&h->err, ATT_E_NOMEM, "out of memory");
  return ATT_OK;
}

static int att__check_now(att_engine *h, double now) {
  if (!isfinite(now) || now < 0 || now > 8.64e15)
    return att__fail(&h->err, ATT_E_ARG, "now must be a time in milliseconds since 1970, got %g", now);
  return ATT_OK;
}

/* Marks a change of the persistent profile; nothing is ever stored at level none. */
static void att__changed(att_engine *h, int changed) {
  if (changed && h->prof.level > ATT_LEVEL_NONE) h->dirty = 1;
}

/* Every call that sees the clock enforces retention first. */
static int att__tick(att_engine *h, double now) {
  if (att__check_now(h, now)) return h->err.code;
  att__changed(h, att__privacy_expire(&h->prof, &h->cfg, h->cat, now));
  return ATT_OK;
}

static int att__need_catalog(att_engine *h, const char *what) {
  if (h->cat) return ATT_OK;
  return att__fail(&h->err, ATT_E_STATE, "%s: no catalog is loaded; load one first", what);
}

/* An id or tag argument: 1..max bytes of printable UTF-8. */
static int att__check_key(att_engine *h, const char *what, const char *s, size_t n, size_t max) {
  char q[80];
  if (!s || n == 0) return att__fail(&h->err, ATT_E_ARG, "%s must not be empty", what);
  if (n > max)
    return att__fail(&h->err, ATT_E_ARG, "%s is %zu bytes; the limit is %zu", what, n, max);
  if (!att__valid_text(s, n))
    return att__fail(&h->err, ATT_E_ARG, "%s \"%s\" is not printable UTF-8 text", what, att__quote(q, sizeof q, s, n));
  return ATT_OK;
}

static int att__find_item(att_engine *h, const char *what, const char *id, size_t n, int64_t *idx) {
  char q[80];
  if (att__check_key(h, what, id, n, ATT_MAX_ID_LEN)) return h->err.code;
  *idx = att__catalog_find(h->cat, id, n);
  if (*idx < 0)
    return att__fail(&h->err, ATT_E_UNKNOWN_ITEM, "%s \"%s\" is not in the catalog", what,
                     att__quote(q, sizeof q, id, n));
  return ATT_OK;
}

/* The level a profile may have under the current configuration. */
static int att__allowed_level(const att_engine *h, const att__profile *p) {
  int want = p->level_chosen ? p->level : h->cfg.level;
  return want > h->cfg.max_level ? h->cfg.max_level : want;
}

/* The length of the served list that `item` belongs to. */
static int att__served_len(const att_engine *h, const att__served_item *item) {
  int l;
  for (l = 0; l < ATT__SERVED_LISTS; l++)
    if (item >= h->served[l].items && item < h->served[l].items + h->served[l].n) return h->served[l].n;
  return 0;
}

/* Forgets what this session held, as levels below contextual keep no session. */
static void att__session_clear(att_engine *h) { h->session.n = 0; }

/* Fits a freshly decoded profile to the configuration and catalog, then makes it the
 * engine's profile.  *changed says whether fitting it removed anything (so the stored copy
 * needs rewriting).  On failure the engine's profile is untouched and `p` is freed. */
static int att__adopt(att_engine *h, att__profile *p, double now, int *changed) {
  int before;
  *changed = p->stale;
  p->stale = 0;
  *changed |= att__privacy_purge(p, &h->cfg, h->cat, att__allowed_level(h, p));
  before = p->nwin;
  if (att__profile_bind(p, &h->cfg, h->cat)) {
    att__profile_free(p);
    return att__fail(&h->err, ATT_E_NOMEM, "out of memory");
  }
  *changed |= p->nwin != before;
  *changed |= att__profile_trim(p, &h->cfg, h->cat) > 0;
  *changed |= att__privacy_expire(p, &h->cfg, h->cat, now);
  att__profile_move(&h->prof, p);
  if (h->prof.level < ATT_LEVEL_CONTEXTUAL) att__session_clear(h);
  return ATT_OK;
}

/* --- lifecycle --------------------------------------------------------------------------- */

ATT_API int att_abi_version(void) { return ATT_ABI_VERSION; }

ATT_API const char *att_constants(void) {
  static att__buf text;
  att__jw w;
  att__jv *root, *x;
  int i;
  if (text.len) return (const char *)text.p;
  root = att__jw_begin(&w, 0);
  att__jw_num(&w, root, "abi", ATT_ABI_VERSION);
  att__jw_str(&w, root, "version", ATT_VERSION);
  att__jw_num(&w, root, "snapshotVersion", ATT_SNAPSHOT_VERSION);
  att__jw_num(&w, root, "exportVersion", ATT_EXPORT_VERSION);
  x = att__jw_arr(&w, root, "levels");
  for (i = 0; i < ATT_LEVEL_COUNT; i++) att__jw_str(&w, x, NULL, att__level_name(i));
  x = att__jw_arr(&w, root, "events");
  for (i = 0; i < ATT_EV_COUNT; i++) att__jw_str(&w, x, NULL, att__event_name(i));
  x = att__jw_arr(&w, root, "errors");
  for (i = 0; i < (int)(sizeof att__code_names / sizeof *att__code_names); i++)
    att__jw_str(&w, x, NULL, att__code_names[i]);
  x = att__jw_obj(&w, root, "limits");
  att__jw_num(&w, x, "idBytes", ATT_MAX_ID_LEN);
  att__jw_num(&w, x, "tagBytes", ATT_MAX_TAG_LEN);
  att__jw_num(&w, x, "titleBytes", ATT_MAX_TITLE_LEN);
  att__jw_num(&w, x, "items", ATT_MAX_ITEMS);
  att__jw_num(&w, x, "itemTags", ATT_MAX_ITEM_TAGS);
  att__jw_num(&w, x, "neighbors", ATT_MAX_NEIGHBORS);
  att__jw_num(&w, x, "dim", ATT_MAX_DIM);
  att__jw_num(&w, x, "traits", ATT_MAX_TRAITS);
  att__jw_num(&w, x, "segments", ATT_MAX_SEGMENTS);
  att__jw_num(&w, x, "history", ATT_MAX_HISTORY);
  att__jw_num(&w, x, "blocked", ATT_MAX_BLOCKED);
  att__jw_num(&w, x, "k", ATT_MAX_K);
  att__jw_num(&w, x, "list", ATT_MAX_LIST);
  att__jw_num(&w, x, "jsonDepth", ATT_MAX_JSON_DEPTH);
  att__jw_num(&w, x, "positions", ATT_POSITIONS);
  if (att__jw_finish(&w, &text) || att__buf_u8(&text, 0)) {
    att__buf_free(&text);
    return "{}";
  }
  text.len--; /* keep the NUL out of the length, in the buffer */
  return (const char *)text.p;
}

ATT_API att_engine *att_new(void) {
  att_engine *h = att__calloc(1, sizeof *h);
  att__err e;
  if (!h) return NULL;
  if (att__config_parse(&e, "{}", 2, &h->cfg)) {
    att__free(h);
    return NULL;
  }
  att__profile_init(&h->prof, h->cfg.level);
  return h;
}

ATT_API void att_free(att_engine *h) {
  if (!h) return;
  att__profile_free(&h->prof);
  att__ranker_free(&h->rank);
  att__catalog_free(h->cat);
  att__config_free(&h->cfg);
  att__buf_free(&h->result);
  att__free(h);
}

ATT_API const char *att_errmsg(const att_engine *h) { return h ? h->err.msg : "no engine"; }
ATT_API int att_errcode(const att_engine *h) { return h ? h->err.code : ATT_E_ARG; }
ATT_API const unsigned char *att_result(const att_engine *h) { return h ? h->result.p : NULL; }
ATT_API size_t att_result_len(const att_engine *h) { return h ? h->result.len : 0; }
ATT_API int att_level(const att_engine *h) { return h ? h->prof.level : ATT_LEVEL_NONE; }

ATT_API int att_take_dirty(att_engine *h) {
  int d;
  if (!h) return 0;
  d = h->dirty;
  h->dirty = 0;
  return d;
}

ATT_API void *att_alloc(size_t n) { return att__malloc(n); }
ATT_API void att_dealloc(void *p) { att__free(p); }

/* --- configuration and catalog ----------------------------------------------------------- */

/* Maps the profile's trait values from the old configuration onto the new one by name. */
static void att__remap_traits(att__profile *p, const att__config *from, const att__config *to) {
  int16_t trait[ATT_MAX_TRAITS];
  double at[ATT_MAX_TRAITS];
  int i;
  for (i = 0; i < ATT_MAX_TRAITS; i++) {
    trait[i] = -1;
    at[i] = NAN;
  }
  for (i = 0; i < from->ntraits; i++) {
    const char *name, *value;
    int t, v;
    if (p->trait[i] < 0) continue;
    name = from->traits[i].name;
    value = from->traits[i].values[p->trait[i]];
    t = att__config_trait(to, name, strlen(name));
    if (t < 0) continue;
    v = att__config_trait_value(&to->traits[t], value, strlen(value));
    if (v < 0) continue;
    trait[t] = (int16_t)v;
    at[t] = p->trait_at[i];
  }
  memcpy(p->trait, trait, sizeof trait);
  memcpy(p->trait_at, at, sizeof at);
}

static int att__same_labels(const att__config *a, const att__config *b) {
  int i;
  if (a->nsegments != b->nsegments || strcmp(a->default_segment, b->default_segment) != 0) return 0;
  for (i = 0; i < a->nsegments; i++)
    if (strcmp(a->segments[i].label, b->segments[i].label) != 0) return 0;
  return 1;
}

ATT_API int att_configure(att_engine *h, const char *json, size_t len, double now) {
  att__config cfg, old;
  att__ranker rank;
  int level;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__check_now(h, now)) return h->err.code;
  if (att__config_parse(&h->err, json, len, &cfg)) return h->err.code;
  /* everything that can fail comes before the first change */
  if (att__config_json(&cfg, &h->result)) {
    att__config_free(&cfg);
    return att__fail(&h->err, ATT_E_NOMEM, "config: out of memory");
  }
  memset(&rank, 0, sizeof rank);
  old = h->cfg;
  h->cfg = cfg; /* the ranker keeps a pointer to h->cfg, so bind against it */
  if (h->cat && (att__ranker_bind(&rank, &h->cfg, h->cat) || att__profile_bind(&h->prof, &h->cfg, h->cat))) {
    /* a failed bind changed nothing: the profile is still bound as before */
    att__ranker_free(&rank);
    h->cfg = old;
    att__config_free(&cfg);
    return att__fail(&h->err, ATT_E_NOMEM, "config: out of memory");
  }
  if (h->cat) {
    att__ranker_free(&h->rank);
    h->rank = rank;
  }
  att__remap_traits(&h->prof, &old, &h->cfg);
  if (!att__same_labels(&old, &h->cfg)) {
    h->prof.label_epoch = -1;
    h->prof.label_n = 0;
  }
  att__config_free(&old);
  level = att__allowed_level(h, &h->prof);
  att__privacy_purge(&h->prof, &h->cfg, h->cat, level);
  if (level < ATT_LEVEL_CONTEXTUAL) att__session_clear(h);
  att__profile_trim(&h->prof, &h->cfg, h->cat);
  att__changed(h, 1); /* traits, labels, level or history may all have been refitted */
  return att__tick(h, now);
}

ATT_API int att_load_catalog(att_engine *h, const char *json, size_t len, double now) {
  att__catalog *cat = NULL;
  att__ranker rank;
  att__jw w;
  att__jv *root;
  int before, rc;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__check_now(h, now)) return h->err.code;
  if (len >= 4 && json && memcmp(json, ATT_CATALOG_MAGIC, 4) == 0) {
    if (att__catalog_load_packed(&h->err, (const unsigned char *)json, len, h->cfg.model_vectors, &cat))
      return h->err.code;
  } else if (att__catalog_parse(&h->err, json, len, h->cfg.model_vectors, &cat)) {
    return h->err.code;
  }
  root = att__jw_begin(&w, 0);
  att__jw_num(&w, root, "items", cat->n);
  att__jw_num(&w, root, "tags", cat->tags.n);
  att__jw_num(&w, root, "categories", cat->cats.n);
  att__jw_num(&w, root, "dim", cat->dim);
  att__jw_num(&w, root, "droppedNeighbors", cat->dropped_neighbors);
  att__jw_num(&w, root, "bytes", (double)att__catalog_bytes(cat));
  memset(&rank, 0, sizeof rank);
  before = h->prof.nwin;
  /* everything that can fail comes before the first change (a failed bind changes nothing) */
  rc = att__ranker_bind(&rank, &h->cfg, cat);
  if (!rc) {
    att__jw_num(&w, root, "rankingBytes", (double)att__ranker_bytes(&rank));
    rc = att__jw_finish(&w, &h->result);
  } else {
    att__jw_finish(&w, &h->result); /* frees the document */
  }
  if (rc || att__profile_bind(&h->prof, &h->cfg, cat)) {
    att__ranker_free(&rank);
    att__catalog_free(cat);
    return att__fail(&h->err, ATT_E_NOMEM, "catalog: out of memory");
  }
  att__ranker_free(&h->rank);
  h->rank = rank;
  att__catalog_free(h->cat);
  h->cat = cat;
  memset(h->served, 0, sizeof h->served); /* both hold indices into the old catalog */
  att__session_clear(h);
  att__changed(h, h->prof.nwin != before);
  return att__tick(h, now);
}

/* --- profile changes --------------------------------------------------------------------- */

ATT_API int att_set_traits(att_engine *h, const char *json, size_t len, double now) {
  att__jv *root;
  const att__jv *x;
  int16_t val[ATT_MAX_TRAITS];
  int set[ATT_MAX_TRAITS] = {0}, i;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  root = att__json_parse(&h->err, "traits", json, len);
  if (!root) return h->err.code;
  if (att__jv_type(root) != ATT__J_OBJ) {
    att__fail(&h->err, ATT_E_ARG, "traits: expected an object {name: value}, got %s", att__jv_typename(root));
    att__json_free(root);
    return h->err.code;
  }
  if (att__json_check_keys(&h->err, ATT_E_ARG, root, "traits", NULL)) {
    att__json_free(root);
    return h->err.code;
  }
  for (x = att__jv_first(root); x; x = att__jv_next(x)) {
    const char *name = att__jv_key(x), *v;
    size_t n;
    char q[80], q2[80];
    int t = att__config_trait(&h->cfg, name, strlen(name)), vi;
    if (t < 0) {
      att__fail(&h->err, ATT_E_TRAIT,
                strcmp(name, "usage") == 0
                    ? "traits.usage: usage is derived from activity and cannot be set"
                    : "traits.%s: not a declared trait; declare it in config.traits first",
                att__quote(q, sizeof q, name, strlen(name)));
      att__json_free(root);
      return h->err.code;
    }
    if (att__jv_type(x) == ATT__J_NULL) {
      val[t] = -1;
      set[t] = 1;
      continue;
    }
    if (att__jv_type(x) != ATT__J_STR) {
      att__fail(&h->err, ATT_E_TRAIT, "traits.%s: expected a string or null, got %s", h->cfg.traits[t].name,
                att__jv_typename(x));
      att__json_free(root);
      return h->err.code;
    }
    v = att__jv_str(x, &n);
    vi = att__config_trait_value(&h->cfg.traits[t], v, n);
    if (vi < 0) {
      att__fail(&h->err, ATT_E_TRAIT, "traits.%s: \"%s\" is not a declared value of this trait",
                h->cfg.traits[t].name, att__quote(q2, sizeof q2, v, n));
      att__json_free(root);
      return h->err.code;
    }
    val[t] = (int16_t)vi;
    set[t] = 1;
  }
  att__json_free(root);
  if (h->prof.level == ATT_LEVEL_NONE) return ATT_OK; /* level none keeps no traits */
  for (i = 0; i < h->cfg.ntraits; i++) {
    if (!set[i]) continue;
    h->prof.trait[i] = val[i];
    h->prof.trait_at[i] = val[i] >= 0 ? now : NAN;
    h->dirty = 1;
  }
  return ATT_OK;
}

/* The most recent served entry for item idx and its 1-based position (0 and NULL when it was
 * not in a recent list).  Lists ranked at level none are skipped: that level records nothing,
 * not even a baseline. */
static const att__served_item *att__served_find(const att_engine *h, uint32_t idx, int *position, int *level) {
  int l, j;
  for (l = 0; l < ATT__SERVED_LISTS; l++) {
    const att__served *s = &h->served[(h->served_next - 1 - l + 2 * ATT__SERVED_LISTS) % ATT__SERVED_LISTS];
    for (j = 0; j < s->n; j++)
      if (s->items[j].idx == idx && s->level > ATT_LEVEL_NONE) {
        *level = s->level;
        *position = j + 1;
        return &s->items[j];
      }
  }
  *level = h->prof.level;
  *position = 0;
  return NULL;
}

/* Adds an interaction (arriving at `at`) to the session, starting a new session after a long
 * pause. */
static void att__session_add(att_engine *h, int32_t idx, double at) {
  att__session *s = &h->session;
  if (s->n > 0 && at - s->at[s->n - 1] > ATT_SESSION_GAP_MS) s->n = 0;
  if (s->n == ATT_SESSION_MAX) {
    memmove(s->idx, s->idx + 1, (ATT_SESSION_MAX - 1) * sizeof *s->idx);
    memmove(s->at, s->at + 1, (ATT_SESSION_MAX - 1) * sizeof *s->at);
    s->n--;
  }
  s->idx[s->n] = idx;
  s->at[s->n] = at;
  s->n++;
}

/* The session as of `now`: empty once it has ended. */
static const att__session *att__session_now(att_engine *h, double now) {
  if (h->prof.level < ATT_LEVEL_CONTEXTUAL) h->session.n = 0;
  if (h->session.n > 0 && now - h->session.at[h->session.n - 1] > ATT_SESSION_GAP_MS) h->session.n = 0;
  return &h->session;
}

ATT_API int att_track(att_engine *h, const char *item, size_t item_len, int type, double at, double value,
                      double eid, const char *ctx, size_t ctx_len, double now) {
  att__profile *p;
  att__event ev;
  att__context context;
  char *dkey = NULL, *ikey = NULL;
  const att__served_item *served;
  int64_t idx;
  int level, slot, position, keep, dismiss, shown, sensitive, bucket;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  p = &h->prof;
  if (att__tick(h, now) || att__need_catalog(h, "track") || att__find_item(h, "track: item", item, item_len, &idx))
    return h->err.code;
  if (type < 0 || type >= ATT_EV_COUNT)
    return att__fail(&h->err, ATT_E_ARG,
                     "track: type must be one of view, click, like, share, purchase, dismiss, impression");
  if (isnan(at)) at = now;
  if (!isfinite(at) || at < 0 || at > now + ATT_DAY_MS)
    return att__fail(&h->err, ATT_E_ARG, "track: at must be a time in ms no later than now, got %g", at);
  at = floor(at);
  if (at < now - h->cfg.retention_days * ATT_DAY_MS)
    return att__fail(&h->err, ATT_E_ARG,
                     "track: at is older than the retention of %g days; such events are not kept",
                     h->cfg.retention_days);
  if (isnan(value)) value = 1;
  if (!isfinite(value) || value < 0 || value > 100)
    return att__fail(&h->err, ATT_E_ARG, "track: value must be a number from 0 to 100, got %g", value);
  if (!isfinite(eid) || eid < 0 || eid >= 9007199254740992.0 || eid != floor(eid))
    return att__fail(&h->err, ATT_E_ARG, "track: the event id must be a whole number below 2^53");
  if (att__context_parse_text(&h->err, &h->cfg, ctx, ctx_len, "track: context", &context)) return h->err.code;
  if (p->level == ATT_LEVEL_NONE) return ATT_OK;

  /* allocate first, so a failure leaves the profile as it was */
  sensitive = att__item_sensitive(&h->cfg, h->cat, (int32_t)idx); /* never kept or learned from */
  keep = p->level >= ATT_LEVEL_BEHAVIORAL && type != ATT_EV_IMPRESSION && !sensitive;
  dismiss = p->level >= ATT_LEVEL_BEHAVIORAL && type == ATT_EV_DISMISS &&
            att__marks_find(&p->dismissed, item, item_len) < 0;
  shown = p->level >= ATT_LEVEL_INDIVIDUAL && type == ATT_EV_IMPRESSION && !sensitive;
  memset(&ev, 0, sizeof ev);
  if ((dismiss && (att__marks_reserve(&p->dismissed) || !(dkey = att__strndup(item, item_len)))) ||
      (keep && (att__profile_reserve(p) || !(ev.item = att__strndup(item, item_len)))) ||
      (shown && (att__marks_reserve(&p->model.impressions) || !(ikey = att__strndup(item, item_len))))) {
    att__free(dkey);
    att__free(ev.item);
    att__free(ikey);
    return att__fail(&h->err, ATT_E_NOMEM, "track: out of memory");
  }

  att__profile_mark_active(p, at);
  served = att__served_find(h, (uint32_t)idx, &position, &level);
  slot = att__metrics_slot(position);
  if (type == ATT_EV_IMPRESSION || type == ATT_EV_CLICK) {
    if (isnan(p->metrics_since)) p->metrics_since = now;
    if (type == ATT_EV_IMPRESSION) p->impr[level][slot]++;
    else p->clicks[level][slot]++;
  }
  h->dirty = 1;
  if (p->level >= ATT_LEVEL_INDIVIDUAL && !sensitive) {
    /* the model learns from what was shown and what was clicked, and logs the counterfactual */
    if (shown) att__model_count_impression(&p->model, ikey, (int32_t)idx, at);
    if (served && level >= ATT_LEVEL_INDIVIDUAL && (type == ATT_EV_IMPRESSION || type == ATT_EV_CLICK)) {
      if (type == ATT_EV_CLICK) {
        /* skip-above: the items listed above the clicked one (and the one right below) were
           seen and passed over; each is a pair the clicked item won */
        const att__served_item *first = served - (position - 1);
        int j, n = att__served_len(h, served);
        for (j = 0; j < n && j <= position; j++)
          if (first + j != served) att__model_learn(&h->cfg, &p->model, served->feat, first[j].feat);
      }
      if (type == ATT_EV_IMPRESSION) {
        p->model.ips_n += 1;
        if (!served->greedy) p->model.explored_shown++;
      } else if (served->greedy) {
        p->model.ips_greedy += 1.0 / served->propensity;
      } else {
        p->model.explored_clicked++;
      }
    }
  }
  if (p->level >= ATT_LEVEL_CONTEXTUAL && !sensitive && type != ATT_EV_IMPRESSION && type != ATT_EV_DISMISS)
    att__session_add(h, (int32_t)idx, now); /* the visit runs on arrival time, whatever `at` says */
  if (type != ATT_EV_IMPRESSION && type != ATT_EV_DISMISS) {
    /* an item opened is no longer one "shown without being opened" */
    int m = att__marks_find(&p->model.impressions, item, item_len);
    if (m >= 0) att__marks_remove(&p->model.impressions, m);
  }
  if (dismiss || (type == ATT_EV_DISMISS && p->level >= ATT_LEVEL_BEHAVIORAL)) {
    if (dkey) {
      if (p->dismissed.n >= ATT_MAX_DISMISSED) { /* keep the newest dismissals */
        int oldest = 0, j;
        for (j = 1; j < p->dismissed.n; j++)
          if (p->dismissed.v[j].at < p->dismissed.v[oldest].at) oldest = j;
        att__marks_remove(&p->dismissed, oldest);
      }
      att__marks_put(&p->dismissed, dkey, (int32_t)idx, at);
    } else {
      att__marks_add(&p->dismissed, item, item_len, (int32_t)idx, at, ATT_MAX_DISMISSED); /* refreshes `at` */
    }
  }
  if (!keep) return ATT_OK;
  bucket = att__context_bucket(&context);
  ev.eid = eid;
  ev.at = at;
  ev.value = value;
  ev.idx = (int32_t)idx;
  ev.type = (uint8_t)type;
  ev.bucket = (uint8_t)(p->level >= ATT_LEVEL_CONTEXTUAL && bucket >= 0 ? bucket + 1 : 0);
  if (att__profile_add_event(p, &h->cfg, h->cat, &ev) != 1) att__free(ev.item); /* a replayed event */
  att__profile_trim(p, &h->cfg, h->cat); /* the window keeps the newest history.size */
  return ATT_OK;
}

ATT_API int att_set_level(att_engine *h, int level, double now) {
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  if (level < 0 || level >= ATT_LEVEL_COUNT)
    return att__fail(&h->err, ATT_E_ARG, "level must be none, segment, behavioral, contextual or individual");
  if (level > h->cfg.max_level)
    return att__fail(&h->err, ATT_E_LEVEL, "level \"%s\" is above this site's maximum \"%s\"",
                     att__level_name(level), att__level_name(h->cfg.max_level));
  /* what level none held lasted for the session only (blocks): raising the level never keeps it */
  if (h->prof.level == ATT_LEVEL_NONE) att__privacy_purge(&h->prof, &h->cfg, h->cat, ATT_LEVEL_NONE);
  att__privacy_purge(&h->prof, &h->cfg, h->cat, level);
  if (level < ATT_LEVEL_CONTEXTUAL) att__session_clear(h);
  h->prof.level_chosen = 1;
  h->dirty = level > ATT_LEVEL_NONE;
  return ATT_OK;
}

ATT_API int att_block(att_engine *h, int kind, const char *key, size_t key_len, int on, double now) {
  att__profile *p;
  att__marks *m;
  int64_t idx;
  int rc, i;
  char q[80];
  if (!h) return ATT_E_ARG;
  att__begin(h);
  p = &h->prof;
  if (att__tick(h, now) || att__need_catalog(h, "block")) return h->err.code;
  if (kind == 1) {
    if (att__find_item(h, "block: item", key, key_len, &idx)) return h->err.code;
    m = &p->blocked_items;
  } else if (kind == 0) {
    if (att__check_key(h, "block: tag", key, key_len, ATT_MAX_TAG_LEN)) return h->err.code;
    idx = att__strtab_find(&h->cat->tags, key, key_len);
    if (idx < 0)
      return att__fail(&h->err, ATT_E_ARG, "block: tag \"%s\" is not used in the catalog",
                       att__quote(q, sizeof q, key, key_len));
    m = &p->blocked_tags;
  } else {
    return att__fail(&h->err, ATT_E_ARG, "block: give a tag or an item");
  }
  i = att__marks_find(m, key, key_len);
  if (!on) {
    if (i >= 0) {
      att__marks_remove(m, i);
      att__changed(h, 1);
    }
    return ATT_OK;
  }
  if (i < 0 && p->blocked_items.n + p->blocked_tags.n >= ATT_MAX_BLOCKED)
    return att__fail(&h->err, ATT_E_LIMIT, "block: at most %d tags and items can be blocked", ATT_MAX_BLOCKED);
  rc = att__marks_add(m, key, key_len, (int32_t)idx, now, ATT_MAX_BLOCKED);
  if (rc) return att__fail(&h->err, rc, "block: out of memory");
  att__changed(h, 1);
  return ATT_OK;
}

ATT_API int att_forget(att_engine *h) {
  att__profile fresh;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  att__profile_init(&fresh, h->cfg.level);
  if (att__profile_bind(&fresh, &h->cfg, h->cat)) {
    att__profile_free(&fresh);
    return att__fail(&h->err, ATT_E_NOMEM, "forget: out of memory");
  }
  att__profile_move(&h->prof, &fresh);
  memset(h->served, 0, sizeof h->served);
  att__session_clear(h);
  h->dirty = 0; /* nothing is left to store; the caller deletes the stored copy */
  return ATT_OK;
}

/* --- reading ----------------------------------------------------------------------------- */

ATT_API int att_recommend(att_engine *h, const char *opts, size_t opts_len, double now) {
  att__rank_opts o;
  att__served *s;
  int rc, n;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now) || att__need_catalog(h, "recommend")) return h->err.code;
  if (att__rank_opts_parse(&h->err, &h->cfg, h->cat, opts, opts_len, &o)) return h->err.code;
  rc = att__rank_recommend(&h->err, &h->rank, &h->prof, att__session_now(h, now), &o, now, &h->result, h->picked, &n);
  att__rank_opts_free(&o);
  if (rc) return rc;
  /* remember the list (for crediting clicks to positions) only once it was returned */
  s = &h->served[h->served_next];
  memcpy(s->items, h->picked, (size_t)n * sizeof *h->picked);
  s->n = n;
  s->level = h->prof.level;
  h->served_next = (h->served_next + 1) % ATT__SERVED_LISTS;
  return ATT_OK;
}

ATT_API int att_explain(att_engine *h, const char *item, size_t item_len, const char *ctx, size_t ctx_len,
                        double now) {
  int64_t idx;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  att__context context;
  if (att__tick(h, now) || att__need_catalog(h, "explain") ||
      att__find_item(h, "explain: item", item, item_len, &idx) ||
      att__context_parse_text(&h->err, &h->cfg, ctx, ctx_len, "explain: context", &context))
    return h->err.code;
  return att__rank_explain(&h->err, &h->rank, &h->prof, att__session_now(h, now), &context, (uint32_t)idx, now,
                           &h->result);
}

ATT_API int att_segment(att_engine *h, double now) {
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  return att__result_text(h, att__segment_label(&h->cfg, att__segment_match(&h->cfg, &h->prof, now)));
}

ATT_API int att_server_payload(att_engine *h, double seed, double now) {
  att__profile memo;
  int drawn, label;
  att__jw w;
  att__jv *root;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  if (!isfinite(seed)) return att__fail(&h->err, ATT_E_ARG, "serverPayload: the seed must be a finite number");
  memo = h->prof; /* the label memo fields, to undo a draw whose answer could not be returned */
  label = att__segment_report(&h->cfg, &h->prof, seed, now, &drawn);
  if (label < 0) return att__result_text(h, "null");
  root = att__jw_begin(&w, 0);
  att__jw_str(&w, root, "segment", att__segment_label(&h->cfg, label));
  if (att__jw_finish(&w, &h->result)) {
    h->prof.label_epoch = memo.label_epoch;
    h->prof.label_n = memo.label_n;
    memcpy(h->prof.label_truth, memo.label_truth, sizeof memo.label_truth);
    memcpy(h->prof.label_value, memo.label_value, sizeof memo.label_value);
    h->prof.label_epochs = memo.label_epochs;
    h->prof.label_first = memo.label_first;
    return att__fail(&h->err, ATT_E_NOMEM, "out of memory");
  }
  att__changed(h, drawn);
  return ATT_OK;
}

ATT_API int att_inventory(att_engine *h, double now) {
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  if (att__inventory_json(&h->prof, &h->cfg, h->cat, att__session_now(h, now)->n, now, &h->result))
    return att__fail(&h->err, ATT_E_NOMEM, "inventory: out of memory");
  return ATT_OK;
}

ATT_API int att_metrics(att_engine *h, double now) {
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  if (att__metrics_json(&h->prof, now, &h->result)) return att__fail(&h->err, ATT_E_NOMEM, "metrics: out of memory");
  return ATT_OK;
}

ATT_API int att_privacy_report(att_engine *h, double now) {
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  if (att__privacy_report_json(&h->prof, &h->cfg, now, &h->result))
    return att__fail(&h->err, ATT_E_NOMEM, "privacyReport: out of memory");
  return ATT_OK;
}

/* --- serialised forms -------------------------------------------------------------------- */

/* The profile as storage or an export sees it: at level none that is an empty profile
 * (session-only blocks are not data that is kept). */
static const att__profile *att__kept(const att_engine *h, att__profile *empty) {
  if (h->prof.level > ATT_LEVEL_NONE) return &h->prof;
  att__profile_init(empty, ATT_LEVEL_NONE);
  empty->level_chosen = h->prof.level_chosen;
  return empty;
}


ATT_API int att_snapshot(att_engine *h, double now) {
  att__profile empty;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  if (att__snapshot_encode(att__kept(h, &empty), &h->cfg, now, &h->result))
    return att__fail(&h->err, ATT_E_NOMEM, "snapshot: out of memory");
  return ATT_OK;
}

ATT_API int att_restore(att_engine *h, const unsigned char *bytes, size_t len, double now) {
  att__profile p;
  int changed;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__check_now(h, now)) return h->err.code;
  if (att__snapshot_decode(&h->err, &h->cfg, bytes, len, &p)) return h->err.code;
  if (att__adopt(h, &p, now, &changed)) return h->err.code;
  memset(h->served, 0, sizeof h->served);
  h->dirty = 0; /* what was just read is what is stored, unless fitting it changed it */
  att__changed(h, changed);
  return ATT_OK;
}

/* Decodes stored bytes, or makes the empty profile a missing record stands for. */
static int att__decode_or_empty(att_engine *h, const unsigned char *b, size_t n, att__profile *p) {
  if (n) return att__snapshot_decode(&h->err, &h->cfg, b, n, p);
  att__profile_init(p, h->cfg.level);
  return ATT_OK;
}

ATT_API int att_merge(att_engine *h, const unsigned char *base, size_t base_len, const unsigned char *theirs,
                      size_t theirs_len, double now) {
  att__profile b, t, m;
  int changed, rc;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__check_now(h, now)) return h->err.code;
  if (att__decode_or_empty(h, base, base_len, &b)) return h->err.code;
  if (att__decode_or_empty(h, theirs, theirs_len, &t)) {
    att__profile_free(&b);
    return h->err.code;
  }
  rc = att__merge(&h->err, &h->cfg, &b, &t, &h->prof, &m);
  att__profile_free(&b);
  att__profile_free(&t);
  if (rc) return rc;
  if (att__adopt(h, &m, now, &changed)) return h->err.code;
  att__changed(h, 1);
  return ATT_OK;
}

ATT_API int att_export(att_engine *h, double now) {
  att__profile empty;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__tick(h, now)) return h->err.code;
  if (att__export_json(att__kept(h, &empty), &h->cfg, now, &h->result))
    return att__fail(&h->err, ATT_E_NOMEM, "export: out of memory");
  return ATT_OK;
}

ATT_API int att_import(att_engine *h, const char *json, size_t len, double now) {
  att__profile p;
  int changed;
  if (!h) return ATT_E_ARG;
  att__begin(h);
  if (att__check_now(h, now)) return h->err.code;
  if (att__import_json(&h->err, &h->cfg, json, len, &p)) return h->err.code;
  if (att__adopt(h, &p, now, &changed)) return h->err.code;
  memset(h->served, 0, sizeof h->served);
  att__changed(h, 1);
  return ATT_OK;
}
