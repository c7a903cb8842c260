/* config.c — parsing and validating the site's configuration. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

static const char *const att__level_names[ATT_LEVEL_COUNT] = {"none", "segment", "behavioral",
                                                              "contextual", "individual"};
static const char *const att__event_names[ATT_EV_COUNT] = {"view",     "click",   "like",      "share",
                                                           "purchase", "dismiss", "impression"};
const char *const att__usage_names[3] = {"light", "regular", "heavy"};

/* Built-in context keys and their values; the site may declare more keys (free values). */
static const char *const att__ctx_daypart[] = {"morning", "afternoon", "evening", "night", NULL};
static const char *const att__ctx_weekday[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun",
                                               "weekday", "weekend", NULL};
static const char *const att__ctx_device[] = {"mobile", "tablet", "desktop", NULL};
static const char *const att__ctx_referrer[] = {"search", "social", "email", "direct", "internal", NULL};

static int att__name_index(const char *const *names, int count, const char *s, size_t n) {
  int i;
  for (i = 0; i < count && names[i]; i++)
    if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) return i;
  return -1;
}

int att__level_from_name(const char *s, size_t n) {
  return att__name_index(att__level_names, ATT_LEVEL_COUNT, s, n);
}
const char *att__level_name(int level) {
  return level >= 0 && level < ATT_LEVEL_COUNT ? att__level_names[level] : "?";
}
const char *att__event_name(int type) {
  return type >= 0 && type < ATT_EV_COUNT ? att__event_names[type] : "?";
}
int att__event_from_name(const char *s, size_t n) {
  return att__name_index(att__event_names, ATT_EV_COUNT, s, n);
}

void att__config_defaults(att__config *c) {
  memset(c, 0, sizeof *c);
  c->level = ATT_LEVEL_BEHAVIORAL;
  c->max_level = ATT_LEVEL_INDIVIDUAL;
  c->history_size = 100;
  c->retention_days = 30;
  c->half_life_days = 7;
  c->event_w[ATT_EV_VIEW] = 0.2;
  c->event_w[ATT_EV_CLICK] = 1;
  c->event_w[ATT_EV_LIKE] = 2;
  c->event_w[ATT_EV_SHARE] = 2;
  c->event_w[ATT_EV_PURCHASE] = 3;
  c->event_w[ATT_EV_DISMISS] = -2;
  c->event_w[ATT_EV_IMPRESSION] = 0;
  c->usage_regular_days = 4;
  c->usage_heavy_days = 12;
  c->label_k = 50;
  c->random_rate = 0.05;
  c->epsilon = NAN;
  c->epoch_days = 7;
  c->exclude_seen = 1;
  c->diversity = 0.2;
  c->max_per_category = 0;
  c->exploration = 0.05;
  c->w_popularity = 0.3;
  c->w_freshness = 0.2;
  c->w_affinity = 1;
  c->w_related = 0.5;
  c->w_context = 0.5;
  c->w_session = 0.5;
  c->w_model = 1;
  c->freshness_half_life_days = 14;
  c->model_lambda = 1;
  c->model_alpha = 4;
  c->model_rate = 0.05;
  c->model_vectors = ATT_VEC_F32;
}

static void att__strv_free(char **v, int n) {
  int i;
  for (i = 0; i < n; i++) att__free(v[i]);
  att__free(v);
}

static void att__rule_free(att__rule *r) {
  int i;
  att__free(r->label);
  for (i = 0; i < r->nwhen; i++) {
    att__free(r->when[i].key);
    att__strv_free(r->when[i].values, r->when[i].nvalues);
  }
  att__free(r->when);
  for (i = 0; i < r->nboost; i++) att__free(r->boost[i].key);
  att__free(r->boost);
  memset(r, 0, sizeof *r);
}

void att__config_free(att__config *c) {
  int i;
  for (i = 0; i < c->ntraits; i++) {
    att__free(c->traits[i].name);
    att__strv_free(c->traits[i].values, c->traits[i].nvalues);
  }
  for (i = 0; i < c->nsegments; i++) att__rule_free(&c->segments[i]);
  att__free(c->default_segment);
  att__strv_free(c->context_keys, c->ncontext_keys);
  for (i = 0; i < c->ncontext_rules; i++) att__rule_free(&c->context_rules[i]);
  att__free(c->context_rules);
  att__free(c->populations);
  att__strv_free(c->sensitive, c->nsensitive);
  for (i = 0; i < c->npins; i++) att__free(c->pins[i].item);
  att__free(c->pins);
  att__strv_free(c->editorial_exclude, c->nexclude);
  memset(c, 0, sizeof *c);
}

/* --- typed readers; each leaves the default when the key is absent ---------------------- */

static int att__cfg_type(att__err *e, const att__jv *v, int type, const char *path, const char *want) {
  if (att__jv_type(v) == type) return ATT_OK;
  return att__fail(e, ATT_E_CONFIG, "%s: expected %s, got %s", path, want, att__jv_typename(v));
}

static int att__cfg_num(att__err *e, const att__jv *obj, const char *key, const char *path,
                        double min, double max, double *out) {
  const att__jv *v = att__jv_get(obj, key);
  double d;
  if (!v) return ATT_OK;
  if (att__cfg_type(e, v, ATT__J_NUM, path, "a number")) return e->code;
  d = att__jv_num(v);
  if (!isfinite(d) || d < min || d > max)
    return att__fail(e, ATT_E_CONFIG, "%s: must be a number from %g to %g, got %g", path, min, max, d);
  *out = d;
  return ATT_OK;
}

static int att__cfg_int(att__err *e, const att__jv *obj, const char *key, const char *path,
                        int min, int max, int *out) {
  double d = *out;
  if (att__cfg_num(e, obj, key, path, min, max, &d)) return e->code;
  if (d != floor(d)) return att__fail(e, ATT_E_CONFIG, "%s: must be a whole number, got %g", path, d);
  *out = (int)d;
  return ATT_OK;
}

static int att__cfg_bool(att__err *e, const att__jv *obj, const char *key, const char *path, int *out) {
  const att__jv *v = att__jv_get(obj, key);
  if (!v) return ATT_OK;
  if (att__cfg_type(e, v, ATT__J_BOOL, path, "true or false")) return e->code;
  *out = att__jv_bool(v);
  return ATT_OK;
}

/* A short name: non-empty, at most ATT_MAX_TAG_LEN bytes of printable UTF-8. */
static int att__cfg_name(att__err *e, const att__jv *v, const char *path, char **out) {
  size_t n;
  const char *s;
  char q[80];
  if (att__cfg_type(e, v, ATT__J_STR, path, "a string")) return e->code;
  s = att__jv_str(v, &n);
  if (n == 0) return att__fail(e, ATT_E_CONFIG, "%s: must not be empty", path);
  if (n > ATT_MAX_TAG_LEN)
    return att__fail(e, ATT_E_CONFIG, "%s: \"%s\" is longer than %d bytes", path,
                     att__quote(q, sizeof q, s, n), ATT_MAX_TAG_LEN);
  if (!att__valid_text(s, n))
    return att__fail(e, ATT_E_CONFIG, "%s: must be printable UTF-8 text", path);
  *out = att__strndup(s, n);
  return *out ? ATT_OK : att__fail(e, ATT_E_NOMEM, "%s: out of memory", path);
}

static int att__cfg_id(att__err *e, const att__jv *v, const char *path, char **out) {
  size_t n;
  const char *s;
  if (att__cfg_type(e, v, ATT__J_STR, path, "an item id string")) return e->code;
  s = att__jv_str(v, &n);
  if (n == 0 || n > ATT_MAX_ID_LEN || !att__valid_text(s, n))
    return att__fail(e, ATT_E_CONFIG, "%s: item ids are 1 to %d bytes of printable text", path,
                     ATT_MAX_ID_LEN);
  *out = att__strndup(s, n);
  return *out ? ATT_OK : att__fail(e, ATT_E_NOMEM, "%s: out of memory", path);
}

static int att__strv_has(char *const *v, int n, const char *s) {
  int i;
  for (i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0) return 1;
  return 0;
}

/* An array of distinct names (or ids when `ids`), at most `max` of them. */
static int att__cfg_names(att__err *e, const att__jv *v, const char *path, int max, int ids,
                          char ***out, int *nout) {
  const att__jv *c;
  char sub[160];
  char **list;
  int n = 0;
  size_t count;
  if (att__cfg_type(e, v, ATT__J_ARR, path, "an array of strings")) return e->code;
  count = att__jv_count(v);
  if (count > (size_t)max)
    return att__fail(e, ATT_E_CONFIG, "%s: at most %d entries, got %zu", path, max, count);
  list = att__calloc(count ? count : 1, sizeof *list);
  if (!list) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", path);
  for (c = att__jv_first(v); c; c = att__jv_next(c)) {
    int rc;
    att__fmt(sub, sizeof sub, "%s[%d]", path, n);
    rc = ids ? att__cfg_id(e, c, sub, &list[n]) : att__cfg_name(e, c, sub, &list[n]);
    if (rc) {
      att__strv_free(list, n);
      return rc;
    }
    if (att__strv_has(list, n, list[n])) {
      char q[80];
      att__fail(e, ATT_E_CONFIG, "%s: \"%s\" is listed twice", sub,
                att__quote(q, sizeof q, list[n], strlen(list[n])));
      att__strv_free(list, n + 1);
      return e->code;
    }
    n++;
  }
  *out = list;
  *nout = n;
  return ATT_OK;
}

/* --- sections ---------------------------------------------------------------------------- */

static int att__cfg_level(att__err *e, const att__jv *obj, const char *key, const char *path, int *out) {
  const att__jv *v = att__jv_get(obj, key);
  size_t n;
  const char *s;
  int lvl;
  char q[80];
  if (!v) return ATT_OK;
  if (att__cfg_type(e, v, ATT__J_STR, path, "a level name")) return e->code;
  s = att__jv_str(v, &n);
  lvl = att__level_from_name(s, n);
  if (lvl < 0)
    return att__fail(e, ATT_E_CONFIG,
                     "%s: unknown level \"%s\" (use none, segment, behavioral, contextual or individual)",
                     path, att__quote(q, sizeof q, s, n));
  *out = lvl;
  return ATT_OK;
}

static int att__cfg_history(att__err *e, const att__jv *v, att__config *c) {
  static const char *const keys[] = {"size", "retentionDays", "halfLifeDays", NULL};
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.history", "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, "config.history", keys)) return e->code;
  if (att__cfg_int(e, v, "size", "config.history.size", 1, ATT_MAX_HISTORY, &c->history_size) ||
      att__cfg_num(e, v, "retentionDays", "config.history.retentionDays", 1, 365, &c->retention_days) ||
      att__cfg_num(e, v, "halfLifeDays", "config.history.halfLifeDays", 0.5, 365, &c->half_life_days))
    return e->code;
  return ATT_OK;
}

static int att__cfg_events(att__err *e, const att__jv *v, att__config *c) {
  static const char *const keys[] = {"view", "click", "like", "share", "purchase", "dismiss", NULL};
  int t;
  char path[64];
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.events", "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, "config.events", keys)) return e->code;
  for (t = 0; t < ATT_EV_IMPRESSION; t++) {
    att__fmt(path, sizeof path, "config.events.%s", att__event_names[t]);
    if (att__cfg_num(e, v, att__event_names[t], path, -10, 10, &c->event_w[t])) return e->code;
  }
  return ATT_OK;
}

static int att__cfg_traits(att__err *e, const att__jv *v, att__config *c) {
  const att__jv *t;
  char path[160];
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.traits", "an object")) return e->code;
  if (att__jv_count(v) > ATT_MAX_TRAITS)
    return att__fail(e, ATT_E_CONFIG, "config.traits: at most %d traits", ATT_MAX_TRAITS);
  if (att__json_check_keys(e, ATT_E_CONFIG, v, "config.traits", NULL)) return e->code;
  for (t = att__jv_first(v); t; t = att__jv_next(t)) {
    att__trait *tr = &c->traits[c->ntraits];
    const char *name = att__jv_key(t);
    size_t n = strlen(name);
    char q[80];
    att__fmt(path, sizeof path, "config.traits.%s", att__quote(q, sizeof q, name, n));
    if (n == 0 || n > ATT_MAX_TAG_LEN || !att__valid_text(name, n))
      return att__fail(e, ATT_E_CONFIG, "%s: trait names are 1 to %d bytes of printable text", path,
                       ATT_MAX_TAG_LEN);
    if (strcmp(name, "usage") == 0)
      return att__fail(e, ATT_E_CONFIG,
                       "%s: \"usage\" is derived by the engine from activity; do not declare it", path);
    if (att__config_trait(c, name, n) >= 0)
      return att__fail(e, ATT_E_CONFIG, "%s: declared twice", path);
    tr->name = att__strndup(name, n);
    if (!tr->name) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", path);
    c->ntraits++;
    if (att__cfg_names(e, t, path, ATT_MAX_TRAIT_VALUES, 0, &tr->values, &tr->nvalues)) return e->code;
    if (tr->nvalues == 0) return att__fail(e, ATT_E_CONFIG, "%s: declare at least one value", path);
  }
  return ATT_OK;
}

static int att__cfg_usage(att__err *e, const att__jv *v, att__config *c) {
  static const char *const keys[] = {"regularDays", "heavyDays", NULL};
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.usage", "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, "config.usage", keys) ||
      att__cfg_int(e, v, "regularDays", "config.usage.regularDays", 1, 30, &c->usage_regular_days) ||
      att__cfg_int(e, v, "heavyDays", "config.usage.heavyDays", 1, 30, &c->usage_heavy_days))
    return e->code;
  if (c->usage_heavy_days <= c->usage_regular_days)
    return att__fail(e, ATT_E_CONFIG, "config.usage: heavyDays (%d) must be greater than regularDays (%d)",
                     c->usage_heavy_days, c->usage_regular_days);
  return ATT_OK;
}

static int att__cfg_boost(att__err *e, const att__jv *v, const char *path, att__rule *r) {
  static const char *const keys[] = {"tags", "categories", "items", NULL};
  static const int kinds[] = {ATT_BOOST_TAG, ATT_BOOST_CATEGORY, ATT_BOOST_ITEM};
  size_t total = 0;
  int k;
  char sub[200];
  if (att__cfg_type(e, v, ATT__J_OBJ, path, "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, path, keys)) return e->code;
  for (k = 0; k < 3; k++) {
    const att__jv *m = att__jv_get(v, keys[k]);
    att__fmt(sub, sizeof sub, "%s.%s", path, keys[k]);
    if (m && att__cfg_type(e, m, ATT__J_OBJ, sub, "an object of weights")) return e->code;
    total += att__jv_count(m);
  }
  if (total > ATT_MAX_BOOSTS)
    return att__fail(e, ATT_E_CONFIG, "%s: at most %d boosts per rule", path, ATT_MAX_BOOSTS);
  r->boost = att__calloc(total ? total : 1, sizeof *r->boost);
  if (!r->boost) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", path);
  for (k = 0; k < 3; k++) {
    const att__jv *m = att__jv_get(v, keys[k]), *b;
    att__fmt(sub, sizeof sub, "%s.%s", path, keys[k]);
    if (m && att__json_check_keys(e, ATT_E_CONFIG, m, sub, NULL)) return e->code;
    for (b = att__jv_first(m); b; b = att__jv_next(b)) {
      att__boost *bo = &r->boost[r->nboost];
      const char *key = att__jv_key(b);
      size_t n = strlen(key);
      size_t maxlen = kinds[k] == ATT_BOOST_ITEM ? ATT_MAX_ID_LEN : ATT_MAX_TAG_LEN;
      double d;
      int j;
      char q[80];
      att__fmt(sub, sizeof sub, "%s.%s.%s", path, keys[k], att__quote(q, sizeof q, key, n));
      if (n == 0 || n > maxlen || !att__valid_text(key, n))
        return att__fail(e, ATT_E_CONFIG, "%s: names are 1 to %zu bytes of printable text", sub, maxlen);
      for (j = 0; j < r->nboost; j++)
        if (r->boost[j].kind == kinds[k] && strcmp(r->boost[j].key, key) == 0)
          return att__fail(e, ATT_E_CONFIG, "%s: listed twice", sub);
      if (att__cfg_type(e, b, ATT__J_NUM, sub, "a number")) return e->code;
      d = att__jv_num(b);
      if (!isfinite(d) || d < -10 || d > 10)
        return att__fail(e, ATT_E_CONFIG, "%s: must be a number from -10 to 10, got %g", sub, d);
      bo->kind = kinds[k];
      bo->w = d;
      bo->key = att__strndup(key, n);
      if (!bo->key) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", sub);
      r->nboost++;
    }
  }
  return ATT_OK;
}

/* The allowed values of a condition key, or NULL for free values (site context keys).
 * Returns -1 when `key` is not a known key for this kind of rule. */
static int att__cond_domain(const att__config *c, int context, const char *key,
                            const char *const **builtin, const att__trait **trait) {
  size_t n = strlen(key);
  int t;
  *builtin = NULL;
  *trait = NULL;
  if (!context) {
    if (strcmp(key, "usage") == 0) {
      *builtin = att__usage_names;
      return 3;
    }
    t = att__config_trait(c, key, n);
    if (t < 0) return -1;
    *trait = &c->traits[t];
    return c->traits[t].nvalues;
  }
  if (strcmp(key, "daypart") == 0) *builtin = att__ctx_daypart;
  else if (strcmp(key, "weekday") == 0) *builtin = att__ctx_weekday;
  else if (strcmp(key, "device") == 0) *builtin = att__ctx_device;
  else if (strcmp(key, "referrer") == 0) *builtin = att__ctx_referrer;
  else if (!att__strv_has(c->context_keys, c->ncontext_keys, key)) return -1;
  return 0;
}

static int att__cfg_when(att__err *e, const att__jv *v, const char *path, const att__config *c,
                         int context, att__rule *r) {
  const att__jv *k;
  char sub[200];
  if (att__cfg_type(e, v, ATT__J_OBJ, path, "an object")) return e->code;
  if (att__jv_count(v) > ATT_MAX_TRAITS + 8)
    return att__fail(e, ATT_E_CONFIG, "%s: too many conditions", path);
  r->when = att__calloc(att__jv_count(v) + 1, sizeof *r->when);
  if (!r->when) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", path);
  if (att__json_check_keys(e, ATT_E_CONFIG, v, path, NULL)) return e->code;
  for (k = att__jv_first(v); k; k = att__jv_next(k)) {
    const char *key = att__jv_key(k);
    const char *const *builtin;
    const att__trait *trait;
    att__cond *cond = &r->when[r->nwhen];
    int j, domain;
    char q[80];
    att__fmt(sub, sizeof sub, "%s.%s", path, att__quote(q, sizeof q, key, strlen(key)));
    /* domain: the number of values (usage, traits), 0 for NULL-terminated context lists */
    domain = att__cond_domain(c, context, key, &builtin, &trait);
    if (domain < 0)
      return att__fail(e, ATT_E_CONFIG,
                       context ? "%s: not a context key (use daypart, weekday, device, referrer or "
                                 "one declared in config.context.keys)"
                               : "%s: not a declared trait (declare it in config.traits, or use usage)",
                       sub);
    for (j = 0; j < r->nwhen; j++)
      if (strcmp(r->when[j].key, key) == 0) return att__fail(e, ATT_E_CONFIG, "%s: appears twice", sub);
    cond->key = att__strndup(key, strlen(key));
    if (!cond->key) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", sub);
    r->nwhen++;
    if (att__cfg_names(e, k, sub, 64, 0, &cond->values, &cond->nvalues)) return e->code;
    if (cond->nvalues == 0) return att__fail(e, ATT_E_CONFIG, "%s: list at least one value", sub);
    for (j = 0; j < cond->nvalues; j++) {
      const char *val = cond->values[j];
      size_t vn = strlen(val);
      int ok = 1;
      if (trait) ok = att__config_trait_value(trait, val, vn) >= 0;
      else if (builtin) ok = att__name_index(builtin, domain > 0 ? domain : 64, val, vn) >= 0;
      if (!ok)
        return att__fail(e, ATT_E_CONFIG, "%s[%d]: \"%s\" is not one of the key's values", sub, j,
                         att__quote(q, sizeof q, val, vn));
    }
  }
  return ATT_OK;
}

static int att__cfg_rule(att__err *e, const att__jv *v, const char *path, const att__config *c,
                         int context, att__rule *r) {
  static const char *const seg_keys[] = {"label", "when", "boost", NULL};
  static const char *const ctx_keys[] = {"when", "boost", NULL};
  const att__jv *x;
  char sub[200];
  if (att__cfg_type(e, v, ATT__J_OBJ, path, "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, path, context ? ctx_keys : seg_keys)) return e->code;
  if (!context) {
    att__fmt(sub, sizeof sub, "%s.label", path);
    x = att__jv_get(v, "label");
    if (!x) return att__fail(e, ATT_E_CONFIG, "%s: every segment needs a label", sub);
    if (att__cfg_name(e, x, sub, &r->label)) return e->code;
  }
  att__fmt(sub, sizeof sub, "%s.when", path);
  x = att__jv_get(v, "when");
  if (x && att__cfg_when(e, x, sub, c, context, r)) return e->code;
  att__fmt(sub, sizeof sub, "%s.boost", path);
  x = att__jv_get(v, "boost");
  if (x && att__cfg_boost(e, x, sub, r)) return e->code;
  return ATT_OK;
}

static int att__cfg_segments(att__err *e, const att__jv *v, att__config *c) {
  const att__jv *s;
  char path[64];
  if (att__cfg_type(e, v, ATT__J_ARR, "config.segments", "an array")) return e->code;
  if (att__jv_count(v) > ATT_MAX_SEGMENTS)
    return att__fail(e, ATT_E_CONFIG, "config.segments: at most %d segments", ATT_MAX_SEGMENTS);
  for (s = att__jv_first(v); s; s = att__jv_next(s)) {
    att__rule *r = &c->segments[c->nsegments];
    int j;
    att__fmt(path, sizeof path, "config.segments[%d]", c->nsegments);
    c->nsegments++;
    if (att__cfg_rule(e, s, path, c, 0, r)) return e->code;
    for (j = 0; j + 1 < c->nsegments; j++)
      if (strcmp(c->segments[j].label, r->label) == 0)
        return att__fail(e, ATT_E_CONFIG, "%s.label: \"%s\" is already used by segment %d", path,
                         r->label, j);
  }
  return ATT_OK;
}

static int att__cfg_context(att__err *e, const att__jv *v, att__config *c) {
  static const char *const keys[] = {"keys", "rules", NULL};
  const att__jv *x;
  int i;
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.context", "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, "config.context", keys)) return e->code;
  x = att__jv_get(v, "keys");
  if (x && att__cfg_names(e, x, "config.context.keys", 8, 0, &c->context_keys, &c->ncontext_keys))
    return e->code;
  for (i = 0; i < c->ncontext_keys; i++) {
    const char *k = c->context_keys[i];
    if (!strcmp(k, "daypart") || !strcmp(k, "weekday") || !strcmp(k, "device") ||
        !strcmp(k, "referrer") || !strcmp(k, "hour"))
      return att__fail(e, ATT_E_CONFIG, "config.context.keys[%d]: \"%s\" is built in; do not declare it",
                       i, k);
  }
  x = att__jv_get(v, "rules");
  if (x) {
    const att__jv *r;
    char path[64];
    if (att__cfg_type(e, x, ATT__J_ARR, "config.context.rules", "an array")) return e->code;
    if (att__jv_count(x) > 64) return att__fail(e, ATT_E_CONFIG, "config.context.rules: at most 64 rules");
    c->context_rules = att__calloc(att__jv_count(x) + 1, sizeof *c->context_rules);
    if (!c->context_rules) return att__fail(e, ATT_E_NOMEM, "config.context.rules: out of memory");
    for (r = att__jv_first(x); r; r = att__jv_next(r)) {
      att__fmt(path, sizeof path, "config.context.rules[%d]", c->ncontext_rules);
      if (att__cfg_rule(e, r, path, c, 1, &c->context_rules[c->ncontext_rules++])) return e->code;
    }
  }
  return ATT_OK;
}

static int att__cfg_label(att__err *e, const att__jv *v, att__config *c, const att__jv **pops) {
  static const char *const keys[] = {"k", "populations", "randomRate", "epsilon", "epochDays", NULL};
  const att__jv *x;
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.label", "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, "config.label", keys) ||
      att__cfg_int(e, v, "k", "config.label.k", 0, 1000000000, &c->label_k) ||
      att__cfg_num(e, v, "randomRate", "config.label.randomRate", 0, 1, &c->random_rate) ||
      att__cfg_num(e, v, "epochDays", "config.label.epochDays", 1, 365, &c->epoch_days))
    return e->code;
  x = att__jv_get(v, "epsilon");
  if (x && att__jv_type(x) != ATT__J_NULL &&
      att__cfg_num(e, v, "epsilon", "config.label.epsilon", 0.01, 20, &c->epsilon))
    return e->code;
  *pops = att__jv_get(v, "populations");
  if (*pops && (att__cfg_type(e, *pops, ATT__J_OBJ, "config.label.populations", "an object") ||
                att__json_check_keys(e, ATT_E_CONFIG, *pops, "config.label.populations", NULL)))
    return e->code;
  return ATT_OK;
}

/* Populations name labels, so they are read once the segments are known. */
static int att__cfg_populations(att__err *e, const att__jv *pops, att__config *c) {
  const att__jv *p;
  int i;
  c->populations = att__malloc((size_t)(c->nsegments + 1) * sizeof *c->populations);
  if (!c->populations) return att__fail(e, ATT_E_NOMEM, "config.label.populations: out of memory");
  for (i = 0; i <= c->nsegments; i++) c->populations[i] = -1;
  for (p = att__jv_first(pops); p; p = att__jv_next(p)) {
    const char *label = att__jv_key(p);
    int s = att__config_segment(c, label, strlen(label));
    char path[120], q[80];
    double d;
    att__fmt(path, sizeof path, "config.label.populations.%s", att__quote(q, sizeof q, label, strlen(label)));
    if (s < 0) return att__fail(e, ATT_E_CONFIG, "%s: not a segment label or the default label", path);
    if (att__cfg_type(e, p, ATT__J_NUM, path, "a count")) return e->code;
    d = att__jv_num(p);
    if (!isfinite(d) || d < 0 || d > 1e12 || d != floor(d))
      return att__fail(e, ATT_E_CONFIG, "%s: must be a whole number from 0 to 1e12, got %g", path, d);
    i = s == ATT_MAX_SEGMENTS ? c->nsegments : s;
    if (c->populations[i] >= 0) return att__fail(e, ATT_E_CONFIG, "%s: appears twice", path);
    c->populations[i] = d;
  }
  return ATT_OK;
}

static int att__cfg_ranking(att__err *e, const att__jv *v, att__config *c) {
  static const char *const keys[] = {"excludeSeen", "diversity", "maxPerCategory", "exploration",
                                     "weights", "freshnessHalfLifeDays", NULL};
  static const char *const wkeys[] = {"popularity", "freshness", "affinity", "related", "context", "session",
                                      "model", NULL};
  const att__jv *w;
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.ranking", "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, "config.ranking", keys) ||
      att__cfg_bool(e, v, "excludeSeen", "config.ranking.excludeSeen", &c->exclude_seen) ||
      att__cfg_num(e, v, "diversity", "config.ranking.diversity", 0, 1, &c->diversity) ||
      att__cfg_int(e, v, "maxPerCategory", "config.ranking.maxPerCategory", 0, ATT_MAX_K,
                   &c->max_per_category) ||
      att__cfg_num(e, v, "exploration", "config.ranking.exploration", 0, 1, &c->exploration) ||
      att__cfg_num(e, v, "freshnessHalfLifeDays", "config.ranking.freshnessHalfLifeDays", 0.1, 3650,
                   &c->freshness_half_life_days))
    return e->code;
  w = att__jv_get(v, "weights");
  if (w) {
    if (att__cfg_type(e, w, ATT__J_OBJ, "config.ranking.weights", "an object") ||
        att__json_check_keys(e, ATT_E_CONFIG, w, "config.ranking.weights", wkeys) ||
        att__cfg_num(e, w, "popularity", "config.ranking.weights.popularity", 0, 10, &c->w_popularity) ||
        att__cfg_num(e, w, "freshness", "config.ranking.weights.freshness", 0, 10, &c->w_freshness) ||
        att__cfg_num(e, w, "affinity", "config.ranking.weights.affinity", 0, 10, &c->w_affinity) ||
        att__cfg_num(e, w, "related", "config.ranking.weights.related", 0, 10, &c->w_related) ||
        att__cfg_num(e, w, "context", "config.ranking.weights.context", 0, 10, &c->w_context) ||
        att__cfg_num(e, w, "session", "config.ranking.weights.session", 0, 10, &c->w_session) ||
        att__cfg_num(e, w, "model", "config.ranking.weights.model", 0, 10, &c->w_model))
      return e->code;
  }
  return ATT_OK;
}

static const char *const att__vectors_names[] = {"float32", "int8", NULL}; /* by ATT_VEC_* */

static int att__cfg_model(att__err *e, const att__jv *v, att__config *c) {
  static const char *const keys[] = {"lambda", "alpha", "learningRate", "vectors", NULL};
  const att__jv *x;
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.model", "an object") ||
      att__json_check_keys(e, ATT_E_CONFIG, v, "config.model", keys) ||
      att__cfg_num(e, v, "lambda", "config.model.lambda", 0.001, 1000, &c->model_lambda) ||
      att__cfg_num(e, v, "alpha", "config.model.alpha", 0, 1000, &c->model_alpha) ||
      att__cfg_num(e, v, "learningRate", "config.model.learningRate", 0, 1, &c->model_rate))
    return e->code;
  if ((x = att__jv_get(v, "vectors"))) {
    size_t n;
    const char *s;
    char q[80];
    int kind;
    if (att__cfg_type(e, x, ATT__J_STR, "config.model.vectors", "\"float32\" or \"int8\"")) return e->code;
    s = att__jv_str(x, &n);
    kind = att__name_index(att__vectors_names, 2, s, n);
    if (kind < 0)
      return att__fail(e, ATT_E_CONFIG, "config.model.vectors: unknown value \"%s\" (use \"float32\" or \"int8\")",
                       att__quote(q, sizeof q, s, n));
    c->model_vectors = kind;
  }
  return ATT_OK;
}

static int att__cfg_editorial(att__err *e, const att__jv *v, att__config *c) {
  static const char *const keys[] = {"pins", "exclude", NULL};
  static const char *const pin_keys[] = {"item", "position", "segment", NULL};
  const att__jv *x, *p;
  char path[80];
  if (att__cfg_type(e, v, ATT__J_OBJ, "config.editorial", "an object")) return e->code;
  if (att__json_check_keys(e, ATT_E_CONFIG, v, "config.editorial", keys)) return e->code;
  x = att__jv_get(v, "exclude");
  if (x && att__cfg_names(e, x, "config.editorial.exclude", ATT_MAX_LIST, 1, &c->editorial_exclude,
                          &c->nexclude))
    return e->code;
  x = att__jv_get(v, "pins");
  if (!x) return ATT_OK;
  if (att__cfg_type(e, x, ATT__J_ARR, "config.editorial.pins", "an array")) return e->code;
  if (att__jv_count(x) > ATT_MAX_PINS)
    return att__fail(e, ATT_E_CONFIG, "config.editorial.pins: at most %d pins", ATT_MAX_PINS);
  c->pins = att__calloc(att__jv_count(x) + 1, sizeof *c->pins);
  if (!c->pins) return att__fail(e, ATT_E_NOMEM, "config.editorial.pins: out of memory");
  for (p = att__jv_first(x); p; p = att__jv_next(p)) {
    att__pin *pin = &c->pins[c->npins];
    const att__jv *it, *seg;
    char sub[120];
    int j;
    att__fmt(path, sizeof path, "config.editorial.pins[%d]", c->npins);
    if (att__cfg_type(e, p, ATT__J_OBJ, path, "an object")) return e->code;
    if (att__json_check_keys(e, ATT_E_CONFIG, p, path, pin_keys)) return e->code;
    it = att__jv_get(p, "item");
    att__fmt(sub, sizeof sub, "%s.item", path);
    if (!it) return att__fail(e, ATT_E_CONFIG, "%s: a pin needs an item id", sub);
    if (att__cfg_id(e, it, sub, &pin->item)) return e->code;
    c->npins++;
    pin->position = 0;
    att__fmt(sub, sizeof sub, "%s.position", path);
    if (!att__jv_get(p, "position")) return att__fail(e, ATT_E_CONFIG, "%s: a pin needs a position", sub);
    if (att__cfg_int(e, p, "position", sub, 1, ATT_MAX_K, &pin->position)) return e->code;
    pin->segment = -2;
    seg = att__jv_get(p, "segment");
    if (seg) {
      size_t n;
      const char *s;
      char q[80];
      att__fmt(sub, sizeof sub, "%s.segment", path);
      if (att__cfg_type(e, seg, ATT__J_STR, sub, "a segment label")) return e->code;
      s = att__jv_str(seg, &n);
      pin->segment = att__config_segment(c, s, n);
      if (pin->segment < 0)
        return att__fail(e, ATT_E_CONFIG, "%s: \"%s\" is not a segment label", sub, att__quote(q, sizeof q, s, n));
      if (pin->segment == ATT_MAX_SEGMENTS) pin->segment = -1;
    }
    for (j = 0; j + 1 < c->npins; j++) {
      const att__pin *o = &c->pins[j];
      if (o->position == pin->position && (o->segment == pin->segment || o->segment == -2 || pin->segment == -2))
        return att__fail(e, ATT_E_CONFIG, "%s: position %d is already pinned by pin %d for the same segment",
                         path, pin->position, j);
      if (strcmp(o->item, pin->item) == 0 && o->segment == pin->segment)
        return att__fail(e, ATT_E_CONFIG, "%s: item \"%s\" is already pinned by pin %d", path, pin->item, j);
    }
  }
  return ATT_OK;
}

int att__config_parse(att__err *e, const char *json, size_t len, att__config *out) {
  static const char *const keys[] = {"privacyLevel", "maxPrivacyLevel", "history", "events",
                                     "traits",       "usage",           "segments", "defaultSegment",
                                     "context",      "label",           "ranking",  "sensitiveTags",
                                     "editorial",    "model",           NULL};
  att__jv *root;
  const att__jv *x, *pops = NULL;
  att__config c;
  int rc = ATT_OK;
  att__config_defaults(&c);
  if (len == 0) {
    json = "{}";
    len = 2;
  }
  root = att__json_parse(e, "config", json, len);
  if (!root) return e->code;
  if (att__jv_type(root) != ATT__J_OBJ) {
    rc = att__fail(e, ATT_E_CONFIG, "config: expected an object, got %s", att__jv_typename(root));
    goto done;
  }
  if ((rc = att__json_check_keys(e, ATT_E_CONFIG, root, "config", keys))) goto done;
  if ((rc = att__cfg_level(e, root, "privacyLevel", "config.privacyLevel", &c.level))) goto done;
  if ((rc = att__cfg_level(e, root, "maxPrivacyLevel", "config.maxPrivacyLevel", &c.max_level))) goto done;
  if (c.level > c.max_level) {
    rc = att__fail(e, ATT_E_CONFIG, "config.privacyLevel: \"%s\" is above config.maxPrivacyLevel \"%s\"",
                   att__level_name(c.level), att__level_name(c.max_level));
    goto done;
  }
  if ((x = att__jv_get(root, "history")) && (rc = att__cfg_history(e, x, &c))) goto done;
  if ((x = att__jv_get(root, "events")) && (rc = att__cfg_events(e, x, &c))) goto done;
  if ((x = att__jv_get(root, "traits")) && (rc = att__cfg_traits(e, x, &c))) goto done;
  if ((x = att__jv_get(root, "usage")) && (rc = att__cfg_usage(e, x, &c))) goto done;
  x = att__jv_get(root, "defaultSegment");
  if (x) {
    if ((rc = att__cfg_name(e, x, "config.defaultSegment", &c.default_segment))) goto done;
  } else if (!(c.default_segment = att__strndup("general", 7))) {
    rc = att__fail(e, ATT_E_NOMEM, "config: out of memory");
    goto done;
  }
  if ((x = att__jv_get(root, "segments")) && (rc = att__cfg_segments(e, x, &c))) goto done;
  for (int i = 0; i < c.nsegments; i++)
    if (strcmp(c.segments[i].label, c.default_segment) == 0) {
      rc = att__fail(e, ATT_E_CONFIG, "config.segments[%d].label: \"%s\" is the defaultSegment label", i,
                     c.default_segment);
      goto done;
    }
  if ((x = att__jv_get(root, "context")) && (rc = att__cfg_context(e, x, &c))) goto done;
  if ((x = att__jv_get(root, "label")) && (rc = att__cfg_label(e, x, &c, &pops))) goto done;
  if ((rc = att__cfg_populations(e, pops, &c))) goto done;
  if ((x = att__jv_get(root, "ranking")) && (rc = att__cfg_ranking(e, x, &c))) goto done;
  if ((x = att__jv_get(root, "sensitiveTags")) &&
      (rc = att__cfg_names(e, x, "config.sensitiveTags", 1000, 0, &c.sensitive, &c.nsensitive)))
    goto done;
  if ((x = att__jv_get(root, "editorial")) && (rc = att__cfg_editorial(e, x, &c))) goto done;
  if ((x = att__jv_get(root, "model")) && (rc = att__cfg_model(e, x, &c))) goto done;
done:
  att__json_free(root);
  if (rc) {
    att__config_free(&c);
    return rc;
  }
  *out = c;
  return ATT_OK;
}

int att__config_trait(const att__config *c, const char *name, size_t n) {
  int i;
  for (i = 0; i < c->ntraits; i++)
    if (strlen(c->traits[i].name) == n && memcmp(c->traits[i].name, name, n) == 0) return i;
  return -1;
}

int att__config_trait_value(const att__trait *t, const char *value, size_t n) {
  int i;
  for (i = 0; i < t->nvalues; i++)
    if (strlen(t->values[i]) == n && memcmp(t->values[i], value, n) == 0) return i;
  return -1;
}

int att__config_is_sensitive(const att__config *c, const char *tag, size_t n) {
  int i;
  for (i = 0; i < c->nsensitive; i++)
    if (strlen(c->sensitive[i]) == n && memcmp(c->sensitive[i], tag, n) == 0) return 1;
  return 0;
}

int att__config_segment(const att__config *c, const char *s, size_t n) {
  int i;
  for (i = 0; i < c->nsegments; i++)
    if (strlen(c->segments[i].label) == n && memcmp(c->segments[i].label, s, n) == 0) return i;
  if (c->default_segment && strlen(c->default_segment) == n && memcmp(c->default_segment, s, n) == 0)
    return ATT_MAX_SEGMENTS;
  return -1;
}

double att__config_keep_probability(const att__config *c) {
  double m = c->nsegments + 1;
  if (m < 2) return 1;
  if (!isnan(c->epsilon)) return exp(c->epsilon) / (exp(c->epsilon) + m - 1);
  return 1 - c->random_rate + c->random_rate / m;
}

/* --- the normalised configuration, every default filled in -------------------------------- */

static void att__json_names(att__jw *w, att__jv *parent, const char *key, char *const *v, int n) {
  att__jv *arr = att__jw_arr(w, parent, key);
  int i;
  for (i = 0; i < n; i++) att__jw_str(w, arr, NULL, v[i]);
}

static void att__json_rule(att__jw *w, att__jv *arr, const att__rule *r) {
  static const char *const kinds[] = {"tags", "categories", "items"};
  att__jv *o = att__jw_obj(w, arr, NULL), *when, *boost;
  int i, k;
  if (r->label) att__jw_str(w, o, "label", r->label);
  when = att__jw_obj(w, o, "when");
  for (i = 0; i < r->nwhen; i++) att__json_names(w, when, r->when[i].key, r->when[i].values, r->when[i].nvalues);
  boost = att__jw_obj(w, o, "boost");
  for (k = 0; k < 3; k++) {
    att__jv *m = att__jw_obj(w, boost, kinds[k]);
    for (i = 0; i < r->nboost; i++)
      if (r->boost[i].kind == k) att__jw_num(w, m, r->boost[i].key, r->boost[i].w);
  }
}

int att__config_json(const att__config *c, att__buf *out) {
  att__jw w;
  att__jv *root = att__jw_begin(&w, 0), *x, *y;
  int i;
  att__jw_str(&w, root, "privacyLevel", att__level_name(c->level));
  att__jw_str(&w, root, "maxPrivacyLevel", att__level_name(c->max_level));
  x = att__jw_obj(&w, root, "history");
  att__jw_num(&w, x, "size", c->history_size);
  att__jw_num(&w, x, "retentionDays", c->retention_days);
  att__jw_num(&w, x, "halfLifeDays", c->half_life_days);
  x = att__jw_obj(&w, root, "events");
  for (i = 0; i < ATT_EV_IMPRESSION; i++) att__jw_num(&w, x, att__event_names[i], c->event_w[i]);
  x = att__jw_obj(&w, root, "traits");
  for (i = 0; i < c->ntraits; i++) att__json_names(&w, x, c->traits[i].name, c->traits[i].values, c->traits[i].nvalues);
  x = att__jw_obj(&w, root, "usage");
  att__jw_num(&w, x, "regularDays", c->usage_regular_days);
  att__jw_num(&w, x, "heavyDays", c->usage_heavy_days);
  x = att__jw_arr(&w, root, "segments");
  for (i = 0; i < c->nsegments; i++) att__json_rule(&w, x, &c->segments[i]);
  att__jw_str(&w, root, "defaultSegment", c->default_segment);
  x = att__jw_obj(&w, root, "context");
  att__json_names(&w, x, "keys", c->context_keys, c->ncontext_keys);
  y = att__jw_arr(&w, x, "rules");
  for (i = 0; i < c->ncontext_rules; i++) att__json_rule(&w, y, &c->context_rules[i]);
  x = att__jw_obj(&w, root, "label");
  att__jw_num(&w, x, "k", c->label_k);
  y = att__jw_obj(&w, x, "populations");
  for (i = 0; i <= c->nsegments; i++)
    if (c->populations[i] >= 0)
      att__jw_num(&w, y, i < c->nsegments ? c->segments[i].label : c->default_segment, c->populations[i]);
  att__jw_num(&w, x, "randomRate", c->random_rate);
  att__jw_num(&w, x, "epsilon", c->epsilon); /* NaN prints as null */
  att__jw_num(&w, x, "epochDays", c->epoch_days);
  x = att__jw_obj(&w, root, "ranking");
  att__jw_bool(&w, x, "excludeSeen", c->exclude_seen);
  att__jw_num(&w, x, "diversity", c->diversity);
  att__jw_num(&w, x, "maxPerCategory", c->max_per_category);
  att__jw_num(&w, x, "exploration", c->exploration);
  y = att__jw_obj(&w, x, "weights");
  att__jw_num(&w, y, "popularity", c->w_popularity);
  att__jw_num(&w, y, "freshness", c->w_freshness);
  att__jw_num(&w, y, "affinity", c->w_affinity);
  att__jw_num(&w, y, "related", c->w_related);
  att__jw_num(&w, y, "context", c->w_context);
  att__jw_num(&w, y, "session", c->w_session);
  att__jw_num(&w, y, "model", c->w_model);
  att__jw_num(&w, x, "freshnessHalfLifeDays", c->freshness_half_life_days);
  att__json_names(&w, root, "sensitiveTags", c->sensitive, c->nsensitive);
  x = att__jw_obj(&w, root, "editorial");
  y = att__jw_arr(&w, x, "pins");
  for (i = 0; i < c->npins; i++) {
    att__jv *p = att__jw_obj(&w, y, NULL);
    att__jw_str(&w, p, "item", c->pins[i].item);
    att__jw_num(&w, p, "position", c->pins[i].position);
    if (c->pins[i].segment != -2)
      att__jw_str(&w, p, "segment", c->pins[i].segment == -1 ? c->default_segment : c->segments[c->pins[i].segment].label);
  }
  att__json_names(&w, x, "exclude", c->editorial_exclude, c->nexclude);
  x = att__jw_obj(&w, root, "model");
  att__jw_num(&w, x, "lambda", c->model_lambda);
  att__jw_num(&w, x, "alpha", c->model_alpha);
  att__jw_num(&w, x, "learningRate", c->model_rate);
  att__jw_str(&w, x, "vectors", att__vectors_names[c->model_vectors]);
  return att__jw_finish(&w, out);
}
