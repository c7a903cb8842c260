/* fuzz.h — what the libFuzzer harnesses share: the fixed configurations and catalogs, a byte
 * reader over the input, `now` values derived from input bytes, result copies, the snapshot
 * header fix-up and the invariant checks.  Everything here is static inline so each harness
 * is one translation unit that uses what it needs.
 *
 * Every harness input starts with two control bytes: a `now` selector (see fz_now) and a
 * flags byte whose meaning each harness documents at its top. */
#ifndef ATT_FUZZ_H
#define ATT_FUZZ_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attune.h"
#include "cJSON.h"

#define FZ_NOW 1700000000000.0
#define FZ_MIN 60000.0
#define FZ_HOUR 3600000.0
#define FZ_DAY 86400000.0
#define FZ_MAX_TIME 8.64e15

/* A broken invariant: say which and abort, so libFuzzer keeps the input as a crash. */
#define FZ_ASSERT(cond, ...)                                                        \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "\nINVARIANT FAILED %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                                 \
      fputc('\n', stderr);                                                          \
      abort();                                                                      \
    }                                                                               \
  } while (0)

/* --- fixed inputs ------------------------------------------------------------------------ */

/* Every feature the ranker and the profile have: traits, segments with boosts, site context
 * keys and rules, label populations, a small history (so trimming happens), a sensitive tag,
 * editorial pins and exclusions. */
#define FZ_CONFIG                                                                                    \
  "{\"traits\":{\"plan\":[\"free\",\"pro\"],\"team\":[\"a\",\"b\",\"c\"]},"                           \
  "\"history\":{\"size\":8,\"retentionDays\":20,\"halfLifeDays\":3},"                                 \
  "\"segments\":[{\"label\":\"pros\",\"when\":{\"plan\":[\"pro\"]},"                                  \
  "\"boost\":{\"tags\":{\"x\":0.5},\"categories\":{\"news\":0.2},\"items\":{\"a3\":1}}},"             \
  "{\"label\":\"busy\",\"when\":{\"usage\":[\"heavy\",\"regular\"],\"team\":[\"a\"]}}],"              \
  "\"context\":{\"keys\":[\"campaign\"],\"rules\":[{\"when\":{\"daypart\":[\"morning\"]},"            \
  "\"boost\":{\"tags\":{\"y\":0.3}}}]},"                                                              \
  "\"label\":{\"populations\":{\"pros\":100,\"general\":1000},\"k\":10,\"epochDays\":2},"             \
  "\"ranking\":{\"maxPerCategory\":2},\"sensitiveTags\":[\"health\"],"                                \
  "\"editorial\":{\"pins\":[{\"item\":\"a4\",\"position\":2},"                                        \
  "{\"item\":\"a5\",\"position\":1,\"segment\":\"pros\"}],\"exclude\":[\"a6\"]}}"

/* A different shape: fewer traits (so stored ones are dropped), another label set, a lower
 * maximum level (so profiles are capped) and a tiny history. */
#define FZ_CONFIG2                                                                                   \
  "{\"privacyLevel\":\"segment\",\"maxPrivacyLevel\":\"contextual\",\"traits\":{\"plan\":[\"pro\"]}," \
  "\"history\":{\"size\":3},\"segments\":[{\"label\":\"p\",\"when\":{\"plan\":[\"pro\"]},"           \
  "\"boost\":{\"tags\":{\"y\":1}}}],\"label\":{\"epsilon\":1},"                                       \
  "\"editorial\":{\"pins\":[{\"item\":\"a2\",\"position\":1}]}}"

/* Every default. */
#define FZ_CONFIG3 "{}"

#define FZ_CATALOG                                                                                   \
  "{\"version\":1,\"dim\":2,\"items\":["                                                              \
  "{\"id\":\"a1\",\"title\":\"One\",\"tags\":[\"x\",\"y\"],\"category\":\"news\",\"popularity\":10,"  \
  "\"publishedAt\":1699000000000,\"vector\":[1,0],\"neighbors\":[[\"a2\",1],[\"a3\",0.5],[\"zz\",1]]}," \
  "{\"id\":\"a2\",\"tags\":[\"y\"],\"category\":\"news\",\"popularity\":50,\"vector\":[0,1],"          \
  "\"neighbors\":[[\"a1\",1]]},"                                                                      \
  "{\"id\":\"a3\",\"tags\":[\"z\"],\"category\":\"sport\",\"popularity\":5,\"vector\":[0.5,0.5]},"     \
  "{\"id\":\"a4\",\"tags\":[\"x\",\"z\"],\"popularity\":1},"                                          \
  "{\"id\":\"a5\",\"tags\":[\"health\"]},"                                                            \
  "{\"id\":\"a6\",\"tags\":[\"y\"],\"category\":\"sport\",\"popularity\":99},"                        \
  "{\"id\":\"b1\",\"tags\":[\"x\"],\"category\":\"c\",\"publishedAt\":1699990000000}]}"

/* Overlaps FZ_CATALOG only partly, so profile entries lose and regain their items. */
#define FZ_CATALOG2                                                                                  \
  "{\"version\":1,\"items\":[{\"id\":\"a1\",\"tags\":[\"q\"],\"popularity\":1},"                      \
  "{\"id\":\"b2\",\"tags\":[\"x\"],\"category\":\"c\",\"neighbors\":[[\"a1\",2]]},"                   \
  "{\"id\":\"a2\",\"title\":\"Two\"}]}"

#define FZ_NCONFIGS 3
#define FZ_NCATALOGS 2
static inline const char *fz_config(int i) {
  static const char *const v[FZ_NCONFIGS] = {FZ_CONFIG, FZ_CONFIG2, FZ_CONFIG3};
  return v[i];
}
static inline const char *fz_catalog(int i) {
  static const char *const v[FZ_NCATALOGS] = {FZ_CATALOG, FZ_CATALOG2};
  return v[i];
}

/* --- reading the input --------------------------------------------------------------------- */

typedef struct fz_in {
  const uint8_t *p;
  size_t n, pos;
} fz_in;

static inline int fz_more(const fz_in *in) { return in->pos < in->n; }
static inline unsigned fz_u8(fz_in *in) { return in->pos < in->n ? in->p[in->pos++] : 0u; }
static inline unsigned fz_u16(fz_in *in) {
  unsigned lo = fz_u8(in);
  return lo | fz_u8(in) << 8;
}
static inline double fz_f64(fz_in *in) {
  uint64_t u = 0;
  double d;
  int i;
  for (i = 0; i < 8; i++) u |= (uint64_t)fz_u8(in) << (8 * i);
  memcpy(&d, &u, sizeof d);
  return d;
}
/* Up to `want` bytes of the input, borrowed; *got says how many there were. */
static inline const char *fz_take(fz_in *in, size_t want, size_t *got) {
  const char *s = (const char *)in->p + in->pos;
  size_t left = in->n - in->pos;
  *got = want < left ? want : left;
  in->pos += *got;
  return s;
}

/* A valid `now`: mostly within ±30 days of FZ_NOW in 6-hour steps (so retention, decay and
 * epochs all come into play), and the edges of the valid range for the top 16 selectors. */
static inline double fz_now(unsigned sel) {
  static const double edge[16] = {0,
                                  1,
                                  FZ_MAX_TIME,
                                  FZ_MAX_TIME - 1,
                                  FZ_DAY - 1,
                                  FZ_DAY,
                                  FZ_NOW + 0.5,
                                  FZ_NOW + 365 * FZ_DAY,
                                  FZ_NOW - 365 * FZ_DAY,
                                  FZ_NOW + 19.5 * FZ_DAY,
                                  FZ_NOW + 20 * FZ_DAY,
                                  FZ_NOW + 20 * FZ_DAY + 1,
                                  FZ_NOW + 30 * FZ_DAY + 1,
                                  1e15,
                                  FZ_NOW - 1,
                                  FZ_NOW};
  sel &= 0xff;
  if (sel >= 0xf0) return edge[sel - 0xf0];
  return FZ_NOW + ((double)sel - 0x78) * 6 * FZ_HOUR;
}

/* --- results -------------------------------------------------------------------------------- */

typedef struct fz_bytes {
  unsigned char *p;
  size_t n;
} fz_bytes;

static inline fz_bytes fz_copy(const void *p, size_t n) {
  fz_bytes b;
  b.n = n;
  b.p = malloc(n + 1);
  if (!b.p) abort();
  if (n) memcpy(b.p, p, n);
  b.p[n] = 0;
  return b;
}
/* n bytes in a block of exactly that size (no terminator), so reading past the length is caught. */
static inline fz_bytes fz_exact(const void *p, size_t n) {
  fz_bytes b;
  b.n = n;
  b.p = malloc(n ? n : 1);
  if (!b.p) abort();
  if (n) memcpy(b.p, p, n);
  return b;
}
static inline fz_bytes fz_result(const att_engine *h) { return fz_copy(att_result(h), att_result_len(h)); }
static inline int fz_same(fz_bytes a, fz_bytes b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }
static inline void fz_free(fz_bytes *b) {
  free(b->p);
  b->p = NULL;
  b->n = 0;
}

/* Every call returns a known code, the handle reports the same code, and a failure says why. */
static inline void fz_check_rc(const att_engine *h, int rc, const char *call) {
  FZ_ASSERT(rc >= ATT_OK && rc <= ATT_E_STATE, "%s returned the unknown code %d", call, rc);
  FZ_ASSERT(att_errcode(h) == rc, "%s returned %d but att_errcode says %d", call, rc, att_errcode(h));
  FZ_ASSERT(memchr(att_errmsg(h), 0, 320) != NULL, "%s: the message is not terminated", call);
  if (rc) FZ_ASSERT(att_errmsg(h)[0] != 0, "%s failed with %d and no message", call, rc);
}

/* The result of a successful att_explain: an object whose contributions' weights, added in the
 * order given, are exactly its score (README: "contributions sum exactly to score").  Returns
 * the score. */
static inline double fz_check_explain(const att_engine *h, const char *id) {
  cJSON *v = cJSON_ParseWithLength((const char *)att_result(h), att_result_len(h)), *c;
  const cJSON *score;
  double sum = 0, d;
  FZ_ASSERT(v && cJSON_IsObject(v), "explain of \"%s\": the result is not a JSON object", id);
  score = cJSON_GetObjectItemCaseSensitive(v, "score");
  FZ_ASSERT(cJSON_IsNumber(score), "explain of \"%s\": the score is not a number: %.*s", id, (int)att_result_len(h),
            (const char *)att_result(h));
  cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(v, "contributions")) {
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(c, "weight");
    FZ_ASSERT(cJSON_IsNumber(w), "explain of \"%s\": a contribution without a numeric weight", id);
    sum += w->valuedouble;
  }
  d = score->valuedouble;
  FZ_ASSERT(sum == d, "explain of \"%s\": the contributions add up to %.17g, the score is %.17g: %.*s", id, sum, d,
            (int)att_result_len(h), (const char *)att_result(h));
  cJSON_Delete(v);
  return d;
}

/* A call that must succeed on valid input. */
#define FZ_OK(h, call)                                                                 \
  do {                                                                                 \
    int fz_rc_ = (call);                                                               \
    fz_check_rc((h), fz_rc_, #call);                                                   \
    FZ_ASSERT(fz_rc_ == ATT_OK, "%s failed (%d): %s", #call, fz_rc_, att_errmsg(h));   \
  } while (0)

static inline fz_bytes fz_snapshot(att_engine *h, double now) {
  FZ_OK(h, att_snapshot(h, now));
  FZ_ASSERT(att_result_len(h) >= 16, "a snapshot of %zu bytes", att_result_len(h));
  return fz_result(h);
}

static inline fz_bytes fz_export(att_engine *h, double now) {
  FZ_OK(h, att_export(h, now));
  return fz_result(h);
}

/* An engine with one of the fixed configurations and (cat >= 0) catalogs. */
static inline att_engine *fz_engine(int cfg, int cat) {
  att_engine *h = att_new();
  if (!h) abort();
  FZ_OK(h, att_configure(h, fz_config(cfg), strlen(fz_config(cfg)), FZ_NOW));
  if (cat >= 0) FZ_OK(h, att_load_catalog(h, fz_catalog(cat), strlen(fz_catalog(cat)), FZ_NOW));
  att_take_dirty(h);
  return h;
}

/* Something in every part of the profile (FZ_CONFIG and FZ_CATALOG), over several days: traits,
 * activity, history with context buckets, a dismissal, impressions and a click credited to a
 * list position, blocks, and a memoised server label. */
static inline void fz_fill(att_engine *h) {
  static const char ctx[] = "{\"daypart\":\"morning\",\"device\":\"mobile\",\"campaign\":\"spring\"}";
  double t = FZ_NOW - 6 * FZ_DAY;
  FZ_OK(h, att_set_level(h, ATT_LEVEL_INDIVIDUAL, t));
  FZ_OK(h, att_set_traits(h, "{\"plan\":\"pro\",\"team\":\"a\"}", 25, t));
  FZ_OK(h, att_track(h, "a1", 2, ATT_EV_VIEW, NAN, NAN, 1, ctx, sizeof ctx - 1, t));
  FZ_OK(h, att_track(h, "a3", 2, ATT_EV_LIKE, NAN, 2.5, 2, NULL, 0, t + FZ_DAY));
  FZ_OK(h, att_track(h, "a5", 2, ATT_EV_CLICK, NAN, NAN, 3, NULL, 0, t + 2 * FZ_DAY)); /* sensitive */
  FZ_OK(h, att_recommend(h, "{\"k\":3}", 7, t + 3 * FZ_DAY));
  FZ_OK(h, att_track(h, "a2", 2, ATT_EV_IMPRESSION, NAN, NAN, 4, NULL, 0, t + 3 * FZ_DAY));
  FZ_OK(h, att_track(h, "a2", 2, ATT_EV_CLICK, NAN, NAN, 5, ctx, sizeof ctx - 1, t + 3 * FZ_DAY));
  FZ_OK(h, att_track(h, "a4", 2, ATT_EV_DISMISS, NAN, NAN, 6, NULL, 0, t + 4 * FZ_DAY));
  FZ_OK(h, att_track(h, "b1", 2, ATT_EV_PURCHASE, t + 4 * FZ_DAY - FZ_HOUR, 3, 7, NULL, 0, t + 4 * FZ_DAY));
  FZ_OK(h, att_block(h, 0, "z", 1, 1, t + 5 * FZ_DAY));
  FZ_OK(h, att_block(h, 1, "a6", 2, 1, t + 5 * FZ_DAY));
  FZ_OK(h, att_server_payload(h, 9, t + 5 * FZ_DAY));
  FZ_OK(h, att_track(h, "a1", 2, ATT_EV_SHARE, NAN, NAN, 8, NULL, 0, FZ_NOW));
  att_take_dirty(h);
}

/* --- snapshot header ------------------------------------------------------------------------ */

static inline uint32_t fz_crc32(const unsigned char *p, size_t n) {
  uint32_t c = 0xffffffffu;
  size_t i;
  int k;
  for (i = 0; i < n; i++) {
    c ^= p[i];
    for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

static inline void fz_put_u32(unsigned char *p, uint32_t v) {
  int i;
  for (i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Makes the header's length and checksum match the payload, so mutations reach the sections
 * instead of stopping at the checksum. */
static inline void fz_fix_header(unsigned char *b, size_t n) {
  if (n < 16 || n - 16 > 0xffffffffu) return;
  fz_put_u32(b + 8, (uint32_t)(n - 16));
  fz_put_u32(b + 12, fz_crc32(b + 16, n - 16));
}

#endif
