/* test_levels.c — the contextual and individual levels through the public C API: call context
 * validation and rules, the stored bucket, learned per-bucket affinities with shrinkage, session
 * intent, the user vector, exploration with propensities, online signal weights, the
 * counterfactual log, fatigue, purges on downgrade, snapshots and merges of the model, and the
 * inventory rows of both levels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attune.h"
#include "check.h"
#include "config.h"
#include "json.h"
#include "model.h"
#include "profile.h"
#include "tests.h"

#define NOW 1700000000000.0 /* 2023-11-14T22:13:20Z */
#define MIN 60000.0
#define HOUR_MS 3600000.0

static double lv_eid = 1;

/* --- helpers ------------------------------------------------------------------------------ */

static att_engine *lv_engine(int line, const char *config, const char *catalog) {
  att_engine *h = att_new();
  int rc;
  if (!h) return NULL;
  rc = att_configure(h, config, strlen(config), NOW);
  CHECK_MSG(rc == ATT_OK, "line %d: configure: %s", line, att_errmsg(h));
  rc = att_load_catalog(h, catalog, strlen(catalog), NOW);
  CHECK_MSG(rc == ATT_OK, "line %d: catalog: %s", line, att_errmsg(h));
  return h;
}
#define ENGINE(config, catalog) lv_engine(__LINE__, config, catalog)

static void lv_track(int line, att_engine *h, const char *id, int type, const char *ctx, double now) {
  int rc = att_track(h, id, strlen(id), type, NAN, NAN, lv_eid++, ctx, ctx ? strlen(ctx) : 0, now);
  CHECK_MSG(rc == ATT_OK, "line %d: track %s: %s", line, id, att_errmsg(h));
}
#define TRACK(h, id, type, ctx, now) lv_track(__LINE__, h, id, type, ctx, now)

static att__jv *lv_result(att_engine *h) {
  att__err e;
  att__jv *v = att__json_parse(&e, "result", (const char *)att_result(h), att_result_len(h));
  CHECK_MSG(v != NULL, "result is not JSON: %s", e.msg);
  return v;
}

/* explain as parsed JSON (NULL when the call failed; the caller frees it). */
static att__jv *lv_explain(int line, att_engine *h, const char *id, const char *ctx, double now) {
  int rc = att_explain(h, id, strlen(id), ctx, ctx ? strlen(ctx) : 0, now);
  CHECK_MSG(rc == ATT_OK, "line %d: explain %s: %s", line, id, att_errmsg(h));
  return rc ? NULL : lv_result(h);
}
#define EXPLAIN(h, id, ctx, now) lv_explain(__LINE__, h, id, ctx, now)

static att__jv *lv_recommend(int line, att_engine *h, const char *opts, double now) {
  int rc = att_recommend(h, opts, strlen(opts), now);
  CHECK_MSG(rc == ATT_OK, "line %d: recommend %s: %s", line, opts, att_errmsg(h));
  return rc ? NULL : lv_result(h);
}
#define RECOMMEND(h, opts, now) lv_recommend(__LINE__, h, opts, now)

static att__jv *lv_call(att_engine *h, int (*fn)(att_engine *, double), double now) {
  int rc = fn(h, now);
  CHECK_MSG(rc == ATT_OK, "call failed: %s", att_errmsg(h));
  return rc ? NULL : lv_result(h);
}

static const char *lv_str(const att__jv *obj, const char *key) {
  const att__jv *v = att__jv_get(obj, key);
  return v && att__jv_type(v) == ATT__J_STR ? att__jv_str(v, NULL) : "";
}

static double lv_num(const att__jv *obj, const char *key) {
  const att__jv *v = att__jv_get(obj, key);
  return v && att__jv_type(v) == ATT__J_NUM ? att__jv_num(v) : NAN;
}

/* Sum of the contributions with `signal` (and `tag`, when not NULL) whose reason starts with
 * `prefix` (when not NULL); *n receives how many there were. */
static double lv_contrib(const att__jv *x, const char *signal, const char *tag, const char *prefix, int *n) {
  const att__jv *c;
  double s = 0;
  int k = 0;
  if (!x) return NAN;
  for (c = att__jv_first(att__jv_get(x, "contributions")); c; c = att__jv_next(c)) {
    if (strcmp(lv_str(c, "signal"), signal) != 0) continue;
    if (tag && strcmp(lv_str(c, "tag"), tag) != 0) continue;
    if (prefix && strncmp(lv_str(c, "reason"), prefix, strlen(prefix)) != 0) continue;
    s += lv_num(c, "weight");
    k++;
  }
  if (n) *n = k;
  return s;
}

/* The first reason of a contribution with `signal`, or "". */
static const char *lv_reason(const att__jv *x, const char *signal) {
  const att__jv *c;
  for (c = att__jv_first(att__jv_get(x, "contributions")); c; c = att__jv_next(c))
    if (strcmp(lv_str(c, "signal"), signal) == 0) return lv_str(c, "reason");
  return "";
}

/* The contributions summed in order from 0, as a page would. */
static double lv_sum(const att__jv *x) {
  const att__jv *c;
  double s = 0;
  for (c = att__jv_first(att__jv_get(x, "contributions")); c; c = att__jv_next(c)) s += lv_num(c, "weight");
  return s;
}

/* The i-th element of an array (NULL past the end). */
static const att__jv *lv_at(const att__jv *arr, int i) {
  const att__jv *c = att__jv_first(arr);
  while (c && i-- > 0) c = att__jv_next(c);
  return c;
}

/* 1 when the result buffer (not NUL-terminated) contains `needle`. */
static int lv_result_has(const att_engine *h, const char *needle) {
  const unsigned char *p = att_result(h);
  size_t n = att_result_len(h), k = strlen(needle), i;
  for (i = 0; p && i + k <= n; i++)
    if (memcmp(p + i, needle, k) == 0) return 1;
  return 0;
}

static int lv_has_reason(const att__jv *item, const char *prefix) {
  const att__jv *r;
  for (r = att__jv_first(att__jv_get(item, "reasons")); r; r = att__jv_next(r))
    if (strncmp(att__jv_str(r, NULL), prefix, strlen(prefix)) == 0) return 1;
  return 0;
}

/* A catalog of n items: id prefix + 2 digits, one tag each from `tags` (round robin), equal
 * popularity, titles "T <i>"; with dim > 0, vector = unit axis (i % 2) plus a little of i. */
static const char *lv_catalog(char *buf, size_t cap, const char *prefix, int n, const char *const *tags, int ntags,
                              int dim) {
  size_t o = 0;
  int i, k;
  o += (size_t)snprintf(buf + o, cap - o, "{\"version\":1,\"dim\":%d,\"items\":[", dim);
  for (i = 0; i < n && o < cap; i++) {
    o += (size_t)snprintf(buf + o, cap - o, "%s{\"id\":\"%s%02d\",\"title\":\"T %d\",\"tags\":[\"%s\"],\"popularity\":100",
                          i ? "," : "", prefix, i, i, tags[i % ntags]);
    if (dim > 0) {
      o += (size_t)snprintf(buf + o, cap - o, ",\"vector\":[");
      for (k = 0; k < dim; k++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%g", k ? "," : "", k == i % 2 ? 1.0 : 0.03 * ((i + k) % 4));
      o += (size_t)snprintf(buf + o, cap - o, "]");
    }
    o += (size_t)snprintf(buf + o, cap - o, "}");
  }
  snprintf(buf + o, cap - o, "]}");
  return buf;
}

static const char *const ctx_tags[] = {"sport", "news", "briefing", "tech"};

/* --- context validation -------------------------------------------------------------------- */

static void bad_context_is_refused_naming_the_key(void) {
  static const char *const bad[][2] = {
      {"{\"colour\":\"red\"}", "colour"},   {"{\"hour\":24}", "hour"},           {"{\"hour\":-1}", "hour"},
      {"{\"hour\":7.5}", "hour"},           {"{\"hour\":\"8\"}", "hour"},        {"{\"weekday\":7}", "weekday"},
      {"{\"weekday\":\"funday\"}", "weekday"}, {"{\"daypart\":\"noon\"}", "daypart"}, {"{\"device\":\"watch\"}", "device"},
      {"{\"device\":2}", "device"},         {"{\"referrer\":\"tv\"}", "referrer"}, {"{\"campaign\":5}", "campaign"},
      {"{\"campaign\":\"\"}", "campaign"},  {"[]", "context"},                 {"\"morning\"", "context"}};
  char cat[4096], opts[200];
  att_engine *h = ENGINE("{\"privacyLevel\":\"contextual\",\"context\":{\"keys\":[\"campaign\"]}}",
                         lv_catalog(cat, sizeof cat, "c", 8, ctx_tags, 4, 0));
  size_t i;
  int rc;
  att__jv *x;
  if (!h) return;
  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    const char *ctx = bad[i][0], *key = bad[i][1];
    rc = att_track(h, "c01", 3, ATT_EV_CLICK, NAN, NAN, lv_eid++, ctx, strlen(ctx), NOW);
    CHECK_MSG(rc == ATT_E_ARG, "track %s: %d", ctx, rc);
    CHECK_MSG(strstr(att_errmsg(h), key) != NULL, "track %s: %s", ctx, att_errmsg(h));
    rc = att_explain(h, "c01", 3, ctx, strlen(ctx), NOW);
    CHECK_MSG(rc == ATT_E_ARG, "explain %s: %d", ctx, rc);
    CHECK_MSG(strstr(att_errmsg(h), key) != NULL, "explain %s: %s", ctx, att_errmsg(h));
    snprintf(opts, sizeof opts, "{\"context\":%s}", ctx);
    rc = att_recommend(h, opts, strlen(opts), NOW);
    CHECK_MSG(rc == ATT_E_ARG, "recommend %s: %d", ctx, rc);
    CHECK_MSG(strstr(att_errmsg(h), key) != NULL, "recommend %s: %s", ctx, att_errmsg(h));
  }
  /* a refused track kept nothing */
  x = lv_call(h, att_export, NOW);
  CHECK(x && att__jv_count(att__jv_get(x, "history")) == 0);
  att__json_free(x);
  /* the good ones pass */
  TRACK(h, "c01", ATT_EV_CLICK, "{\"hour\":0,\"weekday\":\"sun\",\"device\":\"tablet\",\"referrer\":\"internal\",\"campaign\":\"x\"}", NOW);
  x = RECOMMEND(h, "{\"context\":{\"weekday\":6,\"daypart\":\"night\"}}", NOW);
  att__json_free(x);
  x = RECOMMEND(h, "{\"context\":null}", NOW);
  att__json_free(x);
  att_free(h);
}

/* --- site rules ---------------------------------------------------------------------------- */

static void rules_boost_only_when_they_hold_and_only_from_contextual(void) {
  static const char *const config_fmt =
      "{\"privacyLevel\":\"%s\",\"ranking\":{\"diversity\":0},\"context\":{\"keys\":[\"campaign\"],\"rules\":["
      "{\"when\":{\"daypart\":[\"morning\"]},\"boost\":{\"tags\":{\"briefing\":0.3}}},"
      "{\"when\":{\"weekday\":[\"weekend\"],\"device\":[\"mobile\"]},\"boost\":{\"tags\":{\"sport\":0.4}}},"
      "{\"when\":{\"campaign\":[\"spring\"]},\"boost\":{\"tags\":{\"news\":0.5}}}]}}";
  static const char *const levels[] = {"none", "segment", "behavioral", "contextual", "individual"};
  char cat[4096], config[1024];
  int l, n;
  for (l = 0; l < 5; l++) {
    int on = l >= ATT_LEVEL_CONTEXTUAL;
    att_engine *h;
    att__jv *x, *list;
    snprintf(config, sizeof config, config_fmt, levels[l]);
    h = ENGINE(config, lv_catalog(cat, sizeof cat, "c", 16, ctx_tags, 4, 0));
    if (!h) return;
    x = EXPLAIN(h, "c02", "{\"hour\":8}", NOW);
    CHECK_MSG(fabs(lv_contrib(x, "context", "briefing", NULL, &n) - (on ? 0.3 : 0)) < 1e-12, "%s", levels[l]);
    if (on) CHECK_MSG(strcmp(lv_reason(x, "context"), "Suggested for the morning") == 0, "%s", lv_reason(x, "context"));
    CHECK(x && lv_sum(x) == lv_num(x, "score"));
    att__json_free(x);
    x = EXPLAIN(h, "c02", "{\"hour\":13}", NOW);
    CHECK(lv_contrib(x, "context", NULL, NULL, &n) == 0 && n == 0);
    att__json_free(x);
    x = EXPLAIN(h, "c02", NULL, NOW); /* no context at all: nothing is known, nothing matches */
    CHECK(lv_contrib(x, "context", NULL, NULL, &n) == 0 && n == 0);
    att__json_free(x);
    /* both conditions of a rule must hold */
    x = EXPLAIN(h, "c00", "{\"weekday\":0,\"device\":\"mobile\"}", NOW);
    CHECK_MSG(fabs(lv_contrib(x, "context", "sport", NULL, &n) - (on ? 0.4 : 0)) < 1e-12, "%s", levels[l]);
    att__json_free(x);
    x = EXPLAIN(h, "c00", "{\"weekday\":\"sat\",\"device\":\"mobile\"}", NOW);
    CHECK(fabs(lv_contrib(x, "context", "sport", NULL, &n) - (on ? 0.4 : 0)) < 1e-12);
    att__json_free(x);
    x = EXPLAIN(h, "c00", "{\"weekday\":3,\"device\":\"mobile\"}", NOW);
    CHECK(lv_contrib(x, "context", "sport", NULL, &n) == 0 && n == 0);
    att__json_free(x);
    x = EXPLAIN(h, "c00", "{\"weekday\":6,\"device\":\"desktop\"}", NOW);
    CHECK(lv_contrib(x, "context", "sport", NULL, &n) == 0 && n == 0);
    att__json_free(x);
    /* a declared site key */
    x = EXPLAIN(h, "c01", "{\"campaign\":\"spring\"}", NOW);
    CHECK(fabs(lv_contrib(x, "context", "news", NULL, &n) - (on ? 0.5 : 0)) < 1e-12);
    att__json_free(x);
    x = EXPLAIN(h, "c01", "{\"campaign\":\"autumn\"}", NOW);
    CHECK(lv_contrib(x, "context", "news", NULL, &n) == 0 && n == 0);
    att__json_free(x);
    /* the ranking follows */
    list = RECOMMEND(h, "{\"k\":4,\"context\":{\"campaign\":\"spring\"}}", NOW);
    if (list) {
      const char *top = lv_str(lv_at(list, 0), "id");
      CHECK_MSG(on ? strcmp(top, "c01") == 0 : strcmp(top, "c00") == 0, "%s: top %s", levels[l], top);
    }
    att__json_free(list);
    att_free(h);
  }
}

/* --- stored buckets ------------------------------------------------------------------------ */

/* The bucket of history entry i in the export. */
static int lv_bucket(att_engine *h, int i) {
  att__jv *x = lv_call(h, att_export, NOW + HOUR_MS);
  int b = x ? (int)lv_num(lv_at(att__jv_get(x, "history"), i), "bucket") : -1;
  att__json_free(x);
  return b;
}

static void buckets_are_kept_only_from_contextual(void) {
  char cat[4096];
  att_engine *h = ENGINE("{\"privacyLevel\":\"behavioral\"}", lv_catalog(cat, sizeof cat, "c", 16, ctx_tags, 4, 0)), *h2;
  att__jv *x;
  int b0, b1, b2, b3;
  if (!h) return;
  TRACK(h, "c00", ATT_EV_CLICK, "{\"device\":\"mobile\",\"hour\":20}", NOW);
  CHECK(lv_bucket(h, 0) == 0);
  CHECK(att_set_level(h, ATT_LEVEL_CONTEXTUAL, NOW) == ATT_OK);
  CHECK(lv_bucket(h, 0) == 0); /* raising the level invents nothing */
  TRACK(h, "c01", ATT_EV_CLICK, "{\"device\":\"mobile\",\"hour\":20}", NOW + 1);
  TRACK(h, "c02", ATT_EV_VIEW, "{\"device\":\"mobile\",\"hour\":17,\"referrer\":\"search\"}", NOW + 2);
  TRACK(h, "c03", ATT_EV_VIEW, "{\"device\":\"desktop\",\"daypart\":\"evening\"}", NOW + 3);
  TRACK(h, "c04", ATT_EV_VIEW, "{\"hour\":20}", NOW + 4);
  TRACK(h, "c05", ATT_EV_VIEW, NULL, NOW + 5);
  b0 = lv_bucket(h, 1);
  b1 = lv_bucket(h, 2);
  b2 = lv_bucket(h, 3);
  b3 = lv_bucket(h, 4);
  CHECK_MSG(b0 > 0 && b0 <= 12, "bucket %d", b0);
  CHECK(b1 == b0);
  CHECK(b2 > 0 && b2 != b0);
  CHECK_MSG(b3 == 12 + 2 + 1, "bucket %d: without a device class the daypart (evening) is kept alone", b3);
  CHECK(lv_bucket(h, 5) == 0);
  /* the bucket survives a snapshot */
  CHECK(att_snapshot(h, NOW + 10) == ATT_OK);
  h2 = ENGINE("{\"privacyLevel\":\"behavioral\"}", cat);
  if (h2) {
    CHECK(att_restore(h2, att_result(h), att_result_len(h), NOW + 10) == ATT_OK);
    CHECK(lv_bucket(h2, 1) == b0 && lv_bucket(h2, 3) == b2);
    CHECK(att_level(h2) == ATT_LEVEL_CONTEXTUAL);
    att_free(h2);
  }
  /* downgrade: gone from memory and from the next snapshot */
  CHECK(att_set_level(h, ATT_LEVEL_BEHAVIORAL, NOW + 10) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  CHECK(lv_bucket(h, 1) == 0 && lv_bucket(h, 3) == 0);
  CHECK(att_snapshot(h, NOW + 11) == ATT_OK);
  h2 = ENGINE("{\"privacyLevel\":\"contextual\"}", cat);
  if (h2) {
    CHECK(att_restore(h2, att_result(h), att_result_len(h), NOW + 11) == ATT_OK);
    x = lv_call(h2, att_export, NOW + 11);
    if (x) {
      const att__jv *ev;
      int n = 0;
      for (ev = att__jv_first(att__jv_get(x, "history")); ev; ev = att__jv_next(ev), n++)
        CHECK(lv_num(ev, "bucket") == 0);
      CHECK(n == 6);
    }
    att__json_free(x);
    att_free(h2);
  }
  att_free(h);
}

/* --- learned context ----------------------------------------------------------------------- */

/* The learned context effect on an unseen sport item in mobile evenings after n sport clicks
 * there and 4 news clicks on desktop mornings, all at NOW (so nothing has decayed). */
static double lv_learned(int nsport, int *count) {
  static const char *const two[] = {"sport", "news"};
  char cat[4096], id[16];
  att_engine *h = ENGINE("{\"privacyLevel\":\"contextual\",\"ranking\":{\"diversity\":0}}",
                         lv_catalog(cat, sizeof cat, "c", 20, two, 2, 0));
  att__jv *x;
  double w;
  int i;
  if (!h) return NAN;
  for (i = 0; i < nsport; i++) {
    snprintf(id, sizeof id, "c%02d", 2 * i);
    TRACK(h, id, ATT_EV_CLICK, "{\"device\":\"mobile\",\"hour\":20}", NOW);
  }
  for (i = 0; i < 4; i++) {
    snprintf(id, sizeof id, "c%02d", 2 * i + 1);
    TRACK(h, id, ATT_EV_CLICK, "{\"device\":\"desktop\",\"hour\":9}", NOW);
  }
  x = EXPLAIN(h, "c18", "{\"device\":\"mobile\",\"hour\":20}", NOW);
  w = lv_contrib(x, "context", "sport", NULL, count);
  if (x && fabs(w) > 1e-9) {
    CHECK_MSG(strcmp(lv_reason(x, "context"), "Often read on mobile in the evening: sport") == 0, "%s",
              lv_reason(x, "context"));
    CHECK(lv_sum(x) == lv_num(x, "score"));
  }
  att__json_free(x);
  /* when the bucket says nothing new, no reason claims it does */
  if (nsport >= 4) {
    att__jv *list = RECOMMEND(h, "{\"k\":6,\"context\":{\"device\":\"mobile\",\"hour\":20}}", NOW);
    for (i = 0; list && i < 6; i++)
      CHECK_MSG(!lv_has_reason(lv_at(list, i), "Often read"), "n %d: %s has an \"Often read\" reason", nsport,
                lv_str(lv_at(list, i), "id"));
    att__json_free(list);
  }
  /* in a bucket with no data of its own nothing is learned */
  x = EXPLAIN(h, "c18", "{\"device\":\"tablet\",\"hour\":2}", NOW);
  CHECK(lv_contrib(x, "context", NULL, NULL, &i) == 0 && i == 0);
  att__json_free(x);
  /* without a device class the daypart's interactions on every device count: here, only the
     mobile evenings are evenings, so the effect is the same, in words without a device */
  x = EXPLAIN(h, "c18", "{\"hour\":20}", NOW);
  CHECK_MSG(lv_contrib(x, "context", "sport", NULL, &i) == w, "%g without a device, %g on mobile",
            lv_contrib(x, "context", "sport", NULL, &i), w);
  if (x && fabs(w) > 1e-9)
    CHECK_MSG(strcmp(lv_reason(x, "context"), "Often read in the evening: sport") == 0, "%s", lv_reason(x, "context"));
  att__json_free(x);
  att_free(h);
  return w;
}

static void learned_context_is_shrunk_by_the_data_in_the_bucket(void) {
  int n, count;
  double one = 0;
  for (n = 1; n <= 3; n++) {
    /* the bucket's affinities (sport only: n / (n + 3)) against the overall ones (sport n, news 4,
       each over the strongest + 3), weighted by lambda_b = n / (n + 5) and ranking.weights.context */
    double lambda = n / (n + 5.0), bucket = n / (n + 3.0), overall = n / (4 + 3.0);
    double want = lambda * (bucket - overall) * 0.5, got = lv_learned(n, &count);
    CHECK_MSG(count == 1, "n %d: %d learned contributions", n, count);
    CHECK_MSG(fabs(got - want) < 1e-6, "n %d: learned %.9f, want %.9f", n, got, want);
    if (n == 1) {
      CHECK_MSG(got > 0 && got < 0.01, "one interaction barely moves it: %g", got);
      one = got;
    } else {
      CHECK_MSG(got > one, "n %d: more data than one, more effect: %g vs %g", n, got, one);
    }
  }
  /* sport the strongest everywhere: the bucket says nothing the whole history does not */
  for (n = 4; n <= 6; n++) {
    double got = lv_learned(n, &count);
    CHECK_MSG(fabs(got) < 1e-9, "n %d: learned %g", n, got);
  }
}

/* --- session --------------------------------------------------------------------------------- */

static void session_lifts_tags_until_thirty_quiet_minutes(void) {
  char cat[4096];
  att_engine *h = ENGINE("{\"privacyLevel\":\"contextual\"}", lv_catalog(cat, sizeof cat, "c", 16, ctx_tags, 4, 0)), *h2;
  att__jv *x;
  int n;
  if (!h) return;
  TRACK(h, "c03", ATT_EV_CLICK, NULL, NOW);
  x = EXPLAIN(h, "c07", NULL, NOW + MIN);
  CHECK(lv_contrib(x, "session", "tech", NULL, &n) > 0 && n == 1);
  CHECK_MSG(strcmp(lv_reason(x, "session"), "Because you just read \"T 3\"") == 0, "%s", lv_reason(x, "session"));
  CHECK(x && lv_sum(x) == lv_num(x, "score"));
  att__json_free(x);
  x = EXPLAIN(h, "c04", NULL, NOW + MIN);
  CHECK(lv_contrib(x, "session", NULL, NULL, &n) == 0 && n == 0);
  att__json_free(x);
  /* the session is not in a snapshot */
  CHECK(att_snapshot(h, NOW + MIN) == ATT_OK);
  h2 = ENGINE("{\"privacyLevel\":\"contextual\"}", cat);
  if (h2) {
    CHECK(att_restore(h2, att_result(h), att_result_len(h), NOW + MIN) == ATT_OK);
    x = EXPLAIN(h2, "c07", NULL, NOW + 2 * MIN);
    CHECK(lv_contrib(x, "session", NULL, NULL, &n) == 0 && n == 0);
    att__json_free(x);
    att_free(h2);
  }
  x = EXPLAIN(h, "c07", NULL, NOW + 29 * MIN);
  CHECK(lv_contrib(x, "session", NULL, NULL, &n) > 0 && n == 1);
  att__json_free(x);
  x = EXPLAIN(h, "c07", NULL, NOW + 31 * MIN);
  CHECK(lv_contrib(x, "session", NULL, NULL, &n) == 0 && n == 0);
  att__json_free(x);
  x = EXPLAIN(h, "c07", NULL, NOW + 32 * MIN); /* and it stays gone */
  CHECK(lv_contrib(x, "session", NULL, NULL, &n) == 0 && n == 0);
  att__json_free(x);
  /* an interaction recorded late does not end a visit in progress */
  TRACK(h, "c08", ATT_EV_CLICK, NULL, NOW + 34 * MIN);
  x = EXPLAIN(h, "c12", NULL, NOW + 35 * MIN);
  CHECK(lv_contrib(x, "session", "sport", NULL, &n) > 0);
  att__json_free(x);
  CHECK(att_track(h, "c01", 3, ATT_EV_VIEW, NOW + 34 * MIN - HOUR_MS, NAN, lv_eid++, NULL, 0, NOW + 35 * MIN) == ATT_OK);
  x = EXPLAIN(h, "c12", NULL, NOW + 36 * MIN);
  CHECK_MSG(lv_contrib(x, "session", "sport", NULL, &n) > 0, "a backdated view ended the session");
  att__json_free(x);
  /* a new visit; a downgrade below contextual drops it, raising again does not bring it back */
  TRACK(h, "c02", ATT_EV_VIEW, NULL, NOW + 40 * MIN);
  x = EXPLAIN(h, "c06", NULL, NOW + 41 * MIN);
  CHECK(lv_contrib(x, "session", "briefing", NULL, &n) > 0);
  att__json_free(x);
  CHECK(att_set_level(h, ATT_LEVEL_BEHAVIORAL, NOW + 41 * MIN) == ATT_OK);
  CHECK(att_set_level(h, ATT_LEVEL_CONTEXTUAL, NOW + 41 * MIN) == ATT_OK);
  x = EXPLAIN(h, "c06", NULL, NOW + 42 * MIN);
  CHECK(lv_contrib(x, "session", NULL, NULL, &n) == 0 && n == 0);
  att__json_free(x);
  /* forget drops it too */
  TRACK(h, "c02", ATT_EV_VIEW, NULL, NOW + 43 * MIN);
  CHECK(att_forget(h) == ATT_OK);
  x = EXPLAIN(h, "c06", NULL, NOW + 44 * MIN);
  CHECK(lv_contrib(x, "session", NULL, NULL, &n) == 0 && n == 0);
  att__json_free(x);
  att_free(h);
}

/* --- the user vector --------------------------------------------------------------------------- */

static void model_scores_items_like_the_ones_liked(void) {
  static const char *const one[] = {"story"};
  char cat[8192];
  att_engine *h = ENGINE("{\"privacyLevel\":\"individual\",\"ranking\":{\"diversity\":0,\"exploration\":0}}",
                         lv_catalog(cat, sizeof cat, "v", 24, one, 1, 4));
  att__jv *x, *list;
  int n, i;
  if (!h) return;
  /* even items lie along the first axis, odd along the second */
  TRACK(h, "v00", ATT_EV_CLICK, NULL, NOW);
  TRACK(h, "v02", ATT_EV_LIKE, NULL, NOW);
  TRACK(h, "v04", ATT_EV_CLICK, NULL, NOW);
  list = RECOMMEND(h, "{\"k\":9,\"seed\":1}", NOW + HOUR_MS);
  for (i = 0; list && i < 9; i++) {
    const char *id = lv_str(lv_at(list, i), "id");
    CHECK_MSG((id[2] - '0') % 2 == 0, "slot %d: %s is not from the cluster", i, id);
    CHECK(lv_num(lv_at(list, i), "propensity") == 1);
  }
  att__json_free(list);
  x = EXPLAIN(h, "v10", NULL, NOW + HOUR_MS);
  CHECK(lv_contrib(x, "model", NULL, "Similar to \"T ", &n) > 0.1 && n == 1);
  CHECK(x && lv_sum(x) == lv_num(x, "score"));
  att__json_free(x);
  x = EXPLAIN(h, "v11", NULL, NOW + HOUR_MS);
  CHECK(lv_contrib(x, "model", NULL, NULL, &n) < 0.1);
  att__json_free(x);
  /* a dismissal of an odd item moves odd items further away */
  {
    double before = lv_contrib(x = EXPLAIN(h, "v13", NULL, NOW + HOUR_MS), "model", NULL, NULL, &n);
    att__json_free(x);
    TRACK(h, "v01", ATT_EV_DISMISS, NULL, NOW + HOUR_MS);
    x = EXPLAIN(h, "v13", NULL, NOW + HOUR_MS);
    CHECK_MSG(lv_contrib(x, "model", NULL, NULL, &n) < before, "%g after %g", lv_contrib(x, "model", NULL, NULL, &n), before);
    att__json_free(x);
  }
  att_free(h);

  /* dim 0: nothing breaks, there is just no model score */
  h = ENGINE("{\"privacyLevel\":\"individual\"}", lv_catalog(cat, sizeof cat, "v", 24, one, 1, 0));
  if (!h) return;
  TRACK(h, "v00", ATT_EV_CLICK, NULL, NOW);
  list = RECOMMEND(h, "{\"k\":10,\"seed\":4}", NOW);
  CHECK(list && att__jv_count(list) == 10);
  att__json_free(list);
  x = EXPLAIN(h, "v02", NULL, NOW);
  CHECK(lv_contrib(x, "model", NULL, NULL, &n) == 0 && n == 0);
  att__json_free(x);
  att_free(h);
}

/* A device whose clock is set back by decades (a dead clock battery reads 1970) must still rank
 * with finite scores: what happened "after" now counts as now, never as 2^1000 times more. */
static void a_clock_set_back_by_decades_still_ranks_with_finite_scores(void) {
  static const char *const one[] = {"story"};
  static const double back[] = {0, NOW - 40 * 365 * 24 * HOUR_MS, NOW - 1};
  char cat[8192];
  att_engine *h = ENGINE("{\"privacyLevel\":\"individual\",\"ranking\":{\"diversity\":0,\"exploration\":0}}",
                         lv_catalog(cat, sizeof cat, "v", 24, one, 1, 4));
  att__jv *x, *list;
  size_t i;
  int j;
  if (!h) return;
  TRACK(h, "v00", ATT_EV_CLICK, NULL, NOW);
  TRACK(h, "v02", ATT_EV_LIKE, NULL, NOW);
  for (i = 0; i < sizeof back / sizeof *back; i++) {
    list = RECOMMEND(h, "{\"k\":5,\"seed\":1}", back[i]);
    for (j = 0; list && j < 5; j++) {
      double sc = lv_num(lv_at(list, j), "score");
      CHECK_MSG(isfinite(sc), "now %.0f slot %d: score %g", back[i], j, sc);
    }
    att__json_free(list);
    x = EXPLAIN(h, "v04", NULL, back[i]);
    CHECK_MSG(x && isfinite(lv_num(x, "score")) && lv_sum(x) == lv_num(x, "score"), "now %.0f", back[i]);
    CHECK(lv_contrib(x, "affinity", NULL, NULL, &j) > 0 && isfinite(lv_contrib(x, "affinity", NULL, NULL, &j)));
    att__json_free(x);
  }
  att_free(h);
}

/* --- exploration ------------------------------------------------------------------------------- */

static void exploration_propensities_and_seeds(void) {
  static const char *const one[] = {"story"};
  char cat[8192], opts[64], first[4096];
  att_engine *h = ENGINE("{\"privacyLevel\":\"individual\",\"ranking\":{\"diversity\":0,\"exploration\":1},"
                         "\"editorial\":{\"pins\":[{\"item\":\"f20\",\"position\":1},{\"item\":\"f21\",\"position\":4}]}}",
                         lv_catalog(cat, sizeof cat, "f", 24, one, 1, 0));
  att_engine *g;
  int seed, j, explored = 0, greedy_kept = 0;
  size_t len;
  if (!h) return;
  for (seed = 1; seed <= 200; seed++) {
    att__jv *list;
    snprintf(opts, sizeof opts, "{\"k\":5,\"seed\":%d}", seed);
    list = RECOMMEND(h, opts, NOW);
    if (!list) continue;
    CHECK(att__jv_count(list) == 5);
    CHECK(strcmp(lv_str(lv_at(list, 0), "id"), "f20") == 0 && lv_num(lv_at(list, 0), "propensity") == 1);
    CHECK(strcmp(lv_str(lv_at(list, 3), "id"), "f21") == 0 && lv_num(lv_at(list, 3), "propensity") == 1);
    CHECK(lv_has_reason(lv_at(list, 0), "Chosen by the editors") && !lv_has_reason(lv_at(list, 0), "Exploring"));
    for (j = 0; j < 5; j++) {
      const att__jv *it = lv_at(list, j);
      static const char *const greedy[] = {"f20", "f00", "f01", "f21", "f02"};
      int is_explored = strcmp(lv_str(it, "id"), greedy[j]) != 0;
      if (j == 0 || j == 3) continue;
      /* 24 items - 2 pinned - 3 listed = 19 in the pool: 20 choices, each 1 / 20 */
      CHECK_MSG(fabs(lv_num(it, "propensity") - 1.0 / 20) < 1e-7, "propensity %.9g", lv_num(it, "propensity"));
      CHECK_MSG(lv_has_reason(it, "Exploring something new") == is_explored, "seed %d slot %d %s", seed, j,
                lv_str(it, "id"));
      explored += is_explored;
      greedy_kept += !is_explored;
    }
    att__json_free(list);
  }
  CHECK_MSG(explored > 500 && greedy_kept > 10, "explored %d, kept %d", explored, greedy_kept);
  /* the same seed gives the same bytes */
  CHECK(att_recommend(h, "{\"k\":5,\"seed\":77}", strlen("{\"k\":5,\"seed\":77}"), NOW) == ATT_OK);
  len = att_result_len(h);
  CHECK(len < sizeof first);
  if (len < sizeof first) memcpy(first, att_result(h), len);
  CHECK(att_recommend(h, "{\"k\":5,\"seed\":77}", strlen("{\"k\":5,\"seed\":77}"), NOW) == ATT_OK);
  CHECK(att_result_len(h) == len && memcmp(first, att_result(h), len) == 0);
  att_free(h);

  /* exploration 0: everything is greedy */
  g = ENGINE("{\"privacyLevel\":\"individual\",\"ranking\":{\"exploration\":0}}", cat);
  if (!g) return;
  for (seed = 1; seed <= 5; seed++) {
    att__jv *list;
    snprintf(opts, sizeof opts, "{\"k\":6,\"seed\":%d}", seed);
    list = RECOMMEND(g, opts, NOW);
    for (j = 0; list && j < 6; j++) {
      CHECK(lv_num(lv_at(list, j), "propensity") == 1);
      CHECK(strcmp(lv_str(lv_at(list, j), "id"), (const char *[]){"f00", "f01", "f02", "f03", "f04", "f05"}[j]) == 0);
    }
    att__json_free(list);
  }
  /* below individual there is no propensity */
  CHECK(att_set_level(g, ATT_LEVEL_CONTEXTUAL, NOW) == ATT_OK);
  CHECK(att_recommend(g, "{\"k\":3}", strlen("{\"k\":3}"), NOW) == ATT_OK);
  CHECK(!lv_result_has(g, "propensity"));
  att_free(g);
}

/* --- learning -------------------------------------------------------------------------------- */

static const char *lv_steep(char *buf, size_t cap) {
  size_t o = 0;
  int i;
  o += (size_t)snprintf(buf + o, cap - o, "{\"version\":1,\"items\":[");
  for (i = 0; i < 30 && o < cap; i++)
    o += (size_t)snprintf(buf + o, cap - o, "%s{\"id\":\"s%02d\",\"tags\":[\"t%d\"],\"popularity\":%d}", i ? "," : "", i,
                          i % 3, i < 2 ? 1000000 : 200 - i);
  snprintf(buf + o, cap - o, "]}");
  return buf;
}

/* `rounds` lists of 5: all shown, the third clicked.  Returns the engine. */
static att_engine *lv_click_third(const char *config, int rounds) {
  char cat[4096], opts[64];
  att_engine *h = ENGINE(config, lv_steep(cat, sizeof cat));
  int r, j;
  if (!h) return NULL;
  for (r = 0; r < rounds; r++) {
    att__jv *list;
    double t = NOW + r * 2 * MIN;
    snprintf(opts, sizeof opts, "{\"k\":5,\"seed\":%d}", r + 1);
    list = RECOMMEND(h, opts, t);
    if (!list) break;
    for (j = 0; j < 5; j++) TRACK(h, lv_str(lv_at(list, j), "id"), ATT_EV_IMPRESSION, NULL, t);
    TRACK(h, lv_str(lv_at(list, 2), "id"), ATT_EV_CLICK, NULL, t + MIN);
    att__json_free(list);
  }
  return h;
}

static void learning_moves_weights_deterministically_within_bounds(void) {
  static const char *const cfg = "{\"privacyLevel\":\"individual\",\"ranking\":{\"diversity\":0,\"exploration\":0}}";
  static const char *const groups[] = {"popularity", "freshness", "segment", "affinity", "related", "context", "model"};
  att_engine *a = lv_click_third(cfg, 6), *b = lv_click_third(cfg, 6), *c;
  att__jv *xa = a ? lv_call(a, att_export, NOW + HOUR_MS) : NULL, *xb = b ? lv_call(b, att_export, NOW + HOUR_MS) : NULL;
  const att__jv *ma = att__jv_get(att__jv_get(xa, "model"), "weights"), *mb = att__jv_get(att__jv_get(xb, "model"), "weights");
  att__config conf;
  att__model m;
  att__err e;
  float pos[ATT_SIG_COUNT], neg[ATT_SIG_COUNT];
  int g, i, moved = 0;
  CHECK(ma && mb);
  for (g = 0; ma && mb && g < 7; g++) {
    double wa = lv_num(ma, groups[g]);
    CHECK_MSG(wa == lv_num(mb, groups[g]), "%s: %.17g vs %.17g", groups[g], wa, lv_num(mb, groups[g]));
    CHECK_MSG(wa >= 0 && wa <= 5, "%s: %g", groups[g], wa);
    moved += wa != 1;
  }
  CHECK(moved > 0);
  CHECK(ma && lv_num(ma, "popularity") < 1);
  CHECK(xa && lv_num(att__jv_get(xa, "model"), "updates") >= 12); /* at least the two items above, each time */
  CHECK(xa && lv_num(att__jv_get(xa, "model"), "updates") == lv_num(att__jv_get(xb, "model"), "updates"));

  /* explain at individual: learned weights, and the sum is still exact */
  if (a) {
    att__jv *list = RECOMMEND(a, "{\"k\":8,\"seed\":3}", NOW + HOUR_MS);
    for (i = 0; list && i < 8; i++) {
      const att__jv *it = lv_at(list, i), *cc;
      att__jv *x = EXPLAIN(a, lv_str(it, "id"), NULL, NOW + HOUR_MS);
      CHECK(x && lv_sum(x) == lv_num(x, "score"));
      CHECK(x && lv_num(x, "score") == lv_num(it, "score"));
      for (cc = att__jv_first(att__jv_get(x, "contributions")); cc; cc = att__jv_next(cc)) {
        CHECK(!isnan(lv_num(cc, "learnedWeight")));
        if (strcmp(lv_str(cc, "signal"), "popularity") == 0) CHECK(lv_num(cc, "learnedWeight") == lv_num(ma, "popularity"));
      }
      att__json_free(x);
    }
    att__json_free(list);
  }
  att__json_free(xa);
  att__json_free(xb);
  att_free(a);
  att_free(b);

  /* a fast learner stays within [0, 5] */
  c = lv_click_third("{\"privacyLevel\":\"individual\",\"ranking\":{\"diversity\":0,\"exploration\":0},"
                     "\"model\":{\"learningRate\":1}}", 25);
  if (c) {
    att__jv *x = lv_call(c, att_export, NOW + 2 * HOUR_MS);
    const att__jv *w = att__jv_get(att__jv_get(x, "model"), "weights");
    for (g = 0; w && g < 7; g++) CHECK_MSG(lv_num(w, groups[g]) >= 0 && lv_num(w, groups[g]) <= 5, "%s", groups[g]);
    att__json_free(x);
    att_free(c);
  }

  /* the step itself clamps: push one group up and another down as hard as possible */
  if (att__config_parse(&e, "{\"model\":{\"learningRate\":1}}", strlen("{\"model\":{\"learningRate\":1}}"), &conf) == ATT_OK) {
    memset(&m, 0, sizeof m);
    att__model_reset(&m);
    for (g = 0; g < ATT_SIG_COUNT; g++) pos[g] = neg[g] = 0;
    for (i = 0; i < 200; i++) {
      pos[ATT_SIG_POPULARITY] = 3; /* the clicked item is always the popular one... */
      neg[ATT_SIG_FRESHNESS] = 3;  /* ...and the skipped one always the fresh one */
      pos[ATT_SIG_AFFINITY] = (float)(i % 2 ? 100 : -100);
      att__model_learn(&conf, &m, pos, neg);
      for (g = 0; g < ATT_SIG_COUNT; g++) CHECK(m.theta[g] >= 0 && m.theta[g] <= 5);
    }
    CHECK_MSG(m.theta[ATT_SIG_POPULARITY] > 1.2, "%g", m.theta[ATT_SIG_POPULARITY]);
    CHECK_MSG(m.theta[ATT_SIG_FRESHNESS] < 0.8, "%g", m.theta[ATT_SIG_FRESHNESS]);
    CHECK(m.theta[ATT_SIG_SEGMENT] == 1);
    CHECK(m.updates == 200);
    memset(pos, 0, sizeof pos);
    memset(neg, 0, sizeof neg);
    pos[ATT_SIG_MODEL] = 1000;
    neg[ATT_SIG_RELATED] = 1000;
    m.theta[ATT_SIG_MODEL] = m.theta[ATT_SIG_RELATED] = 0; /* z = 0: the full gradient */
    att__model_learn(&conf, &m, pos, neg);
    CHECK(m.theta[ATT_SIG_MODEL] == 5);
    CHECK(m.theta[ATT_SIG_RELATED] == 0);
    att__model_reset(&m);
    att__config_free(&conf);
  } else {
    CHECK_MSG(0, "config: %s", e.msg);
  }
}

/* --- counterfactual log, fatigue ---------------------------------------------------------------- */

static void counterfactual_log_by_hand(void) {
  static const char *const one[] = {"story"};
  char cat[8192], opts[64];
  att_engine *h = ENGINE("{\"privacyLevel\":\"individual\",\"ranking\":{\"diversity\":0,\"exploration\":0.5}}",
                         lv_catalog(cat, sizeof cat, "f", 24, one, 1, 0));
  att__jv *list = NULL, *m;
  const att__jv *cf;
  double pg = 0, sum_inv = 0;
  int seed, j, nexp = 0, ng = 0;
  const char *gid = NULL, *xid = NULL;
  if (!h) return;
  /* a seed whose list of 4 mixes greedy and explored items (listing does not change the profile) */
  for (seed = 1; seed < 200; seed++) {
    snprintf(opts, sizeof opts, "{\"k\":4,\"seed\":%d}", seed);
    att__json_free(list);
    list = RECOMMEND(h, opts, NOW);
    nexp = ng = 0;
    for (j = 0; list && j < 4; j++) {
      if (lv_num(lv_at(list, j), "propensity") > 0.5) ng++;
      else nexp++;
    }
    if (ng >= 1 && nexp >= 1) break;
  }
  CHECK(ng >= 1 && nexp >= 1);
  for (j = 0; list && j < 4; j++) {
    const att__jv *it = lv_at(list, j);
    double p = lv_num(it, "propensity");
    /* 24 items, 4 listed: 21 choices */
    if (p > 0.5) {
      CHECK(fabs(p - (0.5 + 0.5 / 21)) < 1e-7);
      if (!gid) {
        gid = lv_str(it, "id");
        pg = p;
      }
    } else {
      CHECK(fabs(p - 0.5 / 21) < 1e-7);
      CHECK(lv_has_reason(it, "Exploring something new"));
      if (!xid) xid = lv_str(it, "id");
    }
    TRACK(h, lv_str(it, "id"), ATT_EV_IMPRESSION, NULL, NOW);
  }
  if (gid && xid) {
    TRACK(h, gid, ATT_EV_CLICK, NULL, NOW + MIN);
    TRACK(h, xid, ATT_EV_CLICK, NULL, NOW + MIN);
  }
  sum_inv = 1 / pg;
  m = lv_call(h, att_metrics, NOW + MIN);
  cf = att__jv_get(m, "counterfactual");
  CHECK(lv_num(cf, "impressions") == 4);
  CHECK_MSG(fabs(lv_num(cf, "greedyCtrEstimate") - sum_inv / 4) < 1e-12, "%.17g vs %.17g", lv_num(cf, "greedyCtrEstimate"),
            sum_inv / 4);
  CHECK(lv_num(cf, "exploredShown") == nexp);
  CHECK(lv_num(cf, "exploredClicked") == 1);
  CHECK(fabs(lv_num(cf, "exploredCtr") - 1.0 / nexp) < 1e-12);
  att__json_free(m);
  att__json_free(list);
  att_free(h);

  /* exploration 0: the estimate is clicks / impressions */
  h = ENGINE("{\"privacyLevel\":\"individual\",\"ranking\":{\"exploration\":0}}", cat);
  if (!h) return;
  list = RECOMMEND(h, "{\"k\":4}", NOW);
  for (j = 0; list && j < 4; j++) TRACK(h, lv_str(lv_at(list, j), "id"), ATT_EV_IMPRESSION, NULL, NOW);
  if (list) TRACK(h, lv_str(lv_at(list, 1), "id"), ATT_EV_CLICK, NULL, NOW);
  att__json_free(list);
  m = lv_call(h, att_metrics, NOW);
  cf = att__jv_get(m, "counterfactual");
  CHECK(lv_num(cf, "impressions") == 4 && lv_num(cf, "greedyCtrEstimate") == 0.25 && lv_num(cf, "exploredShown") == 0);
  att__json_free(m);
  att_free(h);
}

static void fatigue_moves_items_shown_without_a_click_down(void) {
  static const char *const one[] = {"story"};
  char cat[8192];
  att_engine *h = ENGINE("{\"privacyLevel\":\"individual\",\"ranking\":{\"diversity\":0,\"exploration\":0,\"excludeSeen\":false}}",
                         lv_catalog(cat, sizeof cat, "f", 12, one, 1, 0));
  att__jv *x;
  int i, n;
  if (!h) return;
  for (i = 0; i < 4; i++) TRACK(h, "f00", ATT_EV_IMPRESSION, NULL, NOW + i);
  x = EXPLAIN(h, "f00", NULL, NOW + HOUR_MS);
  CHECK(lv_contrib(x, "fatigue", NULL, "Shown to you 4 times without being opened", &n) < 0 && n == 1);
  CHECK(x && lv_num(x, "rank") == 12);
  CHECK(x && lv_sum(x) == lv_num(x, "score"));
  att__json_free(x);
  x = EXPLAIN(h, "f01", NULL, NOW + HOUR_MS);
  CHECK(lv_contrib(x, "fatigue", NULL, NULL, &n) == 0 && n == 0);
  att__json_free(x);
  /* once opened, it was not shown "without being opened" */
  TRACK(h, "f00", ATT_EV_CLICK, NULL, NOW + HOUR_MS);
  x = EXPLAIN(h, "f00", NULL, NOW + 2 * HOUR_MS);
  CHECK_MSG(lv_contrib(x, "fatigue", NULL, "Shown to you 4 times without being opened", &n) == 0 && n == 0,
            "f00 was opened, yet: %s", lv_reason(x, "fatigue"));
  att__json_free(x);
  att_free(h);

  /* a learned model weight of 0 (the bottom of its range) still gives a true count */
  h = ENGINE("{\"privacyLevel\":\"individual\"}", cat);
  if (!h) return;
  {
    static const char *const imp =
        "{\"format\":\"attune-profile\",\"version\":2,\"exportedAt\":\"2023-11-14T22:13:20.000Z\",\"level\":\"individual\","
        "\"model\":{\"weights\":{\"model\":0},\"impressions\":[{\"item\":\"f02\",\"count\":3,"
        "\"at\":\"2023-11-14T22:00:00.000Z\"}]}}";
    CHECK_MSG(att_import(h, imp, strlen(imp), NOW) == ATT_OK, "%s", att_errmsg(h));
    x = EXPLAIN(h, "f02", NULL, NOW);
    CHECK(x && lv_sum(x) == lv_num(x, "score"));
    CHECK_MSG(strcmp(lv_reason(x, "fatigue"), "") == 0 ||
                  strcmp(lv_reason(x, "fatigue"), "Shown to you 3 times without being opened") == 0,
              "%s", lv_reason(x, "fatigue"));
    att__json_free(x);
  }
  att_free(h);
}

/* --- purges, snapshots, merges --------------------------------------------------------------- */

/* 1 when the export's model is the prior: weights 1, no updates, no impressions, an empty log. */
static int lv_model_is_prior(att_engine *h, double now) {
  att__jv *x = lv_call(h, att_export, now);
  const att__jv *m = att__jv_get(x, "model"), *w = att__jv_get(m, "weights"), *cf = att__jv_get(m, "counterfactual"), *g;
  int ok = x != NULL && m != NULL;
  for (g = att__jv_first(w); g; g = att__jv_next(g)) ok &= att__jv_num(g) == 1;
  ok &= att__jv_count(w) == 7 && lv_num(m, "updates") == 0 && att__jv_count(att__jv_get(m, "impressions")) == 0;
  ok &= lv_num(cf, "impressions") == 0 && lv_num(cf, "greedyClicksByPropensity") == 0 && lv_num(cf, "exploredShown") == 0 &&
        lv_num(cf, "exploredClicked") == 0;
  att__json_free(x);
  return ok;
}

static void downgrade_removes_the_model_everywhere(void) {
  att_engine *h = lv_click_third("{\"privacyLevel\":\"individual\",\"ranking\":{\"exploration\":0.3}}", 4), *h2;
  char cat[4096];
  att__jv *x;
  if (!h) return;
  CHECK(!lv_model_is_prior(h, NOW + HOUR_MS));
  CHECK(att_set_level(h, ATT_LEVEL_CONTEXTUAL, NOW + HOUR_MS) == ATT_OK);
  CHECK(att_take_dirty(h) == 1);
  CHECK(lv_model_is_prior(h, NOW + HOUR_MS));
  x = lv_call(h, att_metrics, NOW + HOUR_MS);
  CHECK(x && lv_num(att__jv_get(x, "counterfactual"), "impressions") == 0);
  CHECK(x && lv_num(att__jv_get(x, "total"), "impressions") == 20); /* engagement counts are segment data */
  att__json_free(x);
  x = lv_call(h, att_inventory, NOW + HOUR_MS);
  CHECK(x && !lv_result_has(h, "\"model\""));
  CHECK(x && !lv_result_has(h, "tasteVector"));
  CHECK(x && lv_result_has(h, "contextBuckets"));
  att__json_free(x);
  CHECK(att_snapshot(h, NOW + HOUR_MS) == ATT_OK);
  h2 = ENGINE("{\"privacyLevel\":\"individual\"}", lv_steep(cat, sizeof cat));
  if (h2) {
    CHECK(att_restore(h2, att_result(h), att_result_len(h), NOW + HOUR_MS) == ATT_OK);
    CHECK(att_level(h2) == ATT_LEVEL_CONTEXTUAL);
    CHECK(lv_model_is_prior(h2, NOW + HOUR_MS));
    att_free(h2);
  }
  /* raising the level again starts from the prior */
  CHECK(att_set_level(h, ATT_LEVEL_INDIVIDUAL, NOW + HOUR_MS) == ATT_OK);
  CHECK(lv_model_is_prior(h, NOW + HOUR_MS));
  att_free(h);
}

static void model_survives_snapshot_and_export(void) {
  att_engine *h = lv_click_third("{\"privacyLevel\":\"individual\",\"ranking\":{\"exploration\":0.3}}", 5), *h2;
  char cat[4096];
  att__jv *a, *b;
  char *ta = NULL;
  if (!h) return;
  a = lv_call(h, att_export, NOW + HOUR_MS);
  if (a) {
    const att__jv *m = att__jv_get(a, "model");
    CHECK(lv_num(m, "updates") > 0 && att__jv_count(att__jv_get(m, "impressions")) > 0);
  }
  /* snapshot -> restore */
  CHECK(att_snapshot(h, NOW + HOUR_MS) == ATT_OK);
  CHECK(att_result(h)[4] == 2 && att_result(h)[5] == 0); /* format version 2 */
  h2 = ENGINE("{\"privacyLevel\":\"individual\",\"ranking\":{\"exploration\":0.3}}", lv_steep(cat, sizeof cat));
  if (h2 && a) {
    CHECK(att_restore(h2, att_result(h), att_result_len(h), NOW + HOUR_MS) == ATT_OK);
    b = lv_call(h2, att_export, NOW + HOUR_MS);
    if (b) {
      CHECK(lv_num(att__jv_get(b, "model"), "updates") == lv_num(att__jv_get(a, "model"), "updates"));
      CHECK(att__jv_count(att__jv_get(att__jv_get(b, "model"), "impressions")) ==
            att__jv_count(att__jv_get(att__jv_get(a, "model"), "impressions")));
      {
        static const char *const groups[] = {"popularity", "freshness", "segment", "affinity", "related", "context", "model"};
        int g;
        for (g = 0; g < 7; g++)
          CHECK(lv_num(att__jv_get(att__jv_get(b, "model"), "weights"), groups[g]) ==
                lv_num(att__jv_get(att__jv_get(a, "model"), "weights"), groups[g]));
        CHECK(lv_num(att__jv_get(att__jv_get(b, "model"), "counterfactual"), "greedyClicksByPropensity") ==
              lv_num(att__jv_get(att__jv_get(a, "model"), "counterfactual"), "greedyClicksByPropensity"));
      }
      att__json_free(b);
    }
    att_free(h2);
  }
  /* export -> import: byte-identical model text */
  CHECK(att_export(h, NOW + HOUR_MS) == ATT_OK);
  ta = malloc(att_result_len(h) + 1);
  if (ta) {
    memcpy(ta, att_result(h), att_result_len(h));
    ta[att_result_len(h)] = 0;
    h2 = ENGINE("{\"privacyLevel\":\"individual\"}", lv_steep(cat, sizeof cat));
    if (h2) {
      const char *ma = strstr(ta, "\"model\":");
      char *tb;
      CHECK(att_import(h2, ta, strlen(ta), NOW + HOUR_MS) == ATT_OK);
      CHECK(att_export(h2, NOW + HOUR_MS) == ATT_OK);
      tb = malloc(att_result_len(h2) + 1);
      if (tb) {
        const char *mb;
        memcpy(tb, att_result(h2), att_result_len(h2));
        tb[att_result_len(h2)] = 0;
        mb = strstr(tb, "\"model\":");
        CHECK_MSG(ma && mb && strcmp(ma, mb) == 0, "%s\nvs\n%s", ma ? ma : "-", mb ? mb : "-");
        free(tb);
      }
      att_free(h2);
    }
    free(ta);
  }
  att__json_free(a);
  att_free(h);
}

/* The impression count of `item` in the export, 0 when absent. */
static double lv_impressions(const att__jv *x, const char *item) {
  const att__jv *c;
  for (c = att__jv_first(att__jv_get(att__jv_get(x, "model"), "impressions")); c; c = att__jv_next(c))
    if (strcmp(lv_str(c, "item"), item) == 0) return lv_num(c, "count");
  return 0;
}

static void merge_adds_impressions_and_updates(void) {
  static const char *const cfg = "{\"privacyLevel\":\"individual\",\"ranking\":{\"exploration\":0}}";
  att_engine *a = lv_click_third(cfg, 2), *b = lv_click_third(cfg, 3);
  att__jv *xa, *xb, *xm;
  unsigned char *theirs;
  size_t n;
  int i;
  if (!a || !b) {
    att_free(a);
    att_free(b);
    return;
  }
  xa = lv_call(a, att_export, NOW + HOUR_MS);
  xb = lv_call(b, att_export, NOW + HOUR_MS);
  CHECK(att_snapshot(b, NOW + HOUR_MS) == ATT_OK);
  n = att_result_len(b);
  theirs = malloc(n);
  if (theirs && xa && xb) {
    memcpy(theirs, att_result(b), n);
    CHECK(att_merge(a, NULL, 0, theirs, n, NOW + HOUR_MS) == ATT_OK);
    xm = lv_call(a, att_export, NOW + HOUR_MS);
    if (xm) {
      const att__jv *mm = att__jv_get(xm, "model"), *ma = att__jv_get(xa, "model"), *mb = att__jv_get(xb, "model");
      CHECK_MSG(lv_num(mm, "updates") == lv_num(ma, "updates") + lv_num(mb, "updates"), "%g = %g + %g",
                lv_num(mm, "updates"), lv_num(ma, "updates"), lv_num(mb, "updates"));
      CHECK(lv_num(att__jv_get(mm, "counterfactual"), "impressions") ==
            lv_num(att__jv_get(ma, "counterfactual"), "impressions") + lv_num(att__jv_get(mb, "counterfactual"), "impressions"));
      for (i = 0; i < 30; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%02d", i);
        CHECK_MSG(lv_impressions(xm, id) == lv_impressions(xa, id) + lv_impressions(xb, id), "%s: %g vs %g + %g", id,
                  lv_impressions(xm, id), lv_impressions(xa, id), lv_impressions(xb, id));
      }
      CHECK(att__jv_count(att__jv_get(xm, "history")) == 5);
      att__json_free(xm);
    }
  }
  free(theirs);
  att__json_free(xa);
  att__json_free(xb);
  att_free(a);
  att_free(b);
}

/* --- inventory ------------------------------------------------------------------------------ */

static void inventory_rows_by_level(void) {
  static const char *const one[] = {"story"};
  static const char *const rows[] = {"contextBuckets", "session", "model", "impressions", "tasteVector"};
  static const int from[] = {ATT_LEVEL_CONTEXTUAL, ATT_LEVEL_CONTEXTUAL, ATT_LEVEL_INDIVIDUAL, ATT_LEVEL_INDIVIDUAL,
                             ATT_LEVEL_INDIVIDUAL};
  static const int stored[] = {1, 0, 1, 1, 0};
  char cat[8192];
  att_engine *h = ENGINE("{\"privacyLevel\":\"none\"}", lv_catalog(cat, sizeof cat, "v", 8, one, 1, 4));
  int level, k;
  if (!h) return;
  for (level = ATT_LEVEL_NONE; level < ATT_LEVEL_COUNT; level++) {
    att__jv *x;
    CHECK(att_set_level(h, level, NOW) == ATT_OK);
    TRACK(h, "v01", ATT_EV_IMPRESSION, NULL, NOW);
    x = lv_call(h, att_inventory, NOW);
    for (k = 0; x && k < 5; k++) {
      const att__jv *r, *found = NULL;
      for (r = att__jv_first(x); r; r = att__jv_next(r))
        if (strcmp(lv_str(r, "key"), rows[k]) == 0) found = r;
      CHECK_MSG((found != NULL) == (level >= from[k]), "level %d row %s", level, rows[k]);
      if (!found) continue;
      CHECK(att__jv_bool(att__jv_get(found, "stored")) == stored[k]);
      CHECK(!att__jv_bool(att__jv_get(found, "leavesDevice")));
      CHECK(strcmp(lv_str(found, "level"), from[k] == ATT_LEVEL_CONTEXTUAL ? "contextual" : "individual") == 0);
      if (strcmp(rows[k], "impressions") == 0) CHECK(lv_num(found, "count") == 1);
      if (strcmp(rows[k], "tasteVector") == 0) CHECK(lv_num(found, "count") == 1);
    }
    att__json_free(x);
  }
  att_free(h);
}

void test_levels(void) {
  bad_context_is_refused_naming_the_key();
  rules_boost_only_when_they_hold_and_only_from_contextual();
  buckets_are_kept_only_from_contextual();
  learned_context_is_shrunk_by_the_data_in_the_bucket();
  session_lifts_tags_until_thirty_quiet_minutes();
  model_scores_items_like_the_ones_liked();
  a_clock_set_back_by_decades_still_ranks_with_finite_scores();
  exploration_propensities_and_seeds();
  learning_moves_weights_deterministically_within_bounds();
  counterfactual_log_by_hand();
  fatigue_moves_items_shown_without_a_click_down();
  downgrade_removes_the_model_everywhere();
  model_survives_snapshot_and_export();
  merge_adds_impressions_and_updates();
  inventory_rows_by_level();
}
