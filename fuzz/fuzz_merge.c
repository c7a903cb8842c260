/* fuzz_merge.c — att_merge with two arbitrary snapshot blobs.
 *
 * Input: [now selector][flags][u16 LE base length][base bytes][theirs bytes...]
 *   The base length is clamped to what is there; theirs is the rest.  A blob of length 0 means
 *   "no stored profile", as att_merge documents.
 *   flags bit 0: fix the base's header (length and CRC-32); bit 1: the same for theirs
 *   flags bit 2: ours is the base (restored first, as a tab that read it would have)
 *   flags bits 3-4: the engine's configuration (0..2 of fuzz.h; 3 = 0)
 *   flags bit 5: no catalog loaded (and an empty profile); bit 6: an empty profile
 * Invariants: a known code; a refused merge changes neither the snapshot nor the dirty flag;
 * an accepted merge gives a profile that snapshots and restores (to the same bytes and the
 * same export on a new engine), and merging that snapshot with itself as base and theirs
 * changes nothing (the same export). */
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

/* A blob in a block of exactly its size (a 1-byte block for an empty one). */
static fz_bytes blob(const uint8_t *p, size_t n, int fix) {
  fz_bytes b;
  b.n = n;
  b.p = malloc(n ? n : 1);
  if (!b.p) abort();
  if (n) memcpy(b.p, p, n);
  if (fix) fz_fix_header(b.p, n);
  return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  att_engine *h, *h2;
  fz_bytes base, theirs, before, after, s1, s2, e1, e2;
  double now;
  unsigned flags;
  size_t bn;
  int cfg, with_catalog, rc;
  if (size < 4) return 0;
  now = fz_now(data[0]);
  flags = data[1];
  bn = (size_t)data[2] | (size_t)data[3] << 8;
  if (bn > size - 4) bn = size - 4;
  base = blob(data + 4, bn, flags & 1);
  theirs = blob(data + 4 + bn, size - 4 - bn, (flags >> 1) & 1);
  cfg = ((flags >> 3) & 3) == 3 ? 0 : (int)((flags >> 3) & 3);
  with_catalog = !(flags & 32);

  h = setup(cfg, with_catalog, !(flags & 64));
  if (flags & 4) {
    rc = att_restore(h, base.p, base.n, now);
    fz_check_rc(h, rc, "att_restore");
    att_take_dirty(h);
  }
  before = fz_snapshot(h, now);
  att_take_dirty(h);
  rc = att_merge(h, base.p, base.n, theirs.p, theirs.n, now);
  fz_check_rc(h, rc, "att_merge");
  if (rc != ATT_OK) {
    FZ_ASSERT(rc == ATT_E_PROFILE || rc == ATT_E_VERSION || rc == ATT_E_NOMEM,
              "att_merge refused with %d (%s); want corrupt_profile or newer_version", rc, att_errmsg(h));
    FZ_ASSERT(att_take_dirty(h) == 0, "a refused merge set the dirty flag");
    after = fz_snapshot(h, now);
    FZ_ASSERT(fz_same(before, after), "a refused merge (%s) changed the profile", att_errmsg(h));
    fz_free(&after);
  } else {
    s1 = fz_snapshot(h, now);
    e1 = fz_export(h, now);
    h2 = setup(cfg, with_catalog, 0);
    FZ_OK(h2, att_restore(h2, s1.p, s1.n, now));
    s2 = fz_snapshot(h2, now);
    FZ_ASSERT(fz_same(s1, s2), "a merged profile's snapshot restores to different bytes (%zu vs %zu)", s1.n, s2.n);
    e2 = fz_export(h2, now);
    FZ_ASSERT(fz_same(e1, e2), "a merged profile's snapshot exports differently:\n  %s\n  %s", e1.p, e2.p);
    fz_free(&s2);
    fz_free(&e2);
    /* nothing changed on either side since base: the merge is the identity (compared as
     * exports: the bytes may differ where nothing is kept, e.g. the day an empty activity
     * bitmap is anchored at) */
    FZ_OK(h, att_merge(h, s1.p, s1.n, s1.p, s1.n, now));
    e2 = fz_export(h, now);
    FZ_ASSERT(fz_same(e1, e2), "merging a profile's own snapshot as base and theirs changed it:\n  %s\n  %s", e1.p,
              e2.p);
    fz_free(&e2);
    fz_free(&s1);
    fz_free(&e1);
    att_free(h2);
  }
  fz_free(&before);
  fz_free(&base);
  fz_free(&theirs);
  att_free(h);
  return 0;
}
