/* test_snapshot.c — the profile's serialised forms: binary snapshots and JSON export, their
 * round trips, and refusal of damaged, truncated or newer data without touching the profile. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attune.h"
#include "snapshot.h"
#include "check.h"
#include "core.h"
#include "tests.h"

#define DAY 86400000.0
#define NOW 1700000000000.0

static const char *const config_json =
    "{\"traits\":{\"plan\":[\"free\",\"pro\"],\"team\":[\"a\",\"b\"]},"
    "\"segments\":[{\"label\":\"pros\",\"when\":{\"plan\":[\"pro\"]}},{\"label\":\"busy\",\"when\":{\"usage\":[\"heavy\"]}}],"
    "\"label\":{\"randomRate\":0.5}}";

static const char *const catalog_json =
    "{\"version\":1,\"items\":["
    "{\"id\":\"a\",\"tags\":[\"x\",\"y\"],\"category\":\"news\",\"popularity\":5},"
    "{\"id\":\"b\",\"tags\":[\"y\"],\"popularity\":50},"
    "{\"id\":\"c\",\"tags\":[\"z\"],\"category\":\"sport\",\"popularity\":20},"
    "{\"id\":\"d\",\"tags\":[\"x\"]},"
    "{\"id\":\"\xc3\xa9t\xc3\xa9\",\"tags\":[\"z\"],\"popularity\":1}]}";

static att_engine *engine(void) {
  att_engine *h = att_new();
  if (!h) return NULL;
  CHECK_MSG(att_configure(h, config_json, strlen(config_json), NOW) == ATT_OK, "%s", att_errmsg(h));
  CHECK_MSG(att_load_catalog(h, catalog_json, strlen(catalog_json), NOW) == ATT_OK, "%s", att_errmsg(h));
  return h;
}

static void track(att_engine *h, const char *id, int type, double at, double value, double eid) {
  int rc = att_track(h, id, strlen(id), type, at, value, eid, NULL, 0, NOW);
  CHECK_MSG(rc == ATT_OK, "track %s: %s", id, att_errmsg(h));
}

/* A profile with something in every section. */
static void fill(att_engine *h, double seed) {
  CHECK(att_set_level(h, ATT_LEVEL_BEHAVIORAL, NOW - 6 * DAY) == ATT_OK);
  CHECK(att_set_traits(h, "{\"plan\":\"pro\",\"team\":\"b\"}", 25, NOW - 5 * DAY) == ATT_OK);
  track(h, "a", ATT_EV_CLICK, NOW - 5 * DAY, NAN, 11);
  track(h, "b", ATT_EV_VIEW, NOW - 3 * DAY + 17, 0.5, 12);
  track(h, "\xc3\xa9t\xc3\xa9", ATT_EV_PURCHASE, NOW - 2 * DAY, 3, 13);
  track(h, "c", ATT_EV_DISMISS, NOW - DAY, NAN, 14);
  CHECK(att_recommend(h, "{\"k\":3}", 7, NOW) == ATT_OK);
  track(h, "b", ATT_EV_IMPRESSION, NAN, NAN, 15);
  track(h, "b", ATT_EV_CLICK, NAN, NAN, 16);
  CHECK(att_block(h, 0, "z", 1, 1, NOW - 4 * DAY) == ATT_OK);
  CHECK(att_block(h, 1, "d", 1, 1, NOW) == ATT_OK);
  CHECK(att_server_payload(h, seed, NOW) == ATT_OK);
}

typedef struct bytes {
  unsigned char *p;
  size_t n;
} bytes;

static bytes copy_result(att_engine *h) {
  bytes b;
  b.n = att_result_len(h);
  b.p = malloc(b.n + 1);
  if (b.n) memcpy(b.p, att_result(h), b.n);
  b.p[b.n] = 0; /* so texts can be searched */
  return b;
}

static bytes snapshot(att_engine *h) {
  bytes b = {NULL, 0};
  int rc = att_snapshot(h, NOW);
  CHECK_MSG(rc == ATT_OK, "snapshot: %s", att_errmsg(h));
  return rc ? b : copy_result(h);
}

static bytes export_json(att_engine *h) {
  bytes b = {NULL, 0};
  int rc = att_export(h, NOW);
  CHECK_MSG(rc == ATT_OK, "export: %s", att_errmsg(h));
  return rc ? b : copy_result(h);
}

static int same(bytes a, bytes b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }

static int unchanged(att_engine *h, bytes before) {
  bytes now = snapshot(h);
  int ok = same(now, before);
  free(now.p);
  return ok;
}

static void put_u16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v & 0xff);
  p[1] = (unsigned char)(v >> 8);
}

static void put_u32(unsigned char *p, uint32_t v) {
  int i;
  for (i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Rewrites the header's length and CRC for the payload after byte 16. */
static void fix_header(unsigned char *p, size_t n) {
  put_u32(p + 8, (uint32_t)(n - 16));
  put_u32(p + 12, att__crc32(p + 16, n - 16));
}

/* --- round trips ------------------------------------------------------------------------- */

static void snapshot_restores_to_the_same_bytes(void) {
  att_engine *a = engine(), *b = engine();
  bytes sa, sb, ea, eb;
  if (!a || !b) return;
  fill(a, 42);
  sa = snapshot(a);
  CHECK(sa.n > 16 && memcmp(sa.p, "ATTN", 4) == 0 && sa.p[4] == ATT_SNAPSHOT_VERSION && sa.p[5] == 0);
  CHECK(att_restore(b, sa.p, sa.n, NOW) == ATT_OK);
  CHECK(att_take_dirty(b) == 0); /* what was read is what is stored */
  CHECK(att_level(b) == ATT_LEVEL_BEHAVIORAL);
  sb = snapshot(b);
  CHECK_MSG(same(sa, sb), "%zu vs %zu bytes", sa.n, sb.n);
  ea = export_json(a);
  eb = export_json(b);
  CHECK(same(ea, eb));
  /* the restored profile ranks the same */
  CHECK(att_recommend(a, NULL, 0, NOW) == ATT_OK);
  free(sa.p);
  sa = copy_result(a);
  CHECK(att_recommend(b, NULL, 0, NOW) == ATT_OK);
  free(sb.p);
  sb = copy_result(b);
  CHECK(same(sa, sb));
  CHECK(att_segment(b, NOW) == ATT_OK && att_result_len(b) == 4 && memcmp(att_result(b), "pros", 4) == 0);
  free(sa.p);
  free(sb.p);
  free(ea.p);
  free(eb.p);
  att_free(a);
  att_free(b);
}

static void export_imports_to_the_same_profile(void) {
  att_engine *a = engine(), *b = engine();
  bytes ea, eb, sa, sb;
  if (!a || !b) return;
  fill(a, 7);
  ea = export_json(a);
  CHECK(att_import(b, (const char *)ea.p, ea.n, NOW) == ATT_OK);
  CHECK(att_take_dirty(b) == 1); /* imported data must be stored */
  eb = export_json(b);
  CHECK_MSG(same(ea, eb), "%.*s\n---\n%.*s", (int)ea.n, (const char *)ea.p, (int)eb.n, (const char *)eb.p);
  sa = snapshot(a);
  sb = snapshot(b);
  CHECK(same(sa, sb));
  CHECK(strstr((const char *)ea.p, "\"format\":\"attune-profile\"") != NULL);
  CHECK(strstr((const char *)ea.p, "\"version\":2") != NULL); /* ATT_EXPORT_VERSION */
  CHECK(strstr((const char *)ea.p, "\"exportedAt\":\"2023-11-14T22:13:20.000Z\"") != NULL);
  free(ea.p);
  free(eb.p);
  free(sa.p);
  free(sb.p);
  att_free(a);
  att_free(b);
}

static void an_empty_profile_round_trips(void) {
  att_engine *a = att_new(), *b = att_new();
  bytes sa, sb, ea;
  if (!a || !b) return;
  sa = snapshot(a);
  CHECK(att_restore(b, sa.p, sa.n, NOW) == ATT_OK);
  sb = snapshot(b);
  CHECK(same(sa, sb));
  ea = export_json(a);
  CHECK(att_import(b, (const char *)ea.p, ea.n, NOW) == ATT_OK);
  free(sb.p);
  sb = snapshot(b);
  CHECK(same(sa, sb));
  free(sa.p);
  free(sb.p);
  free(ea.p);
  att_free(a);
  att_free(b);
}

static void snapshots_survive_configuration_changes(void) {
  att_engine *a = engine(), *b = att_new();
  bytes sa, eb;
  const char *cfg = "{\"traits\":{\"team\":[\"b\",\"c\"]}}";
  if (!a || !b) return;
  fill(a, 1);
  sa = snapshot(a);
  CHECK(att_configure(b, cfg, strlen(cfg), NOW) == ATT_OK);
  CHECK(att_restore(b, sa.p, sa.n, NOW) == ATT_OK);
  eb = export_json(b);
  /* plan is no longer declared: dropped; team is, and keeps its value */
  CHECK(strstr((const char *)eb.p, "\"plan\"") == NULL);
  CHECK(strstr((const char *)eb.p, "\"team\":{\"value\":\"b\"") != NULL);
  /* no catalog here, yet the history is kept by id */
  CHECK(strstr((const char *)eb.p, "\"item\":\"a\"") != NULL);
  free(sa.p);
  free(eb.p);
  att_free(a);
  att_free(b);
}

/* --- damaged snapshots ------------------------------------------------------------------- */

/* An engine holding a profile of its own, different from `fill`'s. */
static att_engine *victim(void) {
  att_engine *h = engine();
  if (!h) return NULL;
  CHECK(att_set_traits(h, "{\"plan\":\"free\"}", 15, NOW) == ATT_OK);
  track(h, "d", ATT_EV_LIKE, NOW - DAY, NAN, 900);
  CHECK(att_block(h, 1, "a", 1, 1, NOW) == ATT_OK);
  return h;
}

static void every_flipped_byte_is_refused(void) {
  att_engine *a = engine(), *v = victim();
  bytes s, before;
  unsigned char *bad;
  size_t i;
  int masks[2] = {0xff, 0x01}, m;
  if (!a || !v) return;
  fill(a, 3);
  s = snapshot(a);
  before = snapshot(v);
  bad = malloc(s.n);
  for (m = 0; m < 2; m++)
    for (i = 0; i < s.n; i++) {
      int rc;
      memcpy(bad, s.p, s.n);
      bad[i] ^= (unsigned char)masks[m];
      rc = att_restore(v, bad, s.n, NOW);
      CHECK_MSG(rc == ATT_E_PROFILE || rc == ATT_E_VERSION, "byte %zu ^ 0x%02x: restore gave %d", i, masks[m], rc);
      if (rc != ATT_OK) CHECK_MSG(att_errcode(v) == rc && att_errmsg(v)[0] != 0, "byte %zu", i);
      CHECK_MSG(unchanged(v, before), "byte %zu ^ 0x%02x changed the profile", i, masks[m]);
      if (rc == ATT_OK) CHECK(att_restore(v, before.p, before.n, NOW) == ATT_OK);
    }
  free(bad);
  free(s.p);
  free(before.p);
  att_free(a);
  att_free(v);
}

static void every_truncation_is_refused(void) {
  att_engine *a = engine(), *v = victim();
  bytes s, before;
  size_t n;
  if (!a || !v) return;
  fill(a, 3);
  s = snapshot(a);
  before = snapshot(v);
  for (n = 0; n < s.n; n++) {
    unsigned char *cut = malloc(n ? n : 1); /* exactly n bytes, so over-reads are caught */
    int rc;
    memcpy(cut, s.p, n);
    rc = att_restore(v, cut, n, NOW);
    CHECK_MSG(rc == ATT_E_PROFILE, "length %zu: %d", n, rc);
    CHECK_MSG(unchanged(v, before), "length %zu changed the profile", n);
    free(cut);
  }
  CHECK(att_restore(v, NULL, 0, NOW) == ATT_E_PROFILE);
  CHECK(att_restore(v, NULL, 100, NOW) == ATT_E_PROFILE);
  CHECK(unchanged(v, before));
  free(s.p);
  free(before.p);
  att_free(a);
  att_free(v);
}

static void newer_versions_are_refused_as_newer(void) {
  att_engine *a = engine(), *v = victim();
  bytes s, before;
  unsigned char *p;
  if (!a || !v) return;
  fill(a, 3);
  s = snapshot(a);
  before = snapshot(v);
  p = malloc(s.n + 5);
  memcpy(p, s.p, s.n);
  put_u16(p + 4, ATT_SNAPSHOT_VERSION + 1);
  fix_header(p, s.n);
  CHECK(att_restore(v, p, s.n, NOW) == ATT_E_VERSION);
  CHECK_MSG(strstr(att_errmsg(v), "newer") != NULL, "%s", att_errmsg(v));
  CHECK(unchanged(v, before));
  /* a newer format may add sections: still "newer", not "damaged" */
  memcpy(p + s.n, "\x0a\x00\x00\x00\x00", 5);
  fix_header(p, s.n + 5);
  CHECK(att_restore(v, p, s.n + 5, NOW) == ATT_E_VERSION);
  /* the same bytes claiming version 1 are damaged */
  put_u16(p + 4, 1);
  CHECK(att_restore(v, p, s.n + 5, NOW) == ATT_E_PROFILE);
  put_u16(p + 4, 0);
  fix_header(p, s.n);
  CHECK(att_restore(v, p, s.n, NOW) == ATT_E_PROFILE);
  CHECK(unchanged(v, before));
  free(p);
  free(s.p);
  free(before.p);
  att_free(a);
  att_free(v);
}

/* Damage inside the payload with a correct checksum: each byte is either refused, leaving
 * the profile as it was, or accepted as a valid profile that round-trips. */
static void damaged_payloads_with_good_checksums_are_validated(void) {
  att_engine *a = engine(), *v = victim();
  bytes s, before;
  unsigned char *bad;
  size_t i;
  int refused = 0;
  if (!a || !v) return;
  fill(a, 3);
  s = snapshot(a);
  before = snapshot(v);
  bad = malloc(s.n);
  for (i = 16; i < s.n; i++) {
    int rc;
    memcpy(bad, s.p, s.n);
    bad[i] ^= 0xff;
    fix_header(bad, s.n);
    rc = att_restore(v, bad, s.n, NOW);
    CHECK_MSG(rc == ATT_OK || rc == ATT_E_PROFILE, "byte %zu: %d", i, rc);
    if (rc != ATT_OK) {
      refused++;
      CHECK_MSG(unchanged(v, before), "byte %zu: a refused restore changed the profile", i);
    } else {
      bytes again = snapshot(v);
      CHECK_MSG(att_restore(v, again.p, again.n, NOW) == ATT_OK, "byte %zu: accepted data does not round-trip", i);
      free(again.p);
      CHECK(att_restore(v, before.p, before.n, NOW) == ATT_OK);
    }
  }
  CHECK(refused > 0);
  /* specific invalid values */
  memcpy(bad, s.p, s.n);
  CHECK(bad[16] == 1); /* the meta section comes first: tag 1, length 10, level */
  bad[21] = ATT_LEVEL_COUNT;
  fix_header(bad, s.n);
  CHECK(att_restore(v, bad, s.n, NOW) == ATT_E_PROFILE);
  memcpy(bad, s.p, s.n);
  bad[22] = 2; /* "level chosen" is 0 or 1 */
  fix_header(bad, s.n);
  CHECK(att_restore(v, bad, s.n, NOW) == ATT_E_PROFILE);
  CHECK(unchanged(v, before));
  free(bad);
  free(s.p);
  free(before.p);
  att_free(a);
  att_free(v);
}

/* --- refused imports --------------------------------------------------------------------- */

#define HEAD "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"behavioral\""
#define T1 "\"2023-11-14T10:00:00.000Z\""

static void expect_import(int line, att_engine *v, bytes before, const char *json, int code, const char *part) {
  int rc = att_import(v, json, strlen(json), NOW);
  CHECK_MSG(rc == code, "line %d: import gave %d, want %d (%s)", line, rc, code, att_errmsg(v));
  if (part)
    CHECK_MSG(strstr(att_errmsg(v), part) != NULL, "line %d: message lacks %s: %s", line, part, att_errmsg(v));
  if (rc == ATT_OK) CHECK(att_restore(v, before.p, before.n, NOW) == ATT_OK);
  CHECK_MSG(unchanged(v, before), "line %d: the profile changed", line);
}
#define IMPORT_OK(json) expect_import(__LINE__, v, before, json, ATT_OK, NULL)
#define IMPORT_BAD(json, part) expect_import(__LINE__, v, before, json, ATT_E_PROFILE, part)

static void imports_with_wrong_content_are_refused(void) {
  att_engine *v = victim(), *a = engine();
  bytes before, e;
  char *edited;
  if (!v || !a) return;
  before = snapshot(v);
  IMPORT_OK(HEAD "}");
  IMPORT_OK(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"click\",\"at\":" T1 "}]}");
  /* not JSON, not an object, not ours */
  expect_import(__LINE__, v, before, "{\"format\":", ATT_E_JSON, "import");
  IMPORT_BAD("[]", "import");
  IMPORT_BAD("{\"format\":\"other\",\"version\":1,\"level\":\"none\"}", "format");
  IMPORT_BAD("{\"version\":1,\"level\":\"none\"}", "format");
  /* versions */
  expect_import(__LINE__, v, before, "{\"format\":\"attune-profile\",\"version\":3,\"level\":\"none\"}",
                ATT_E_VERSION, "newer");
  IMPORT_BAD("{\"format\":\"attune-profile\",\"version\":0,\"level\":\"none\"}", "version");
  IMPORT_BAD("{\"format\":\"attune-profile\",\"version\":\"1\",\"level\":\"none\"}", "version");
  /* unknown keys */
  IMPORT_BAD(HEAD ",\"extra\":1}", "extra");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"click\",\"at\":" T1 ",\"note\":\"x\"}]}",
             "import.history[0]");
  IMPORT_BAD(HEAD ",\"traits\":{\"plan\":{\"value\":\"pro\",\"setAt\":" T1 ",\"by\":\"me\"}}}", "import.traits.plan");
  IMPORT_BAD(HEAD ",\"blocked\":{\"tags\":[],\"sites\":[]}}", "import.blocked");
  IMPORT_BAD(HEAD ",\"serverLabel\":{\"count\":1}}", "import.serverLabel");
  IMPORT_BAD(HEAD ",\"level\":\"none\"}", "twice");
  /* wrong types */
  IMPORT_BAD("{\"format\":\"attune-profile\",\"version\":1,\"level\":2}", "import.level");
  IMPORT_BAD("{\"format\":\"attune-profile\",\"version\":1,\"level\":\"max\"}", "import.level");
  IMPORT_BAD(HEAD ",\"levelChosen\":1}", "import.levelChosen");
  IMPORT_BAD(HEAD ",\"traits\":[]}", "import.traits");
  IMPORT_BAD(HEAD ",\"traits\":{\"plan\":\"pro\"}}", "import.traits.plan");
  IMPORT_BAD(HEAD ",\"traits\":{\"plan\":{\"value\":7,\"setAt\":" T1 "}}}", "import.traits.plan");
  IMPORT_BAD(HEAD ",\"history\":{}}", "import.history");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":\"1\",\"item\":\"a\",\"type\":\"click\",\"at\":" T1 "}]}",
             "import.history[0]");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"tap\",\"at\":" T1 "}]}", "import.history[0]");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"impression\",\"at\":" T1 "}]}",
             "import.history[0]");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1.5,\"item\":\"a\",\"type\":\"click\",\"at\":" T1 "}]}",
             "import.history[0]");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"\",\"type\":\"click\",\"at\":" T1 "}]}", "import.history[0]");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"click\",\"at\":" T1 ",\"value\":-1}]}",
             "import.history[0]");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"click\",\"at\":" T1 ",\"bucket\":256}]}",
             "import.history[0]");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"click\",\"at\":" T1 "},"
                  "{\"id\":1,\"item\":\"b\",\"type\":\"view\",\"at\":" T1 "}]}",
             "import.history[1]");
  IMPORT_BAD(HEAD ",\"dismissed\":[{\"item\":\"a\"}]}", "import.dismissed[0]");
  IMPORT_BAD(HEAD ",\"dismissed\":[{\"item\":\"a\",\"at\":" T1 "},{\"item\":\"a\",\"at\":" T1 "}]}",
             "import.dismissed[1]");
  IMPORT_BAD(HEAD ",\"blocked\":{\"tags\":[{\"item\":\"x\",\"at\":" T1 "}]}}", "import.blocked.tags[0]");
  IMPORT_BAD(HEAD ",\"metrics\":{\"impressions\":{\"none\":[1,2]}}}", "import.metrics.impressions");
  IMPORT_BAD(HEAD ",\"metrics\":{\"clicks\":{\"often\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}}}",
             "import.metrics.clicks");
  IMPORT_BAD(HEAD ",\"serverLabel\":{\"disclosures\":-1}}", "import.serverLabel.disclosures");
  IMPORT_BAD(HEAD ",\"serverLabel\":{\"epoch\":\"now\"}}", "import.serverLabel.epoch");
  /* bad times */
  IMPORT_BAD(HEAD ",\"exportedAt\":\"2023-02-29T00:00:00.000Z\"}", "import.exportedAt");
  IMPORT_BAD(HEAD ",\"exportedAt\":1700000000000}", "import.exportedAt");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"click\",\"at\":\"yesterday\"}]}",
             "import.history[0]");
  IMPORT_BAD(HEAD ",\"history\":[{\"id\":1,\"item\":\"a\",\"type\":\"click\",\"at\":\"2023-11-14T25:00:00.000Z\"}]}",
             "import.history[0]");
  IMPORT_BAD(HEAD ",\"traits\":{\"plan\":{\"value\":\"pro\",\"setAt\":\"2023-13-01T00:00:00.000Z\"}}}",
             "import.traits.plan");
  IMPORT_BAD(HEAD ",\"dismissed\":[{\"item\":\"a\",\"at\":5}]}", "import.dismissed[0]");
  IMPORT_BAD(HEAD ",\"metrics\":{\"since\":\"2023-11-14\"}}", "import.metrics");
  IMPORT_BAD(HEAD ",\"activeDays\":[\"2023-11-14T00:00:00.000Z\"]}", "import.activeDays");
  IMPORT_BAD(HEAD ",\"activeDays\":[\"2023-02-30\"]}", "import.activeDays");
  IMPORT_BAD(HEAD ",\"activeDays\":[\"2023-11-14\",\"2023-11-13\"]}", "import.activeDays");
  IMPORT_BAD(HEAD ",\"activeDays\":[\"2023-10-01\",\"2023-11-14\"]}", "import.activeDays");

  /* the same refusals on a real export, edited */
  fill(a, 5);
  e = export_json(a);
  edited = malloc(e.n + 32);
  memcpy(edited, "{\"extra\":true,", 14);
  memcpy(edited + 14, e.p + 1, e.n - 1);
  edited[e.n + 13] = 0;
  IMPORT_BAD(edited, "extra");
  memcpy(edited, e.p, e.n);
  edited[e.n] = 0;
  IMPORT_OK(edited);
  {
    char *v2 = strstr(edited, "\"version\":2");
    if (v2) v2[10] = '3';
    CHECK(v2 != NULL);
    expect_import(__LINE__, v, before, edited, ATT_E_VERSION, NULL);
  }
  free(edited);
  free(e.p);
  free(before.p);
  att_free(v);
  att_free(a);
}

void test_snapshot(void) {
  snapshot_restores_to_the_same_bytes();
  export_imports_to_the_same_profile();
  an_empty_profile_round_trips();
  snapshots_survive_configuration_changes();
  every_flipped_byte_is_refused();
  every_truncation_is_refused();
  newer_versions_are_refused_as_newer();
  damaged_payloads_with_good_checksums_are_validated();
  imports_with_wrong_content_are_refused();
}
