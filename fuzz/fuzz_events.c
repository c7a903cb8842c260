/* fuzz_events.c — a fixed configuration and catalog, then the input as a sequence of calls.
 *
 * Input: [now selector][flags][op...]
 *   flags bits 0-1: the starting configuration (0..2 of fuzz.h; 3 = 0); bit 2: start with the
 *   second catalog; bit 3: start from fz_fill's profile (first configuration and catalog).
 * Each op is one byte followed by its arguments, all read from the input (missing bytes are 0):
 *   bits 0-3  the operation (enum below)
 *   bits 4-5  how far the clock moves first: 0 not, 1 u8 minutes, 2 u8 hours, 3 u8 eighths of a day
 *   bit 6     check that a failed call changes nothing: snapshot (at the call's `now`) before
 *             and after, and the dirty flag stays clear
 *   bit 7     inject allocation failure: a countdown byte follows; the call's allocations
 *             after that many fail (ATT_TESTING's att__alloc_countdown)
 * Text arguments come from small tables of valid and invalid values, or (selector >= 0xe0)
 * raw bytes from the input with a length byte, copied to a block of exactly that size.
 * Invariants: every call returns a known code; a failed call leaves the snapshot bytes and the
 * dirty flag unchanged; calls that cannot fail on valid arguments succeed (unless allocation
 * failure was injected); every snapshot restores on a second engine with the same
 * configuration and catalog and re-encodes to the same bytes; an export imports back to the
 * same export; results that are JSON parse as JSON of the documented type; an explanation's
 * contributions add up to its score exactly. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern long att__alloc_countdown; /* src/core.c, built with ATT_TESTING */

enum {
  OP_TRACK,
  OP_RECOMMEND,
  OP_EXPLAIN,
  OP_BLOCK,
  OP_LEVEL,
  OP_TRAITS,
  OP_PAYLOAD,
  OP_SNAPSHOT,
  OP_READ,
  OP_TIME,
  OP_FORGET,
  OP_EXPORT,
  OP_SAVE,
  OP_MERGE,
  OP_CONFIGURE,
  OP_CATALOG
};

#define MAX_OPS 96
#define EID_RING 8

typedef struct st {
  att_engine *h, *h2; /* h2 has h's configuration and catalog; restores and imports land there */
  double now, next_eid;
  double eids[EID_RING];
  unsigned neids;
  fz_bytes slot[2]; /* saved snapshots, for merges */
  int cfg, cat;
} st;

/* --- arguments --------------------------------------------------------------------------- */

static const char *const items[] = {"a1", "a2", "a3", "a4", "a5", "a6", "b1", "b2", "zz", "", "a1 ", "\x01", "\xff\xfe"};
static const char *const tags[] = {"x", "y", "z", "q", "health", "nope", "", "X", "c", "news"};
static const char *const contexts[] = {
    "{\"daypart\":\"morning\",\"device\":\"mobile\"}",
    "{\"hour\":7,\"weekday\":\"mon\",\"referrer\":\"search\",\"campaign\":\"spring\"}",
    "{\"device\":\"tablet\",\"daypart\":\"night\",\"weekday\":6}",
    "{\"daypart\":\"evening\",\"device\":\"desktop\",\"referrer\":\"email\"}",
    "{\"campaign\":\"\"}",
    "{\"hour\":24}",
    "{\"color\":\"red\"}",
    "[]",
    "null",
    "{}",
    "{\"hour\":13,\"device\":\"mobile\",\"weekday\":\"weekend\"}"};
static const char *const options[] = {
    "{\"k\":3}",
    "{\"k\":0}",
    "{\"k\":1000,\"filter\":{\"tags\":[\"x\"]}}",
    "{\"exclude\":[\"a1\",\"a2\"],\"context\":{\"daypart\":\"evening\",\"device\":\"desktop\"}}",
    "{\"filter\":{\"categories\":[\"news\",\"sport\"]}}",
    "{\"exclude\":[\"nope\"]}",
    "{\"k\":2.5}",
    "{\"filter\":{\"tags\":[]}}",
    "{\"context\":null}",
    "{\"k\":10,\"context\":{\"hour\":8,\"campaign\":\"spring\"}}",
    "{\"k\":1,\"filter\":{\"tags\":[\"health\"],\"categories\":[\"c\"]}}"};
static const char *const traits[] = {"{\"plan\":\"pro\"}",
                                     "{\"plan\":null}",
                                     "{\"plan\":\"free\",\"team\":\"a\"}",
                                     "{\"team\":\"b\"}",
                                     "{\"usage\":\"heavy\"}",
                                     "{\"nope\":\"x\"}",
                                     "{\"plan\":\"enterprise\"}",
                                     "{\"plan\":1}",
                                     "[]",
                                     "{}",
                                     "{\"plan\":\"pro\",\"plan\":\"free\"}",
                                     "{\"team\":null,\"plan\":\"pro\"}"};

#define COUNT(a) (sizeof a / sizeof *a)

/* A text argument: selector 0 (when `none`) is no text; below 0xe0 a table entry; 0xfe and 0xff
 * an id exactly at and one byte over the 128-byte limit; otherwise raw input bytes. */
static fz_bytes pick(fz_in *in, const char *const *table, size_t n, int none) {
  unsigned sel = fz_u8(in);
  char big[129];
  if (none && sel == 0) return fz_exact("", 0);
  if (sel == 0xfe || sel == 0xff) {
    memset(big, 'q', sizeof big);
    return fz_exact(big, sel == 0xfe ? 128 : 129);
  }
  if (sel < 0xe0) {
    const char *s = table[sel % n];
    return fz_exact(s, strlen(s));
  } else {
    size_t got;
    const char *s = fz_take(in, fz_u8(in), &got);
    return fz_exact(s, got);
  }
}

static double pick_at(fz_in *in, double now) {
  switch (fz_u8(in) % 7) {
    case 0: return NAN;
    case 1: return now - fz_u16(in) * FZ_MIN;
    case 2: return now - (fz_u8(in) % 40) * FZ_DAY;
    case 3: return now + fz_u16(in) * 1000.0;
    case 4: return now + FZ_DAY + 1;
    case 5: return fz_f64(in);
    default: return now - fz_u16(in) * FZ_MIN - 0.5;
  }
}

static double pick_value(fz_in *in) {
  static const double v[] = {NAN, 0, 1, 2.5, 100, 100.5, -1};
  unsigned sel = fz_u8(in) % 8;
  return sel < 7 ? v[sel] : fz_f64(in);
}

static double pick_eid(st *s, fz_in *in) {
  static const double odd[] = {-1, 0.5, 9007199254740992.0, 9007199254740991.0, INFINITY, NAN};
  double eid;
  switch (fz_u8(in) % 6) {
    case 3:
      if (s->neids) return s->eids[fz_u8(in) % (s->neids < EID_RING ? s->neids : EID_RING)];
      /* fall through */
    case 0:
    case 1:
    case 2:
      eid = s->next_eid++;
      break;
    case 4: eid = fz_f64(in); break;
    default: eid = odd[fz_u8(in) % COUNT(odd)]; break;
  }
  s->eids[s->neids++ % EID_RING] = eid;
  return eid;
}

/* --- checks ------------------------------------------------------------------------------ */

static void json_result(const att_engine *h, int type, const char *call) {
  cJSON *v = cJSON_ParseWithLength((const char *)att_result(h), att_result_len(h));
  FZ_ASSERT(v != NULL, "%s: the result is not JSON: %.*s", call, (int)att_result_len(h), (const char *)att_result(h));
  FZ_ASSERT((v->type & 0xff) == type, "%s: the result has JSON type %d, want %d", call, v->type & 0xff, type);
  cJSON_Delete(v);
}

/* The snapshot restores on h2 and re-encodes to the same bytes; with `exports`, both engines
 * also export the same (exports are slow, so only at the end of an input). */
static void round_trip(st *s, fz_bytes snap, int exports) {
  fz_bytes again, e1, e2;
  FZ_OK(s->h2, att_restore(s->h2, snap.p, snap.n, s->now));
  again = fz_snapshot(s->h2, s->now);
  FZ_ASSERT(fz_same(snap, again), "a restored snapshot re-encodes differently (%zu vs %zu bytes)", snap.n, again.n);
  fz_free(&again);
  if (!exports) return;
  e1 = fz_export(s->h, s->now);
  e2 = fz_export(s->h2, s->now);
  FZ_ASSERT(fz_same(e1, e2), "a restored snapshot exports differently:\n  %s\n  %s", e1.p, e2.p);
  fz_free(&e1);
  fz_free(&e2);
}

/* --- one operation ----------------------------------------------------------------------- */

static void step(st *s, fz_in *in) {
  unsigned op = fz_u8(in), kind = op & 15, countdown = 0;
  int check = (op >> 6) & 1, oom = op >> 7, rc = ATT_OK, must = 0;
  const char *name = "?";
  fz_bytes a = {NULL, 0}, b = {NULL, 0}, before = {NULL, 0};
  att_engine *h = s->h;
  double d1 = 0, d2 = 0, d3 = 0;
  int i1 = 0, i2 = 0;

  switch ((op >> 4) & 3) {
    case 1: s->now += fz_u8(in) * FZ_MIN; break;
    case 2: s->now += fz_u8(in) * FZ_HOUR; break;
    case 3: s->now += fz_u8(in) * (FZ_DAY / 8); break;
    default: break;
  }
  if (s->now > FZ_MAX_TIME) s->now = FZ_NOW;
  if (oom) countdown = fz_u8(in);

  /* arguments first, so the call itself is the only thing between the two snapshots */
  switch (kind) {
    case OP_TRACK:
      a = pick(in, items, COUNT(items), 0);
      i1 = (int)(fz_u8(in) % 9) - 1;
      d1 = pick_at(in, s->now);
      d2 = pick_value(in);
      d3 = pick_eid(s, in);
      b = pick(in, contexts, COUNT(contexts), 1);
      break;
    case OP_RECOMMEND: a = pick(in, options, COUNT(options), 1); break;
    case OP_EXPLAIN:
      a = pick(in, items, COUNT(items), 0);
      b = pick(in, contexts, COUNT(contexts), 1);
      break;
    case OP_BLOCK:
      i1 = (int)(fz_u8(in) % 4) - 1;
      a = i1 == 1 ? pick(in, items, COUNT(items), 0) : pick(in, tags, COUNT(tags), 0);
      i2 = (int)(fz_u8(in) & 1);
      break;
    case OP_LEVEL: i1 = (int)(fz_u8(in) % 7) - 1; break;
    case OP_TRAITS: a = pick(in, traits, COUNT(traits), 0); break;
    case OP_PAYLOAD: {
      unsigned sel = fz_u8(in) % 4;
      d1 = sel == 0 ? fz_u8(in) : sel == 1 ? fz_f64(in) : sel == 2 ? NAN : 0.0;
      break;
    }
    case OP_TIME: /* a jump (also backwards), then a reading call */
      s->now = fz_now(fz_u8(in));
      i2 = (int)(fz_u8(in) & 3);
      break;
    case OP_READ: i2 = (int)(fz_u8(in) & 3); break;
    case OP_SNAPSHOT:
    case OP_EXPORT:
    case OP_SAVE: i1 = (int)fz_u8(in); break;
    case OP_MERGE: i1 = (int)fz_u8(in); break;
    case OP_CONFIGURE: i1 = (int)(fz_u8(in) % FZ_NCONFIGS); break;
    case OP_CATALOG: i1 = (int)(fz_u8(in) % FZ_NCATALOGS); break;
    default: break;
  }

  if (check) {
    before = fz_snapshot(h, s->now);
    att_take_dirty(h);
  }
  if (oom) att__alloc_countdown = (long)countdown;
  switch (kind) {
    case OP_TRACK:
      name = "att_track";
      rc = att_track(h, (const char *)a.p, a.n, i1, d1, d2, d3, (const char *)b.p, b.n, s->now);
      break;
    case OP_RECOMMEND:
      name = "att_recommend";
      rc = att_recommend(h, (const char *)a.p, a.n, s->now);
      break;
    case OP_EXPLAIN:
      name = "att_explain";
      rc = att_explain(h, (const char *)a.p, a.n, (const char *)b.p, b.n, s->now);
      break;
    case OP_BLOCK:
      name = "att_block";
      rc = att_block(h, i1, (const char *)a.p, a.n, i2, s->now);
      break;
    case OP_LEVEL:
      name = "att_set_level";
      rc = att_set_level(h, i1, s->now);
      break;
    case OP_TRAITS:
      name = "att_set_traits";
      rc = att_set_traits(h, (const char *)a.p, a.n, s->now);
      break;
    case OP_PAYLOAD:
      name = "att_server_payload";
      rc = att_server_payload(h, d1, s->now);
      break;
    case OP_SNAPSHOT:
    case OP_SAVE:
      name = "att_snapshot";
      rc = att_snapshot(h, s->now);
      must = 1;
      break;
    case OP_READ:
    case OP_TIME:
      switch (i2) {
        case 0: name = "att_inventory"; rc = att_inventory(h, s->now); break;
        case 1: name = "att_metrics"; rc = att_metrics(h, s->now); break;
        case 2: name = "att_privacy_report"; rc = att_privacy_report(h, s->now); break;
        default: name = "att_segment"; rc = att_segment(h, s->now); break;
      }
      must = 1;
      break;
    case OP_FORGET:
      name = "att_forget";
      rc = att_forget(h);
      must = 1;
      break;
    case OP_EXPORT:
      name = "att_export";
      rc = att_export(h, s->now);
      must = 1;
      break;
    case OP_MERGE: {
      /* base and theirs: a saved snapshot, or nothing stored */
      fz_bytes *base = &s->slot[i1 & 1], *theirs = &s->slot[(i1 >> 1) & 1];
      size_t bn = i1 & 4 ? 0 : base->n, tn = i1 & 8 ? 0 : theirs->n;
      name = "att_merge";
      rc = att_merge(h, bn ? base->p : (const unsigned char *)"", bn, tn ? theirs->p : (const unsigned char *)"", tn,
                     s->now);
      must = 1; /* snapshots this engine made always merge */
      break;
    }
    case OP_CONFIGURE:
      name = "att_configure";
      rc = att_configure(h, fz_config(i1), strlen(fz_config(i1)), s->now);
      must = 1;
      break;
    case OP_CATALOG:
    default:
      name = "att_load_catalog";
      i1 %= FZ_NCATALOGS;
      rc = att_load_catalog(h, fz_catalog(i1), strlen(fz_catalog(i1)), s->now);
      must = 1;
      break;
  }
  att__alloc_countdown = -1;

  fz_check_rc(h, rc, name);
  FZ_ASSERT(att_level(h) >= ATT_LEVEL_NONE && att_level(h) < ATT_LEVEL_COUNT, "level %d", att_level(h));
  if (must && !oom) FZ_ASSERT(rc == ATT_OK, "%s failed (%d): %s", name, rc, att_errmsg(h));
  if (rc != ATT_OK && check) {
    fz_bytes after;
    FZ_ASSERT(att_take_dirty(h) == 0, "a failed %s (%d: %s) set the dirty flag", name, rc, att_errmsg(h));
    after = fz_snapshot(h, s->now);
    FZ_ASSERT(fz_same(before, after), "a failed %s (%d: %s) changed the profile", name, rc, att_errmsg(h));
    fz_free(&after);
  }

  if (rc == ATT_OK) {
    switch (kind) {
      case OP_RECOMMEND: json_result(h, cJSON_Array, name); break;
      case OP_EXPLAIN: {
        char id[160];
        snprintf(id, sizeof id, "%.*s", (int)a.n, (const char *)a.p);
        fz_check_explain(h, id);
        break;
      }
      case OP_SNAPSHOT: {
        fz_bytes snap = fz_result(h);
        round_trip(s, snap, 0);
        if (i1 & 1) { /* and back into h itself */
          fz_bytes again;
          FZ_OK(h, att_restore(h, snap.p, snap.n, s->now));
          again = fz_snapshot(h, s->now);
          FZ_ASSERT(fz_same(snap, again), "restoring its own snapshot changed the profile");
          fz_free(&again);
        }
        fz_free(&snap);
        break;
      }
      case OP_SAVE:
        fz_free(&s->slot[i1 & 1]);
        s->slot[i1 & 1] = fz_result(h);
        break;
      case OP_EXPORT: {
        fz_bytes e1 = fz_result(h), e2;
        json_result(h, cJSON_Object, name);
        FZ_OK(s->h2, att_import(s->h2, (const char *)e1.p, e1.n, s->now));
        e2 = fz_export(s->h2, s->now);
        FZ_ASSERT(fz_same(e1, e2), "an export imports to a different profile:\n  %s\n  %s", e1.p, e2.p);
        fz_free(&e2);
        if (i1 & 1) {
          FZ_OK(h, att_import(h, (const char *)e1.p, e1.n, s->now));
          e2 = fz_export(h, s->now);
          FZ_ASSERT(fz_same(e1, e2), "importing its own export changed the profile:\n  %s\n  %s", e1.p, e2.p);
          fz_free(&e2);
        }
        fz_free(&e1);
        break;
      }
      case OP_CONFIGURE:
        s->cfg = i1;
        FZ_OK(s->h2, att_configure(s->h2, fz_config(i1), strlen(fz_config(i1)), s->now));
        break;
      case OP_CATALOG:
        s->cat = i1;
        FZ_OK(s->h2, att_load_catalog(s->h2, fz_catalog(i1), strlen(fz_catalog(i1)), s->now));
        break;
      case OP_READ:
      case OP_TIME:
        if (strcmp(name, "att_segment") != 0)
          json_result(h, strcmp(name, "att_inventory") == 0 ? cJSON_Array : cJSON_Object, name);
        break;
      case OP_PAYLOAD: {
        static const char null_text[] = "null";
        if (!(att_result_len(h) == 4 && memcmp(att_result(h), null_text, 4) == 0))
          json_result(h, cJSON_Object, name);
        break;
      }
      default: break;
    }
  }
  fz_free(&a);
  fz_free(&b);
  fz_free(&before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  st s;
  fz_in in;
  fz_bytes snap;
  unsigned flags;
  int ops;
  if (size < 2) return 0;
  memset(&s, 0, sizeof s);
  s.now = fz_now(data[0]);
  flags = data[1];
  s.cfg = (flags & 3) == 3 ? 0 : (int)(flags & 3);
  s.cat = (flags >> 2) & 1;
  s.next_eid = 100;
  if (flags & 8) {
    s.h = fz_engine(0, 0);
    fz_fill(s.h);
    if (s.cfg) FZ_OK(s.h, att_configure(s.h, fz_config(s.cfg), strlen(fz_config(s.cfg)), FZ_NOW));
    if (s.cat) FZ_OK(s.h, att_load_catalog(s.h, fz_catalog(s.cat), strlen(fz_catalog(s.cat)), FZ_NOW));
  } else {
    s.h = fz_engine(s.cfg, s.cat);
  }
  s.h2 = fz_engine(s.cfg, s.cat);
  in.p = data + 2;
  in.n = size - 2;
  in.pos = 0;
  for (ops = 0; ops < MAX_OPS && fz_more(&in); ops++) step(&s, &in);
  /* whatever the calls did, the profile still snapshots and restores */
  snap = fz_snapshot(s.h, s.now);
  round_trip(&s, snap, 1);
  fz_free(&snap);
  fz_free(&s.slot[0]);
  fz_free(&s.slot[1]);
  att_free(s.h2);
  att_free(s.h);
  return 0;
}
