/* test_json.c — the JSON door: bounded parsing, key checks, the streaming walker, the builder's
 * number printing and ISO-8601 times. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "tests.h"

extern long att__alloc_countdown;

/* A heap copy of exactly `n` bytes with no terminating NUL, so ASan catches any read past the
 * given length. */
static char *exact_copy(const char *s, size_t n) {
  char *p = malloc(n ? n : 1);
  if (n) memcpy(p, s, n);
  return p;
}

static int parses(const char *s, size_t n) {
  att__err e;
  att__jv *v;
  char *copy = exact_copy(s, n);
  memset(&e, 0, sizeof e);
  v = att__json_parse(&e, "test", copy, n);
  free(copy);
  att__json_free(v);
  return v != NULL;
}

/* Parses `s` (its whole strlen) and returns the error, or code 0 when it parsed. */
static att__err parse_error(const char *s) {
  att__err e;
  att__jv *v;
  char *copy = exact_copy(s, strlen(s));
  memset(&e, 0, sizeof e);
  v = att__json_parse(&e, "thing", copy, strlen(s));
  free(copy);
  if (v) e.code = 0;
  att__json_free(v);
  return e;
}

/* "[[[...]]]" nested `depth` levels deep, as a malloc'd string. */
static char *nested_arrays(int depth) {
  char *s = malloc((size_t)depth * 2 + 1);
  int i;
  for (i = 0; i < depth; i++) {
    s[i] = '[';
    s[depth * 2 - 1 - i] = ']';
  }
  s[depth * 2] = 0;
  return s;
}

static void parse_reads_exactly_the_given_length(void) {
  const char *text = "[1,2]xyz";
  att__err e;
  att__jv *v;
  char *copy = exact_copy(text, 5);
  memset(&e, 0, sizeof e);
  v = att__json_parse(&e, "test", copy, 5);
  CHECK(v != NULL);
  CHECK(att__jv_type(v) == ATT__J_ARR);
  CHECK(att__jv_count(v) == 2);
  CHECK(att__jv_num(att__jv_first(v)) == 1);
  att__json_free(v);
  free(copy);

  CHECK(parses("  {\"a\": [true, null]} \n\t", strlen("  {\"a\": [true, null]} \n\t")));
  CHECK(parses("\"abc\"", 5));
  CHECK(parses("\"abc\"", 4) == 0); /* the closing quote is outside the length */
  CHECK(parses("12", 1));           /* "1" */
}

static void parse_rejects_empty_input_and_trailing_text(void) {
  att__err e;
  memset(&e, 0, sizeof e);
  CHECK(att__json_parse(&e, "thing", "", 0) == NULL);
  CHECK(e.code == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "thing") != NULL, "%s", e.msg);
  CHECK(att__json_parse(&e, "thing", NULL, 0) == NULL);
  CHECK(e.code == ATT_E_JSON);

  e = parse_error("[1,2]x");
  CHECK(e.code == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "byte 5") != NULL, "%s", e.msg);
  CHECK_MSG(strstr(e.msg, "thing") != NULL, "%s", e.msg);

  e = parse_error("{} {}");
  CHECK(e.code == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "byte 3") != NULL, "%s", e.msg);

  e = parse_error("   ");
  CHECK(e.code == ATT_E_JSON);
}

static void parse_errors_name_the_byte_offset(void) {
  att__err e = parse_error("[1,,2]");
  CHECK(e.code == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "byte 3") != NULL, "%s", e.msg);

  e = parse_error("{\"a\":tru}");
  CHECK(e.code == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "byte 5") != NULL, "%s", e.msg);

  e = parse_error("[1, 2");
  CHECK(e.code == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "byte ") != NULL, "%s", e.msg);
}

static void parse_limits_nesting_to_32_levels(void) {
  char *ok = nested_arrays(ATT_MAX_JSON_DEPTH), *deep = nested_arrays(ATT_MAX_JSON_DEPTH + 1);
  char *very = nested_arrays(5000);
  att__err e;
  CHECK(parses(ok, strlen(ok)));
  CHECK(parses(deep, strlen(deep)) == 0);
  e = parse_error(deep);
  CHECK(e.code == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "32") != NULL, "%s", e.msg);
  CHECK(parses(very, strlen(very)) == 0);
  free(ok);
  free(deep);
  free(very);
}

static void typed_accessors_read_values(void) {
  const char *text = "{\"n\":2.5,\"s\":\"h\\u00e9\",\"t\":true,\"f\":false,\"z\":null,\"a\":[],\"o\":{}}";
  att__err e;
  att__jv *v = att__json_parse(&e, "test", text, strlen(text));
  size_t n;
  CHECK(v != NULL);
  if (!v) return;
  CHECK(att__jv_type(v) == ATT__J_OBJ);
  CHECK(att__jv_count(v) == 7);
  CHECK(att__jv_num(att__jv_get(v, "n")) == 2.5);
  CHECK(strcmp(att__jv_str(att__jv_get(v, "s"), &n), "h\xc3\xa9") == 0 && n == 3);
  CHECK(att__jv_bool(att__jv_get(v, "t")) == 1);
  CHECK(att__jv_bool(att__jv_get(v, "f")) == 0);
  CHECK(att__jv_type(att__jv_get(v, "z")) == ATT__J_NULL);
  CHECK(att__jv_get(v, "missing") == NULL);
  CHECK(att__jv_type(NULL) == ATT__J_INVALID);
  CHECK(strcmp(att__jv_typename(att__jv_get(v, "a")), "an array") == 0);
  CHECK(strcmp(att__jv_typename(att__jv_get(v, "o")), "an object") == 0);
  CHECK(strcmp(att__jv_typename(att__jv_get(v, "s")), "a string") == 0);
  CHECK(strcmp(att__jv_key(att__jv_first(v)), "n") == 0);
  att__json_free(v);
}

static void check_keys_names_the_path_and_the_key(void) {
  static const char *const allowed[] = {"a", "b", NULL};
  const char *good = "{\"a\":1,\"b\":2}", *unknown = "{\"a\":1,\"c\":2}", *twice = "{\"a\":1,\"a\":2}";
  att__err e;
  att__jv *v;

  memset(&e, 0, sizeof e);
  v = att__json_parse(&e, "test", good, strlen(good));
  CHECK(att__json_check_keys(&e, ATT_E_CONFIG, v, "config.x", allowed) == ATT_OK);
  CHECK(att__json_check_keys(&e, ATT_E_CONFIG, v, "config.x", NULL) == ATT_OK);
  att__json_free(v);

  v = att__json_parse(&e, "test", unknown, strlen(unknown));
  CHECK(att__json_check_keys(&e, ATT_E_CONFIG, v, "config.x", allowed) == ATT_E_CONFIG);
  CHECK(e.code == ATT_E_CONFIG);
  CHECK_MSG(strstr(e.msg, "config.x") != NULL, "%s", e.msg);
  CHECK_MSG(strstr(e.msg, "\"c\"") != NULL, "%s", e.msg);
  CHECK_MSG(strstr(e.msg, "a, b") != NULL, "allowed keys listed: %s", e.msg);
  CHECK(att__json_check_keys(&e, ATT_E_ARG, v, "opts", NULL) == ATT_OK);
  att__json_free(v);

  v = att__json_parse(&e, "test", twice, strlen(twice));
  CHECK(att__json_check_keys(&e, ATT_E_PROFILE, v, "import.traits", NULL) == ATT_E_PROFILE);
  CHECK_MSG(strstr(e.msg, "import.traits") != NULL, "%s", e.msg);
  CHECK_MSG(strstr(e.msg, "\"a\"") != NULL && strstr(e.msg, "twice") != NULL, "%s", e.msg);
  CHECK(att__json_check_keys(&e, ATT_E_CONFIG, v, "config.x", allowed) == ATT_E_CONFIG);
  CHECK_MSG(strstr(e.msg, "twice") != NULL, "%s", e.msg);
  att__json_free(v);
}

/* --- walker ------------------------------------------------------------------------------ */

typedef struct walk_log {
  char members[8][16];
  double member_num[8];
  int nmembers;
  int elems;
  size_t index[8];
  double elem_num[8];
  int stop_at; /* on_elem fails at this index, -1 = never */
  int member_after_elem; /* a member seen after an element */
} walk_log;

static int on_member(void *ctx, const char *key, const att__jv *v) {
  walk_log *w = ctx;
  if (w->elems) w->member_after_elem = 1;
  if (w->nmembers < 8) {
    snprintf(w->members[w->nmembers], sizeof w->members[0], "%s", key);
    w->member_num[w->nmembers] = att__jv_type(v) == ATT__J_NUM ? att__jv_num(v) : -1;
  }
  w->nmembers++;
  return ATT_OK;
}

static int on_elem(void *ctx, size_t index, const att__jv *v) {
  walk_log *w = ctx;
  if (w->stop_at >= 0 && index == (size_t)w->stop_at) return ATT_E_CATALOG;
  if (w->elems < 8) {
    w->index[w->elems] = index;
    w->elem_num[w->elems] = att__jv_type(v) == ATT__J_OBJ ? att__jv_num(att__jv_get(v, "n")) : -1;
  }
  w->elems++;
  return ATT_OK;
}

static int walk(const char *text, walk_log *log, att__err *e) {
  char *copy = exact_copy(text, strlen(text));
  int rc;
  memset(log, 0, sizeof *log);
  log->stop_at = -1;
  memset(e, 0, sizeof *e);
  rc = att__json_walk(e, "catalog", copy, strlen(text), "items", on_member, on_elem, log);
  free(copy);
  return rc;
}

static void walk_parses_members_then_each_array_element(void) {
  walk_log log;
  att__err e;
  int rc = walk("{\"version\":1,\"items\":[{\"n\":10},{\"n\":11,\"s\":\"],}{[\\\"\"} , {\"n\":12}],\"dim\":4}",
                &log, &e);
  CHECK_MSG(rc == ATT_OK, "%s", e.msg);
  CHECK(log.nmembers == 2);
  CHECK(strcmp(log.members[0], "version") == 0 && log.member_num[0] == 1);
  CHECK(strcmp(log.members[1], "dim") == 0 && log.member_num[1] == 4);
  CHECK(log.member_after_elem == 0);
  CHECK(log.elems == 3);
  CHECK(log.index[0] == 0 && log.index[1] == 1 && log.index[2] == 2);
  CHECK(log.elem_num[0] == 10 && log.elem_num[1] == 11 && log.elem_num[2] == 12);

  rc = walk("\xEF\xBB\xBF {\"items\":[ ]}  ", &log, &e);
  CHECK_MSG(rc == ATT_OK, "a byte-order mark and an empty array: %s", e.msg);
  CHECK(log.elems == 0 && log.nmembers == 0);

  rc = walk("{}", &log, &e);
  CHECK(rc == ATT_OK && log.elems == 0 && log.nmembers == 0);
}

static void walk_without_the_array_is_fine(void) {
  walk_log log;
  att__err e;
  int rc = walk("{\"version\":1}", &log, &e);
  CHECK_MSG(rc == ATT_OK, "%s", e.msg);
  CHECK(log.nmembers == 1 && log.elems == 0);
}

static void walk_hands_a_non_array_to_on_member(void) {
  walk_log log;
  att__err e;
  int rc = walk("{\"items\":7}", &log, &e);
  CHECK(rc == ATT_OK);
  CHECK(log.nmembers == 1 && strcmp(log.members[0], "items") == 0 && log.member_num[0] == 7);
  CHECK(log.elems == 0);
}

static void walk_rejects_bad_shapes(void) {
  walk_log log;
  att__err e;
  CHECK(walk("[{\"n\":1}]", &log, &e) == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "object") != NULL, "%s", e.msg);
  CHECK(log.elems == 0);
  CHECK(walk("3", &log, &e) == ATT_E_JSON);
  CHECK(walk("", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"a\":1,\"a\":2}", &log, &e) == ATT_E_JSON);
  CHECK_MSG(strstr(e.msg, "\"a\"") != NULL && strstr(e.msg, "twice") != NULL, "%s", e.msg);
  CHECK(log.nmembers == 0);
  CHECK(walk("{\"items\":[],\"items\":[]}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"a\":1} x", &log, &e) == ATT_E_JSON);
  CHECK(log.nmembers == 0);
  CHECK(walk("{\"a\" 1}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{a:1}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"a\":1,}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"a\":}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"items\":[{\"n\":1},,{\"n\":2}]}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"items\":[{\"n\":1} {\"n\":2}]}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"items\":[{\"n\":1},]}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"items\":[{\"n\":}]}", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"items\":[1", &log, &e) == ATT_E_JSON);
  CHECK(walk("{\"items\":[\"abc]}", &log, &e) == ATT_E_JSON);
}

static void walk_limits_nesting(void) {
  walk_log log;
  att__err e;
  char *deep = nested_arrays(40), *text = malloc(200);
  snprintf(text, 200, "{\"items\":[%s]}", deep);
  CHECK(walk(text, &log, &e) == ATT_E_JSON);
  snprintf(text, 200, "{\"other\":%s}", deep);
  CHECK(walk(text, &log, &e) == ATT_E_JSON);
  free(deep);
  free(text);
}

static void walk_stops_at_the_first_callback_error(void) {
  walk_log log;
  att__err e;
  char *copy;
  const char *text = "{\"items\":[{\"n\":1},{\"n\":2},{\"n\":3}]}";
  memset(&log, 0, sizeof log);
  memset(&e, 0, sizeof e);
  log.stop_at = 1;
  copy = exact_copy(text, strlen(text));
  CHECK(att__json_walk(&e, "catalog", copy, strlen(text), "items", on_member, on_elem, &log) == ATT_E_CATALOG);
  free(copy);
  CHECK(log.elems == 1);
}

/* --- builder ----------------------------------------------------------------------------- */

/* Prints `v` through the builder as a one-element array and returns the element's text. */
static void print_number(double v, char *out, size_t cap) {
  att__jw w;
  att__buf b;
  att__jv *arr;
  memset(&b, 0, sizeof b);
  arr = att__jw_begin(&w, 1);
  att__jw_num(&w, arr, NULL, v);
  if (att__jw_finish(&w, &b) || b.len < 2) {
    snprintf(out, cap, "<failed>");
  } else {
    snprintf(out, cap, "%.*s", (int)(b.len - 2), (const char *)b.p + 1);
  }
  att__buf_free(&b);
}

static void numbers_print_so_they_read_back_exactly(void) {
  const double values[] = {0.1 + 0.2, 1e-300, 9007199254740991.0, 0.1, 1.0 / 3, 2.0 / 3, -2.5, 123456789.125,
                           5e-324, 1.7976931348623157e308, 4.35, 0.3, 1e21, 1e16 + 2, 3.0000000000000004,
                           -1e-7, 100, 1e22, 2.2250738585072014e-308};
  size_t i;
  char text[64];
  for (i = 0; i < sizeof values / sizeof *values; i++) {
    print_number(values[i], text, sizeof text);
    CHECK_MSG(strtod(text, NULL) == values[i], "%.17g printed as %s", values[i], text);
    CHECK_MSG(strchr(text, ' ') == NULL && strlen(text) <= 24, "%s", text);
  }
  print_number(0.1 + 0.2, text, sizeof text);
  CHECK_MSG(strcmp(text, "0.30000000000000004") == 0, "%s", text);
  print_number(0.1, text, sizeof text);
  CHECK_MSG(strcmp(text, "0.1") == 0, "shortest form: %s", text);
  print_number(9007199254740991.0, text, sizeof text);
  CHECK_MSG(strcmp(text, "9007199254740991") == 0, "%s", text);
  print_number(-0.0, text, sizeof text);
  CHECK_MSG(strcmp(text, "0") == 0, "%s", text);
  print_number(42, text, sizeof text);
  CHECK_MSG(strcmp(text, "42") == 0, "%s", text);
  print_number(-7, text, sizeof text);
  CHECK_MSG(strcmp(text, "-7") == 0, "%s", text);
  print_number(1e-300, text, sizeof text);
  CHECK_MSG(strcmp(text, "1e-300") == 0, "%s", text);
  print_number(NAN, text, sizeof text);
  CHECK_MSG(strcmp(text, "null") == 0, "%s", text);
  print_number(INFINITY, text, sizeof text);
  CHECK_MSG(strcmp(text, "null") == 0, "%s", text);
  print_number(-INFINITY, text, sizeof text);
  CHECK_MSG(strcmp(text, "null") == 0, "%s", text);
}

static void printed_numbers_survive_the_parser(void) {
  const double values[] = {0.1 + 0.2, 1e-300, 9007199254740991.0, 1.0 / 3, -2.5e-12, 6.02214076e23};
  att__jw w;
  att__buf b;
  att__jv *arr, *back, *x;
  att__err e;
  size_t i;
  memset(&b, 0, sizeof b);
  arr = att__jw_begin(&w, 1);
  for (i = 0; i < sizeof values / sizeof *values; i++) att__jw_num(&w, arr, NULL, values[i]);
  CHECK(att__jw_finish(&w, &b) == ATT_OK);
  back = att__json_parse(&e, "test", (const char *)b.p, b.len);
  CHECK(back != NULL);
  for (i = 0, x = att__jv_first(back); x; x = att__jv_next(x), i++)
    CHECK_MSG(att__jv_num(x) == values[i], "%.17g read back as %.17g", values[i], att__jv_num(x));
  CHECK(i == sizeof values / sizeof *values);
  att__json_free(back);
  att__buf_free(&b);
}

static void builder_writes_the_document(void) {
  att__jw w;
  att__buf b;
  att__jv *root, *a, *o;
  memset(&b, 0, sizeof b);
  root = att__jw_begin(&w, 0);
  att__jw_str(&w, root, "s", "x\"y\n");
  att__jw_bool(&w, root, "t", 1);
  att__jw_bool(&w, root, "f", 0);
  att__jw_null(&w, root, "z");
  a = att__jw_arr(&w, root, "a");
  att__jw_num(&w, a, NULL, 1);
  att__jw_num(&w, a, NULL, 2.5);
  o = att__jw_obj(&w, root, "o");
  att__jw_time(&w, o, "at", 0);
  att__jw_time(&w, o, "never", NAN);
  CHECK(att__jw_finish(&w, &b) == ATT_OK);
  CHECK(w.root == NULL);
  CHECK_MSG(b.len == strlen("{\"s\":\"x\\\"y\\n\",\"t\":true,\"f\":false,\"z\":null,\"a\":[1,2.5],"
                            "\"o\":{\"at\":\"1970-01-01T00:00:00.000Z\",\"never\":null}}") &&
                memcmp(b.p,
                       "{\"s\":\"x\\\"y\\n\",\"t\":true,\"f\":false,\"z\":null,\"a\":[1,2.5],"
                       "\"o\":{\"at\":\"1970-01-01T00:00:00.000Z\",\"never\":null}}",
                       b.len) == 0,
            "%.*s", (int)b.len, (const char *)b.p);

  /* finishing replaces what the buffer held */
  root = att__jw_begin(&w, 1);
  CHECK(att__jw_finish(&w, &b) == ATT_OK);
  CHECK(b.len == 2 && memcmp(b.p, "[]", 2) == 0);
  att__buf_free(&b);
}

static void builder_failures_are_sticky(void) {
  att__jw w;
  att__buf b;
  att__jv *root;
  memset(&b, 0, sizeof b);
  root = att__jw_begin(&w, 0);
  att__alloc_countdown = 0;
  att__jw_str(&w, root, "a", "x");
  att__alloc_countdown = -1;
  CHECK(w.failed == 1);
  att__jw_num(&w, root, "b", 1); /* ignored now */
  CHECK(att__jw_obj(&w, root, "c") == NULL);
  CHECK(att__jw_finish(&w, &b) == ATT_E_NOMEM);
  CHECK(b.len == 0);
  att__buf_free(&b);
}

/* --- ISO-8601 ---------------------------------------------------------------------------- */

static int iso(const char *s, double *ms) { return att__iso_parse(s, strlen(s), ms); }

static void iso_times_round_trip(void) {
  const double times[] = {0, 1, 999, 86399999, 86400000, 951782400000.0 /* 2000-02-29 */,
                          1709251199999.0 /* 2024-02-29T23:59:59.999Z */, 1700000000000.0, 4102444800000.0,
                          253402300799999.0 /* 9999-12-31T23:59:59.999Z */};
  size_t i;
  char out[32];
  double back;
  for (i = 0; i < sizeof times / sizeof *times; i++) {
    att__iso_format(out, times[i]);
    CHECK_MSG(strlen(out) == 24, "%s", out);
    CHECK_MSG(iso(out, &back) == 0 && back == times[i], "%.0f -> %s", times[i], out);
  }
  att__iso_format(out, 0);
  CHECK(strcmp(out, "1970-01-01T00:00:00.000Z") == 0);
  att__iso_format(out, 1709251199999.0);
  CHECK_MSG(strcmp(out, "2024-02-29T23:59:59.999Z") == 0, "%s", out);
  att__iso_format(out, 1700000000000.0);
  CHECK_MSG(strcmp(out, "2023-11-14T22:13:20.000Z") == 0, "%s", out);
  att__iso_format(out, -1);
  CHECK_MSG(strcmp(out, "1969-12-31T23:59:59.999Z") == 0, "%s", out);

  CHECK(iso("2023-11-14T22:13:20Z", &back) == 0 && back == 1700000000000.0);
  CHECK(iso("2000-02-29T00:00:00.000Z", &back) == 0 && back == 951782400000.0);
  CHECK(iso("2400-02-29T00:00:00.000Z", &back) == 0);
  CHECK(iso("2023-12-31T23:59:59.999Z", &back) == 0 && back == 1704067199999.0);
}

/* The engine accepts times up to JS Date's last (8.64e15 ms, in the year 275760); exports must
 * write them in a form import reads back, which past 9999 is ECMAScript's "+YYYYYY". */
static void iso_years_past_9999_take_the_expanded_form(void) {
  const double times[] = {253402300800000.0 /* 10000-01-01 */, 8.64e15, 8.64e15 - 1, 1e15};
  size_t i;
  char out[32];
  double back;
  for (i = 0; i < sizeof times / sizeof *times; i++) {
    att__iso_format(out, times[i]);
    CHECK_MSG(strlen(out) == 27 && out[0] == '+', "%s", out);
    CHECK_MSG(iso(out, &back) == 0 && back == times[i], "%.0f -> %s", times[i], out);
  }
  att__iso_format(out, 8.64e15);
  CHECK_MSG(strcmp(out, "+275760-09-13T00:00:00.000Z") == 0, "%s", out); /* as new Date(8.64e15).toISOString() */
  att__iso_format(out, 253402300800000.0);
  CHECK_MSG(strcmp(out, "+010000-01-01T00:00:00.000Z") == 0, "%s", out);
  CHECK(iso("+010000-01-01T00:00:00Z", &back) == 0 && back == 253402300800000.0);
  CHECK(iso("+009999-12-31T00:00:00.000Z", &back) == -1); /* one text per time */
  CHECK(iso("+27576-09-13T00:00:00.000Z", &back) == -1);
  CHECK(iso("+0275760-09-13T00:00:00.000Z", &back) == -1);
  CHECK(iso("-000001-01-01T00:00:00.000Z", &back) == -1);
  CHECK(iso("+", &back) == -1);
}

static void iso_parse_rejects_bad_dates(void) {
  static const char *const bad[] = {
      "2023-02-29T00:00:00.000Z", /* not a leap year */
      "1900-02-29T00:00:00.000Z", /* centuries are not, unless divisible by 400 */
      "2023-13-01T00:00:00.000Z", "2023-00-01T00:00:00.000Z", "2023-01-00T00:00:00.000Z",
      "2023-04-31T00:00:00.000Z", "2023-01-32T00:00:00.000Z", "2023-01-01T24:00:00.000Z",
      "2023-01-01T00:60:00.000Z", "2023-01-01T00:00:60.000Z",
      "2023-01-01T00:00:00.00Z",  /* wrong length */
      "2023-01-01T00:00:00.0000Z", "2023-01-01T00:00:00", "2023-01-01", "",
      "2023-01-01 00:00:00.000Z", "2023/01/01T00:00:00.000Z", "2023-01-01T00:00:00.000+",
      "2023-01-01T00:00:00,000Z", "2023-1a-01T00:00:00.000Z", "+023-01-01T00:00:00.000Z",
      "2023-01-01T00:00:00.0a0Z", "2023-01-01T00:00:00.000z"};
  size_t i;
  double ms = 12345;
  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK_MSG(iso(bad[i], &ms) == -1, "accepted %s", bad[i]);
  }
  CHECK(ms == 12345); /* untouched on failure */
}

void test_json(void) {
  iso_years_past_9999_take_the_expanded_form();
  parse_reads_exactly_the_given_length();
  parse_rejects_empty_input_and_trailing_text();
  parse_errors_name_the_byte_offset();
  parse_limits_nesting_to_32_levels();
  typed_accessors_read_values();
  check_keys_names_the_path_and_the_key();
  walk_parses_members_then_each_array_element();
  walk_without_the_array_is_fine();
  walk_hands_a_non_array_to_on_member();
  walk_rejects_bad_shapes();
  walk_limits_nesting();
  walk_stops_at_the_first_callback_error();
  numbers_print_so_they_read_back_exactly();
  printed_numbers_survive_the_parser();
  builder_writes_the_document();
  builder_failures_are_sticky();
  iso_times_round_trip();
  iso_parse_rejects_bad_dates();
}
