/* fuzz_config.c — att_configure on arbitrary JSON.
 *
 * Input: [now selector][flags][config JSON...]
 *   flags bits 0-1: the configuration the engine had before (0..2 of fuzz.h; 3 = 0)
 *   flags bit 2:    no catalog loaded (and so an empty profile)
 *   flags bit 3:    an empty profile instead of fz_fill's
 * Invariants: a known code; a refused configuration changes neither the snapshot nor the dirty
 * flag; an accepted one prints a normalised configuration that is a fixed point (configuring
 * it gives it back byte for byte), every reading call then succeeds, and the refitted profile
 * snapshots and restores, under that configuration, to the same export. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(att_engine *h, int with_catalog, double now) {
  static const char opts[] = "{\"k\":20,\"context\":{\"daypart\":\"morning\",\"device\":\"desktop\"}}";
  static const char *const ids[] = {"a1", "a2", "a3", "a4", "a5", "a6", "b1"};
  size_t i;
  FZ_OK(h, att_segment(h, now));
  FZ_OK(h, att_server_payload(h, 0.25, now));
  FZ_OK(h, att_inventory(h, now));
  FZ_OK(h, att_metrics(h, now));
  FZ_OK(h, att_privacy_report(h, now));
  if (!with_catalog) return;
  FZ_OK(h, att_recommend(h, NULL, 0, now));
  FZ_OK(h, att_recommend(h, opts, sizeof opts - 1, now));
  for (i = 0; i < sizeof ids / sizeof *ids; i++) FZ_OK(h, att_explain(h, ids[i], 2, NULL, 0, now));
  FZ_OK(h, att_track(h, "a2", 2, ATT_EV_CLICK, NAN, NAN, 1000, NULL, 0, now));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  att_engine *h, *h2;
  fz_bytes before, after, norm, norm2, s, e1, e2;
  double now;
  unsigned flags;
  int base, with_catalog, rc;
  const char *json;
  size_t n;
  if (size < 2) return 0;
  now = fz_now(data[0]);
  flags = data[1];
  json = (const char *)data + 2;
  n = size - 2;
  base = (flags & 3) == 3 ? 0 : (int)(flags & 3);
  with_catalog = !(flags & 4);
  if (with_catalog) {
    h = fz_engine(0, 0);
    if (!(flags & 8)) fz_fill(h);
    if (base) FZ_OK(h, att_configure(h, fz_config(base), strlen(fz_config(base)), FZ_NOW));
  } else {
    h = fz_engine(base, -1);
  }
  before = fz_snapshot(h, now);
  att_take_dirty(h);

  rc = att_configure(h, json, n, now);
  fz_check_rc(h, rc, "att_configure");
  if (rc != ATT_OK) {
    FZ_ASSERT(att_take_dirty(h) == 0, "a refused configuration (%d) set the dirty flag", rc);
    after = fz_snapshot(h, now);
    FZ_ASSERT(fz_same(before, after), "a refused configuration (%d: %s) changed the profile", rc, att_errmsg(h));
    fz_free(&after);
    fz_free(&before);
    att_free(h);
    return 0;
  }
  norm = fz_result(h);
  FZ_ASSERT(norm.n > 1 && norm.p[0] == '{', "the normalised configuration is not an object: %s", norm.p);

  /* the normalised form reads back to itself, on this engine and on a new one */
  FZ_OK(h, att_configure(h, (const char *)norm.p, norm.n, now));
  norm2 = fz_result(h);
  FZ_ASSERT(fz_same(norm, norm2), "normalising is not a fixed point:\n  %s\n  %s", norm.p, norm2.p);
  fz_free(&norm2);
  h2 = att_new();
  if (!h2) abort();
  FZ_OK(h2, att_configure(h2, (const char *)norm.p, norm.n, now));
  norm2 = fz_result(h2);
  FZ_ASSERT(fz_same(norm, norm2), "a new engine normalises differently:\n  %s\n  %s", norm.p, norm2.p);
  fz_free(&norm2);

  /* the refitted profile survives a snapshot under the new configuration */
  if (with_catalog) FZ_OK(h2, att_load_catalog(h2, FZ_CATALOG, strlen(FZ_CATALOG), now));
  s = fz_snapshot(h, now);
  e1 = fz_export(h, now);
  FZ_OK(h2, att_restore(h2, s.p, s.n, now));
  e2 = fz_export(h2, now);
  FZ_ASSERT(fz_same(e1, e2), "a snapshot restores to a different profile:\n  %s\n  %s", e1.p, e2.p);

  exercise(h, with_catalog, now);
  fz_free(&e1);
  fz_free(&e2);
  fz_free(&s);
  fz_free(&norm);
  fz_free(&before);
  att_free(h2);
  att_free(h);
  return 0;
}
