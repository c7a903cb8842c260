/* context.c — parsing and matching the call context. */
#include "context.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const att__daypart_names[ATT_DAYPARTS] = {"morning", "afternoon", "evening", "night"};
const char *const att__device_names[ATT_DEVICES] = {"mobile", "tablet", "desktop"};
static const char *const att__referrer_names[] = {"search", "social", "email", "direct", "internal"};
static const char *const att__weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

void att__context_none(att__context *c) {
  memset(c, 0, sizeof *c);
  c->hour = c->weekday = c->daypart = c->device = c->referrer = -1;
}

static int att__index_of(const char *const *names, int n, const char *s) {
  int i;
  for (i = 0; i < n; i++)
    if (strcmp(names[i], s) == 0) return i;
  return -1;
}

/* A string member that must be one of `names`. */
static int att__ctx_enum(att__err *e, const att__jv *v, const char *where, const char *key, const char *const *names,
                         int n, int *out) {
  char q[80];
  const char *s;
  size_t len;
  if (att__jv_type(v) != ATT__J_STR)
    return att__fail(e, ATT_E_ARG, "%s.%s: expected a string, got %s", where, key, att__jv_typename(v));
  s = att__jv_str(v, &len);
  *out = att__index_of(names, n, s);
  if (*out < 0) {
    char list[120];
    size_t o = 0;
    int i;
    list[0] = 0;
    for (i = 0; i < n; i++) o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", names[i]);
    return att__fail(e, ATT_E_ARG, "%s.%s: \"%s\" is not one of %s", where, key, att__quote(q, sizeof q, s, len), list);
  }
  return ATT_OK;
}

static int att__daypart_of_hour(int h) {
  if (h >= 5 && h < 12) return 0;
  if (h >= 12 && h < 17) return 1;
  if (h >= 17 && h < 22) return 2;
  return 3;
}

int att__context_parse(att__err *e, const att__config *cfg, const att__jv *obj, const char *where, att__context *c) {
  const att__jv *x;
  att__context_none(c);
  if (att__jv_type(obj) != ATT__J_OBJ)
    return att__fail(e, ATT_E_ARG, "%s: expected an object, got %s", where, att__jv_typename(obj));
  if (att__json_check_keys(e, ATT_E_ARG, obj, where, NULL)) return e->code;
  for (x = att__jv_first(obj); x; x = att__jv_next(x)) {
    const char *k = att__jv_key(x);
    double d = att__jv_num(x);
    int i;
    char q[80];
    if (strcmp(k, "hour") == 0) {
      if (att__jv_type(x) != ATT__J_NUM || d != floor(d) || d < 0 || d > 23)
        return att__fail(e, ATT_E_ARG, "%s.hour: expected a whole number from 0 to 23", where);
      c->hour = (int)d;
    } else if (strcmp(k, "weekday") == 0) {
      if (att__jv_type(x) == ATT__J_NUM) {
        if (d != floor(d) || d < 0 || d > 6)
          return att__fail(e, ATT_E_ARG, "%s.weekday: expected 0 (Sunday) to 6 (Saturday) or sun..sat", where);
        c->weekday = (int)d;
      } else if (att__ctx_enum(e, x, where, "weekday", att__weekday_names, 7, &c->weekday)) {
        return e->code;
      }
    } else if (strcmp(k, "daypart") == 0) {
      if (att__ctx_enum(e, x, where, "daypart", att__daypart_names, ATT_DAYPARTS, &c->daypart)) return e->code;
    } else if (strcmp(k, "device") == 0) {
      if (att__ctx_enum(e, x, where, "device", att__device_names, ATT_DEVICES, &c->device)) return e->code;
    } else if (strcmp(k, "referrer") == 0) {
      if (att__ctx_enum(e, x, where, "referrer", att__referrer_names, 5, &c->referrer)) return e->code;
    } else {
      const char *s;
      size_t len;
      for (i = 0; i < cfg->ncontext_keys && strcmp(cfg->context_keys[i], k) != 0; i++) {
      }
      if (i == cfg->ncontext_keys)
        return att__fail(e, ATT_E_ARG,
                         "%s.%s: not a context key (use hour, weekday, daypart, device, referrer, or declare it in "
                         "config.context.keys)",
                         where, att__quote(q, sizeof q, k, strlen(k)));
      if (att__jv_type(x) != ATT__J_STR)
        return att__fail(e, ATT_E_ARG, "%s.%s: expected a string, got %s", where, k, att__jv_typename(x));
      s = att__jv_str(x, &len);
      if (len == 0 || len > ATT_MAX_TAG_LEN || !att__valid_text(s, len))
        return att__fail(e, ATT_E_ARG, "%s.%s: expected 1 to %d bytes of printable text", where, k, ATT_MAX_TAG_LEN);
      memcpy(c->site[i], s, len + 1);
    }
    c->any = 1;
  }
  if (c->daypart < 0 && c->hour >= 0) c->daypart = att__daypart_of_hour(c->hour);
  return ATT_OK;
}

int att__context_parse_text(att__err *e, const att__config *cfg, const char *json, size_t len, const char *where,
                            att__context *c) {
  att__jv *root;
  int rc;
  att__context_none(c);
  if (len == 0) return ATT_OK;
  root = att__json_parse(e, where, json, len);
  if (!root) return e->code;
  rc = att__context_parse(e, cfg, root, where, c);
  att__json_free(root);
  return rc;
}

int att__context_bucket(const att__context *c) {
  if (c->daypart < 0) return -1;
  return c->device < 0 ? ATT_DAYPARTS * ATT_DEVICES + c->daypart : c->daypart * ATT_DEVICES + c->device;
}

/* The daypart of a bucket, and its device (-1: unknown). */
static int att__bucket_daypart(int bucket) {
  return bucket >= ATT_DAYPARTS * ATT_DEVICES ? bucket - ATT_DAYPARTS * ATT_DEVICES : bucket / ATT_DEVICES;
}

static int att__bucket_device(int bucket) { return bucket >= ATT_DAYPARTS * ATT_DEVICES ? -1 : bucket % ATT_DEVICES; }

int att__buckets_match(int a, int b) {
  int da = att__bucket_device(a), db = att__bucket_device(b);
  return att__bucket_daypart(a) == att__bucket_daypart(b) && (da == db || da < 0 || db < 0);
}

/* The context's value for a condition key as a string (NULL when unknown). */
static const char *att__context_value(const att__config *cfg, const att__context *c, const char *key) {
  int i;
  if (strcmp(key, "daypart") == 0) return c->daypart >= 0 ? att__daypart_names[c->daypart] : NULL;
  if (strcmp(key, "device") == 0) return c->device >= 0 ? att__device_names[c->device] : NULL;
  if (strcmp(key, "referrer") == 0) return c->referrer >= 0 ? att__referrer_names[c->referrer] : NULL;
  for (i = 0; i < cfg->ncontext_keys; i++)
    if (strcmp(cfg->context_keys[i], key) == 0) return c->site[i][0] ? c->site[i] : NULL;
  return NULL;
}

int att__context_matches(const att__config *cfg, const att__context *c, const att__rule *r) {
  int k, v;
  for (k = 0; k < r->nwhen; k++) {
    const att__cond *cond = &r->when[k];
    int ok = 0;
    if (strcmp(cond->key, "weekday") == 0) {
      if (c->weekday < 0) return 0;
      for (v = 0; v < cond->nvalues && !ok; v++) {
        const char *want = cond->values[v];
        ok = strcmp(want, att__weekday_names[c->weekday]) == 0 ||
             (strcmp(want, "weekend") == 0 && (c->weekday == 0 || c->weekday == 6)) ||
             (strcmp(want, "weekday") == 0 && c->weekday >= 1 && c->weekday <= 5);
      }
    } else {
      const char *have = att__context_value(cfg, c, cond->key);
      for (v = 0; have && v < cond->nvalues && !ok; v++) ok = strcmp(cond->values[v], have) == 0;
    }
    if (!ok) return 0;
  }
  return 1;
}
