/* test_alloc.c — allocation failure on every path: each call is made to fail at its first,
 * second, third ... allocation until it succeeds.  Every failure must say out_of_memory (or
 * give the call's normal answer), change nothing and leave the engine usable.  The suite runs
 * under LeakSanitizer, so anything these paths forget to free fails the run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attune.h"
#include "check.h"
#include "tests.h"

#define DAY 86400000.0
#define NOW 1700000000000.0
#define MAX_STEPS 200000L

extern long att__alloc_countdown;

/* A text argument and its length. */
#define TXT(s) s, strlen(s)

static const char *const config_json =
    "{\"traits\":{\"plan\":[\"free\",\"pro\"],\"team\":[\"a\",\"b\",\"c\"]},"
    "\"segments\":[{\"label\":\"pros\",\"when\":{\"plan\":[\"pro\"]},"
    "\"boost\":{\"tags\":{\"x\":0.5},\"categories\":{\"news\":0.2},\"items\":{\"a3\":1}}},"
    "{\"label\":\"busy\",\"when\":{\"usage\":[\"heavy\",\"regular\"],\"team\":[\"a\"]}}],"
    "\"context\":{\"keys\":[\"campaign\"],\"rules\":[{\"when\":{\"daypart\":[\"morning\"]},\"boost\":{\"tags\":{\"y\":0.3}}}]},"
    "\"label\":{\"populations\":{\"pros\":100,\"general\":1000},\"k\":10},"
    "\"ranking\":{\"maxPerCategory\":2},\"sensitiveTags\":[\"health\"],"
    "\"editorial\":{\"pins\":[{\"item\":\"a4\",\"position\":2},{\"item\":\"a5\",\"position\":1,\"segment\":\"pros\"}],"
    "\"exclude\":[\"a6\"]}}";

static const char *const other_config =
    "{\"privacyLevel\":\"segment\",\"traits\":{\"plan\":[\"pro\"]},\"history\":{\"size\":3},"
    "\"segments\":[{\"label\":\"p\",\"when\":{\"plan\":[\"pro\"]},\"boost\":{\"tags\":{\"y\":1}}}],"
    "\"editorial\":{\"pins\":[{\"item\":\"a2\",\"position\":1}]}}";

static const char *const catalog_json =
    "{\"version\":1,\"dim\":2,\"items\":["
    "{\"id\":\"a1\",\"title\":\"One\",\"tags\":[\"x\",\"y\"],\"category\":\"news\",\"popularity\":10,"
    "\"publishedAt\":1699000000000,\"vector\":[1,0],\"neighbors\":[[\"a2\",1],[\"a3\",0.5],[\"zz\",1]]},"
    "{\"id\":\"a2\",\"tags\":[\"y\"],\"category\":\"news\",\"popularity\":50,\"neighbors\":[[\"a1\",1]]},"
    "{\"id\":\"a3\",\"tags\":[\"z\"],\"category\":\"sport\",\"popularity\":5},"
    "{\"id\":\"a4\",\"tags\":[\"x\",\"z\"],\"popularity\":1},"
    "{\"id\":\"a5\",\"tags\":[\"health\"]},"
    "{\"id\":\"a6\",\"tags\":[\"y\"],\"category\":\"sport\",\"popularity\":99}]}";

static const char *const other_catalog =
    "{\"version\":1,\"items\":[{\"id\":\"a1\",\"tags\":[\"q\"],\"popularity\":1},{\"id\":\"b2\",\"tags\":[\"x\"],"
    "\"category\":\"c\",\"neighbors\":[[\"a1\",2]]},{\"id\":\"a2\",\"title\":\"Two\"}]}";

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

static int same(bytes a, bytes b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }

static bytes snapshot_of(att_engine *h) {
  bytes b = {NULL, 0};
  if (att_snapshot(h, NOW) == ATT_OK) return copy_result(h);
  CHECK_MSG(0, "snapshot: %s", att_errmsg(h));
  return b;
}

static bytes ranking_of(att_engine *h) {
  bytes b = {NULL, 0};
  if (att_recommend(h, TXT("{\"k\":20}"), NOW) == ATT_OK) return copy_result(h);
  CHECK_MSG(0, "recommend: %s", att_errmsg(h));
  return b;
}

static double next_eid = 1000;

/* An engine with the rich configuration, the catalog and something in every profile part. */
static att_engine *engine(void) {
  att_engine *h = att_new();
  const char *ctx = "{\"daypart\":\"morning\",\"device\":\"mobile\"}";
  if (!h) return NULL;
  CHECK_MSG(att_configure(h, config_json, strlen(config_json), NOW) == ATT_OK, "%s", att_errmsg(h));
  CHECK_MSG(att_load_catalog(h, catalog_json, strlen(catalog_json), NOW) == ATT_OK, "%s", att_errmsg(h));
  CHECK(att_set_level(h, ATT_LEVEL_CONTEXTUAL, NOW) == ATT_OK);
  CHECK(att_set_traits(h, TXT("{\"plan\":\"pro\",\"team\":\"a\"}"), NOW - DAY) == ATT_OK);
  CHECK(att_track(h, "a1", 2, ATT_EV_CLICK, NOW - 3 * DAY, NAN, 1, ctx, strlen(ctx), NOW) == ATT_OK);
  CHECK(att_track(h, "a2", 2, ATT_EV_LIKE, NOW - 2 * DAY, 2, 2, NULL, 0, NOW) == ATT_OK);
  CHECK(att_track(h, "a3", 2, ATT_EV_DISMISS, NOW - DAY, NAN, 3, NULL, 0, NOW) == ATT_OK);
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_OK);
  CHECK(att_track(h, "a2", 2, ATT_EV_IMPRESSION, NAN, NAN, 4, NULL, 0, NOW) == ATT_OK);
  CHECK(att_track(h, "a2", 2, ATT_EV_CLICK, NAN, NAN, 5, NULL, 0, NOW) == ATT_OK);
  CHECK(att_block(h, 0, "z", 1, 1, NOW) == ATT_OK);
  CHECK(att_block(h, 1, "a6", 2, 1, NOW) == ATT_OK);
  CHECK(att_server_payload(h, 11, NOW) == ATT_OK);
  att_take_dirty(h);
  return h;
}

/* One call under test; `arg` carries what it needs. */
typedef int (*op_fn)(att_engine *h, const void *arg);

/* What went wrong while failing a call's allocations; each kind is reported once per call,
 * with the first allocation it happened at. */
typedef struct damage {
  long bad_code, changed_profile, changed_ranking, set_dirty, unusable;
  int code;
  char msg[200];
} damage;

/* Makes `op` fail at allocation 0, 1, 2, ... until it returns `normal`.  Every failure must
 * be out_of_memory, leave the snapshot, the ranking and the dirty flag as they were, and the
 * engine usable.  `allocates` says the call is sure to allocate something.  `prep` (may be
 * NULL) runs once on the fresh engine first: what it changes is the state the call starts from. */
static void fails_cleanly_after(const char *name, op_fn prep, op_fn op, const void *arg, int normal, int allocates) {
  att_engine *h = engine();
  bytes before, ranked;
  damage d;
  long n;
  int rc = -1, failures = 0;
  if (!h) return;
  if (prep) {
    CHECK_MSG(prep(h, arg) == ATT_OK, "%s: preparing failed (%s)", name, att_errmsg(h));
    att_take_dirty(h);
  }
  d.bad_code = d.changed_profile = d.changed_ranking = d.set_dirty = d.unusable = -1;
  d.code = 0;
  d.msg[0] = 0;
  before = snapshot_of(h);
  ranked = ranking_of(h);
  for (n = 0; n < MAX_STEPS; n++) {
    att__alloc_countdown = n;
    rc = op(h, arg);
    att__alloc_countdown = -1;
    if (rc == normal) break;
    failures++;
    if ((rc != ATT_E_NOMEM || att_errcode(h) != rc) && d.bad_code < 0) {
      d.bad_code = n;
      d.code = rc;
      snprintf(d.msg, sizeof d.msg, "%s", att_errmsg(h));
    }
    if (att_take_dirty(h) && d.set_dirty < 0) d.set_dirty = n;
    {
      bytes s = snapshot_of(h), r = ranking_of(h);
      if (!same(s, before) && d.changed_profile < 0) d.changed_profile = n;
      if (!same(r, ranked) && d.changed_ranking < 0) d.changed_ranking = n;
      if ((!s.p || !r.p) && d.unusable < 0) d.unusable = n;
      free(s.p);
      free(r.p);
    }
  }
  CHECK_MSG(rc == normal, "%s never succeeded (last %d: %s)", name, rc, att_errmsg(h));
  if (allocates) CHECK_MSG(failures > 0, "%s: no allocation failed; is the injection working?", name);
  CHECK_MSG(d.bad_code < 0, "%s, allocation %ld failing: returned %d, not out_of_memory (%s)", name, d.bad_code,
            d.code, d.msg);
  CHECK_MSG(d.changed_profile < 0, "%s, allocation %ld failing: the failed call changed the profile", name,
            d.changed_profile);
  CHECK_MSG(d.changed_ranking < 0, "%s, allocation %ld failing: the failed call changed the ranking", name,
            d.changed_ranking);
  CHECK_MSG(d.set_dirty < 0, "%s, allocation %ld failing: the failed call set the dirty flag", name, d.set_dirty);
  CHECK_MSG(d.unusable < 0, "%s, allocation %ld failing: the engine is not usable afterwards", name, d.unusable);
  free(before.p);
  free(ranked.p);
  att_free(h);
}

static void fails_cleanly(const char *name, op_fn op, const void *arg, int normal, int allocates) {
  fails_cleanly_after(name, NULL, op, arg, normal, allocates);
}

/* --- the calls ----------------------------------------------------------------------------- */

static int op_configure(att_engine *h, const void *arg) {
  return att_configure(h, (const char *)arg, strlen((const char *)arg), NOW);
}
static int op_load_catalog(att_engine *h, const void *arg) {
  return att_load_catalog(h, (const char *)arg, strlen((const char *)arg), NOW);
}
static int op_set_traits(att_engine *h, const void *arg) {
  (void)arg;
  return att_set_traits(h, TXT("{\"plan\":\"free\",\"team\":null}"), NOW);
}
static int op_track(att_engine *h, const void *arg) {
  const char *ctx = "{\"daypart\":\"evening\",\"device\":\"desktop\",\"campaign\":\"spring\"}";
  return att_track(h, (const char *)arg, 2, ATT_EV_CLICK, NOW - 1000, NAN, next_eid++, ctx, strlen(ctx), NOW);
}
static int op_track_dismiss(att_engine *h, const void *arg) {
  return att_track(h, (const char *)arg, 2, ATT_EV_DISMISS, NAN, NAN, next_eid++, NULL, 0, NOW);
}
static int op_recommend(att_engine *h, const void *arg) {
  return att_recommend(h, (const char *)arg, strlen((const char *)arg), NOW);
}
static int op_explain(att_engine *h, const void *arg) {
  const char *ctx = "{\"hour\":8,\"campaign\":\"x\"}";
  return att_explain(h, (const char *)arg, 2, ctx, strlen(ctx), NOW);
}
static int op_segment(att_engine *h, const void *arg) {
  (void)arg;
  return att_segment(h, NOW);
}
/* a new epoch: its first call (here the metrics) lets the old epoch's answer go, then the
   payload draws a new one */
static int op_new_epoch(att_engine *h, const void *arg) {
  (void)arg;
  return att_metrics(h, NOW + 8 * DAY);
}
static int op_server_payload(att_engine *h, const void *arg) {
  (void)arg;
  return att_server_payload(h, 77, NOW + 8 * DAY);
}
static int op_inventory(att_engine *h, const void *arg) {
  (void)arg;
  return att_inventory(h, NOW);
}
static int op_metrics(att_engine *h, const void *arg) {
  (void)arg;
  return att_metrics(h, NOW);
}
static int op_privacy_report(att_engine *h, const void *arg) {
  (void)arg;
  return att_privacy_report(h, NOW);
}
static int op_set_level(att_engine *h, const void *arg) {
  (void)arg;
  return att_set_level(h, ATT_LEVEL_SEGMENT, NOW);
}
static int op_block(att_engine *h, const void *arg) {
  return att_block(h, 1, (const char *)arg, 2, 1, NOW);
}
static int op_forget(att_engine *h, const void *arg) {
  (void)arg;
  return att_forget(h);
}
static int op_snapshot(att_engine *h, const void *arg) {
  (void)arg;
  return att_snapshot(h, NOW);
}
static int op_restore(att_engine *h, const void *arg) {
  const bytes *b = arg;
  return att_restore(h, b->p, b->n, NOW);
}
static int op_merge(att_engine *h, const void *arg) {
  const bytes *b = arg; /* [0] base, [1] theirs */
  return att_merge(h, b[0].p, b[0].n, b[1].p, b[1].n, NOW);
}
static int op_export(att_engine *h, const void *arg) {
  (void)arg;
  return att_export(h, NOW);
}
static int op_import(att_engine *h, const void *arg) {
  const bytes *b = arg;
  return att_import(h, (const char *)b->p, b->n, NOW);
}

/* A profile different from engine()'s, as snapshot and export bytes. */
static void other_profile(bytes *snap, bytes *exported) {
  att_engine *o = att_new();
  if (!o) return;
  CHECK(att_configure(o, config_json, strlen(config_json), NOW) == ATT_OK);
  CHECK(att_load_catalog(o, catalog_json, strlen(catalog_json), NOW) == ATT_OK);
  CHECK(att_set_traits(o, TXT("{\"team\":\"b\"}"), NOW) == ATT_OK);
  CHECK(att_track(o, "a4", 2, ATT_EV_SHARE, NOW - DAY, NAN, 500, NULL, 0, NOW) == ATT_OK);
  CHECK(att_track(o, "a1", 2, ATT_EV_DISMISS, NOW - DAY, NAN, 501, NULL, 0, NOW) == ATT_OK);
  CHECK(att_block(o, 0, "y", 1, 1, NOW) == ATT_OK);
  *snap = snapshot_of(o);
  CHECK(att_export(o, NOW) == ATT_OK);
  *exported = copy_result(o);
  att_free(o);
}

static void every_call_survives_allocation_failure(void) {
  bytes snap = {NULL, 0}, exported = {NULL, 0}, base_theirs[2];
  att_engine *h;
  other_profile(&snap, &exported);
  fails_cleanly("att_configure", op_configure, other_config, ATT_OK, 1);
  fails_cleanly("att_configure (same config)", op_configure, config_json, ATT_OK, 1);
  fails_cleanly("att_load_catalog", op_load_catalog, other_catalog, ATT_OK, 1);
  fails_cleanly("att_load_catalog (same catalog)", op_load_catalog, catalog_json, ATT_OK, 1);
  fails_cleanly("att_set_traits", op_set_traits, NULL, ATT_OK, 0);
  fails_cleanly("att_track", op_track, "a4", ATT_OK, 1);
  fails_cleanly("att_track (dismiss)", op_track_dismiss, "a2", ATT_OK, 0);
  fails_cleanly("att_recommend", op_recommend, "", ATT_OK, 1);
  fails_cleanly("att_recommend (options)",
                op_recommend, "{\"k\":4,\"exclude\":[\"a1\",\"nope\"],\"filter\":{\"tags\":[\"x\",\"y\"],"
                "\"categories\":[\"news\",\"sport\"]},\"context\":{\"daypart\":\"morning\"}}",
                ATT_OK, 1);
  fails_cleanly("att_explain", op_explain, "a2", ATT_OK, 1);
  fails_cleanly("att_segment", op_segment, NULL, ATT_OK, 0);
  fails_cleanly_after("att_server_payload", op_new_epoch, op_server_payload, NULL, ATT_OK, 0);
  fails_cleanly("att_inventory", op_inventory, NULL, ATT_OK, 1);
  fails_cleanly("att_metrics", op_metrics, NULL, ATT_OK, 0);
  fails_cleanly("att_privacy_report", op_privacy_report, NULL, ATT_OK, 0);
  fails_cleanly("att_set_level", op_set_level, NULL, ATT_OK, 0);
  fails_cleanly("att_block", op_block, "a1", ATT_OK, 0);
  fails_cleanly("att_forget", op_forget, NULL, ATT_OK, 0);
  fails_cleanly("att_snapshot", op_snapshot, NULL, ATT_OK, 1);
  fails_cleanly("att_restore", op_restore, &snap, ATT_OK, 1);
  fails_cleanly("att_export", op_export, NULL, ATT_OK, 1);
  fails_cleanly("att_import", op_import, &exported, ATT_OK, 1);
  /* a merge whose base is this engine's own stored profile */
  h = engine();
  if (h) {
    base_theirs[0] = snapshot_of(h);
    base_theirs[1] = snap;
    fails_cleanly("att_merge", op_merge, base_theirs, ATT_OK, 1);
    free(base_theirs[0].p);
    att_free(h);
  }
  free(snap.p);
  free(exported.p);
}

/* Refused inputs under allocation failure: out_of_memory or the refusal, nothing else. */
static void refusals_survive_allocation_failure(void) {
  bytes bad;
  const char *bad_import = "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"segment\","
                           "\"traits\":{\"plan\":{\"value\":\"pro\",\"setAt\":\"2023-11-14T00:00:00.000Z\"}},"
                           "\"history\":[{\"id\":1,\"item\":\"a1\",\"type\":\"click\",\"at\":\"2023-11-14T00:00:00.000Z\"},"
                           "{\"id\":1,\"item\":\"a2\",\"type\":\"click\",\"at\":\"2023-11-14T00:00:00.000Z\"}]}";
  fails_cleanly("att_configure (refused)", op_configure,
                "{\"traits\":{\"plan\":[\"a\",\"b\"]},\"segments\":[{\"label\":\"s\",\"when\":{\"plan\":[\"c\"]}}]}",
                ATT_E_CONFIG, 1);
  fails_cleanly("att_load_catalog (refused)", op_load_catalog,
                "{\"version\":1,\"items\":[{\"id\":\"a\",\"tags\":[\"t\"]},{\"id\":\"a\"}]}", ATT_E_CATALOG, 1);
  bad.p = (unsigned char *)bad_import;
  bad.n = strlen(bad_import);
  fails_cleanly("att_import (refused)", op_import, &bad, ATT_E_PROFILE, 1);
}

static void new_engines_survive_allocation_failure(void) {
  long n;
  att_engine *h = NULL;
  for (n = 0; n < MAX_STEPS && !h; n++) {
    att__alloc_countdown = n;
    h = att_new();
    att__alloc_countdown = -1;
  }
  CHECK(h != NULL && n > 1);
  if (h) CHECK(att_configure(h, config_json, strlen(config_json), NOW) == ATT_OK);
  att_free(h);
}

/* The lists shown before are kept for click attribution when a recommend call fails. */
static void a_failed_recommend_keeps_the_lists_already_shown(void) {
  att_engine *h = att_new();
  int i;
  if (!h) return;
  CHECK(att_load_catalog(h, catalog_json, strlen(catalog_json), NOW) == ATT_OK);
  CHECK(att_recommend(h, TXT("{\"k\":1,\"filter\":{\"tags\":[\"health\"]}}"), NOW) == ATT_OK); /* a5 at 1 */
  for (i = 0; i < 3; i++) CHECK(att_recommend(h, TXT("{\"exclude\":[\"a5\"]}"), NOW) == ATT_OK);
  att__alloc_countdown = 0;
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_E_NOMEM);
  att__alloc_countdown = -1;
  CHECK(att_track(h, "a5", 2, ATT_EV_CLICK, NAN, NAN, 1, NULL, 0, NOW) == ATT_OK);
  CHECK(att_metrics(h, NOW) == ATT_OK);
  {
    bytes m = copy_result(h);
    CHECK_MSG(strstr((const char *)m.p, "\"position\":1,") != NULL, "the click lost its position: %s",
              (const char *)m.p);
    free(m.p);
  }
  att_free(h);
}

void test_alloc_failures(void) {
  every_call_survives_allocation_failure();
  refusals_survive_allocation_failure();
  new_engines_survive_allocation_failure();
  a_failed_recommend_keeps_the_lists_already_shown();
}
