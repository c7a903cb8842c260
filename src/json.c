/* json.c — cJSON behind a narrow interface (see json.h). */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"

/* cJSON reports a failed allocation like a syntax error; its allocator hook notes it here so
 * the caller can say "out of memory" instead of "not valid JSON". */
static int att__json_oom;

static void *att__json_malloc(size_t n) {
  void *p = att__malloc(n);
  if (!p) att__json_oom = 1;
  return p;
}

static void att__json_hooks(void) {
  static int ready;
  if (!ready) {
    cJSON_Hooks hooks = {att__json_malloc, att__free};
    cJSON_InitHooks(&hooks);
    ready = 1;
  }
}

/* Offset of the first NUL a JSON text would put in a string (a raw 0 byte or a \u0000
 * escape), or n.  Strings are NUL-terminated inside cJSON, so such text would be cut short. */
static size_t att__json_find_nul(const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (s[i] == 0) return i;
    if (s[i] == '\\' && i + 1 < n) {
      if (s[i + 1] == 'u' && n - i >= 6 && memcmp(s + i + 2, "0000", 4) == 0) return i;
      i++; /* skip the escaped character, so an escaped backslash is not taken for an escape */
    }
  }
  return n;
}

static int att__is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* att__json_parse for a slice that starts `base` bytes into the caller's text, so offsets in
 * messages count from the start of that text. */
static att__jv *att__json_parse_at(att__err *e, const char *what, const char *s, size_t n, size_t base) {
  const char *end = NULL;
  cJSON *v;
  att__json_hooks();
  if (!s || n == 0) {
    att__fail(e, ATT_E_JSON, "%s: empty input; expected JSON", what);
    return NULL;
  }
  if ((end = s + att__json_find_nul(s, n)) != s + n) {
    att__fail(e, ATT_E_JSON, "%s: text contains a NUL character (byte %zu); strings must not contain \\u0000",
              what, base + (size_t)(end - s));
    return NULL;
  }
  att__json_oom = 0;
  v = cJSON_ParseWithLengthOpts(s, n, &end, 0);
  if (!v && att__json_oom) {
    att__fail(e, ATT_E_NOMEM, "%s: out of memory while reading JSON", what);
    return NULL;
  }
  if (!v) {
    size_t at = end && end >= s ? (size_t)(end - s) : 0;
    if (at > n) at = n;
    att__fail(e, ATT_E_JSON,
              "%s: not valid JSON at byte %zu (or nested deeper than %d levels); fix the "
              "syntax there",
              what, base + at, ATT_MAX_JSON_DEPTH);
    return NULL;
  }
  while (end < s + n && att__is_ws(*end)) end++;
  if (end != s + n) {
    att__fail(e, ATT_E_JSON, "%s: unexpected text after the JSON value at byte %zu", what,
              base + (size_t)(end - s));
    cJSON_Delete(v);
    return NULL;
  }
  return v;
}

att__jv *att__json_parse(att__err *e, const char *what, const char *s, size_t n) {
  return att__json_parse_at(e, what, s, n, 0);
}

void att__json_free(att__jv *v) { cJSON_Delete(v); }

int att__jv_type(const att__jv *v) {
  if (!v) return ATT__J_INVALID;
  switch (v->type & 0xff) {
    case cJSON_NULL: return ATT__J_NULL;
    case cJSON_True:
    case cJSON_False: return ATT__J_BOOL;
    case cJSON_Number: return ATT__J_NUM;
    case cJSON_String: return ATT__J_STR;
    case cJSON_Array: return ATT__J_ARR;
    case cJSON_Object: return ATT__J_OBJ;
    default: return ATT__J_INVALID;
  }
}

const char *att__jv_typename(const att__jv *v) {
  static const char *const names[] = {"nothing", "null",     "a boolean", "a number",
                                      "a string", "an array", "an object"};
  return names[att__jv_type(v)];
}

double att__jv_num(const att__jv *v) { return v ? v->valuedouble : 0; }
int att__jv_bool(const att__jv *v) { return v && (v->type & 0xff) == cJSON_True; }

const char *att__jv_str(const att__jv *v, size_t *n) {
  const char *s = v && v->valuestring ? v->valuestring : "";
  if (n) *n = strlen(s);
  return s;
}

const char *att__jv_key(const att__jv *v) { return v && v->string ? v->string : ""; }
att__jv *att__jv_first(const att__jv *v) { return v ? v->child : NULL; }
att__jv *att__jv_next(const att__jv *v) { return v ? v->next : NULL; }

size_t att__jv_count(const att__jv *v) {
  size_t n = 0;
  const cJSON *c;
  for (c = v ? v->child : NULL; c; c = c->next) n++;
  return n;
}

att__jv *att__jv_get(const att__jv *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

int att__json_check_keys(att__err *e, int code, const att__jv *obj, const char *path,
                         const char *const *allowed) {
  const cJSON *c, *d;
  char q[80];
  for (c = obj->child; c; c = c->next) {
    const char *const *a;
    const char *k = att__jv_key(c);
    for (a = allowed; a && *a && strcmp(*a, k) != 0; a++) {
    }
    if (a && !*a) {
      char list[200];
      size_t o = 0;
      list[0] = 0;
      for (a = allowed; *a && o + 1 < sizeof list; a++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", a == allowed ? "" : ", ", *a);
      return att__fail(e, code, "%s: unknown key \"%s\" (allowed: %s)", path,
                       att__quote(q, sizeof q, k, strlen(k)), list);
    }
    for (d = obj->child; d != c; d = d->next)
      if (strcmp(att__jv_key(d), k) == 0)
        return att__fail(e, code, "%s: key \"%s\" appears twice", path,
                         att__quote(q, sizeof q, k, strlen(k)));
  }
  return ATT_OK;
}

/* --- walking a large object ------------------------------------------------------------ */

/* Returns the offset just past the JSON value starting at `i` (after whitespace), or n + 1 when
 * its extent cannot be found.  Only the extent is found here; cJSON validates the text. */
static size_t att__json_skip(const char *s, size_t n, size_t i) {
  int depth = 0;
  while (i < n && att__is_ws(s[i])) i++;
  if (i >= n) return n + 1;
  if (s[i] != '{' && s[i] != '[' && s[i] != '"') {
    while (i < n && !att__is_ws(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']') i++;
    return i;
  }
  for (; i < n; i++) {
    char c = s[i];
    if (c == '"') {
      for (i++; i < n && s[i] != '"'; i++)
        if (s[i] == '\\') i++;
      if (i >= n) return n + 1;
      if (depth == 0) return i + 1;
    } else if (c == '{' || c == '[') {
      if (++depth > ATT_MAX_JSON_DEPTH) return n + 1;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
      if (depth < 0) return n + 1;
    }
  }
  return n + 1;
}

static size_t att__json_ws(const char *s, size_t n, size_t i) {
  while (i < n && att__is_ws(s[i])) i++;
  return i;
}

#define ATT__WALK_MAX_MEMBERS 64

static int att__json_bad(att__err *e, const char *what, size_t at, const char *expect) {
  return att__fail(e, ATT_E_JSON, "%s: not valid JSON at byte %zu (expected %s)", what, at, expect);
}

int att__json_walk(att__err *e, const char *what, const char *s, size_t n, const char *array_key,
                   int (*on_member)(void *ctx, const char *key, const att__jv *v),
                   int (*on_elem)(void *ctx, size_t index, const att__jv *v), void *ctx) {
  struct {
    char *key;
    size_t start, end;
  } m[ATT__WALK_MAX_MEMBERS];
  size_t nm = 0, i, k, arr = (size_t)-1;
  int rc = ATT_OK;
  att__json_hooks();
  if (!s || n == 0) return att__fail(e, ATT_E_JSON, "%s: empty input; expected a JSON object", what);
  i = att__json_ws(s, n, 0);
  if (n - i >= 3 && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBB &&
      (unsigned char)s[i + 2] == 0xBF)
    i = att__json_ws(s, n, i + 3);
  if (i >= n || s[i] != '{') {
    /* not an object: let the plain parser say exactly what is wrong */
    att__jv *v = att__json_parse(e, what, s, n);
    if (!v) return e->code;
    att__json_free(v);
    return att__fail(e, ATT_E_JSON, "%s: expected a JSON object at the top level", what);
  }
  i = att__json_ws(s, n, i + 1);
  if (i < n && s[i] == '}') {
    i++;
  } else {
    for (;;) {
      size_t ks = i, ke = att__json_skip(s, n, i), vs, ve;
      cJSON *key;
      if (ks >= n || s[ks] != '"' || ke > n) { rc = att__json_bad(e, what, ks, "a member name"); break; }
      att__json_oom = 0;
      key = att__json_find_nul(s + ks, ke - ks) == ke - ks ? cJSON_ParseWithLength(s + ks, ke - ks) : NULL;
      if (!key && att__json_oom) {
        rc = att__fail(e, ATT_E_NOMEM, "%s: out of memory while reading JSON", what);
        break;
      }
      if (!key || !cJSON_IsString(key)) {
        cJSON_Delete(key);
        rc = att__json_bad(e, what, ks, "a member name without NUL characters");
        break;
      }
      if (nm == ATT__WALK_MAX_MEMBERS) {
        cJSON_Delete(key);
        rc = att__fail(e, ATT_E_JSON, "%s: more than %d top-level members", what, ATT__WALK_MAX_MEMBERS);
        break;
      }
      m[nm].key = att__strndup(key->valuestring, strlen(key->valuestring));
      cJSON_Delete(key);
      if (!m[nm].key) { rc = att__fail(e, ATT_E_NOMEM, "%s: out of memory", what); break; }
      nm++;
      i = att__json_ws(s, n, ke);
      if (i >= n || s[i] != ':') { rc = att__json_bad(e, what, i, "':'"); break; }
      vs = att__json_ws(s, n, i + 1);
      ve = att__json_skip(s, n, vs);
      if (ve > n || ve == vs) { rc = att__json_bad(e, what, vs, "a value"); break; }
      m[nm - 1].start = vs;
      m[nm - 1].end = ve;
      for (k = 0; k + 1 < nm; k++)
        if (strcmp(m[k].key, m[nm - 1].key) == 0) break;
      if (k + 1 < nm) {
        char q[80];
        rc = att__fail(e, ATT_E_JSON, "%s: member \"%s\" appears twice", what,
                       att__quote(q, sizeof q, m[k].key, strlen(m[k].key)));
        break;
      }
      i = att__json_ws(s, n, ve);
      if (i < n && s[i] == ',') { i = att__json_ws(s, n, i + 1); continue; }
      if (i < n && s[i] == '}') { i++; break; }
      rc = att__json_bad(e, what, i, "',' or '}'");
      break;
    }
  }
  if (rc == ATT_OK && att__json_ws(s, n, i) != n)
    rc = att__fail(e, ATT_E_JSON, "%s: unexpected text after the JSON object at byte %zu", what, i);

  for (k = 0; rc == ATT_OK && k < nm; k++) {
    cJSON *v;
    if (array_key && strcmp(m[k].key, array_key) == 0) { arr = k; continue; }
    v = att__json_parse_at(e, what, s + m[k].start, m[k].end - m[k].start, m[k].start);
    if (!v) { rc = e->code; break; }
    rc = on_member(ctx, m[k].key, v);
    cJSON_Delete(v);
  }
  if (rc == ATT_OK && arr != (size_t)-1) {
    size_t end = m[arr].end, idx = 0;
    i = m[arr].start;
    if (s[i] != '[') {
      /* not an array: hand it over whole so the caller reports the type */
      cJSON *v = att__json_parse_at(e, what, s + i, end - i, i);
      if (!v) rc = e->code;
      else {
        rc = on_member(ctx, m[arr].key, v);
        cJSON_Delete(v);
      }
    } else {
      i = att__json_ws(s, end, i + 1);
      if (i < end && s[i] == ']') i = end;
      while (rc == ATT_OK && i < end) {
        size_t ee = att__json_skip(s, end, i);
        cJSON *v;
        if (ee > end || ee == i) { rc = att__json_bad(e, what, i, "an array element"); break; }
        {
          char where[96];
          snprintf(where, sizeof where, "%s.%s[%zu]", what, array_key, idx);
          v = att__json_parse_at(e, where, s + i, ee - i, i);
        }
        if (!v) { rc = e->code; break; }
        rc = on_elem(ctx, idx++, v);
        cJSON_Delete(v);
        i = att__json_ws(s, end, ee);
        if (i < end && s[i] == ',') { i = att__json_ws(s, end, i + 1); continue; }
        if (i + 1 == end && s[i] == ']') break;
        if (rc == ATT_OK) rc = att__json_bad(e, what, i, "',' or ']'");
      }
    }
  }
  for (k = 0; k < nm; k++) att__free(m[k].key);
  return rc;
}

/* --- builder ---------------------------------------------------------------------------- */

static att__jv *att__jw_attach(att__jw *w, att__jv *parent, const char *key, cJSON *item) {
  if (!item) {
    w->failed = 1;
    return NULL;
  }
  if (w->failed || !parent) {
    cJSON_Delete(item);
    w->failed = 1;
    return NULL;
  }
  if (key ? !cJSON_AddItemToObject(parent, key, item) : !cJSON_AddItemToArray(parent, item)) {
    cJSON_Delete(item);
    w->failed = 1;
    return NULL;
  }
  return item;
}

att__jv *att__jw_begin(att__jw *w, int array) {
  att__json_hooks();
  w->failed = 0;
  w->root = array ? cJSON_CreateArray() : cJSON_CreateObject();
  if (!w->root) w->failed = 1;
  return w->root;
}

att__jv *att__jw_obj(att__jw *w, att__jv *parent, const char *key) {
  return w->failed ? NULL : att__jw_attach(w, parent, key, cJSON_CreateObject());
}
att__jv *att__jw_arr(att__jw *w, att__jv *parent, const char *key) {
  return w->failed ? NULL : att__jw_attach(w, parent, key, cJSON_CreateArray());
}
/* The shortest text that reads back as exactly `v` (cJSON's own printer accepts a last-bit
 * difference, which would break explanations whose weights must add up to the score). */
static void att__format_number(char out[32], double v) {
  int digits;
  if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    snprintf(out, 32, "%.0f", v);
    if (strcmp(out, "-0") == 0) strcpy(out, "0");
    return;
  }
  for (digits = 15; digits < 17; digits++) {
    snprintf(out, 32, "%.*g", digits, v);
    if (strtod(out, NULL) == v) return;
  }
  snprintf(out, 32, "%.17g", v);
}

void att__jw_num(att__jw *w, att__jv *parent, const char *key, double v) {
  char text[32];
  if (w->failed) return;
  if (!isfinite(v)) {
    att__jw_attach(w, parent, key, cJSON_CreateNull());
    return;
  }
  att__format_number(text, v);
  att__jw_attach(w, parent, key, cJSON_CreateRaw(text));
}
void att__jw_str(att__jw *w, att__jv *parent, const char *key, const char *s) {
  if (!w->failed) att__jw_attach(w, parent, key, cJSON_CreateString(s));
}
void att__jw_bool(att__jw *w, att__jv *parent, const char *key, int v) {
  if (!w->failed) att__jw_attach(w, parent, key, cJSON_CreateBool(v));
}
void att__jw_null(att__jw *w, att__jv *parent, const char *key) {
  if (!w->failed) att__jw_attach(w, parent, key, cJSON_CreateNull());
}
void att__jw_time(att__jw *w, att__jv *parent, const char *key, double ms) {
  char iso[32];
  if (!isfinite(ms)) {
    att__jw_null(w, parent, key);
    return;
  }
  att__iso_format(iso, ms);
  att__jw_str(w, parent, key, iso);
}

int att__jw_finish(att__jw *w, att__buf *out) {
  char *text = NULL;
  int rc = ATT_OK;
  if (!w->failed) text = cJSON_PrintUnformatted(w->root);
  out->len = 0;
  if (!text || att__buf_put(out, text, strlen(text))) rc = ATT_E_NOMEM;
  if (text) cJSON_free(text);
  cJSON_Delete(w->root);
  w->root = NULL;
  return rc;
}

/* --- ISO-8601 times ---------------------------------------------------------------------- */

/* Days since 1970-01-01 <-> civil date (proleptic Gregorian), after H. Hinnant's algorithm. */
static double att__days_from_civil(long y, unsigned m, unsigned d) {
  long era;
  unsigned yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned)(y - era * 400);
  doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (double)era * 146097.0 + (double)doe - 719468.0;
}

static void att__civil_from_days(long z, long *y, unsigned *m, unsigned *d) {
  long era;
  unsigned doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  *y = (long)yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y += *m <= 2;
}

void att__iso_format(char out[32], double ms) {
  double days = floor(ms / ATT_DAY_MS), rest = ms - days * ATT_DAY_MS;
  long y;
  unsigned mo, d, msi = (unsigned)rest;
  /* every time the engine accepts (0 to 8.64e15 ms, as JS Date) has a text: years past 9999
   * take ECMAScript's expanded form "+YYYYYY", as Date.prototype.toISOString writes them */
  if (!(days > -1e7 && days <= 1e8)) {
    snprintf(out, 32, "invalid");
    return;
  }
  att__civil_from_days((long)days, &y, &mo, &d);
  att__fmt(out, 32, y > 9999 ? "+%06ld-%02u-%02uT%02u:%02u:%02u.%03uZ" : "%04ld-%02u-%02uT%02u:%02u:%02u.%03uZ", y,
           mo, d, msi / 3600000u, msi / 60000u % 60u, msi / 1000u % 60u, msi % 1000u);
}

static int att__digits(const char *s, int n, unsigned *v) {
  int i;
  *v = 0;
  for (i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    *v = *v * 10 + (unsigned)(s[i] - '0');
  }
  return 0;
}

int att__iso_parse(const char *s, size_t n, double *ms) {
  unsigned y, mo, d, h, mi, se, frac = 0;
  static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int wide = n > 0 && s[0] == '+'; /* "+YYYYYY": an expanded year */
  const char *t = s + (wide ? 3 : 0); /* t[0..3] are the year's last four digits */
  if (wide) {
    if (n != 27 && n != 23) return -1;
    n -= 3;
  } else if (n != 24 && n != 20) {
    return -1;
  }
  if (t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[n - 1] != 'Z')
    return -1;
  if (att__digits(wide ? s + 1 : s, wide ? 6 : 4, &y) || att__digits(t + 5, 2, &mo) ||
      att__digits(t + 8, 2, &d) || att__digits(t + 11, 2, &h) || att__digits(t + 14, 2, &mi) ||
      att__digits(t + 17, 2, &se))
    return -1;
  if (wide && y <= 9999) return -1; /* one text per time: short years take the short form */
  if (n == 24 && (t[19] != '.' || att__digits(t + 20, 3, &frac))) return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 59) return -1;
  if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return -1;
  *ms = att__days_from_civil((long)y, mo, d) * ATT_DAY_MS + h * 3600000.0 + mi * 60000.0 +
        se * 1000.0 + frac;
  return 0;
}
