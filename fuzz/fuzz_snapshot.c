/* fuzz_snapshot.c — att_restore of arbitrary bytes on an engine with a profile.
 *
 * Input: [now selector][flags][snapshot bytes...]
 *   flags bit 0:    make the header's length and CRC-32 match the payload first, so mutations
 *                   reach the sections
 *   flags bits 1-2: the engine's configuration (0..2 of fuzz.h; 3 = 0)
 *   flags bit 3:    no catalog loaded (and an empty profile)
 *   flags bit 4:    an empty profile instead of fz_fill's
 * Invariants: a known code; refused bytes change neither the snapshot nor the dirty flag;
 * accepted bytes give a profile whose snapshot is a fixed point (restoring it on a new engine
 * and on this one re-encodes to the same bytes) and whose export is the same everywhere. */
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
  fz_bytes in, before, after, s1, s2, e1, e2;
  double now;
  unsigned flags;
  int cfg, with_catalog, rc;
  if (size < 2) return 0;
  now = fz_now(data[0]);
  flags = data[1];
  cfg = ((flags >> 1) & 3) == 3 ? 0 : (int)((flags >> 1) & 3);
  with_catalog = !(flags & 8);
  in.n = size - 2;
  in.p = malloc(in.n ? in.n : 1); /* exactly the input's size: reads past it are caught */
  if (!in.p) abort();
  if (in.n) memcpy(in.p, data + 2, in.n);
  if (flags & 1) fz_fix_header(in.p, in.n);

  h = setup(cfg, with_catalog, !(flags & 16));
  before = fz_snapshot(h, now);
  att_take_dirty(h);
  rc = att_restore(h, in.p, in.n, now);
  fz_check_rc(h, rc, "att_restore");
  if (rc != ATT_OK) {
    FZ_ASSERT(rc == ATT_E_PROFILE || rc == ATT_E_VERSION || rc == ATT_E_NOMEM,
              "att_restore refused with %d (%s); want corrupt_profile or newer_version", rc, att_errmsg(h));
    FZ_ASSERT(att_take_dirty(h) == 0, "refused bytes set the dirty flag");
    after = fz_snapshot(h, now);
    FZ_ASSERT(fz_same(before, after), "refused bytes (%s) changed the profile", att_errmsg(h));
    fz_free(&after);
  } else {
    e1 = fz_export(h, now);
    s1 = fz_snapshot(h, now);
    /* on a new engine with the same configuration and catalog */
    h2 = setup(cfg, with_catalog, 0);
    FZ_OK(h2, att_restore(h2, s1.p, s1.n, now));
    s2 = fz_snapshot(h2, now);
    FZ_ASSERT(fz_same(s1, s2), "a re-encoded snapshot restores to different bytes (%zu vs %zu)", s1.n, s2.n);
    e2 = fz_export(h2, now);
    FZ_ASSERT(fz_same(e1, e2), "a re-encoded snapshot exports differently:\n  %s\n  %s", e1.p, e2.p);
    fz_free(&s2);
    fz_free(&e2);
    /* and on this engine */
    FZ_OK(h, att_restore(h, s1.p, s1.n, now));
    s2 = fz_snapshot(h, now);
    FZ_ASSERT(fz_same(s1, s2), "restoring its own snapshot changed it (%zu vs %zu)", s1.n, s2.n);
    e2 = fz_export(h, now);
    FZ_ASSERT(fz_same(e1, e2), "restoring its own snapshot changed the export:\n  %s\n  %s", e1.p, e2.p);
    if (with_catalog) FZ_OK(h, att_recommend(h, NULL, 0, now));
    FZ_OK(h, att_inventory(h, now));
    fz_free(&s2);
    fz_free(&e2);
    fz_free(&s1);
    fz_free(&e1);
    att_free(h2);
  }
  fz_free(&before);
  fz_free(&in);
  att_free(h);
  return 0;
}
