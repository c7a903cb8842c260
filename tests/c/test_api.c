/* test_api.c — the public boundary: argument checks of every function, failed calls that
 * change nothing, constants, results, the dirty flag, level none and forget. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attune.h"
#include "check.h"
#include "json.h"
#include "tests.h"

#define DAY 86400000.0
#define NOW 1700000000000.0

static const char *const config_json =
    "{\"traits\":{\"plan\":[\"free\",\"pro\"]},\"segments\":[{\"label\":\"pros\",\"when\":{\"plan\":[\"pro\"]}}],"
    "\"context\":{\"keys\":[\"campaign\"]},\"maxPrivacyLevel\":\"contextual\"}";

static const char *const catalog_json =
    "{\"version\":1,\"items\":[{\"id\":\"a1\",\"tags\":[\"x\"],\"popularity\":3},{\"id\":\"a2\",\"tags\":[\"y\"],"
    "\"popularity\":9},{\"id\":\"a3\",\"tags\":[\"x\",\"z\"]},{\"id\":\"b1\",\"category\":\"c\",\"popularity\":1}]}";

typedef struct bytes {
  unsigned char *p;
  size_t n;
} bytes;

static bytes copy_result(const att_engine *h) {
  bytes b;
  b.n = att_result_len(h);
  b.p = malloc(b.n + 1);
  if (b.n) memcpy(b.p, att_result(h), b.n);
  b.p[b.n] = 0;
  return b;
}

static bytes snap(att_engine *h) {
  bytes b = {NULL, 0};
  int rc = att_snapshot(h, NOW);
  CHECK_MSG(rc == ATT_OK, "snapshot: %s", att_errmsg(h));
  return rc ? b : copy_result(h);
}

static int same(bytes a, bytes b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }

/* The text of a result, NUL-terminated, in a static buffer. */
static const char *result_text(const att_engine *h) {
  static char buf[8192];
  size_t n = att_result_len(h);
  if (n >= sizeof buf) n = sizeof buf - 1;
  if (n) memcpy(buf, att_result(h), n);
  buf[n] = 0;
  return buf;
}

/* `n` bytes copied to a block of exactly that size: reading past the length is caught. */
static char *exact(const char *s, size_t n) {
  char *p = malloc(n ? n : 1);
  if (n) memcpy(p, s, n);
  return p;
}

static att_engine *engine(const char *config, int with_catalog) {
  att_engine *h = att_new();
  if (!h) return NULL;
  if (config) CHECK_MSG(att_configure(h, config, strlen(config), NOW) == ATT_OK, "%s", att_errmsg(h));
  if (with_catalog)
    CHECK_MSG(att_load_catalog(h, catalog_json, strlen(catalog_json), NOW) == ATT_OK, "%s", att_errmsg(h));
  att_take_dirty(h);
  return h;
}

static double eid = 1;

static int track(att_engine *h, const char *id, int type) {
  return att_track(h, id, strlen(id), type, NAN, NAN, eid++, NULL, 0, NOW);
}

/* Something in every part of the profile. */
static void fill(att_engine *h) {
  CHECK(att_set_traits(h, "{\"plan\":\"pro\"}", 14, NOW) == ATT_OK);
  CHECK(track(h, "a1", ATT_EV_CLICK) == ATT_OK);
  CHECK(track(h, "a2", ATT_EV_DISMISS) == ATT_OK);
  CHECK(track(h, "a3", ATT_EV_IMPRESSION) == ATT_OK);
  CHECK(att_block(h, 0, "z", 1, 1, NOW) == ATT_OK);
  CHECK(att_block(h, 1, "b1", 2, 1, NOW) == ATT_OK);
  CHECK(att_server_payload(h, 9, NOW) == ATT_OK);
  att_take_dirty(h);
}

/* A refused call: the code, the message (naming `part` when given), and nothing changed
 * (snapshot bytes, dirty flag). */
static void expect_refused(int line, att_engine *h, bytes before, int rc, int code, const char *part,
                           const char *what) {
  bytes after;
  CHECK_MSG(rc == code, "line %d: %s returned %d, want %d (%s)", line, what, rc, code, att_errmsg(h));
  CHECK_MSG(att_errcode(h) == code, "line %d: %s: errcode %d", line, what, att_errcode(h));
  CHECK_MSG(att_errmsg(h)[0] != 0, "line %d: %s: no message", line, what);
  if (part)
    CHECK_MSG(strstr(att_errmsg(h), part) != NULL, "line %d: %s: message lacks %s: %s", line, what, part,
              att_errmsg(h));
  CHECK_MSG(att_take_dirty(h) == 0, "line %d: %s set the dirty flag", line, what);
  after = snap(h);
  CHECK_MSG(same(before, after), "line %d: %s changed the profile", line, what);
  free(after.p);
}
#define REFUSED(h, before, call, code) expect_refused(__LINE__, h, before, (call), code, NULL, #call)
#define REFUSED_NAMING(h, before, call, code, part) expect_refused(__LINE__, h, before, (call), code, part, #call)

static size_t len_of(const char *s) { return s ? strlen(s) : 0; }

/* --- constants and results --------------------------------------------------------------- */

static void constants_are_valid_json(void) {
  const char *c = att_constants();
  att__err e;
  att__jv *v = att__json_parse(&e, "constants", c, strlen(c));
  const att__jv *errors;
  CHECK_MSG(v != NULL, "%s", e.msg);
  CHECK(strstr(c, "\"abi\":1") != NULL);
  CHECK(att_abi_version() == ATT_ABI_VERSION && ATT_ABI_VERSION == 1);
  CHECK(att_constants() == c);
  if (!v) return;
  CHECK(strcmp(att__jv_str(att__jv_get(v, "version"), NULL), ATT_VERSION) == 0);
  errors = att__jv_get(v, "errors");
  CHECK(att__jv_count(errors) == ATT_E_STATE + 1);
  {
    const att__jv *x = att__jv_first(errors);
    int i;
    for (i = 0; x && i < ATT_E_NOMEM; i++) x = att__jv_next(x);
    CHECK(strcmp(att__jv_str(x, NULL), "out_of_memory") == 0);
    for (; x && i < ATT_E_STATE; i++) x = att__jv_next(x);
    CHECK(strcmp(att__jv_str(x, NULL), "bad_state") == 0);
  }
  CHECK(att__jv_count(att__jv_get(v, "levels")) == ATT_LEVEL_COUNT);
  CHECK(strcmp(att__jv_str(att__jv_first(att__jv_get(v, "levels")), NULL), "none") == 0);
  CHECK(att__jv_count(att__jv_get(v, "events")) == ATT_EV_COUNT);
  CHECK(att__jv_num(att__jv_get(att__jv_get(v, "limits"), "idBytes")) == 128);
  CHECK(att__jv_num(att__jv_get(att__jv_get(v, "limits"), "tagBytes")) == 64);
  att__json_free(v);
}

static int result_is_json(const att_engine *h, int type) {
  att__err e;
  att__jv *v = att__json_parse(&e, "result", (const char *)att_result(h), att_result_len(h));
  int ok = v && att__jv_type(v) == type;
  att__json_free(v);
  return ok;
}

static void results_land_in_the_handle_buffer(void) {
  att_engine *h = att_new();
  if (!h) return;
  CHECK(att_errcode(h) == ATT_OK && att_errmsg(h)[0] == 0);
  CHECK_MSG(att_configure(h, config_json, strlen(config_json), NOW) == ATT_OK, "%s", att_errmsg(h));
  CHECK_MSG(att_result_len(h) > 0 && result_is_json(h, ATT__J_OBJ),
            "configure's result is the normalised configuration as JSON: \"%s\"", result_text(h));
  CHECK(att_load_catalog(h, catalog_json, strlen(catalog_json), NOW) == ATT_OK);
  CHECK(result_is_json(h, ATT__J_OBJ) && strstr(result_text(h), "\"items\":4") != NULL);
  CHECK(att_segment(h, NOW) == ATT_OK);
  CHECK(att_result_len(h) == 7 && memcmp(att_result(h), "general", 7) == 0);
  CHECK(att_server_payload(h, 1, NOW) == ATT_OK && strcmp(result_text(h), "{\"segment\":\"general\"}") == 0);
  CHECK(att_inventory(h, NOW) == ATT_OK && result_is_json(h, ATT__J_ARR));
  CHECK(att_metrics(h, NOW) == ATT_OK && result_is_json(h, ATT__J_OBJ));
  CHECK(att_privacy_report(h, NOW) == ATT_OK && result_is_json(h, ATT__J_OBJ));
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_OK && result_is_json(h, ATT__J_ARR));
  CHECK(att_explain(h, "a1", 2, NULL, 0, NOW) == ATT_OK && result_is_json(h, ATT__J_OBJ));
  CHECK(att_export(h, NOW) == ATT_OK && result_is_json(h, ATT__J_OBJ));
  CHECK(att_snapshot(h, NOW) == ATT_OK && att_result_len(h) > 16);
  /* an error clears the result and stays until the next call */
  CHECK(att_explain(h, "zz", 2, NULL, 0, NOW) == ATT_E_UNKNOWN_ITEM);
  CHECK(att_result_len(h) == 0);
  CHECK(att_errcode(h) == ATT_E_UNKNOWN_ITEM && strstr(att_errmsg(h), "zz") != NULL);
  CHECK(att_level(h) == ATT_LEVEL_BEHAVIORAL);
  CHECK(att_errcode(h) == ATT_E_UNKNOWN_ITEM); /* att_level is not a call that clears */
  CHECK(att_segment(h, NOW) == ATT_OK && att_errcode(h) == ATT_OK && att_errmsg(h)[0] == 0);
  att_free(h);
}

static void inputs_are_read_by_length_only(void) {
  att_engine *h = engine(NULL, 0);
  char *cfg = exact(config_json, strlen(config_json)), *cat = exact(catalog_json, strlen(catalog_json));
  char *id = exact("a1XYZ", 5), *traits = exact("{\"plan\":\"pro\"}", 14);
  if (!h) return;
  CHECK(att_configure(h, cfg, strlen(config_json), NOW) == ATT_OK);
  CHECK(att_load_catalog(h, cat, strlen(catalog_json), NOW) == ATT_OK);
  CHECK(att_set_traits(h, traits, 14, NOW) == ATT_OK);
  CHECK(att_track(h, id, 2, ATT_EV_CLICK, NAN, NAN, 1, NULL, 0, NOW) == ATT_OK);
  CHECK(att_explain(h, id, 2, NULL, 0, NOW) == ATT_OK);
  CHECK(strstr(result_text(h), "\"id\":\"a1\"") != NULL);
  CHECK(att_segment(h, NOW) == ATT_OK && strcmp(result_text(h), "pros") == 0);
  free(cfg);
  free(cat);
  free(id);
  free(traits);
  att_free(h);
}

static void alloc_and_dealloc_are_exported(void) {
  unsigned char *p = att_alloc(64);
  CHECK(p != NULL);
  if (p) memset(p, 1, 64);
  att_dealloc(p);
  att_dealloc(NULL);
}

/* --- argument checks --------------------------------------------------------------------- */

static void a_null_handle_is_refused_everywhere(void) {
  unsigned char b[4] = {0};
  CHECK(att_configure(NULL, "{}", 2, NOW) == ATT_E_ARG);
  CHECK(att_load_catalog(NULL, "{}", 2, NOW) == ATT_E_ARG);
  CHECK(att_set_traits(NULL, "{}", 2, NOW) == ATT_E_ARG);
  CHECK(att_track(NULL, "a1", 2, ATT_EV_CLICK, NAN, NAN, 1, NULL, 0, NOW) == ATT_E_ARG);
  CHECK(att_recommend(NULL, NULL, 0, NOW) == ATT_E_ARG);
  CHECK(att_explain(NULL, "a1", 2, NULL, 0, NOW) == ATT_E_ARG);
  CHECK(att_segment(NULL, NOW) == ATT_E_ARG);
  CHECK(att_server_payload(NULL, 1, NOW) == ATT_E_ARG);
  CHECK(att_inventory(NULL, NOW) == ATT_E_ARG);
  CHECK(att_metrics(NULL, NOW) == ATT_E_ARG);
  CHECK(att_privacy_report(NULL, NOW) == ATT_E_ARG);
  CHECK(att_set_level(NULL, ATT_LEVEL_NONE, NOW) == ATT_E_ARG);
  CHECK(att_block(NULL, 0, "x", 1, 1, NOW) == ATT_E_ARG);
  CHECK(att_forget(NULL) == ATT_E_ARG);
  CHECK(att_snapshot(NULL, NOW) == ATT_E_ARG);
  CHECK(att_restore(NULL, b, 4, NOW) == ATT_E_ARG);
  CHECK(att_merge(NULL, b, 4, b, 4, NOW) == ATT_E_ARG);
  CHECK(att_export(NULL, NOW) == ATT_E_ARG);
  CHECK(att_import(NULL, "{}", 2, NOW) == ATT_E_ARG);
  CHECK(att_errmsg(NULL) != NULL && att_errmsg(NULL)[0] != 0);
  CHECK(att_errcode(NULL) == ATT_E_ARG);
  CHECK(att_result(NULL) == NULL && att_result_len(NULL) == 0);
  CHECK(att_take_dirty(NULL) == 0);
  CHECK(att_level(NULL) == ATT_LEVEL_NONE);
  att_free(NULL);
}

static void a_bad_clock_is_refused_everywhere(void) {
  const double bad[] = {NAN, INFINITY, -INFINITY, -1, 8.7e15};
  att_engine *h = engine(config_json, 1);
  bytes before, s, e;
  size_t i;
  if (!h) return;
  fill(h);
  before = snap(h);
  s = snap(h);
  CHECK(att_export(h, NOW) == ATT_OK);
  e = copy_result(h);
  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    double t = bad[i];
    REFUSED_NAMING(h, before, att_configure(h, config_json, strlen(config_json), t), ATT_E_ARG, "now");
    REFUSED(h, before, att_load_catalog(h, catalog_json, strlen(catalog_json), t), ATT_E_ARG);
    REFUSED(h, before, att_set_traits(h, "{\"plan\":\"free\"}", 15, t), ATT_E_ARG);
    REFUSED(h, before, att_track(h, "a3", 2, ATT_EV_CLICK, NAN, NAN, 999, NULL, 0, t), ATT_E_ARG);
    REFUSED(h, before, att_recommend(h, NULL, 0, t), ATT_E_ARG);
    REFUSED(h, before, att_explain(h, "a1", 2, NULL, 0, t), ATT_E_ARG);
    REFUSED(h, before, att_segment(h, t), ATT_E_ARG);
    REFUSED(h, before, att_server_payload(h, 1, t), ATT_E_ARG);
    REFUSED(h, before, att_inventory(h, t), ATT_E_ARG);
    REFUSED(h, before, att_metrics(h, t), ATT_E_ARG);
    REFUSED(h, before, att_privacy_report(h, t), ATT_E_ARG);
    REFUSED(h, before, att_set_level(h, ATT_LEVEL_SEGMENT, t), ATT_E_ARG);
    REFUSED(h, before, att_block(h, 0, "x", 1, 1, t), ATT_E_ARG);
    REFUSED(h, before, att_snapshot(h, t), ATT_E_ARG);
    REFUSED(h, before, att_restore(h, s.p, s.n, t), ATT_E_ARG);
    REFUSED(h, before, att_merge(h, s.p, s.n, s.p, s.n, t), ATT_E_ARG);
    REFUSED(h, before, att_export(h, t), ATT_E_ARG);
    REFUSED(h, before, att_import(h, (const char *)e.p, e.n, t), ATT_E_ARG);
  }
  free(before.p);
  free(s.p);
  free(e.p);
  att_free(h);
}

static void ids_and_tags_are_checked(void) {
  att_engine *h = engine(config_json, 1);
  bytes before;
  char long_id[130], long_tag[66];
  static const char *const bad_text[] = {"\xff",         "a\xc3", "\xc0\x80",        "a\nb",
                                         "\xed\xa0\x80", "\x7f",  "\xf4\x90\x80\x80"};
  size_t i;
  if (!h) return;
  fill(h);
  before = snap(h);
  memset(long_id, 'i', sizeof long_id);
  memset(long_tag, 't', sizeof long_tag);
  REFUSED(h, before, att_track(h, "", 0, ATT_EV_CLICK, NAN, NAN, 500, NULL, 0, NOW), ATT_E_ARG);
  REFUSED(h, before, att_track(h, NULL, 0, ATT_EV_CLICK, NAN, NAN, 500, NULL, 0, NOW), ATT_E_ARG);
  REFUSED(h, before, att_track(h, long_id, 129, ATT_EV_CLICK, NAN, NAN, 500, NULL, 0, NOW), ATT_E_ARG);
  REFUSED(h, before, att_track(h, long_id, 128, ATT_EV_CLICK, NAN, NAN, 500, NULL, 0, NOW), ATT_E_UNKNOWN_ITEM);
  REFUSED(h, before, att_track(h, "a1\0b", 4, ATT_EV_CLICK, NAN, NAN, 500, NULL, 0, NOW), ATT_E_ARG);
  REFUSED(h, before, att_explain(h, "", 0, NULL, 0, NOW), ATT_E_ARG);
  REFUSED(h, before, att_explain(h, long_id, 129, NULL, 0, NOW), ATT_E_ARG);
  REFUSED(h, before, att_block(h, 1, "", 0, 1, NOW), ATT_E_ARG);
  REFUSED(h, before, att_block(h, 1, long_id, 129, 1, NOW), ATT_E_ARG);
  REFUSED(h, before, att_block(h, 0, "", 0, 1, NOW), ATT_E_ARG);
  REFUSED(h, before, att_block(h, 0, long_tag, 65, 1, NOW), ATT_E_ARG);
  for (i = 0; i < sizeof bad_text / sizeof *bad_text; i++) {
    size_t n = strlen(bad_text[i]);
    REFUSED(h, before, att_track(h, bad_text[i], n, ATT_EV_CLICK, NAN, NAN, 500, NULL, 0, NOW), ATT_E_ARG);
    REFUSED(h, before, att_explain(h, bad_text[i], n, NULL, 0, NOW), ATT_E_ARG);
    REFUSED(h, before, att_block(h, 1, bad_text[i], n, 1, NOW), ATT_E_ARG);
    REFUSED(h, before, att_block(h, 0, bad_text[i], n, 1, NOW), ATT_E_ARG);
  }
  /* well-formed but not in the catalog */
  REFUSED_NAMING(h, before, att_track(h, "a4", 2, ATT_EV_CLICK, NAN, NAN, 500, NULL, 0, NOW), ATT_E_UNKNOWN_ITEM,
                 "a4");
  REFUSED(h, before, att_track(h, "A1", 2, ATT_EV_CLICK, NAN, NAN, 500, NULL, 0, NOW), ATT_E_UNKNOWN_ITEM);
  REFUSED(h, before, att_explain(h, "a4", 2, NULL, 0, NOW), ATT_E_UNKNOWN_ITEM);
  REFUSED(h, before, att_block(h, 1, "a4", 2, 1, NOW), ATT_E_UNKNOWN_ITEM);
  REFUSED(h, before, att_block(h, 1, "a4", 2, 0, NOW), ATT_E_UNKNOWN_ITEM);
  REFUSED(h, before, att_block(h, 0, "nosuchtag", 9, 1, NOW), ATT_E_ARG);
  REFUSED(h, before, att_block(h, 2, "x", 1, 1, NOW), ATT_E_ARG);
  REFUSED(h, before, att_block(h, -1, "x", 1, 1, NOW), ATT_E_ARG);
  free(before.p);
  att_free(h);
}

static void track_checks_type_time_value_id_and_context(void) {
  att_engine *h = engine(config_json, 1);
  bytes before;
  if (!h) return;
  fill(h);
  before = snap(h);
#define TR(type, at, value, id, ctx) att_track(h, "a3", 2, type, at, value, id, ctx, len_of(ctx), NOW)
  REFUSED(h, before, TR(-1, NAN, NAN, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_COUNT, NAN, NAN, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NOW + DAY + 1, NAN, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NOW - 31 * DAY, NAN, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, -1, NAN, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, INFINITY, NAN, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, -1, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, 100.5, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, INFINITY, 700, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, NAN, -1, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, NAN, 1.5, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, NAN, 9007199254740992.0, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, NAN, NAN, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, NAN, INFINITY, NULL), ATT_E_ARG);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, NAN, 700, "{"), ATT_E_JSON);
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, NAN, 700, "[]"), ATT_E_ARG);
  REFUSED_NAMING(h, before, TR(ATT_EV_CLICK, NAN, NAN, 700, "{\"mood\":\"happy\"}"), ATT_E_ARG, "mood");
  REFUSED_NAMING(h, before, TR(ATT_EV_CLICK, NAN, NAN, 700, "{\"hour\":24}"), ATT_E_ARG, "hour");
  REFUSED_NAMING(h, before, TR(ATT_EV_CLICK, NAN, NAN, 700, "{\"device\":\"watch\"}"), ATT_E_ARG, "device");
  REFUSED_NAMING(h, before, TR(ATT_EV_CLICK, NAN, NAN, 700, "{\"campaign\":7}"), ATT_E_ARG, "campaign");
  REFUSED(h, before, TR(ATT_EV_CLICK, NAN, NAN, 700, "{\"hour\":1,\"hour\":2}"), ATT_E_ARG);
  /* the edges that are allowed */
  CHECK(TR(ATT_EV_CLICK, NOW - 29 * DAY, 0, 0, "{\"daypart\":\"morning\",\"campaign\":\"x\"}") == ATT_OK);
  CHECK(TR(ATT_EV_VIEW, NOW + DAY, 100, 9007199254740991.0, NULL) == ATT_OK);
#undef TR
  free(before.p);
  att_free(h);
}

static void traits_must_be_declared(void) {
  att_engine *h = engine(config_json, 1);
  bytes before;
  if (!h) return;
  fill(h);
  before = snap(h);
#define TRAITS(json) att_set_traits(h, json, strlen(json), NOW)
  REFUSED_NAMING(h, before, TRAITS("{\"color\":\"red\"}"), ATT_E_TRAIT, "color");
  REFUSED_NAMING(h, before, TRAITS("{\"plan\":\"gold\"}"), ATT_E_TRAIT, "gold");
  REFUSED(h, before, TRAITS("{\"usage\":\"heavy\"}"), ATT_E_TRAIT);
  REFUSED(h, before, TRAITS("{\"plan\":1}"), ATT_E_TRAIT);
  REFUSED(h, before, TRAITS("{\"plan\":[\"pro\"]}"), ATT_E_TRAIT);
  REFUSED(h, before, TRAITS("{\"plan\":\"free\",\"color\":\"red\"}"), ATT_E_TRAIT); /* all or nothing */
  REFUSED(h, before, TRAITS("{\"plan\":\"free\",\"plan\":\"pro\"}"), ATT_E_ARG);
  /* not an object */
  REFUSED(h, before, TRAITS("[\"plan\"]"), ATT_E_ARG);
  REFUSED(h, before, TRAITS("{\"plan\":"), ATT_E_JSON);
  REFUSED(h, before, att_set_traits(h, "", 0, NOW), ATT_E_JSON);
  CHECK(TRAITS("{\"plan\":null}") == ATT_OK);
  CHECK(att_segment(h, NOW) == ATT_OK && strcmp(result_text(h), "general") == 0);
  CHECK(TRAITS("{}") == ATT_OK);
#undef TRAITS
  free(before.p);
  att_free(h);
}

static void levels_are_bounded_by_the_site(void) {
  att_engine *h = engine(config_json, 1);
  bytes before;
  if (!h) return;
  fill(h);
  before = snap(h);
  REFUSED(h, before, att_set_level(h, -1, NOW), ATT_E_ARG);
  REFUSED(h, before, att_set_level(h, ATT_LEVEL_COUNT, NOW), ATT_E_ARG);
  REFUSED_NAMING(h, before, att_set_level(h, ATT_LEVEL_INDIVIDUAL, NOW), ATT_E_LEVEL, "contextual");
  CHECK(att_set_level(h, ATT_LEVEL_CONTEXTUAL, NOW) == ATT_OK && att_level(h) == ATT_LEVEL_CONTEXTUAL);
  /* a new maximum caps the level and deletes what the capped level does not keep */
  {
    const char *capped =
        "{\"privacyLevel\":\"segment\",\"maxPrivacyLevel\":\"segment\",\"traits\":{\"plan\":[\"free\",\"pro\"]}}";
    CHECK(att_configure(h, capped, strlen(capped), NOW) == ATT_OK);
  }
  CHECK(att_level(h) == ATT_LEVEL_SEGMENT);
  CHECK(att_export(h, NOW) == ATT_OK && strstr(result_text(h), "\"history\":[]") != NULL);
  CHECK(strstr(result_text(h), "\"plan\":{\"value\":\"pro\"") != NULL);
  free(before.p);
  att_free(h);
}

static void calls_that_need_a_catalog_say_so(void) {
  att_engine *h = engine(config_json, 0);
  bytes before;
  if (!h) return;
  CHECK(att_set_traits(h, "{\"plan\":\"pro\"}", 14, NOW) == ATT_OK);
  att_take_dirty(h);
  before = snap(h);
  REFUSED_NAMING(h, before, att_track(h, "a1", 2, ATT_EV_CLICK, NAN, NAN, 1, NULL, 0, NOW), ATT_E_STATE, "catalog");
  REFUSED(h, before, att_recommend(h, NULL, 0, NOW), ATT_E_STATE);
  REFUSED(h, before, att_explain(h, "a1", 2, NULL, 0, NOW), ATT_E_STATE);
  REFUSED(h, before, att_block(h, 1, "a1", 2, 1, NOW), ATT_E_STATE);
  REFUSED(h, before, att_block(h, 0, "x", 1, 1, NOW), ATT_E_STATE);
  /* the rest work without one */
  CHECK(att_segment(h, NOW) == ATT_OK && strcmp(result_text(h), "pros") == 0);
  CHECK(att_inventory(h, NOW) == ATT_OK);
  CHECK(att_metrics(h, NOW) == ATT_OK);
  CHECK(att_privacy_report(h, NOW) == ATT_OK);
  CHECK(att_export(h, NOW) == ATT_OK);
  CHECK(att_set_level(h, ATT_LEVEL_SEGMENT, NOW) == ATT_OK);
  free(before.p);
  att_free(h);
}

static void recommend_and_explain_options_are_checked(void) {
  att_engine *h = engine(config_json, 1);
  bytes before;
  char opts[400], long_id[200];
  if (!h) return;
  fill(h);
  before = snap(h);
#define REC(json) att_recommend(h, json, strlen(json), NOW)
  REFUSED(h, before, REC("{"), ATT_E_JSON);
  REFUSED(h, before, REC("[]"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"kk\":1}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"k\":-1}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"k\":1.5}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"k\":\"3\"}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"k\":null}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"k\":1001}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"exclude\":\"a1\"}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"exclude\":[1]}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"filter\":[]}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"filter\":{\"colors\":[]}}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"filter\":{\"tags\":\"x\"}}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"filter\":{\"categories\":[null]}}"), ATT_E_ARG);
  REFUSED(h, before, REC("{\"k\":1,\"k\":2}"), ATT_E_ARG);
  memset(long_id, 'i', 129);
  long_id[129] = 0;
  snprintf(opts, sizeof opts, "{\"exclude\":[\"%s\"]}", long_id);
  REFUSED(h, before, REC(opts), ATT_E_ARG);
  CHECK(REC("{\"k\":2,\"context\":{\"daypart\":\"evening\"}}") == ATT_OK);
#undef REC
  REFUSED(h, before, att_explain(h, "a1", 2, "{", 1, NOW), ATT_E_JSON);
  REFUSED(h, before, att_explain(h, "a1", 2, "7", 1, NOW), ATT_E_ARG);
  REFUSED(h, before, att_explain(h, "a1", 2, "{\"mood\":1}", 10, NOW), ATT_E_ARG);
  REFUSED(h, before, att_server_payload(h, NAN, NOW), ATT_E_ARG);
  REFUSED(h, before, att_server_payload(h, INFINITY, NOW), ATT_E_ARG);
  free(before.p);
  att_free(h);
}

static void a_refused_configuration_or_catalog_keeps_the_old_one(void) {
  att_engine *h = engine("{\"privacyLevel\":\"segment\",\"traits\":{\"plan\":[\"free\",\"pro\"]}}", 1);
  bytes before, rec;
  const char *bad_cat = "{\"version\":1,\"items\":[{\"id\":\"q\"},{\"id\":\"q\"}]}";
  if (!h) return;
  CHECK(att_set_traits(h, "{\"plan\":\"pro\"}", 14, NOW) == ATT_OK);
  att_take_dirty(h);
  before = snap(h);
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_OK);
  rec = copy_result(h);
  REFUSED(h, before, att_configure(h, "{\"history\":{\"size\":0}}", 22, NOW), ATT_E_CONFIG);
  REFUSED(h, before, att_configure(h, "{\"traits\":", 10, NOW), ATT_E_JSON);
  REFUSED(h, before, att_load_catalog(h, bad_cat, strlen(bad_cat), NOW), ATT_E_CATALOG);
  REFUSED(h, before, att_load_catalog(h, "{\"version\":9}", 13, NOW), ATT_E_VERSION);
  REFUSED(h, before, att_load_catalog(h, "", 0, NOW), ATT_E_JSON);
  CHECK(att_level(h) == ATT_LEVEL_SEGMENT);
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_OK);
  CHECK(att_result_len(h) == rec.n && memcmp(att_result(h), rec.p, rec.n) == 0);
  free(before.p);
  free(rec.p);
  att_free(h);
}

static void refused_restores_imports_and_merges_change_nothing(void) {
  att_engine *h = engine(config_json, 1), *other = engine(config_json, 1);
  bytes before, good, bad;
  if (!h || !other) return;
  fill(h);
  CHECK(track(other, "a2", ATT_EV_LIKE) == ATT_OK);
  good = snap(other);
  before = snap(h);
  bad.n = good.n;
  bad.p = malloc(good.n);
  memcpy(bad.p, good.p, good.n);
  bad.p[good.n - 1] ^= 0x40;
  REFUSED(h, before, att_restore(h, bad.p, bad.n, NOW), ATT_E_PROFILE);
  REFUSED(h, before, att_restore(h, good.p, 3, NOW), ATT_E_PROFILE);
  REFUSED(h, before, att_import(h, "{}", 2, NOW), ATT_E_PROFILE);
  REFUSED(h, before, att_import(h, "nope", 4, NOW), ATT_E_JSON);
  REFUSED(h, before, att_merge(h, bad.p, bad.n, good.p, good.n, NOW), ATT_E_PROFILE);
  REFUSED(h, before, att_merge(h, good.p, good.n, bad.p, bad.n, NOW), ATT_E_PROFILE);
  bad.p[4] = 3; /* a newer format, with the rest intact */
  memcpy(bad.p + 5, good.p + 5, good.n - 5);
  REFUSED(h, before, att_merge(h, good.p, good.n, bad.p, bad.n, NOW), ATT_E_VERSION);
  REFUSED(h, before, att_restore(h, bad.p, bad.n, NOW), ATT_E_VERSION);
  free(before.p);
  free(good.p);
  free(bad.p);
  att_free(h);
  att_free(other);
}

/* --- the dirty flag ---------------------------------------------------------------------- */

static void dirty_says_when_the_stored_profile_must_be_rewritten(void) {
  att_engine *h = engine(config_json, 0);
  bytes s, e;
  if (!h) return;
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_load_catalog(h, catalog_json, strlen(catalog_json), NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_set_traits(h, "{\"plan\":\"pro\"}", 14, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  CHECK(att_take_dirty(h) == 0); /* taken */
  CHECK(track(h, "a1", ATT_EV_CLICK) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  /* reading changes nothing */
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_OK);
  CHECK(att_explain(h, "a2", 2, NULL, 0, NOW) == ATT_OK);
  CHECK(att_segment(h, NOW) == ATT_OK);
  CHECK(att_inventory(h, NOW) == ATT_OK);
  CHECK(att_metrics(h, NOW) == ATT_OK);
  CHECK(att_privacy_report(h, NOW) == ATT_OK);
  CHECK(att_export(h, NOW) == ATT_OK);
  e = copy_result(h);
  s = snap(h);
  CHECK(att_take_dirty(h) == 0);
  /* the server label is drawn once per epoch */
  CHECK(att_server_payload(h, 5, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  CHECK(att_server_payload(h, 6, NOW + 1000) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_server_payload(h, 6, NOW + 7 * DAY) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  CHECK(att_block(h, 1, "a2", 2, 1, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  CHECK(att_block(h, 1, "a3", 2, 0, NOW) == ATT_OK); /* was not blocked */
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_block(h, 1, "a2", 2, 0, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  CHECK(att_set_level(h, ATT_LEVEL_SEGMENT, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  /* restoring what is stored needs no save; importing does */
  CHECK(att_restore(h, s.p, s.n, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_import(h, (const char *)e.p, e.n, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  /* time passing past retention deletes, which must be saved */
  CHECK(att_segment(h, NOW + 31 * DAY) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  CHECK(att_segment(h, NOW + 31 * DAY) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  free(s.p);
  free(e.p);
  att_free(h);
}

static void level_none_never_sets_dirty_and_keeps_nothing(void) {
  const char *cfg = "{\"privacyLevel\":\"none\",\"traits\":{\"plan\":[\"free\",\"pro\"]}}";
  att_engine *h = engine(cfg, 1), *fresh = engine(cfg, 1);
  bytes empty, s, e = {NULL, 0};
  int t;
  if (!h || !fresh) return;
  empty = snap(fresh);
  CHECK(att_level(h) == ATT_LEVEL_NONE);
  CHECK(att_set_traits(h, "{\"plan\":\"pro\"}", 14, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  for (t = 0; t < ATT_EV_COUNT; t++) {
    CHECK(track(h, "a1", t) == ATT_OK);
    CHECK(att_take_dirty(h) == 0);
  }
  CHECK(att_block(h, 1, "a2", 2, 1, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_block(h, 0, "x", 1, 1, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_server_payload(h, 3, NOW) == ATT_OK && strcmp(result_text(h), "null") == 0);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_segment(h, NOW) == ATT_OK && strcmp(result_text(h), "general") == 0);
  CHECK(att_inventory(h, NOW) == ATT_OK && strcmp(result_text(h), "[]") == 0);
  /* nothing was kept, not even the blocks: the profile is the empty one */
  CHECK(att_export(h, NOW) == ATT_OK);
  CHECK_MSG(strstr(result_text(h), "\"blocked\":{\"tags\":[],\"items\":[]}") != NULL, "%s", result_text(h));
  CHECK(strstr(result_text(h), "\"history\":[]") != NULL && strstr(result_text(h), "\"traits\":{}") != NULL);
  s = snap(h);
  CHECK(same(s, empty));
  free(s.p);
  CHECK(att_configure(h, cfg, strlen(cfg), NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_load_catalog(h, catalog_json, strlen(catalog_json), NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_set_level(h, ATT_LEVEL_NONE, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_forget(h) == ATT_OK);
  s = snap(h);
  CHECK(same(s, empty));
  /* restoring or importing at level none needs no save either */
  CHECK(att_restore(h, empty.p, empty.n, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_export(fresh, NOW) == ATT_OK);
  free(e.p);
  e = copy_result(fresh);
  CHECK(att_import(h, (const char *)e.p, e.n, NOW) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  free(empty.p);
  free(s.p);
  free(e.p);
  att_free(h);
  att_free(fresh);
}

/* --- forget ------------------------------------------------------------------------------ */

static void forget_deletes_the_whole_profile(void) {
  att_engine *h = engine(config_json, 1), *fresh = engine(config_json, 1);
  bytes s, empty;
  if (!h || !fresh) return;
  fill(h);
  CHECK(att_set_level(h, ATT_LEVEL_SEGMENT, NOW) == ATT_OK);
  CHECK(att_forget(h) == ATT_OK);
  CHECK(att_take_dirty(h) == 0);
  CHECK(att_level(h) == ATT_LEVEL_BEHAVIORAL); /* the configured default again */
  s = snap(h);
  empty = snap(fresh);
  CHECK(same(s, empty));
  CHECK(att_segment(h, NOW) == ATT_OK && strcmp(result_text(h), "general") == 0);
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_OK);
  CHECK(strstr(result_text(h), "\"a1\"") != NULL && strstr(result_text(h), "\"b1\"") != NULL);
  CHECK(att_metrics(h, NOW) == ATT_OK && strstr(result_text(h), "\"total\":{\"impressions\":0,\"clicks\":0") != NULL);
  /* forgetting without a catalog works too */
  att_free(fresh);
  fresh = engine(config_json, 0);
  if (fresh) {
    CHECK(att_set_traits(fresh, "{\"plan\":\"pro\"}", 14, NOW) == ATT_OK);
    CHECK(att_forget(fresh) == ATT_OK);
    CHECK(att_segment(fresh, NOW) == ATT_OK && strcmp(result_text(fresh), "general") == 0);
  }
  free(s.p);
  free(empty.p);
  att_free(h);
  att_free(fresh);
}

/* The clock may read up to 8.64e15 ms (JS Date's last day, in the year 275760): a profile
 * exported then reads back, its times in the expanded "+YYYYYY" form. */
static void an_export_at_the_last_time_imports_back(void) {
  const double last = 8.64e15;
  att_engine *h = engine(config_json, 1), *g = engine(config_json, 1);
  bytes e1, e2;
  if (!h || !g) return;
  CHECK(att_set_traits(h, "{\"plan\":\"pro\"}", 14, last) == ATT_OK);
  CHECK(att_track(h, "a1", 2, ATT_EV_CLICK, NAN, NAN, 77, NULL, 0, last) == ATT_OK);
  CHECK_MSG(att_export(h, last) == ATT_OK, "%s", att_errmsg(h));
  e1 = copy_result(h);
  CHECK_MSG(strstr((const char *)e1.p, "\"+275760-09-13T00:00:00.000Z\"") != NULL, "%s", e1.p);
  CHECK_MSG(strstr((const char *)e1.p, "\"+275760-09-13\"") != NULL, "active days: %s", e1.p);
  CHECK_MSG(att_import(g, (const char *)e1.p, e1.n, last) == ATT_OK, "%s", att_errmsg(g));
  CHECK(att_export(g, last) == ATT_OK);
  e2 = copy_result(g);
  CHECK_MSG(same(e1, e2), "\n  %s\n  %s", e1.p, e2.p);
  free(e1.p);
  free(e2.p);
  att_free(h);
  att_free(g);
}

void test_api(void) {
  constants_are_valid_json();
  results_land_in_the_handle_buffer();
  inputs_are_read_by_length_only();
  alloc_and_dealloc_are_exported();
  a_null_handle_is_refused_everywhere();
  a_bad_clock_is_refused_everywhere();
  ids_and_tags_are_checked();
  track_checks_type_time_value_id_and_context();
  traits_must_be_declared();
  levels_are_bounded_by_the_site();
  calls_that_need_a_catalog_say_so();
  recommend_and_explain_options_are_checked();
  a_refused_configuration_or_catalog_keeps_the_old_one();
  refused_restores_imports_and_merges_change_nothing();
  dirty_says_when_the_stored_profile_must_be_rewritten();
  level_none_never_sets_dirty_and_keeps_nothing();
  forget_deletes_the_whole_profile();
  an_export_at_the_last_time_imports_back();
}
