/* gen_corpus.c — writes the seed corpus of every harness: small valid and near-valid inputs,
 * with snapshots and exports made by the core itself so they match the real formats.
 *
 *   make fuzz-corpus        (builds this against src/ and rewrites fuzz/corpus/)
 *
 * Every seed starts with the harness's two control bytes (fuzz.h): a `now` selector and flags. */
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "snapshot.h" /* ATT_SNAPSHOT_VERSION, ATT_EXPORT_VERSION */

#define SEL_NOW 0x78 /* fz_now(0x78) == FZ_NOW */

static const char *root;
static int written;

static void out(const char *harness, const char *name, unsigned sel, unsigned flags, const void *p, size_t n) {
  char path[512];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", root, harness);
  if (mkdir(path, 0777) && errno != EEXIST) {
    perror(path);
    exit(1);
  }
  snprintf(path, sizeof path, "%s/%s/%s", root, harness, name);
  f = fopen(path, "wb");
  if (!f || fputc((int)sel, f) == EOF || fputc((int)flags, f) == EOF || (n && fwrite(p, 1, n, f) != n) || fclose(f)) {
    perror(path);
    exit(1);
  }
  written++;
}

static void out_text(const char *harness, const char *name, unsigned sel, unsigned flags, const char *s) {
  out(harness, name, sel, flags, s, strlen(s));
}

/* --- profiles to serialise ---------------------------------------------------------------- */

enum { P_EMPTY, P_FILLED, P_NONE, P_CONFIG2, P_LONG, P_MORE, P_COUNT };

/* An engine holding profile `which` (config and catalog as the harnesses set them up). */
static att_engine *profile(int which, int *cfg) {
  att_engine *h;
  int i;
  *cfg = 0;
  switch (which) {
    case P_EMPTY: return fz_engine(0, 0);
    case P_NONE:
      h = fz_engine(0, 0);
      fz_fill(h);
      FZ_OK(h, att_set_level(h, ATT_LEVEL_NONE, FZ_NOW));
      return h;
    case P_CONFIG2:
      h = fz_engine(0, 0);
      fz_fill(h);
      FZ_OK(h, att_configure(h, FZ_CONFIG2, strlen(FZ_CONFIG2), FZ_NOW));
      *cfg = 1;
      return h;
    case P_LONG: /* default history size, many events over the retention window */
      h = fz_engine(2, 0);
      *cfg = 2;
      FZ_OK(h, att_set_level(h, ATT_LEVEL_CONTEXTUAL, FZ_NOW - 29 * FZ_DAY));
      for (i = 0; i < 60; i++) {
        static const char *const ids[] = {"a1", "a2", "a3", "a4", "b1", "a6"};
        static const char ctx[] = "{\"daypart\":\"evening\",\"device\":\"tablet\"}";
        double t = FZ_NOW - 29 * FZ_DAY + i * 11 * FZ_HOUR;
        FZ_OK(h, att_track(h, ids[i % 6], 2, i % 6, NAN, 1 + i % 3, 1000 + i, i % 2 ? ctx : NULL,
                           i % 2 ? sizeof ctx - 1 : 0, t));
      }
      return h;
    case P_MORE: /* the filled profile after more happened in another tab */
    default:
      h = fz_engine(0, 0);
      fz_fill(h);
      FZ_OK(h, att_track(h, "a3", 2, ATT_EV_PURCHASE, NAN, NAN, 50, NULL, 0, FZ_NOW + FZ_HOUR));
      FZ_OK(h, att_block(h, 0, "z", 1, 0, FZ_NOW + FZ_HOUR));
      FZ_OK(h, att_block(h, 0, "y", 1, 1, FZ_NOW + FZ_HOUR));
      FZ_OK(h, att_set_traits(h, "{\"plan\":\"free\"}", 15, FZ_NOW + FZ_HOUR));
      FZ_OK(h, att_server_payload(h, 3, FZ_NOW + 3 * FZ_DAY));
      return h;
  }
}

static const char *const pname[P_COUNT] = {"empty", "filled", "none", "config2", "long", "more"};

static fz_bytes snap[P_COUNT], expo[P_COUNT];
static int pcfg[P_COUNT];

static void make_profiles(void) {
  int i;
  for (i = 0; i < P_COUNT; i++) {
    att_engine *h = profile(i, &pcfg[i]);
    double t = i == P_MORE ? FZ_NOW + 3 * FZ_DAY : FZ_NOW;
    snap[i] = fz_snapshot(h, t);
    expo[i] = fz_export(h, t);
    att_free(h);
  }
}

/* --- fuzz_config ------------------------------------------------------------------------- */

static void config_seeds(void) {
  static const struct {
    const char *name, *json;
  } v[] = {
      {"empty-object", "{}"},
      {"empty-input", ""},
      {"design-example",
       "{ \"privacyLevel\": \"behavioral\",\n"
       "  \"history\": { \"size\": 100, \"retentionDays\": 30, \"halfLifeDays\": 7 },\n"
       "  \"events\": { \"view\": 0.2, \"click\": 1, \"like\": 2, \"share\": 2, \"purchase\": 3, \"dismiss\": -2 },\n"
       "  \"traits\": { \"plan\": [\"free\", \"pro\", \"team\"], \"industry\": [\"finance\", \"retail\", \"other\"] },\n"
       "  \"segments\": [\n"
       "    { \"label\": \"pro-heavy\", \"when\": { \"plan\": [\"pro\", \"team\"], \"usage\": [\"heavy\"] },\n"
       "      \"boost\": { \"tags\": { \"advanced\": 0.5 } } },\n"
       "    { \"label\": \"newcomer\", \"when\": { \"usage\": [\"light\"] }, \"boost\": { \"tags\": { \"basics\": 0.8 } } } ],\n"
       "  \"defaultSegment\": \"general\",\n"
       "  \"context\": { \"keys\": [\"campaign\"],\n"
       "    \"rules\": [ { \"when\": { \"daypart\": [\"morning\"] }, \"boost\": { \"tags\": { \"briefing\": 0.3 } } } ] },\n"
       "  \"label\": { \"k\": 50, \"populations\": { \"pro-heavy\": 1200 }, \"randomRate\": 0.05, \"epsilon\": null, "
       "\"epochDays\": 7 },\n"
       "  \"ranking\": { \"excludeSeen\": true, \"diversity\": 0.2, \"maxPerCategory\": 3, \"exploration\": 0.05 },\n"
       "  \"sensitiveTags\": [\"health\"] }\n"},
      {"fixed-1", FZ_CONFIG},
      {"fixed-2", FZ_CONFIG2},
      {"usage-weights",
       "{\"usage\":{\"regularDays\":2,\"heavyDays\":20},\"ranking\":{\"weights\":{\"popularity\":0,\"freshness\":1,"
       "\"affinity\":2,\"related\":0.1},\"freshnessHalfLifeDays\":3,\"excludeSeen\":false}}"},
      {"editorial", "{\"editorial\":{\"pins\":[{\"item\":\"a1\",\"position\":1,\"segment\":\"general\"}],\"exclude\":[\"a2\"]}}"},
      {"context-rules",
       "{\"context\":{\"keys\":[\"campaign\",\"ab\"],\"rules\":[{\"when\":{\"weekday\":[\"weekend\"],\"device\":[\"mobile\"],"
       "\"campaign\":[\"spring\"]},\"boost\":{\"items\":{\"a1\":2},\"categories\":{\"news\":-1}}}]}}"},
      {"epsilon", "{\"label\":{\"epsilon\":0.5,\"k\":1,\"populations\":{\"general\":5}},\"segments\":[]}"},
      /* near-valid */
      {"unknown-key", "{\"privacyLevel\":\"segment\",\"colour\":1}"},
      {"bad-level", "{\"privacyLevel\":\"max\"}"},
      {"level-above-max", "{\"privacyLevel\":\"individual\",\"maxPrivacyLevel\":\"segment\"}"},
      {"size-zero", "{\"history\":{\"size\":0}}"},
      {"size-huge", "{\"history\":{\"size\":1e9,\"retentionDays\":-1}}"},
      {"wrong-type", "{\"traits\":{\"plan\":\"pro\"}}"},
      {"usage-declared", "{\"traits\":{\"usage\":[\"a\"]}}"},
      {"undeclared-when", "{\"segments\":[{\"label\":\"x\",\"when\":{\"plan\":[\"pro\"]}}]}"},
      {"duplicate-key", "{\"history\":{\"size\":5,\"size\":6}}"},
      {"negative-epsilon", "{\"label\":{\"epsilon\":-1}}"},
      {"nul-escape", "{\"defaultSegment\":\"a\\u0000b\"}"},
      {"trailing", "{} {}"},
      {"bom", "\xef\xbb\xbf{}"},
      {"not-object", "[1,2,3]"},
      {"truncated", "{\"traits\":{\"plan\":[\"free\",\"pro\""},
  };
  size_t i;
  char deep[200];
  for (i = 0; i < sizeof v / sizeof *v; i++) out_text("fuzz_config", v[i].name, SEL_NOW, (unsigned)i % 9, v[i].json);
  /* the normalised form, every key present */
  {
    att_engine *h = att_new();
    FZ_OK(h, att_configure(h, FZ_CONFIG, strlen(FZ_CONFIG), FZ_NOW));
    out("fuzz_config", "normalised-1", SEL_NOW, 0, att_result(h), att_result_len(h));
    FZ_OK(h, att_configure(h, FZ_CONFIG2, strlen(FZ_CONFIG2), FZ_NOW));
    out("fuzz_config", "normalised-2", 0x80, 4, att_result(h), att_result_len(h));
    att_free(h);
  }
  /* nesting at and over the limit */
  for (i = 0; i < 33; i++) deep[i] = '[';
  for (i = 0; i < 33; i++) deep[33 + i] = ']';
  deep[66] = 0;
  out("fuzz_config", "deep-33", SEL_NOW, 0, deep, 66);
  out("fuzz_config", "deep-32", SEL_NOW, 0, deep + 1, 64);
}

/* --- fuzz_catalog ------------------------------------------------------------------------- */

static void catalog_seeds(void) {
  static const struct {
    const char *name, *json;
  } v[] = {
      {"fixed-1", FZ_CATALOG},
      {"fixed-2", FZ_CATALOG2},
      {"empty-items", "{\"version\":1,\"dim\":0,\"items\":[]}"},
      {"no-items", "{\"version\":1}"},
      {"single-self-neighbor", "{\"version\":1,\"items\":[{\"id\":\"only\",\"tags\":[\"t\"],\"neighbors\":[[\"only\",1]]}]}"},
      {"vectors", "{\"version\":1,\"dim\":3,\"items\":[{\"id\":\"v1\",\"vector\":[1,2,3],\"tags\":[\"x\"]},"
                  "{\"id\":\"v2\",\"vector\":[-1,0.5,1e-3]},{\"id\":\"v3\"}]}"},
      {"unknown-members", "{\"version\":1,\"items\":[{\"id\":\"a\",\"author\":{\"name\":\"x\",\"links\":[1,2]},\"draft\":true}],"
                          "\"generatedAt\":\"today\"}"},
      {"items-first", "{\"items\":[{\"id\":\"a1\",\"category\":\"news\",\"popularity\":0},{\"id\":\"z\",\"tags\":[\"y\",\"y\"]}],"
                      "\"version\":1,\"dim\":0}"},
      {"titles-published", "{\"version\":1,\"items\":[{\"id\":\"a1\",\"title\":\"T\\u00e9st \\\"q\\\"\",\"publishedAt\":0},"
                           "{\"id\":\"a2\",\"publishedAt\":8.64e15,\"popularity\":1e15}]}"},
      /* near-valid */
      {"version-2", "{\"version\":2,\"items\":[]}"},
      {"duplicate-id", "{\"version\":1,\"items\":[{\"id\":\"a\"},{\"id\":\"a\"}]}"},
      {"dim-mismatch", "{\"version\":1,\"dim\":2,\"items\":[{\"id\":\"a\",\"vector\":[1]}]}"},
      {"bad-vector", "{\"version\":1,\"dim\":1,\"items\":[{\"id\":\"a\",\"vector\":[\"x\"]}]}"},
      {"empty-id", "{\"version\":1,\"items\":[{\"id\":\"\"}]}"},
      {"control-id", "{\"version\":1,\"items\":[{\"id\":\"a\\u0001\"}]}"},
      {"bad-utf8", "{\"version\":1,\"items\":[{\"id\":\"\xc3\x28\"}]}"},
      {"negative-popularity", "{\"version\":1,\"items\":[{\"id\":\"a\",\"popularity\":-1}]}"},
      {"neighbors-bad", "{\"version\":1,\"items\":[{\"id\":\"a\",\"neighbors\":[[\"b\"],[1,2],\"c\"]}]}"},
      {"duplicate-member", "{\"version\":1,\"version\":1,\"items\":[]}"},
      {"items-not-array", "{\"version\":1,\"items\":{\"id\":\"a\"}}"},
      {"item-not-object", "{\"version\":1,\"items\":[1,\"a\",null]}"},
      {"trailing-comma", "{\"version\":1,\"items\":[{\"id\":\"a\"},]}"},
      {"unterminated", "{\"version\":1,\"items\":[{\"id\":\"a\"}"},
      {"nul-in-id", "{\"version\":1,\"items\":[{\"id\":\"a\\u0000\"}]}"},
  };
  size_t i;
  char big[12000];
  size_t o;
  for (i = 0; i < sizeof v / sizeof *v; i++) out_text("fuzz_catalog", v[i].name, SEL_NOW + (unsigned)i, (unsigned)i % 16, v[i].json);
  /* many items: per-item arrays grow, neighbors forward and backward */
  o = (size_t)snprintf(big, sizeof big, "{\"version\":1,\"dim\":2,\"items\":[");
  for (i = 0; i < 150 && o < sizeof big - 200; i++)
    o += (size_t)snprintf(big + o, sizeof big - o,
                          "%s{\"id\":\"i%zu\",\"tags\":[\"t%zu\",\"u%zu\"],\"category\":\"c%zu\",\"popularity\":%zu,"
                          "\"vector\":[%zu,1],\"neighbors\":[[\"i%zu\",0.5]]}",
                          i ? "," : "", i, i % 7, i % 3, i % 4, i, i % 5, (i * 37) % 150);
  o += (size_t)snprintf(big + o, sizeof big - o, "]}");
  out("fuzz_catalog", "many-items", SEL_NOW, 8, big, o);
}

/* --- packed catalogs (src/catalog.h: "ATTC" | u16 version | u16 flags | u32 length | u32 CRC,
 * then u32 items, u32 dim, u32 strings, strings, items) ------------------------------------ */

typedef struct pk {
  unsigned char b[4096];
  size_t n;
} pk;

static void pk_put(pk *p, const void *v, size_t n) {
  memcpy(p->b + p->n, v, n);
  p->n += n;
}
static void pk_u8(pk *p, unsigned v) { p->b[p->n++] = (unsigned char)v; }
static void pk_u16(pk *p, unsigned v) {
  pk_u8(p, v & 0xff);
  pk_u8(p, v >> 8);
}
static void pk_u32(pk *p, uint32_t v) {
  int i;
  for (i = 0; i < 4; i++) pk_u8(p, (v >> (8 * i)) & 0xff);
}
static void pk_f64(pk *p, double d) {
  uint64_t u;
  int i;
  memcpy(&u, &d, 8);
  for (i = 0; i < 8; i++) pk_u8(p, (unsigned)(u >> (8 * i)) & 0xff);
}
static void pk_f32(pk *p, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  pk_u32(p, u);
}

#define NONE 0xffffffffu
typedef struct pitem {
  uint32_t id, ntags, tags[3], cat, title;
  double pop, pub;
  int has_vec;
  float vec[2];
  uint32_t nnb, nb[2];
  float nbw[2];
} pitem;

static void pack(pk *p, uint32_t dim, const char *const *strs, uint32_t nstr, const pitem *it, uint32_t n) {
  uint32_t i, k;
  memset(p, 0, sizeof *p);
  pk_put(p, "ATTC", 4);
  pk_u16(p, 1);
  pk_u16(p, 0);
  pk_u32(p, 0); /* length and CRC: fz_fix_header below */
  pk_u32(p, 0);
  pk_u32(p, n);
  pk_u32(p, dim);
  pk_u32(p, nstr);
  for (i = 0; i < nstr; i++) {
    pk_u16(p, (unsigned)strlen(strs[i]));
    pk_put(p, strs[i], strlen(strs[i]));
  }
  for (i = 0; i < n; i++) {
    pk_u32(p, it[i].id);
    pk_u8(p, it[i].ntags);
    for (k = 0; k < it[i].ntags; k++) pk_u32(p, it[i].tags[k]);
    pk_u32(p, it[i].cat);
    pk_u32(p, it[i].title);
    pk_f64(p, it[i].pop);
    pk_f64(p, it[i].pub);
    pk_u8(p, (unsigned)it[i].has_vec);
    if (it[i].has_vec)
      for (k = 0; k < dim; k++) pk_f32(p, it[i].vec[k]);
    pk_u8(p, it[i].nnb);
    for (k = 0; k < it[i].nnb; k++) {
      pk_u32(p, it[i].nb[k]);
      pk_f32(p, it[i].nbw[k]);
    }
  }
  fz_fix_header(p->b, p->n);
}

static void packed_catalog_seeds(void) {
  static const char *const strs[] = {"a1", "a2", "a3", "x", "y", "z", "news", "sport", "One", "health", "a5", "b1", "c"};
  const pitem items[] = {
      {0, 2, {3, 4, 0}, 6, 8, 10, 1699000000000.0, 1, {1, 0}, 2, {1, 2}, {1, 0.5f}},
      {1, 1, {4, 0, 0}, 6, NONE, 50, NAN, 1, {0, 1}, 1, {0, 0}, {1, 0}},
      {2, 1, {5, 0, 0}, 7, NONE, 5, NAN, 1, {0.5f, 0.5f}, 0, {0, 0}, {0, 0}},
      {10, 1, {9, 0, 0}, NONE, NONE, NAN, NAN, 0, {0, 0}, 0, {0, 0}, {0, 0}},
      {11, 1, {3, 0, 0}, 12, NONE, NAN, 1699990000000.0, 0, {0, 0}, 1, {7, 0}, {2, 0}}, /* neighbor out of range */
  };
  pk p;
  unsigned char keep;
  /* flags bit 4: fix the header */
  pack(&p, 2, strs, 13, items, 5);
  out("fuzz_catalog", "packed", SEL_NOW, 16, p.b, p.n);
  out("fuzz_catalog", "packed-raw-header", SEL_NOW, 0, p.b, p.n);
  out("fuzz_catalog", "packed-truncated", SEL_NOW, 16, p.b, p.n - 7);
  keep = p.b[4];
  p.b[4] = 2;
  out("fuzz_catalog", "packed-newer-version", SEL_NOW, 16, p.b, p.n);
  p.b[4] = keep;
  p.b[6] = 1;
  out("fuzz_catalog", "packed-flags", SEL_NOW, 16, p.b, p.n);
  p.b[6] = 0;
  p.b[16] = 6; /* one item more than there is */
  out("fuzz_catalog", "packed-count", SEL_NOW, 16, p.b, p.n);
  pack(&p, 0, strs, 13, items + 3, 2); /* no vectors */
  out("fuzz_catalog", "packed-dim-0", 0x78 + 3, 16 | 8, p.b, p.n);
  {
    pitem v = items[0];
    v.tags[1] = 99; /* a string index out of range */
    pack(&p, 2, strs, 13, &v, 1);
    out("fuzz_catalog", "packed-bad-string", SEL_NOW, 16, p.b, p.n);
    v = items[2];
    v.vec[0] = 1e7f; /* out of range */
    pack(&p, 2, strs, 13, &v, 1);
    out("fuzz_catalog", "packed-bad-vector", SEL_NOW, 16, p.b, p.n);
    /* (a vector with dim 0 is fuzz/regressions/fuzz_catalog/ub-packed-vector-with-dim-0) */
  }
  pack(&p, 2, strs, 0, items, 0);
  out("fuzz_catalog", "packed-empty", SEL_NOW + 3, 16, p.b, p.n);
}

/* --- fuzz_snapshot, fuzz_import, fuzz_merge ----------------------------------------------- */

static void put_u16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v & 0xff);
  p[1] = (unsigned char)(v >> 8);
}

/* The same profile in format version 1, which ends after section 9 (label). */
static void older_version(const char *base, unsigned flags, fz_bytes s) {
  size_t pos = 16;
  char name[64];
  unsigned char *c;
  while (pos + 5 <= s.n && s.p[pos] <= 9)
    pos += 5 + ((size_t)s.p[pos + 1] | (size_t)s.p[pos + 2] << 8 | (size_t)s.p[pos + 3] << 16 | (size_t)s.p[pos + 4] << 24);
  if (ATT_SNAPSHOT_VERSION < 2 || pos > s.n) return;
  c = malloc(pos);
  memcpy(c, s.p, pos);
  put_u16(c + 4, 1);
  fz_fix_header(c, pos);
  snprintf(name, sizeof name, "%s-version-1", base);
  out("fuzz_snapshot", name, SEL_NOW, flags, c, pos);
  free(c);
}

static void snapshot_seeds(void) {
  int i;
  char name[64];
  for (i = 0; i < P_COUNT; i++) {
    /* flags: fix the header; the configuration the profile was made under */
    unsigned flags = 1u | (unsigned)pcfg[i] << 1;
    fz_bytes s = snap[i];
    unsigned char *c = malloc(s.n + 8);
    snprintf(name, sizeof name, "%s", pname[i]);
    out("fuzz_snapshot", name, SEL_NOW, flags, s.p, s.n);
    if (i == P_FILLED) {
      snprintf(name, sizeof name, "%s-no-fixup", pname[i]);
      out("fuzz_snapshot", name, SEL_NOW, 0, s.p, s.n);
      snprintf(name, sizeof name, "%s-later", pname[i]);
      out("fuzz_snapshot", name, 0x78 + 4 * 10, flags, s.p, s.n); /* 10 days on */
      snprintf(name, sizeof name, "%s-no-catalog", pname[i]);
      out("fuzz_snapshot", name, SEL_NOW, flags | 8, s.p, s.n);
      snprintf(name, sizeof name, "%s-other-config", pname[i]);
      out("fuzz_snapshot", name, SEL_NOW, 1u | 1u << 1, s.p, s.n);
      /* near-valid, all with the header fixed up unless the header is the point */
      memcpy(c, s.p, s.n);
      out("fuzz_snapshot", "truncated-header", SEL_NOW, 0, c, 12);
      out("fuzz_snapshot", "truncated-payload", SEL_NOW, 1, c, s.n - 5);
      out("fuzz_snapshot", "first-section-only", SEL_NOW, 1, c, 16 + 5 + 10);
      memcpy(c + s.n, "\0\0\0\0", 4);
      out("fuzz_snapshot", "trailing-bytes", SEL_NOW, 1, c, s.n + 4);
      put_u16(c + 4, ATT_SNAPSHOT_VERSION + 1);
      out("fuzz_snapshot", "newer-version", SEL_NOW, 1, c, s.n);
      put_u16(c + 4, 0);
      out("fuzz_snapshot", "version-0", SEL_NOW, 1, c, s.n);
      put_u16(c + 4, ATT_SNAPSHOT_VERSION);
      put_u16(c + 6, 1);
      out("fuzz_snapshot", "flags-set", SEL_NOW, 1, c, s.n);
      put_u16(c + 6, 0);
      c[12] ^= 1;
      out("fuzz_snapshot", "bad-crc", SEL_NOW, 0, c, s.n);
      c[12] ^= 1;
      c[0] = 'X';
      out("fuzz_snapshot", "bad-magic", SEL_NOW, 1, c, s.n);
      c[0] = 'A';
      c[16 + 5] = 9; /* meta: level 9 */
      out("fuzz_snapshot", "bad-level", SEL_NOW, 1, c, s.n);
      c[16 + 5] = s.p[16 + 5];
      c[16] = 2; /* the first section's tag */
      out("fuzz_snapshot", "sections-out-of-order", SEL_NOW, 1, c, s.n);
      c[16] = 1;
      c[17] = 11; /* meta's length one too long */
      out("fuzz_snapshot", "section-length", SEL_NOW, 1, c, s.n);
    }
    if (i == P_FILLED || i == P_LONG) older_version(pname[i], flags, s);
    free(c);
  }
}

static void import_seeds(void) {
  static const struct {
    const char *name, *json;
  } v[] = {
      {"minimal", "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"segment\"}"},
      {"wrong-format", "{\"format\":\"other\",\"version\":1,\"level\":\"segment\"}"},
      {"bad-level", "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"max\"}"},
      {"unknown-key", "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"none\",\"extra\":1}"},
      {"bad-time", "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"behavioral\",\"exportedAt\":\"2023-02-29T00:00:00.000Z\"}"},
      {"days-out-of-order",
       "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"segment\",\"activeDays\":[\"2023-11-14\",\"2023-11-10\"]}"},
      {"days-span",
       "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"segment\",\"activeDays\":[\"2023-09-01\",\"2023-11-10\"]}"},
      {"history-bad",
       "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"behavioral\",\"history\":[{\"id\":1,\"item\":\"a1\","
       "\"type\":\"impression\",\"at\":\"2023-11-14T22:13:20.000Z\",\"value\":1,\"bucket\":0}]}"},
      {"history-duplicate-id",
       "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"behavioral\",\"history\":[{\"id\":1,\"item\":\"a1\","
       "\"type\":\"click\",\"at\":\"2023-11-14T22:13:20.000Z\"},{\"id\":1,\"item\":\"a2\",\"type\":\"view\","
       "\"at\":\"2023-11-14T22:13:20Z\",\"bucket\":12}]}"},
      {"metrics-short",
       "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"segment\",\"metrics\":{\"since\":null,"
       "\"impressions\":{\"segment\":[1,2,3]}}}"},
      {"label-unknown",
       "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"segment\",\"serverLabel\":{\"epoch\":5,\"truth\":\"x\","
       "\"reported\":\"general\",\"disclosures\":4294967295,\"firstAt\":\"1970-01-01T00:00:00.000Z\"}}"},
      {"traits-undeclared",
       "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"segment\",\"traits\":{\"plan\":{\"value\":\"gold\","
       "\"setAt\":\"2023-11-14T22:13:20.000Z\"},\"size\":{\"value\":\"l\",\"setAt\":\"2023-11-14T22:13:20.000Z\"}}}"},
      {"blocked-duplicate",
       "{\"format\":\"attune-profile\",\"version\":1,\"level\":\"segment\",\"blocked\":{\"tags\":[{\"tag\":\"x\","
       "\"at\":\"2023-11-14T22:13:20.000Z\"},{\"tag\":\"x\",\"at\":\"2023-11-14T22:13:20.000Z\"}]}}"},
      {"not-object", "[]"},
  };
  size_t i;
  int p;
  char name[64];
  for (p = 0; p < P_COUNT; p++) {
    unsigned flags = (unsigned)pcfg[p];
    snprintf(name, sizeof name, "%s", pname[p]);
    out("fuzz_import", name, p == P_MORE ? 0x78 + 12 : SEL_NOW, flags, expo[p].p, expo[p].n);
  }
  out("fuzz_import", "filled-no-catalog", SEL_NOW, 4, expo[P_FILLED].p, expo[P_FILLED].n);
  out("fuzz_import", "filled-empty-profile", 0x78 + 40, 8, expo[P_FILLED].p, expo[P_FILLED].n);
  for (i = 0; i < sizeof v / sizeof *v; i++) out_text("fuzz_import", v[i].name, SEL_NOW, (unsigned)i % 16, v[i].json);
  {
    char newer[128];
    snprintf(newer, sizeof newer, "{\"format\":\"attune-profile\",\"version\":%d,\"level\":\"segment\"}",
             ATT_EXPORT_VERSION + 1);
    out_text("fuzz_import", "newer-version", SEL_NOW, 0, newer);
  }
}

static void merge_seed(const char *name, unsigned sel, unsigned flags, fz_bytes base, fz_bytes theirs) {
  unsigned char *b = malloc(2 + base.n + theirs.n + 1);
  put_u16(b, (unsigned)base.n);
  if (base.n) memcpy(b + 2, base.p, base.n);
  if (theirs.n) memcpy(b + 2 + base.n, theirs.p, theirs.n);
  out("fuzz_merge", name, sel, flags, b, 2 + base.n + theirs.n);
  free(b);
}

static void merge_seeds(void) {
  fz_bytes none = {NULL, 0};
  const unsigned fix = 3; /* fix both headers */
  merge_seed("filled-more", SEL_NOW, fix, snap[P_FILLED], snap[P_MORE]);
  merge_seed("more-filled", SEL_NOW, fix, snap[P_MORE], snap[P_FILLED]);
  merge_seed("ours-is-base", 0x78 + 12, fix | 4, snap[P_FILLED], snap[P_MORE]);
  merge_seed("same", SEL_NOW, fix, snap[P_FILLED], snap[P_FILLED]);
  merge_seed("no-base", SEL_NOW, fix, none, snap[P_MORE]);
  merge_seed("no-theirs", SEL_NOW, fix, snap[P_FILLED], none);
  merge_seed("nothing", SEL_NOW, fix, none, none);
  merge_seed("empty-long", SEL_NOW, fix | 4 | 2u << 3, snap[P_EMPTY], snap[P_LONG]);
  merge_seed("none-filled", SEL_NOW, fix | 4, snap[P_NONE], snap[P_FILLED]);
  merge_seed("config2", SEL_NOW, fix | 1u << 3, snap[P_CONFIG2], snap[P_MORE]);
  merge_seed("no-catalog", SEL_NOW, fix | 32, snap[P_FILLED], snap[P_MORE]);
  merge_seed("raw-headers", SEL_NOW, 0, snap[P_FILLED], snap[P_MORE]);
  {
    fz_bytes cut = snap[P_MORE];
    cut.n -= 9;
    merge_seed("theirs-truncated", SEL_NOW, fix, snap[P_FILLED], cut);
  }
}

/* --- fuzz_events -------------------------------------------------------------------------- */

typedef struct prog {
  unsigned char b[4096];
  size_t n;
} prog;

static void push(prog *p, const int *v, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) p->b[p->n++] = (unsigned char)v[i];
}
#define ARGS(p, ...) push(p, (const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

/* The op byte (see fuzz_events.c: kind | clock step << 4 | check << 6 | oom << 7), then the
 * clock step's amount and the allocation-failure countdown when the op has them. */
enum { TRACK, RECOMMEND, EXPLAIN, BLOCK, LEVEL, TRAITS, PAYLOAD, SNAPSHOT, READ, TIME, FORGET, EXPORT, SAVE, MERGE,
       CONFIGURE, CATALOG };
#define MINUTES 0x10
#define HOURS 0x20
#define EIGHTHS 0x30
#define CHECK 0x40
#define OOM 0x80
static void op(prog *p, int kind, int flags, int amount, int countdown) {
  p->b[p->n++] = (unsigned char)(kind | flags);
  if (flags & 0x30) p->b[p->n++] = (unsigned char)amount;
  if (flags & OOM) p->b[p->n++] = (unsigned char)countdown;
}

/* track: item selector, type, at = now, value = 1, a fresh event id, context selector */
static void track(prog *p, int flags, int amount, int item, int type, int ctx) {
  op(p, TRACK, flags, amount, 0);
  ARGS(p, item, type + 1, 0, 0, 0, ctx);
}

static void events_seeds(void) {
  static const char *const names[] = {"each-op", "session", "levels", "tabs", "reconfigure", "oom", "failures",
                                      "time", "raw-args"};
  prog p;
  size_t k;
  for (k = 0; k < sizeof names / sizeof *names; k++) {
    unsigned sel = SEL_NOW, flags = 0;
    memset(&p, 0, sizeof p);
    switch (k) {
      case 0: /* every operation once, with valid arguments */
        op(&p, LEVEL, 0, 0, 0), ARGS(&p, 5);            /* individual */
        track(&p, 0, 0, 0, ATT_EV_CLICK, 1);
        op(&p, RECOMMEND, 0, 0, 0), ARGS(&p, 1);
        op(&p, EXPLAIN, 0, 0, 0), ARGS(&p, 0, 0);
        op(&p, BLOCK, 0, 0, 0), ARGS(&p, 1, 0, 1);      /* tag x */
        op(&p, TRAITS, 0, 0, 0), ARGS(&p, 0);
        op(&p, PAYLOAD, 0, 0, 0), ARGS(&p, 0, 7);
        op(&p, SNAPSHOT, 0, 0, 0), ARGS(&p, 1);
        op(&p, READ, 0, 0, 0), ARGS(&p, 0);
        op(&p, TIME, 0, 0, 0), ARGS(&p, 0x7a, 1);
        op(&p, EXPORT, 0, 0, 0), ARGS(&p, 1);
        op(&p, SAVE, 0, 0, 0), ARGS(&p, 0);
        op(&p, MERGE, 0, 0, 0), ARGS(&p, 0);
        op(&p, CONFIGURE, 0, 0, 0), ARGS(&p, 1);
        op(&p, CATALOG, 0, 0, 0), ARGS(&p, 1);
        op(&p, FORGET, 0, 0, 0);
        op(&p, READ, 0, 0, 0), ARGS(&p, 2);
        break;
      case 1: /* a browsing session at level individual: impressions, clicks on listed items */
        flags = 8;
        op(&p, LEVEL, 0, 0, 0), ARGS(&p, 5);
        op(&p, RECOMMEND, 0, 0, 0), ARGS(&p, 9);
        track(&p, MINUTES, 3, 1, ATT_EV_IMPRESSION, 2);
        track(&p, MINUTES, 1, 1, ATT_EV_CLICK, 2);
        track(&p, MINUTES, 5, 2, ATT_EV_LIKE, 4);
        track(&p, HOURS, 2, 3, ATT_EV_DISMISS, 0);
        track(&p, 0, 0, 6, ATT_EV_PURCHASE, 10);
        op(&p, RECOMMEND, 0, 0, 0), ARGS(&p, 3);
        op(&p, EXPLAIN, 0, 0, 0), ARGS(&p, 2, 1);
        op(&p, SNAPSHOT, 0, 0, 0), ARGS(&p, 0);
        break;
      case 2: /* levels down and up, each checked */
        flags = 8;
        op(&p, LEVEL, CHECK, 0, 0), ARGS(&p, 2);
        track(&p, CHECK, 0, 0, ATT_EV_VIEW, 1);
        op(&p, LEVEL, CHECK, 0, 0), ARGS(&p, 1);
        op(&p, LEVEL, CHECK, 0, 0), ARGS(&p, 6);        /* 5: not a level */
        op(&p, LEVEL, CHECK, 0, 0), ARGS(&p, 0);        /* -1 */
        op(&p, LEVEL, CHECK, 0, 0), ARGS(&p, 1);        /* none */
        op(&p, BLOCK, CHECK, 0, 0), ARGS(&p, 2, 1, 1);  /* item a2, session-only at none */
        op(&p, SNAPSHOT, 0, 0, 0), ARGS(&p, 1);
        op(&p, LEVEL, 0, 0, 0), ARGS(&p, 4);
        op(&p, TRAITS, CHECK, 0, 0), ARGS(&p, 2);
        op(&p, EXPORT, 0, 0, 0), ARGS(&p, 1);
        break;
      case 3: /* two tabs: save, change, save, forget, merge */
        flags = 8;
        op(&p, SAVE, 0, 0, 0), ARGS(&p, 0);
        track(&p, HOURS, 1, 2, ATT_EV_SHARE, 0);
        op(&p, BLOCK, 0, 0, 0), ARGS(&p, 1, 4, 1);      /* tag health */
        op(&p, SAVE, 0, 0, 0), ARGS(&p, 1);
        op(&p, FORGET, 0, 0, 0);
        track(&p, MINUTES, 9, 0, ATT_EV_CLICK, 0);
        op(&p, MERGE, CHECK, 0, 0), ARGS(&p, 2);        /* base 0, theirs 1 */
        op(&p, MERGE, 0, 0, 0), ARGS(&p, 1);            /* base 1, theirs 0 */
        op(&p, MERGE, 0, 0, 0), ARGS(&p, 4 | 2);        /* no base */
        op(&p, MERGE, 0, 0, 0), ARGS(&p, 8);            /* no theirs */
        op(&p, SNAPSHOT, 0, 0, 0), ARGS(&p, 0);
        break;
      case 4: /* configuration and catalog changes under a full profile */
        flags = 8;
        op(&p, CONFIGURE, 0, 0, 0), ARGS(&p, 1);
        op(&p, SNAPSHOT, 0, 0, 0), ARGS(&p, 0);
        op(&p, CATALOG, 0, 0, 0), ARGS(&p, 1);
        track(&p, 0, 0, 7, ATT_EV_CLICK, 0);            /* b2, only in the second catalog */
        op(&p, CONFIGURE, 0, 0, 0), ARGS(&p, 0);
        op(&p, CATALOG, 0, 0, 0), ARGS(&p, 0);
        op(&p, RECOMMEND, 0, 0, 0), ARGS(&p, 3);
        op(&p, CONFIGURE, 0, 0, 0), ARGS(&p, 2);
        op(&p, EXPORT, 0, 0, 0), ARGS(&p, 0);
        break;
      case 5: /* allocation failure in calls that change the profile, each checked */
        flags = 8;
        op(&p, TRACK, CHECK | OOM, 0, 2), ARGS(&p, 2, ATT_EV_CLICK + 1, 0, 0, 0, 1);
        op(&p, TRACK, CHECK | OOM, 0, 1), ARGS(&p, 3, ATT_EV_DISMISS + 1, 0, 0, 0, 0);
        op(&p, BLOCK, CHECK | OOM, 0, 0), ARGS(&p, 2, 2, 1);
        op(&p, TRAITS, CHECK | OOM, 0, 1), ARGS(&p, 1);
        op(&p, CONFIGURE, CHECK | OOM, 0, 3), ARGS(&p, 1);
        op(&p, CATALOG, CHECK | OOM, 0, 5), ARGS(&p, 1);
        op(&p, SAVE, 0, 0, 0), ARGS(&p, 0);
        op(&p, MERGE, CHECK | OOM, 0, 2), ARGS(&p, 0);
        op(&p, RECOMMEND, CHECK | OOM, 0, 2), ARGS(&p, 3);
        op(&p, PAYLOAD, CHECK | OOM, 0, 1), ARGS(&p, 0, 9);
        op(&p, SNAPSHOT, OOM, 0, 1), ARGS(&p, 1);
        op(&p, EXPORT, OOM, 0, 4), ARGS(&p, 1);
        break;
      case 6: /* refused calls must change nothing */
        flags = 8;
        op(&p, TRACK, CHECK, 0, 0), ARGS(&p, 8, 2, 0, 0, 0, 0);     /* unknown item */
        op(&p, TRACK, CHECK, 0, 0), ARGS(&p, 0, 0, 0, 0, 0, 0);     /* type -1 */
        op(&p, TRACK, CHECK, 0, 0), ARGS(&p, 0, 2, 4, 0, 0, 0);     /* a day in the future */
        op(&p, TRACK, CHECK, 0, 0), ARGS(&p, 0, 2, 0, 6, 0, 0);     /* value -1 */
        op(&p, TRACK, CHECK, 0, 0), ARGS(&p, 0, 2, 0, 0, 5, 0, 0);  /* event id -1 */
        op(&p, TRACK, CHECK, 0, 0), ARGS(&p, 0, 2, 0, 0, 0, 6);     /* undeclared context key */
        op(&p, RECOMMEND, CHECK, 0, 0), ARGS(&p, 6);                /* k 2.5 */
        op(&p, EXPLAIN, CHECK, 0, 0), ARGS(&p, 9, 0);               /* empty id */
        op(&p, BLOCK, CHECK, 0, 0), ARGS(&p, 1, 5, 1);              /* unknown tag */
        op(&p, BLOCK, CHECK, 0, 0), ARGS(&p, 3, 0, 1);              /* kind 2 */
        op(&p, TRAITS, CHECK, 0, 0), ARGS(&p, 5);                   /* undeclared trait */
        op(&p, TRAITS, CHECK, 0, 0), ARGS(&p, 4);                   /* usage */
        op(&p, PAYLOAD, CHECK, 0, 0), ARGS(&p, 2);                  /* NaN seed */
        op(&p, LEVEL, CHECK, 0, 0), ARGS(&p, 0);                    /* -1 */
        break;
      case 7: /* the clock: retention, decay, epochs, jumps backwards */
        flags = 8;
        op(&p, PAYLOAD, EIGHTHS, 200, 0), ARGS(&p, 0, 1);
        op(&p, TIME, 0, 0, 0), ARGS(&p, 0x78 + 4 * 19, 0);
        op(&p, RECOMMEND, 0, 0, 0), ARGS(&p, 0);
        op(&p, TIME, 0, 0, 0), ARGS(&p, 0x78 + 4 * 21, 1);
        op(&p, TIME, 0, 0, 0), ARGS(&p, 0x78 - 10, 2);
        track(&p, 0, 0, 0, ATT_EV_VIEW, 3);
        op(&p, TIME, 0, 0, 0), ARGS(&p, 0xf2, 3);           /* the last valid time */
        op(&p, SNAPSHOT, 0, 0, 0), ARGS(&p, 1);
        op(&p, TIME, 0, 0, 0), ARGS(&p, 0xf0, 0);           /* time 0 */
        op(&p, EXPORT, 0, 0, 0), ARGS(&p, 1);
        break;
      default: /* raw arguments: ids at and over the limit, raw text, raw doubles */
        sel = 0x79;
        op(&p, LEVEL, 0, 0, 0), ARGS(&p, 5);
        op(&p, TRACK, CHECK, 0, 0), ARGS(&p, 0xff, 2, 0, 0, 0, 0);
        op(&p, TRACK, CHECK, 0, 0), ARGS(&p, 0xe0, 2, 'a', '1', 2, 0, 0, 0, 0);
        op(&p, TRACK, 0, 0, 0), ARGS(&p, 0, 2, 5, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0, 0); /* at = NaN bits */
        op(&p, RECOMMEND, 0, 0, 0), ARGS(&p, 0xe0, 7, '{', '"', 'k', '"', ':', '5', '}');
        op(&p, EXPLAIN, 0, 0, 0), ARGS(&p, 0xe1, 2, 'a', '2', 0xe0, 12, '{', '"', 'h', 'o', 'u', 'r', '"', ':', '2',
                                      '3', '}', ' ');
        op(&p, BLOCK, 0, 0, 0), ARGS(&p, 2, 0xfe, 1);
        op(&p, SNAPSHOT, 0, 0, 0), ARGS(&p, 0);
        break;
    }
    out("fuzz_events", names[k], sel, flags, p.b, p.n);
  }
}

int main(int argc, char **argv) {
  int i;
  if (argc != 2) {
    fprintf(stderr, "usage: gen_corpus DIR\n");
    return 2;
  }
  root = argv[1];
  if (mkdir(root, 0777) && errno != EEXIST) {
    perror(root);
    return 1;
  }
  make_profiles();
  config_seeds();
  catalog_seeds();
  packed_catalog_seeds();
  snapshot_seeds();
  import_seeds();
  merge_seeds();
  events_seeds();
  for (i = 0; i < P_COUNT; i++) {
    fz_free(&snap[i]);
    fz_free(&expo[i]);
  }
  printf("gen_corpus: wrote %d seeds under %s\n", written, root);
  return 0;
}
