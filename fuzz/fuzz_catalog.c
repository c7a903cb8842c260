/* fuzz_catalog.c — att_load_catalog on arbitrary JSON, then a recommend and explanations on
 * what loaded.
 *
 * Input: [now selector][flags][catalog: JSON, or the packed binary form starting "ATTC"...]
 *   flags bits 0-1: the engine's configuration (0..2 of fuzz.h; 3 = 0)
 *   flags bit 2:    an empty profile instead of fz_fill's
 *   flags bit 3:    recommend with k = 1000 and a context instead of the defaults
 *   flags bit 4:    make a packed catalog's header length and CRC-32 match its payload first
 *                   (the header is laid out as a snapshot's), so mutations reach the items
 * Invariants: a known code; a refused catalog changes neither the snapshot nor the dirty flag;
 * an accepted one answers with a JSON object, ranks (a JSON array) and explains every item it
 * ranked (with the score it was ranked with) and the first items of the input, contributions
 * adding up to the score exactly; loading it again changes nothing; the profile
 * rebound to it snapshots and restores to the same export on a new engine with that catalog. */
#include "fuzz.h"

#define MAX_RANKED 1000 /* k is at most 1000 (att_constants limits.k) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Explains an item, which must succeed, with contributions adding up to its score. */
static double explain(att_engine *h, const char *id, const char *ctx, double now, const char *why) {
  int rc = att_explain(h, id, strlen(id), ctx, ctx ? strlen(ctx) : 0, now);
  fz_check_rc(h, rc, "att_explain");
  FZ_ASSERT(rc == ATT_OK, "explain of %s \"%s\" failed (%d): %s", why, id, rc, att_errmsg(h));
  return fz_check_explain(h, id);
}

/* Every item the ranking returned explains, with a finite score, the one the ranking reported
 * (README: explain's score is "the score recommend reports"; editorial picks are placed by the
 * editors, so only ranked entries are compared). */
static void explain_ranked(att_engine *h, const char *ctx, double now) {
  cJSON *list = cJSON_ParseWithLength((const char *)att_result(h), att_result_len(h)), *x;
  char *ids[MAX_RANKED];
  double scores[MAX_RANKED];
  int n = 0, i;
  FZ_ASSERT(list && cJSON_IsArray(list), "recommend's result is not a JSON array: %.*s", (int)att_result_len(h),
            (const char *)att_result(h));
  cJSON_ArrayForEach(x, list) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "id");
    const cJSON *score = cJSON_GetObjectItemCaseSensitive(x, "score");
    FZ_ASSERT(cJSON_IsString(id), "a ranked entry without a string id");
    FZ_ASSERT(cJSON_IsNumber(score) && isfinite(score->valuedouble), "a ranked entry without a finite score");
    if (n < MAX_RANKED) {
      scores[n] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "editorial")) ? NAN : score->valuedouble;
      ids[n++] = strdup(id->valuestring);
    }
  }
  cJSON_Delete(list);
  for (i = 0; i < n; i++) {
    if (i < 16) {
      double d = explain(h, ids[i], ctx, now, "a ranked item");
      FZ_ASSERT(isnan(scores[i]) || d == scores[i], "\"%s\" ranked with score %.17g but explains as %.17g", ids[i],
                scores[i], d);
    }
    free(ids[i]);
  }
}

/* The first items of the input, read by cJSON as a whole document, explain too. */
static void explain_input(att_engine *h, const char *json, size_t n, double now) {
  cJSON *doc = cJSON_ParseWithLength(json, n), *x;
  int i = 0;
  if (!doc) return; /* e.g. deeper than the limit as a whole; the engine reads it per item */
  cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, "items")) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "id");
    if (i++ == 8) break;
    if (cJSON_IsString(id)) explain(h, id->valuestring, NULL, now, "an input item");
  }
  cJSON_Delete(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char ctx[] = "{\"daypart\":\"morning\",\"device\":\"mobile\"}";
  static const char opts[] = "{\"k\":1000,\"context\":{\"daypart\":\"morning\",\"device\":\"mobile\"}}";
  att_engine *h, *h2;
  fz_bytes before, after, res, s, e1, e2, fixed = {NULL, 0};
  const char *json;
  size_t n;
  double now;
  unsigned flags;
  int cfg, rc;
  if (size < 2) return 0;
  now = fz_now(data[0]);
  flags = data[1];
  cfg = (flags & 3) == 3 ? 0 : (int)(flags & 3);
  json = (const char *)data + 2;
  n = size - 2;
  if ((flags & 16) && n >= 16 && memcmp(json, "ATTC", 4) == 0) {
    fixed = fz_exact(json, n);
    fz_fix_header(fixed.p, n);
    json = (const char *)fixed.p;
  }

  h = fz_engine(0, 0);
  if (!(flags & 4)) fz_fill(h);
  if (cfg) FZ_OK(h, att_configure(h, fz_config(cfg), strlen(fz_config(cfg)), FZ_NOW));
  before = fz_snapshot(h, now);
  att_take_dirty(h);
  rc = att_load_catalog(h, json, n, now);
  fz_check_rc(h, rc, "att_load_catalog");
  if (rc != ATT_OK) {
    FZ_ASSERT(rc == ATT_E_CATALOG || rc == ATT_E_VERSION || rc == ATT_E_JSON || rc == ATT_E_LIMIT ||
                  rc == ATT_E_NOMEM,
              "att_load_catalog refused with %d (%s)", rc, att_errmsg(h));
    FZ_ASSERT(att_take_dirty(h) == 0, "a refused catalog set the dirty flag");
    after = fz_snapshot(h, now);
    FZ_ASSERT(fz_same(before, after), "a refused catalog (%s) changed the profile", att_errmsg(h));
    fz_free(&after);
    fz_free(&before);
    fz_free(&fixed);
    att_free(h);
    return 0;
  }
  res = fz_result(h);
  {
    cJSON *v = cJSON_ParseWithLength((const char *)res.p, res.n);
    FZ_ASSERT(v && cJSON_IsObject(v) && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(v, "items")),
              "load_catalog's result is not {items, ...}: %s", res.p);
    cJSON_Delete(v);
  }

  if (flags & 8) FZ_OK(h, att_recommend(h, opts, sizeof opts - 1, now));
  else FZ_OK(h, att_recommend(h, NULL, 0, now));
  explain_ranked(h, flags & 8 ? ctx : NULL, now);
  explain_input(h, json, n, now);

  /* loading the same catalog again changes nothing */
  s = fz_snapshot(h, now);
  FZ_OK(h, att_load_catalog(h, json, n, now));
  after = fz_result(h);
  FZ_ASSERT(fz_same(res, after), "the same catalog loads differently:\n  %s\n  %s", res.p, after.p);
  fz_free(&after);
  after = fz_snapshot(h, now);
  FZ_ASSERT(fz_same(s, after), "loading the same catalog again changed the profile");
  fz_free(&after);

  /* the rebound profile survives a snapshot onto a new engine with this catalog */
  e1 = fz_export(h, now);
  h2 = fz_engine(cfg, -1);
  FZ_OK(h2, att_load_catalog(h2, json, n, now));
  FZ_OK(h2, att_restore(h2, s.p, s.n, now));
  e2 = fz_export(h2, now);
  FZ_ASSERT(fz_same(e1, e2), "a snapshot restores differently under this catalog:\n  %s\n  %s", e1.p, e2.p);

  fz_free(&e1);
  fz_free(&e2);
  fz_free(&s);
  fz_free(&res);
  fz_free(&before);
  fz_free(&fixed);
  att_free(h2);
  att_free(h);
  return 0;
}
