/* fuzz_import.c — att_import of arbitrary JSON on an engine with a profile.
 *
 * Input: [now selector][flags][export JSON...]
 *   flags bits 0-1: the engine's configuration (0..2 of fuzz.h; 3 = 0)
 *   flags bit 2:    no catalog loaded (and an empty profile)
 *   flags bit 3:    an empty profile instead of fz_fill's
 * Invariants: a known code; refused input changes neither the snapshot nor the dirty flag;
 * accepted input gives a profile whose export is a fixed point (export -> import -> export
 * gives the same text, on this engine and on a new one) and whose snapshot restores to the
 * same export. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static att_engine *setup(int cfg, int with_catalog, int fill) {
  att_engine *h;
  if (!with_catalog) return fz_engine(cfg, -1);
  h = fz_engine(0, 0);
  if (fill) fz_fill(h);
  if (cfg) FZ_OK(h, att_configure(h, fz_config(cfg), strlen(fz_config(cfg)), FZ_NOW));
  att_take_dirty(h);
  return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  att_engine *h, *h2;
  fz_bytes before, after, e1, e2, s;
  double now;
  unsigned flags;
  int cfg, with_catalog, rc;
  if (size < 2) return 0;
  now = fz_now(data[0]);
  flags = data[1];
  cfg = (flags & 3) == 3 ? 0 : (int)(flags & 3);
  with_catalog = !(flags & 4);

  h = setup(cfg, with_catalog, !(flags & 8));
  before = fz_snapshot(h, now);
  att_take_dirty(h);
  rc = att_import(h, (const char *)data + 2, size - 2, now);
  fz_check_rc(h, rc, "att_import");
  if (rc != ATT_OK) {
    FZ_ASSERT(rc == ATT_E_PROFILE || rc == ATT_E_VERSION || rc == ATT_E_JSON || rc == ATT_E_NOMEM,
              "att_import refused with %d (%s); want corrupt_profile, newer_version or bad_json", rc, att_errmsg(h));
    FZ_ASSERT(att_take_dirty(h) == 0, "a refused import set the dirty flag");
    after = fz_snapshot(h, now);
    FZ_ASSERT(fz_same(before, after), "a refused import (%s) changed the profile", att_errmsg(h));
    fz_free(&after);
    fz_free(&before);
    att_free(h);
    return 0;
  }
  e1 = fz_export(h, now);
  FZ_OK(h, att_import(h, (const char *)e1.p, e1.n, now));
  e2 = fz_export(h, now);
  FZ_ASSERT(fz_same(e1, e2), "export -> import -> export is not a fixed point:\n  %s\n  %s", e1.p, e2.p);
  fz_free(&e2);

  h2 = setup(cfg, with_catalog, 0);
  FZ_OK(h2, att_import(h2, (const char *)e1.p, e1.n, now));
  e2 = fz_export(h2, now);
  FZ_ASSERT(fz_same(e1, e2), "an export imports differently on a new engine:\n  %s\n  %s", e1.p, e2.p);
  fz_free(&e2);

  s = fz_snapshot(h, now);
  FZ_OK(h2, att_restore(h2, s.p, s.n, now));
  e2 = fz_export(h2, now);
  FZ_ASSERT(fz_same(e1, e2), "an imported profile's snapshot restores differently:\n  %s\n  %s", e1.p, e2.p);
  if (with_catalog) FZ_OK(h, att_recommend(h, NULL, 0, now));
  FZ_OK(h, att_inventory(h, now));

  fz_free(&s);
  fz_free(&e2);
  fz_free(&e1);
  fz_free(&before);
  att_free(h2);
  att_free(h);
  return 0;
}
