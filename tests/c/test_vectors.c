/* test_vectors.c — int8 item vectors (config model.vectors): every component within half a
 * quantisation step, the memory it saves, one store from JSON and packed catalogs alike,
 * rankings that stay close to float32's with explanations that still add up exactly, float32
 * unchanged, and the config key's validation.
 *
 * The stated tolerance (README "Configuration"): on a seeded catalog of 3,000 items with 32-d
 * clustered vectors at level individual, the int8 top 10 shares at least 9 of 10 items with the
 * float32 top 10 on average, and every score int8 returns is within INT8_SCORE_TOLERANCE of the
 * float32 score of the same item.  Only the model signal reads vectors, so the difference is
 * w_model x learned weight x confidence x (the change in a cosine): at the default weights,
 * below 0.01. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attune.h"
#include "catalog.h"
#include "check.h"
#include "core.h"
#include "json.h"
#include "tests.h"

#define NOW 1700000000000.0 /* 2023-11-14T22:13:20Z */
#define HOUR_MS 3600000.0
#define DIM 32
#define NITEMS 3000
#define NCLUSTERS 12
#define NTAGS 40
#define NCATS 8
#define NUSERS 60
#define INT8_SCORE_TOLERANCE 0.01

/* A text argument and its length. */
#define TXT(s) s, strlen(s)

extern long att__alloc_countdown;

/* --- a seeded catalog ----------------------------------------------------------------------- */

static uint32_t vt_rng = 1;

/* xorshift32: the same catalog and histories on every machine. */
static uint32_t vt_next(void) {
  vt_rng ^= vt_rng << 13;
  vt_rng ^= vt_rng >> 17;
  vt_rng ^= vt_rng << 5;
  return vt_rng;
}
static double vt_unif(void) { return vt_next() / 4294967296.0; }

typedef struct vt_item {
  int cluster, ntags, tags[3], cat, has_vec;
  double pop;
  float vec[DIM];
} vt_item;

/* Items in NCLUSTERS clusters of nearby vectors (so a taste vector separates them), a few
 * without a vector, one all-zero vector, one dominated by a single huge component and one of
 * tiny values. */
static vt_item *vt_items(void) {
  static float centre[NCLUSTERS][DIM];
  vt_item *it = calloc(NITEMS, sizeof *it);
  int i, k, c;
  vt_rng = 20240601;
  for (c = 0; c < NCLUSTERS; c++)
    for (k = 0; k < DIM; k++) centre[c][k] = (float)(vt_unif() * 2 - 1);
  for (i = 0; it && i < NITEMS; i++) {
    vt_item *x = &it[i];
    x->cluster = (int)(vt_next() % NCLUSTERS);
    x->ntags = 1 + (int)(vt_next() % 3);
    for (k = 0; k < x->ntags; k++) x->tags[k] = (int)(vt_next() % NTAGS);
    x->cat = (int)(vt_next() % NCATS);
    x->pop = floor(vt_unif() * 10000);
    x->has_vec = i % 50 != 7;
    for (k = 0; k < DIM; k++) x->vec[k] = x->has_vec ? (float)(centre[x->cluster][k] + 0.6 * (vt_unif() * 2 - 1)) : 0;
  }
  if (it) {
    memset(it[1].vec, 0, sizeof it[1].vec);
    for (k = 0; k < DIM; k++) it[2].vec[k] = k == 5 ? -1e6f : (float)(vt_unif() - 0.5);
    for (k = 0; k < DIM; k++) it[3].vec[k] = (float)((vt_unif() - 0.5) * 1e-30);
  }
  return it;
}

typedef struct vt_text {
  char *p;
  size_t n, cap;
} vt_text;

static void vt_printf(vt_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void vt_printf(vt_text *t, const char *fmt, ...) {
  va_list ap;
  int len;
  va_start(ap, fmt);
  len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (t->n + (size_t)len + 1 > t->cap) {
    t->cap = (t->n + (size_t)len + 1) * 2;
    t->p = realloc(t->p, t->cap);
    if (!t->p) abort();
  }
  va_start(ap, fmt);
  vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
  va_end(ap);
  t->n += (size_t)len;
}

/* The catalog as JSON; %.9g reads back to the same float. */
static char *vt_json(const vt_item *it) {
  vt_text t = {NULL, 0, 0};
  int i, k;
  vt_printf(&t, "{\"version\":1,\"dim\":%d,\"items\":[", DIM);
  for (i = 0; i < NITEMS; i++) {
    vt_printf(&t, "%s{\"id\":\"v%d\",\"tags\":[", i ? "," : "", i);
    for (k = 0; k < it[i].ntags; k++) vt_printf(&t, "%s\"t%d\"", k ? "," : "", it[i].tags[k]);
    vt_printf(&t, "],\"category\":\"c%d\",\"popularity\":%g", it[i].cat, it[i].pop);
    if (it[i].has_vec) {
      vt_printf(&t, ",\"vector\":[");
      for (k = 0; k < DIM; k++) vt_printf(&t, "%s%.9g", k ? "," : "", (double)it[i].vec[k]);
      vt_printf(&t, "]");
    }
    vt_printf(&t, "}");
  }
  vt_printf(&t, "]}");
  return t.p;
}

static void vt_bytes(vt_text *t, const void *p, size_t n) {
  if (t->n + n > t->cap) {
    t->cap = (t->n + n) * 2;
    t->p = realloc(t->p, t->cap);
    if (!t->p) abort();
  }
  memcpy(t->p + t->n, p, n);
  t->n += n;
}
static void vt_u8(vt_text *t, unsigned v) {
  unsigned char b = (unsigned char)v;
  vt_bytes(t, &b, 1);
}
static void vt_u16(vt_text *t, unsigned v) {
  vt_u8(t, v & 0xff);
  vt_u8(t, v >> 8 & 0xff);
}
static void vt_u32(vt_text *t, uint32_t v) {
  vt_u16(t, v & 0xffff);
  vt_u16(t, v >> 16);
}
static void vt_f64(vt_text *t, double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  vt_u32(t, (uint32_t)u);
  vt_u32(t, (uint32_t)(u >> 32));
}
static void vt_str(vt_text *t, const char *s) {
  vt_u16(t, (unsigned)strlen(s));
  vt_bytes(t, s, strlen(s));
}

/* The same catalog in the packed binary form (catalog.h); strings: ids, then tags, then
 * categories. */
static vt_text vt_packed(const vt_item *it) {
  vt_text p = {NULL, 0, 0}, out = {NULL, 0, 0};
  char s[32];
  int i, k;
  vt_u32(&p, NITEMS);
  vt_u32(&p, DIM);
  vt_u32(&p, NITEMS + NTAGS + NCATS);
  for (i = 0; i < NITEMS; i++) {
    snprintf(s, sizeof s, "v%d", i);
    vt_str(&p, s);
  }
  for (i = 0; i < NTAGS; i++) {
    snprintf(s, sizeof s, "t%d", i);
    vt_str(&p, s);
  }
  for (i = 0; i < NCATS; i++) {
    snprintf(s, sizeof s, "c%d", i);
    vt_str(&p, s);
  }
  for (i = 0; i < NITEMS; i++) {
    vt_u32(&p, (uint32_t)i);
    vt_u8(&p, (unsigned)it[i].ntags);
    for (k = 0; k < it[i].ntags; k++) vt_u32(&p, (uint32_t)(NITEMS + it[i].tags[k]));
    vt_u32(&p, (uint32_t)(NITEMS + NTAGS + it[i].cat));
    vt_u32(&p, ATT_CATALOG_NONE);
    vt_f64(&p, it[i].pop);
    vt_f64(&p, NAN);
    vt_u8(&p, (unsigned)it[i].has_vec);
    if (it[i].has_vec) vt_bytes(&p, it[i].vec, sizeof it[i].vec); /* little-endian, as the format */
    vt_u8(&p, 0);
  }
  vt_bytes(&out, ATT_CATALOG_MAGIC, 4);
  vt_u16(&out, ATT_CATALOG_PACK_VERSION);
  vt_u16(&out, 0);
  vt_u32(&out, (uint32_t)p.n);
  vt_u32(&out, att__crc32((const unsigned char *)p.p, p.n));
  vt_bytes(&out, p.p, p.n);
  free(p.p);
  return out;
}

static att__catalog *vt_parse(const char *json, int vectors) {
  att__catalog *c = NULL;
  att__err e;
  memset(&e, 0, sizeof e);
  CHECK_MSG(att__catalog_parse(&e, json, strlen(json), vectors, &c) == ATT_OK, "catalog: %s", e.msg);
  return c;
}

/* --- the store ------------------------------------------------------------------------------ */

static void components_are_within_half_a_step(const vt_item *it, const att__catalog *c) {
  uint32_t i, k, bad = 0, wrong_scale = 0, no_full_step = 0, wrong_row = 0;
  float row[ATT_MAX_DIM];
  for (i = 0; i < c->n; i++) {
    float m = 0, s = c->vscale[i];
    const float *y;
    int full = 0;
    for (k = 0; k < DIM; k++)
      if (fabsf(it[i].vec[k]) > m) m = fabsf(it[i].vec[k]);
    if (s != m / 127.0f) wrong_scale++;
    for (k = 0; k < DIM; k++) {
      int8_t q = c->vq[(size_t)i * DIM + k];
      /* q = round(y / scale) computed in double: within half a step up to that division's rounding */
      if (!(fabs((double)it[i].vec[k] - (double)q * s) <= s * (0.5 + 1e-12))) bad++;
      if (q == 127 || q == -127) full = 1;
    }
    if (m > 0 && !full) no_full_step++;
    y = att__catalog_vec(c, i, row);
    for (k = 0; k < DIM; k++)
      if (y[k] != (float)c->vq[(size_t)i * DIM + k] * s) wrong_row++;
  }
  CHECK_MSG(bad == 0, "%u components are more than scale / 2 from their float", bad);
  CHECK_MSG(wrong_scale == 0, "%u items have a scale other than max|y| / 127", wrong_scale);
  CHECK_MSG(no_full_step == 0, "%u items do not use the full int8 range", no_full_step);
  CHECK_MSG(wrong_row == 0, "%u dequantised components differ from q * scale", wrong_row);
  /* no vector, and an all-zero one: zero rows with scale 0 */
  CHECK(!it[7].has_vec && c->vscale[7] == 0 && c->vscale[1] == 0);
  for (k = 0; k < DIM; k++) CHECK(c->vq[7 * DIM + k] == 0 && c->vq[1 * DIM + k] == 0);
  /* the huge component takes the full range; the small ones round to zero */
  CHECK(c->vq[2 * DIM + 5] == -127 && c->vscale[2] == 1e6f / 127.0f);
  /* tiny values keep their shape */
  CHECK(c->vscale[3] > 0);
}

static void the_int8_store(void) {
  vt_item *it = vt_items();
  char *json = it ? vt_json(it) : NULL;
  vt_text packed;
  att__catalog *f, *q, *qp = NULL;
  att__err e;
  size_t n = NITEMS;
  if (!json) return;
  f = vt_parse(json, ATT_VEC_F32);
  q = vt_parse(json, ATT_VEC_I8);
  packed = vt_packed(it);
  memset(&e, 0, sizeof e);
  CHECK_MSG(att__catalog_load_packed(&e, (const unsigned char *)packed.p, packed.n, ATT_VEC_I8, &qp) == ATT_OK,
            "packed: %s", e.msg);
  if (f && q && qp) {
    CHECK(f->vec_kind == ATT_VEC_F32 && f->vec && !f->vq && !f->vscale);
    CHECK(q->vec_kind == ATT_VEC_I8 && !q->vec && q->vq && q->vscale);
    components_are_within_half_a_step(it, q);
    /* dim bytes and one float scale per item instead of dim floats: 36 B instead of 128 B */
    CHECK_MSG(att__catalog_bytes(f) - att__catalog_bytes(q) == n * (4 * DIM - (DIM + 4)), "%zu vs %zu bytes",
              att__catalog_bytes(f), att__catalog_bytes(q));
    /* one builder: the packed form quantises to the same bytes */
    CHECK(memcmp(q->vq, qp->vq, n * DIM) == 0);
    CHECK(memcmp(q->vscale, qp->vscale, n * sizeof *q->vscale) == 0);
  }
  att__catalog_free(f);
  att__catalog_free(q);
  att__catalog_free(qp);
  free(packed.p);
  free(json);
  free(it);
}

/* --- through the engine ------------------------------------------------------------------- */

static att_engine *vt_engine(const char *config, const char *catalog, size_t len) {
  att_engine *h = att_new();
  if (!h) return NULL;
  CHECK_MSG(att_configure(h, config, strlen(config), NOW) == ATT_OK, "configure: %s", att_errmsg(h));
  CHECK_MSG(att_load_catalog(h, catalog, len, NOW) == ATT_OK, "catalog: %s", att_errmsg(h));
  return h;
}

static char *vt_result(const att_engine *h) {
  char *s = malloc(att_result_len(h) + 1);
  if (!s) abort();
  memcpy(s, att_result(h), att_result_len(h));
  s[att_result_len(h)] = 0;
  return s;
}

/* The catalog-load result's "bytes". */
static double vt_catalog_bytes(const att_engine *h) {
  att__err e;
  att__jv *v = att__json_parse(&e, "result", (const char *)att_result(h), att_result_len(h));
  double b = v ? att__jv_num(att__jv_get(v, "bytes")) : -1;
  att__json_free(v);
  return b;
}

typedef struct vt_list {
  int n;
  char id[10][16];
  double score[10];
} vt_list;

static vt_list vt_recommend(att_engine *h) {
  vt_list l;
  att__err e;
  att__jv *v, *x;
  memset(&l, 0, sizeof l);
  CHECK_MSG(att_recommend(h, TXT("{\"k\":10}"), NOW) == ATT_OK, "recommend: %s", att_errmsg(h));
  v = att__json_parse(&e, "result", (const char *)att_result(h), att_result_len(h));
  for (x = att__jv_first(v); x && l.n < 10; x = att__jv_next(x), l.n++) {
    snprintf(l.id[l.n], sizeof l.id[0], "%s", att__jv_str(att__jv_get(x, "id"), NULL));
    l.score[l.n] = att__jv_num(att__jv_get(x, "score"));
  }
  att__json_free(v);
  return l;
}

/* Explains `id`: returns its score; *sum gets the contributions added in order. */
static double vt_explain(att_engine *h, const char *id, double *sum) {
  att__err e;
  att__jv *v, *c;
  double score;
  *sum = NAN;
  if (att_explain(h, id, strlen(id), NULL, 0, NOW) != ATT_OK) {
    CHECK_MSG(0, "explain %s: %s", id, att_errmsg(h));
    return NAN;
  }
  v = att__json_parse(&e, "result", (const char *)att_result(h), att_result_len(h));
  score = att__jv_num(att__jv_get(v, "score"));
  *sum = 0;
  for (c = att__jv_first(att__jv_get(v, "contributions")); c; c = att__jv_next(c))
    *sum += att__jv_num(att__jv_get(c, "weight"));
  att__json_free(v);
  return score;
}

/* A user who likes one or two clusters: 12 interactions with their items over the last hours. */
static void vt_history(att_engine *const *hs, int nh, int user, const vt_item *it) {
  static const int types[] = {ATT_EV_VIEW, ATT_EV_CLICK, ATT_EV_CLICK, ATT_EV_LIKE};
  int c1 = user % NCLUSTERS, c2 = (user * 7 + 3) % NCLUSTERS, j, k;
  vt_rng = 1000u + (uint32_t)user * 7919u;
  for (j = 0; j < 12; j++) {
    int want = user % 3 == 0 || j % 3 ? c1 : c2, i;
    char id[16];
    do i = (int)(vt_next() % NITEMS);
    while (it[i].cluster != want || !it[i].has_vec);
    snprintf(id, sizeof id, "v%d", i);
    for (k = 0; k < nh; k++) {
      int rc = att_track(hs[k], id, strlen(id), types[j % 4], NOW - (12 - j) * HOUR_MS, NAN, 1 + user * 100 + j, NULL,
                         0, NOW);
      CHECK_MSG(rc == ATT_OK, "track %s: %s", id, att_errmsg(hs[k]));
    }
  }
}

static void int8_ranks_like_float32(void) {
  static const char cfg_f[] = "{\"privacyLevel\":\"individual\",\"ranking\":{\"exploration\":0}}";
  static const char cfg_q[] = "{\"privacyLevel\":\"individual\",\"ranking\":{\"exploration\":0},"
                              "\"model\":{\"vectors\":\"int8\"}}";
  vt_item *it = vt_items();
  char *json = it ? vt_json(it) : NULL;
  att_engine *h[2];
  int user, overlap = 0, not_adding_up = 0, not_reported = 0, lists = 0;
  double worst = 0, bytes_f, bytes_q;
  if (!json) return;
  h[0] = vt_engine(cfg_f, json, strlen(json));
  bytes_f = vt_catalog_bytes(h[0]);
  h[1] = vt_engine(cfg_q, json, strlen(json));
  bytes_q = vt_catalog_bytes(h[1]);
  CHECK_MSG(bytes_f - bytes_q == NITEMS * (4.0 * DIM - (DIM + 4)), "catalogInfo bytes %g vs %g", bytes_f, bytes_q);
  for (user = 0; user < NUSERS && h[0] && h[1]; user++) {
    vt_list f, q;
    int i, j;
    CHECK(att_forget(h[0]) == ATT_OK && att_forget(h[1]) == ATT_OK);
    vt_history(h, 2, user, it);
    f = vt_recommend(h[0]);
    q = vt_recommend(h[1]);
    if (f.n != 10 || q.n != 10) continue;
    lists++;
    for (i = 0; i < 10; i++)
      for (j = 0; j < 10; j++)
        if (strcmp(q.id[i], f.id[j]) == 0) overlap++;
    for (i = 0; i < 10; i++) {
      double sum, fs = vt_explain(h[0], q.id[i], &sum), qs = vt_explain(h[1], q.id[i], &sum);
      if (fabs(qs - fs) > worst) worst = fabs(qs - fs);
      if (sum != qs) not_adding_up++; /* exactly, to the last bit */
      if (qs != q.score[i]) not_reported++;
    }
  }
  CHECK_MSG(lists == NUSERS, "only %d of %d users got full lists", lists, NUSERS);
  CHECK_MSG(overlap >= 9 * lists, "int8 and float32 top 10 share %.2f items on average", (double)overlap / lists);
  CHECK_MSG(worst <= INT8_SCORE_TOLERANCE, "an int8 score is %g from its float32 score", worst);
  CHECK_MSG(not_adding_up == 0, "%d int8 explanations do not add up to their score", not_adding_up);
  CHECK_MSG(not_reported == 0, "%d int8 explanations differ from the score recommend reported", not_reported);
  if (getenv("ATT_VERBOSE"))
    fprintf(stderr, "int8 vs float32: top-10 overlap %.3f, worst score difference %.3g\n", (double)overlap / lists,
            worst);
  att_free(h[0]);
  att_free(h[1]);
  free(json);
  free(it);
}

/* "float32" is the default, bit for bit: loading, ranking and explaining. */
static void float32_is_the_default(void) {
  vt_item *it = vt_items();
  char *json = it ? vt_json(it) : NULL;
  att_engine *h[2];
  char *a, *b;
  int k;
  if (!json) return;
  h[0] = vt_engine("{\"privacyLevel\":\"individual\"}", json, strlen(json));
  a = vt_result(h[0]);
  h[1] = vt_engine("{\"privacyLevel\":\"individual\",\"model\":{\"vectors\":\"float32\"}}", json, strlen(json));
  b = vt_result(h[1]);
  CHECK_MSG(strcmp(a, b) == 0, "catalog info differs: %s vs %s", a, b);
  free(a);
  free(b);
  if (h[0] && h[1]) {
    vt_history(h, 2, 5, it);
    for (k = 0; k < 2; k++) {
      if (k == 0) {
        CHECK(att_recommend(h[0], TXT("{\"k\":30,\"seed\":3}"), NOW) == ATT_OK);
        a = vt_result(h[0]);
        CHECK(att_recommend(h[1], TXT("{\"k\":30,\"seed\":3}"), NOW) == ATT_OK);
      } else {
        CHECK(att_explain(h[0], "v10", 3, NULL, 0, NOW) == ATT_OK);
        a = vt_result(h[0]);
        CHECK(att_explain(h[1], "v10", 3, NULL, 0, NOW) == ATT_OK);
      }
      b = vt_result(h[1]);
      CHECK_MSG(strcmp(a, b) == 0, "float32 differs from the default:\n%.300s\n%.300s", a, b);
      free(a);
      free(b);
    }
  }
  att_free(h[0]);
  att_free(h[1]);
  free(json);
  free(it);
}

static void the_config_key_is_validated(void) {
  static const char *const bad[] = {"{\"model\":{\"vectors\":\"int4\"}}", "{\"model\":{\"vectors\":8}}",
                                    "{\"model\":{\"vectors\":\"INT8\"}}", "{\"model\":{\"vectors\":null}}",
                                    "{\"model\":{\"vectors\":\"\"}}"};
  att_engine *h = att_new();
  size_t i;
  char *s;
  if (!h) return;
  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    int rc = att_configure(h, bad[i], strlen(bad[i]), NOW);
    CHECK_MSG(rc == ATT_E_CONFIG, "%s: got %d", bad[i], rc);
    CHECK_MSG(strstr(att_errmsg(h), "config.model.vectors") != NULL, "%s: %s", bad[i], att_errmsg(h));
  }
  CHECK(att_configure(h, TXT("{}"), NOW) == ATT_OK);
  s = vt_result(h);
  CHECK_MSG(strstr(s, "\"vectors\":\"float32\"") != NULL, "%s", s);
  free(s);
  CHECK(att_configure(h, TXT("{\"model\":{\"vectors\":\"int8\"}}"), NOW) == ATT_OK);
  s = vt_result(h);
  CHECK_MSG(strstr(s, "\"vectors\":\"int8\"") != NULL, "%s", s);
  /* the normalised form reads back to itself */
  CHECK(att_configure(h, s, strlen(s), NOW) == ATT_OK);
  {
    char *s2 = vt_result(h);
    CHECK(strcmp(s, s2) == 0);
    free(s2);
  }
  free(s);
  att_free(h);
}

/* A loaded catalog keeps how it holds its vectors until it is loaded again. */
static void the_setting_applies_when_a_catalog_is_loaded(void) {
  static const char cat[] = "{\"version\":1,\"dim\":4,\"items\":[{\"id\":\"a\",\"vector\":[1,0.5,0.25,0.125]},"
                            "{\"id\":\"b\",\"vector\":[0.3,1,0,0]},{\"id\":\"c\"}]}";
  att_engine *h = vt_engine("{\"privacyLevel\":\"individual\"}", cat, strlen(cat));
  double f, q;
  char *before, *after;
  if (!h) return;
  f = vt_catalog_bytes(h);
  CHECK(att_track(h, "a", 1, ATT_EV_CLICK, NAN, NAN, 1, NULL, 0, NOW) == ATT_OK);
  CHECK(att_recommend(h, TXT("{\"k\":3,\"seed\":1}"), NOW) == ATT_OK);
  before = vt_result(h);
  CHECK(att_configure(h, TXT("{\"privacyLevel\":\"individual\",\"model\":{\"vectors\":\"int8\"}}"), NOW) == ATT_OK);
  CHECK(att_recommend(h, TXT("{\"k\":3,\"seed\":1}"), NOW) == ATT_OK);
  after = vt_result(h);
  CHECK_MSG(strcmp(before, after) == 0, "%s\n%s", before, after);
  CHECK(att_load_catalog(h, cat, strlen(cat), NOW) == ATT_OK);
  q = vt_catalog_bytes(h);
  CHECK_MSG(f - q == 3 * (4 * 4 - (4 + 4)), "%g vs %g bytes", f, q);
  CHECK(att_recommend(h, TXT("{\"k\":3,\"seed\":1}"), NOW) == ATT_OK); /* the click was kept */
  free(before);
  free(after);
  att_free(h);
}

/* Loading an int8 catalog fails cleanly at every allocation: out_of_memory, the old catalog
 * still in place, nothing leaked (LeakSanitizer and valgrind watch this suite). */
static void int8_loading_survives_allocation_failure(void) {
  static const char cat[] = "{\"version\":1,\"dim\":3,\"items\":[{\"id\":\"a\",\"vector\":[1,2,3]},"
                            "{\"id\":\"b\",\"vector\":[-3,0.5,0]},{\"id\":\"c\"},{\"id\":\"d\",\"vector\":[0,0,0]}]}";
  static const char old[] = "{\"version\":1,\"items\":[{\"id\":\"x\"}]}";
  att_engine *h = vt_engine("{\"model\":{\"vectors\":\"int8\"}}", old, strlen(old));
  long n;
  int rc = -1, failures = 0, bad = 0;
  if (!h) return;
  for (n = 0; n < 100000; n++) {
    att__alloc_countdown = n;
    rc = att_load_catalog(h, cat, strlen(cat), NOW);
    att__alloc_countdown = -1;
    if (rc == ATT_OK) break;
    failures++;
    if (rc != ATT_E_NOMEM || att_explain(h, "x", 1, NULL, 0, NOW) != ATT_OK) bad++;
  }
  CHECK(rc == ATT_OK && failures > 0);
  CHECK_MSG(bad == 0, "%d failed loads did not fail cleanly", bad);
  CHECK(att_explain(h, "b", 1, NULL, 0, NOW) == ATT_OK);
  att_free(h);
}

void test_vectors(void) {
  the_int8_store();
  int8_ranks_like_float32();
  float32_is_the_default();
  the_config_key_is_validated();
  the_setting_applies_when_a_catalog_is_loaded();
  int8_loading_survives_allocation_failure();
}
