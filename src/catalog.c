/* catalog.c — the catalog in struct-of-arrays form, built from JSON or from the compact binary
 * catalog.  Both readers feed one builder, so every rule (limits, types, duplicate ids, vector
 * length) is checked in one place with the same messages. */
#include "catalog.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "linalg.h"

/* A neighbor given by item position in a binary catalog rather than by id. */
#define ATT__NB_BY_INDEX 0x80000000u

typedef struct att__catbuild {
  att__err *e;
  att__catalog *c;
  size_t cap_items;     /* capacity of every per-item array */
  size_t cap_tags, cap_nb;
  size_t ntag_ids, nnb;
  att__strtab pend;     /* neighbor ids, resolved once every item is known */
  uint32_t *nb_pend;    /* per neighbor entry: its id in `pend`, or an item position | ATT__NB_BY_INDEX */
  double *raw_pop;
  double max_pop;
  size_t index;         /* the item being built, for messages */
  const char *id;       /* its id (NUL-terminated, in the id table) */
  float row[ATT_MAX_DIM]; /* an int8 catalog's vector being read, quantised once complete */
} att__catbuild;

static int att__resize(void **p, size_t count, size_t size) {
  void *q;
  if (count > SIZE_MAX / size) return ATT_E_NOMEM;
  q = att__realloc(*p, count * size);
  if (!q) return ATT_E_NOMEM;
  *p = q;
  return ATT_OK;
}

static int att__oom(att__catbuild *b) { return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory"); }

/* Fails naming the item being built by index and, when known, id. */
static int att__cat_bad(att__catbuild *b, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int att__cat_bad(att__catbuild *b, int code, const char *fmt, ...) {
  char q[80], what[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (b->id)
    return att__fail(b->e, code, "catalog.items[%zu] (id \"%s\"): %s", b->index, att__quote(q, sizeof q, b->id, strlen(b->id)),
                     what);
  return att__fail(b->e, code, "catalog.items[%zu]: %s", b->index, what);
}

/* --- the builder ------------------------------------------------------------------------- */

static int att__build_begin(att__catbuild *b, att__err *e, att__catalog *c, int vectors) {
  memset(b, 0, sizeof *b);
  b->e = e;
  b->c = c;
  c->vec_kind = vectors == ATT_VEC_I8 ? ATT_VEC_I8 : ATT_VEC_F32;
  return ATT_OK;
}

static int att__build_dim(att__catbuild *b, double d) {
  if (!(d >= 0 && d <= ATT_MAX_DIM) || d != floor(d))
    return att__fail(b->e, ATT_E_CATALOG, "catalog.dim: expected a whole number from 0 to %d", ATT_MAX_DIM);
  if (b->c->n > 0) return att__fail(b->e, ATT_E_CATALOG, "catalog.dim: must come before the items");
  b->c->dim = (uint32_t)d;
  return ATT_OK;
}

/* Makes room for `want` items in every per-item array (at least one more than now). */
static int att__build_reserve_for(att__catbuild *b, size_t want) {
  att__catalog *c = b->c;
  size_t cap = b->cap_items ? b->cap_items : 64, item = c->n;
  if (want < item + 2) want = item + 2;
  if (want <= b->cap_items) return ATT_OK;
  while (cap < want) cap *= 2;
  if (att__resize((void **)&c->tag_off, cap, sizeof *c->tag_off) ||
      att__resize((void **)&c->nb_off, cap, sizeof *c->nb_off) || att__resize((void **)&c->cat, cap, sizeof *c->cat) ||
      att__resize((void **)&b->raw_pop, cap, sizeof *b->raw_pop) ||
      att__resize((void **)&c->published, cap, sizeof *c->published) ||
      att__resize((void **)&c->title, cap, sizeof *c->title) ||
      (c->dim && c->vec_kind == ATT_VEC_F32 && att__resize((void **)&c->vec, cap * c->dim, sizeof *c->vec)) ||
      (c->dim && c->vec_kind == ATT_VEC_I8 &&
       (att__resize((void **)&c->vq, cap * c->dim, sizeof *c->vq) ||
        att__resize((void **)&c->vscale, cap, sizeof *c->vscale))))
    return ATT_E_NOMEM;
  b->cap_items = cap;
  return ATT_OK;
}

static int att__build_reserve(att__catbuild *b) { return att__build_reserve_for(b, 0); }

/* A non-empty printable string of at most `max` bytes. */
static int att__text_ok(const char *s, size_t n, size_t max) { return n > 0 && n <= max && att__valid_text(s, n); }

/* Starts item `index` with its id. */
static int att__build_item(att__catbuild *b, size_t index, const char *id, size_t n) {
  att__catalog *c = b->c;
  uint32_t sid, item = c->n;
  int added;
  b->index = index;
  b->id = NULL;
  if (c->n >= ATT_MAX_ITEMS) return att__fail(b->e, ATT_E_LIMIT, "catalog.items: more than %d items", ATT_MAX_ITEMS);
  if (!id) return att__cat_bad(b, ATT_E_CATALOG, "missing \"id\"");
  if (!att__text_ok(id, n, ATT_MAX_ID_LEN))
    return att__cat_bad(b, ATT_E_CATALOG, "\"id\" must be a string of 1 to %d bytes of printable text", ATT_MAX_ID_LEN);
  if (att__build_reserve(b) || att__strtab_intern(&c->ids, id, n, &sid, &added)) return att__oom(b);
  b->id = att__strtab_str(&c->ids, sid, NULL);
  if (!added) return att__cat_bad(b, ATT_E_CATALOG, "duplicate id (also item %u)", sid);
  c->tag_off[item] = (uint32_t)b->ntag_ids;
  c->nb_off[item] = (uint32_t)b->nnb;
  c->cat[item] = ATT_NO_CATEGORY;
  c->title[item] = ATT_NO_TITLE;
  c->published[item] = NAN;
  b->raw_pop[item] = 0;
  if (c->dim && c->vec_kind == ATT_VEC_F32) memset(c->vec + (size_t)item * c->dim, 0, c->dim * sizeof *c->vec);
  if (c->dim && c->vec_kind == ATT_VEC_I8) {
    memset(c->vq + (size_t)item * c->dim, 0, c->dim * sizeof *c->vq);
    c->vscale[item] = 0;
  }
  c->n++;
  return ATT_OK;
}

/* Allocates room for `total` tags in all (a packed catalog says how many there are). */
static int att__build_tags_reserve_total(att__catbuild *b, size_t total) {
  if (total <= b->cap_tags) return ATT_OK;
  if (att__resize((void **)&b->c->tag_ids, total, sizeof *b->c->tag_ids)) return att__oom(b);
  b->cap_tags = total;
  return ATT_OK;
}

/* A capacity of at least `need`, doubling from `cap` (from 1024), so that adding items one
 * at a time costs amortised constant time. */
static size_t att__grown(size_t cap, size_t need) {
  if (need <= cap) return cap;
  cap = cap ? cap * 2 : 1024;
  while (cap < need) cap *= 2;
  return cap;
}

/* Makes room for `more` tags of the current item. */
static int att__build_tags_reserve(att__catbuild *b, size_t more) {
  if (more > ATT_MAX_ITEM_TAGS) return att__cat_bad(b, ATT_E_LIMIT, "more than %d tags", ATT_MAX_ITEM_TAGS);
  return att__build_tags_reserve_total(b, att__grown(b->cap_tags, b->ntag_ids + more));
}

/* Adds tag id `tid` to the current item, keeping its tags sorted by id (so similarity can
 * merge two lists) and counting a repeated tag once. */
static void att__build_tag_id(att__catbuild *b, uint16_t tid) {
  uint16_t *t = b->c->tag_ids;
  size_t j = b->ntag_ids, start = b->c->tag_off[b->c->n - 1], k;
  while (j > start && t[j - 1] > tid) j--;
  if (j > start && t[j - 1] == tid) return;
  for (k = b->ntag_ids; k > j; k--) t[k] = t[k - 1]; /* usually none: packed tags come in order */
  t[j] = tid;
  b->ntag_ids++;
}

/* Interns a tag (or category) name; `k` (the position) is for messages. */
static int att__build_intern(att__catbuild *b, att__strtab *t, const char *what, size_t k, const char *s, size_t n,
                             uint16_t *out) {
  uint32_t id;
  if (!s || !att__text_ok(s, n, ATT_MAX_TAG_LEN)) {
    if (k == (size_t)-1)
      return att__cat_bad(b, ATT_E_CATALOG, "\"%s\" must be a string of 1 to %d bytes of printable text", what,
                          ATT_MAX_TAG_LEN);
    return att__cat_bad(b, ATT_E_CATALOG, "%s[%zu] must be a string of 1 to %d bytes of printable text", what, k,
                        ATT_MAX_TAG_LEN);
  }
  if (att__strtab_intern(t, s, n, &id, NULL)) return att__oom(b);
  if (id >= ATT_MAX_TAGS)
    return att__cat_bad(b, ATT_E_LIMIT, "the catalog has more than %d distinct %s", ATT_MAX_TAGS,
                        t == &b->c->tags ? "tags" : "categories");
  *out = (uint16_t)id;
  return ATT_OK;
}

static int att__build_category(att__catbuild *b, const char *s, size_t n) {
  return att__build_intern(b, &b->c->cats, "category", (size_t)-1, s, n, &b->c->cat[b->c->n - 1]);
}

static int att__build_title(att__catbuild *b, const char *s, size_t n) {
  if (!s || !att__text_ok(s, n, ATT_MAX_TITLE_LEN))
    return att__cat_bad(b, ATT_E_CATALOG, "\"title\" must be a string of 1 to %d bytes of printable text",
                        ATT_MAX_TITLE_LEN);
  if (att__strtab_intern(&b->c->titles, s, n, &b->c->title[b->c->n - 1], NULL)) return att__oom(b);
  return ATT_OK;
}

static int att__build_popularity(att__catbuild *b, double d) {
  if (!(d >= 0 && d <= 1e15)) return att__cat_bad(b, ATT_E_CATALOG, "\"popularity\" must be a number from 0 to 1e15");
  b->raw_pop[b->c->n - 1] = d;
  if (d > b->max_pop) b->max_pop = d;
  return ATT_OK;
}

static int att__build_published(att__catbuild *b, double d) {
  if (!(fabs(d) <= 1e15))
    return att__cat_bad(b, ATT_E_CATALOG, "\"publishedAt\" must be a time in milliseconds since 1970");
  b->c->published[b->c->n - 1] = (float)(d / ATT_DAY_MS);
  return ATT_OK;
}

/* Checks a vector's length before its values are set. */
static int att__build_vector_len(att__catbuild *b, size_t len) {
  if (b->c->dim == 0)
    return att__cat_bad(b, ATT_E_CATALOG, "has a \"vector\" but the catalog's \"dim\" is 0; set dim to its length");
  if (len != b->c->dim)
    return att__cat_bad(b, ATT_E_CATALOG, "\"vector\" has %zu numbers; the catalog's dim is %u", len, b->c->dim);
  return ATT_OK;
}

/* Where the current item's vector values go: its row of a float32 catalog, or the builder's
 * row that att__build_vector_done quantises. */
static float *att__build_row(att__catbuild *b) {
  if (b->c->vec_kind == ATT_VEC_I8) return b->row;
  return b->c->vec + (size_t)(b->c->n - 1) * b->c->dim;
}

static int att__build_vector_value(att__catbuild *b, size_t k, double d) {
  if (!(fabs(d) <= 1e6)) return att__cat_bad(b, ATT_E_CATALOG, "vector[%zu] must be a finite number (|x| <= 1e6)", k);
  att__build_row(b)[k] = (float)d;
  return ATT_OK;
}

/* Symmetric per-row quantisation: scale = max|y| / 127 and q = round(y / scale), so every
 * component is within scale / 2 of q * scale.  A row whose scale is 0 (all zeros, or so small
 * that max|y| / 127 underflows) becomes a zero row, which ranks as an item without a vector. */
static void att__quantise(const float *y, uint32_t dim, int8_t *q, float *scale) {
  float m = 0, s;
  uint32_t k;
  for (k = 0; k < dim; k++)
    if (fabsf(y[k]) > m) m = fabsf(y[k]);
  s = m / 127.0f;
  if (!(s > 0)) {
    memset(q, 0, dim * sizeof *q);
    *scale = 0;
    return;
  }
  for (k = 0; k < dim; k++) {
    double t = round((double)y[k] / s); /* |y| <= m, so |t| <= 127 but for rounding at the ends */
    q[k] = (int8_t)(t > 127 ? 127 : t < -127 ? -127 : t);
  }
  *scale = s;
}

/* Ends the current item's vector (every value set): an int8 catalog quantises it now. */
static void att__build_vector_done(att__catbuild *b) {
  att__catalog *c = b->c;
  if (c->vec_kind != ATT_VEC_I8) return;
  att__quantise(b->row, c->dim, c->vq + (size_t)(c->n - 1) * c->dim, &c->vscale[c->n - 1]);
}

/* Allocates room for `total` neighbors in all. */
static int att__build_neighbors_reserve_total(att__catbuild *b, size_t total) {
  if (total <= b->cap_nb) return ATT_OK;
  if (att__resize((void **)&b->nb_pend, total, sizeof *b->nb_pend) ||
      att__resize((void **)&b->c->nb_w, total, sizeof *b->c->nb_w))
    return att__oom(b);
  b->cap_nb = total;
  return ATT_OK;
}

/* Makes room for `more` neighbors of the current item. */
static int att__build_neighbors_reserve(att__catbuild *b, size_t more) {
  if (more > ATT_MAX_NEIGHBORS) return att__cat_bad(b, ATT_E_LIMIT, "more than %d neighbors", ATT_MAX_NEIGHBORS);
  return att__build_neighbors_reserve_total(b, att__grown(b->cap_nb, b->nnb + more));
}

/* Adds a neighbor by id (`s`) or, when `s` is NULL, by item position `pos`. */
static int att__build_neighbor(att__catbuild *b, size_t k, const char *s, size_t n, uint32_t pos, double w) {
  uint32_t ref = pos | ATT__NB_BY_INDEX;
  if ((s && !att__text_ok(s, n, ATT_MAX_ID_LEN)) || !(w >= 0 && w <= 1e6) || (!s && pos >= ATT__NB_BY_INDEX))
    return att__cat_bad(b, ATT_E_CATALOG, "neighbors[%zu] must be [id, weight] with a weight from 0 to 1e6", k);
  if (s && att__strtab_intern(&b->pend, s, n, &ref, NULL)) return att__oom(b);
  b->nb_pend[b->nnb] = ref;
  b->c->nb_w[b->nnb] = (float)w;
  b->nnb++;
  return ATT_OK;
}

/* Resolves neighbors to item indices (dropping unknown ones and self-references), normalises
 * popularity, and closes the offset arrays. */
static int att__build_finish(att__catbuild *b) {
  att__catalog *c = b->c;
  uint32_t i, out = 0;
  int64_t *map = NULL;
  double norm = b->max_pop > 0 ? log1p(b->max_pop) : 1;
  if (att__build_reserve(b)) return att__oom(b);
  if (b->pend.n) {
    map = att__malloc(b->pend.n * sizeof *map);
    if (!map) return att__oom(b);
    for (i = 0; i < b->pend.n; i++) {
      size_t n;
      const char *s = att__strtab_str(&b->pend, i, &n);
      map[i] = att__catalog_find(c, s, n);
    }
  }
  c->nb_item = att__malloc((b->nnb ? b->nnb : 1) * sizeof *c->nb_item);
  c->pop = att__malloc((c->n ? c->n : 1) * sizeof *c->pop);
  if (!c->nb_item || !c->pop) {
    att__free(map);
    return att__oom(b);
  }
  for (i = 0; i < c->n; i++) {
    size_t k, end = i + 1 < c->n ? c->nb_off[i + 1] : b->nnb;
    uint32_t start = out;
    for (k = c->nb_off[i]; k < end; k++) {
      uint32_t ref = b->nb_pend[k];
      int64_t j = (ref & ATT__NB_BY_INDEX) ? (int64_t)(ref & ~ATT__NB_BY_INDEX) : map[ref];
      if (j < 0 || j >= c->n || j == i) {
        c->dropped_neighbors++;
        continue;
      }
      c->nb_item[out] = (uint32_t)j;
      c->nb_w[out] = c->nb_w[k];
      out++;
    }
    c->nb_off[i] = start;
    c->pop[i] = (float)(log1p(b->raw_pop[i]) / norm);
  }
  c->nb_off[c->n] = out;
  c->tag_off[c->n] = (uint32_t)b->ntag_ids;
  att__free(map);
  if (c->titles.n == 0) { /* no titles: no per-item title slots */
    att__free(c->title);
    c->title = NULL;
  }
  /* give back the spare room growth left (a failed shrink keeps the larger block) */
  if (b->ntag_ids) att__resize((void **)&c->tag_ids, b->ntag_ids, sizeof *c->tag_ids);
  if (out) att__resize((void **)&c->nb_w, out, sizeof *c->nb_w);
  if (c->n && c->vec) att__resize((void **)&c->vec, (size_t)c->n * c->dim, sizeof *c->vec);
  if (c->n && c->vq) {
    att__resize((void **)&c->vq, (size_t)c->n * c->dim, sizeof *c->vq);
    att__resize((void **)&c->vscale, c->n, sizeof *c->vscale);
  }
  att__strtab_shrink(&c->ids);
  att__strtab_shrink(&c->tags);
  att__strtab_shrink(&c->cats);
  att__strtab_shrink(&c->titles);
  return ATT_OK;
}

static void att__build_free(att__catbuild *b) {
  att__strtab_free(&b->pend);
  att__free(b->nb_pend);
  att__free(b->raw_pop);
}

/* Runs a reader over a new catalog; on failure nothing is kept. */
static int att__build(att__err *e, att__catalog **out, int (*read)(att__catbuild *, const void *, size_t),
                      const void *data, size_t len, int vectors) {
  att__catbuild b;
  att__catalog *c = att__calloc(1, sizeof *c);
  int rc;
  if (!c) return att__fail(e, ATT_E_NOMEM, "catalog: out of memory");
  att__build_begin(&b, e, c, vectors);
  rc = read(&b, data, len);
  if (!rc) rc = att__build_finish(&b);
  att__build_free(&b);
  if (rc) {
    att__catalog_free(c);
    return rc;
  }
  *out = c;
  return ATT_OK;
}

/* --- JSON -------------------------------------------------------------------------------- */

static int att__cat_member(void *ctx, const char *key, const att__jv *v) {
  att__catbuild *b = ctx;
  double d = att__jv_num(v);
  char q[80];
  if (strcmp(key, "version") == 0) {
    if (att__jv_type(v) != ATT__J_NUM || d != floor(d) || d < 1)
      return att__fail(b->e, ATT_E_CATALOG, "catalog.version: expected the number 1");
    if (d > 1)
      return att__fail(b->e, ATT_E_VERSION, "catalog.version: %g is newer than this engine reads (1); update Attune", d);
    return ATT_OK;
  }
  if (strcmp(key, "dim") == 0) {
    if (att__jv_type(v) != ATT__J_NUM) return att__build_dim(b, -1);
    return att__build_dim(b, d);
  }
  if (strcmp(key, "items") == 0)
    return att__fail(b->e, ATT_E_CATALOG, "catalog.items: expected an array, got %s", att__jv_typename(v));
  return att__fail(b->e, ATT_E_CATALOG, "catalog: unknown key \"%s\" (allowed: version, dim, items)",
                   att__quote(q, sizeof q, key, strlen(key)));
}

/* The string value of `v`, or NULL when it is not a string. */
static const char *att__jstr(const att__jv *v, size_t *n) {
  if (att__jv_type(v) != ATT__J_STR) {
    *n = 0;
    return NULL;
  }
  return att__jv_str(v, n);
}

static int att__cat_item(void *ctx, size_t index, const att__jv *v) {
  att__catbuild *b = ctx;
  const att__jv *x, *t;
  const char *s;
  size_t n, k;
  b->index = index;
  b->id = NULL;
  if (att__jv_type(v) != ATT__J_OBJ) return att__cat_bad(b, ATT_E_CATALOG, "expected an object, got %s", att__jv_typename(v));
  x = att__jv_get(v, "id");
  s = att__jstr(x, &n);
  if (x && !s)
    return att__cat_bad(b, ATT_E_CATALOG, "\"id\" must be a string of 1 to %d bytes of printable text", ATT_MAX_ID_LEN);
  if (att__build_item(b, index, s, n)) return b->e->code;
  if ((x = att__jv_get(v, "tags"))) {
    if (att__jv_type(x) != ATT__J_ARR)
      return att__cat_bad(b, ATT_E_CATALOG, "\"tags\" must be an array of strings, got %s", att__jv_typename(x));
    if (att__build_tags_reserve(b, att__jv_count(x))) return b->e->code;
    for (t = att__jv_first(x), k = 0; t; t = att__jv_next(t), k++) {
      uint16_t tid;
      s = att__jstr(t, &n);
      if (att__build_intern(b, &b->c->tags, "tags", k, s, n, &tid)) return b->e->code;
      att__build_tag_id(b, tid);
    }
  }
  if ((x = att__jv_get(v, "category")) && att__jv_type(x) != ATT__J_NULL) {
    s = att__jstr(x, &n);
    if (att__build_category(b, s, n)) return b->e->code;
  }
  if ((x = att__jv_get(v, "title")) && att__jv_type(x) != ATT__J_NULL) {
    s = att__jstr(x, &n);
    if (att__build_title(b, s, n)) return b->e->code;
  }
  if ((x = att__jv_get(v, "popularity")) && att__jv_type(x) != ATT__J_NULL &&
      att__build_popularity(b, att__jv_type(x) == ATT__J_NUM ? att__jv_num(x) : NAN))
    return b->e->code;
  if ((x = att__jv_get(v, "publishedAt")) && att__jv_type(x) != ATT__J_NULL &&
      att__build_published(b, att__jv_type(x) == ATT__J_NUM ? att__jv_num(x) : NAN))
    return b->e->code;
  if ((x = att__jv_get(v, "vector")) && att__jv_type(x) != ATT__J_NULL) {
    if (att__jv_type(x) != ATT__J_ARR) return att__cat_bad(b, ATT_E_CATALOG, "\"vector\" must be an array of numbers");
    if (att__build_vector_len(b, att__jv_count(x))) return b->e->code;
    for (t = att__jv_first(x), k = 0; t; t = att__jv_next(t), k++)
      if (att__build_vector_value(b, k, att__jv_type(t) == ATT__J_NUM ? att__jv_num(t) : NAN)) return b->e->code;
    att__build_vector_done(b);
  }
  if ((x = att__jv_get(v, "neighbors")) && att__jv_type(x) != ATT__J_NULL) {
    if (att__jv_type(x) != ATT__J_ARR)
      return att__cat_bad(b, ATT_E_CATALOG, "\"neighbors\" must be an array of [id, weight] pairs");
    if (att__build_neighbors_reserve(b, att__jv_count(x))) return b->e->code;
    for (t = att__jv_first(x), k = 0; t; t = att__jv_next(t), k++) {
      const att__jv *pid = att__jv_first(t), *pw = att__jv_next(pid);
      int pair = att__jv_type(t) == ATT__J_ARR && att__jv_count(t) == 2 && att__jv_type(pw) == ATT__J_NUM;
      s = att__jstr(pid, &n);
      if (att__build_neighbor(b, k, pair && s ? s : "", pair && s ? n : 0, 0, pair ? att__jv_num(pw) : NAN))
        return b->e->code;
    }
  }
  return ATT_OK;
}

static int att__read_json(att__catbuild *b, const void *data, size_t len) {
  return att__json_walk(b->e, "catalog", data, len, "items", att__cat_member, att__cat_item, b);
}

int att__catalog_parse(att__err *e, const char *json, size_t len, int vectors, att__catalog **out) {
  return att__build(e, out, att__read_json, json, len, vectors);
}

/* --- the compact binary catalog ---------------------------------------------------------- */

/* Reads a string-table index and returns the string (NULL for ATT_CATALOG_NONE or out of
 * range; *bad set for the latter). */
static const char *att__packed_str(att__rd *r, const uint32_t *off, const uint16_t *lens, uint32_t nstr, size_t *n,
                                   const unsigned char *base, int *bad) {
  uint32_t i = att__rd_u32(r);
  *n = 0;
  if (i == ATT_CATALOG_NONE) return NULL;
  if (i >= nstr) {
    *bad = 1;
    return NULL;
  }
  *n = lens[i];
  return (const char *)base + off[i];
}

/* Counts the tags and neighbors of `nitems` packed rows starting at r's position (without
 * moving it), so their arrays can be allocated once; 0 when the rows are malformed (the real
 * read then reports it). */
static int att__packed_totals(att__rd r, uint32_t nitems, uint32_t dim, size_t *tags, size_t *nbs) {
  uint32_t i;
  *tags = *nbs = 0;
  for (i = 0; i < nitems && !r.bad; i++) {
    unsigned ntags, has_vec, nnb;
    (void)att__rd_u32(&r);
    ntags = att__rd_u8(&r);
    r.pos += 4u * ntags;
    r.pos += 4 + 4 + 8 + 8;
    if (r.pos > r.len) return 0;
    has_vec = att__rd_u8(&r);
    if (has_vec) r.pos += 4u * dim;
    if (r.pos > r.len) return 0;
    nnb = att__rd_u8(&r);
    r.pos += 8u * nnb;
    if (r.pos > r.len) return 0;
    *tags += ntags;
    *nbs += nnb;
  }
  return !r.bad;
}

static int att__read_packed(att__catbuild *b, const void *data, size_t len) {
  const unsigned char *p = data;
  att__rd r;
  uint32_t version, flags, plen, crc, nitems, dim, nstr, i, k;
  uint32_t *off = NULL;
  uint16_t *lens = NULL, *tagcache = NULL;
  int rc = ATT_OK;
  r.p = p;
  r.len = len;
  r.pos = 4;
  r.bad = 0;
  if (len < 16 || memcmp(p, ATT_CATALOG_MAGIC, 4) != 0)
    return att__fail(b->e, ATT_E_CATALOG, "catalog: not a packed Attune catalog (bad magic or too short)");
  version = att__rd_u16(&r);
  flags = att__rd_u16(&r);
  plen = att__rd_u32(&r);
  crc = att__rd_u32(&r);
  if (version > ATT_CATALOG_PACK_VERSION)
    return att__fail(b->e, ATT_E_VERSION, "catalog: packed format %u is newer than this engine reads (%d); update Attune",
                     version, ATT_CATALOG_PACK_VERSION);
  if (version == 0 || flags != 0 || (size_t)plen != len - 16 || att__crc32(p + 16, plen) != crc)
    return att__fail(b->e, ATT_E_CATALOG, "catalog: the packed catalog is damaged (header, length or checksum)");
  nitems = att__rd_u32(&r);
  dim = att__rd_u32(&r);
  nstr = att__rd_u32(&r);
  if (r.bad || nstr > (len - r.pos) / 2)
    return att__fail(b->e, ATT_E_CATALOG, "catalog: the packed catalog is damaged (string table)");
  if (att__build_dim(b, dim)) return b->e->code;
  /* the header says how many items come: size every per-item array once */
  if (nitems <= ATT_MAX_ITEMS && nitems <= (len - r.pos) / 30 + 1 && att__build_reserve_for(b, (size_t)nitems + 2))
    return att__oom(b);
  off = att__malloc((nstr ? nstr : 1) * sizeof *off);
  lens = att__malloc((nstr ? nstr : 1) * sizeof *lens);
  tagcache = att__malloc((nstr ? nstr : 1) * sizeof *tagcache);
  if (!off || !lens || !tagcache) {
    rc = att__oom(b);
    goto done;
  }
  for (i = 0; i < nstr; i++) {
    size_t n;
    const char *s = att__rd_str(&r, &n);
    if (!s) {
      rc = att__fail(b->e, ATT_E_CATALOG, "catalog: the packed catalog is damaged (string %u)", i);
      goto done;
    }
    off[i] = (uint32_t)((const unsigned char *)s - p);
    lens[i] = (uint16_t)n;
    tagcache[i] = 0xffff; /* not interned yet */
  }
  {
    /* size the tag and neighbor arrays exactly: no doubling, no copies, no spare room */
    size_t tags, nbs;
    if (att__packed_totals(r, nitems, dim, &tags, &nbs) &&
        ((tags && att__build_tags_reserve_total(b, tags)) || (nbs && att__build_neighbors_reserve_total(b, nbs)))) {
      rc = b->e->code;
      goto done;
    }
  }
  for (i = 0; i < nitems && !rc; i++) {
    int bad = 0;
    size_t n;
    unsigned ntags, nnb, has_vec;
    const char *s = att__packed_str(&r, off, lens, nstr, &n, p, &bad);
    double d;
    if (bad || r.bad) break;
    if ((rc = att__build_item(b, i, s, n))) break;
    ntags = att__rd_u8(&r);
    if ((rc = att__build_tags_reserve(b, ntags))) break;
    for (k = 0; k < ntags && !rc; k++) {
      uint32_t ti = att__rd_u32(&r);
      uint16_t tid;
      if (r.bad || ti >= nstr) {
        bad = 1;
        break;
      }
      if (tagcache[ti] == 0xffff) {
        if ((rc = att__build_intern(b, &b->c->tags, "tags", k, (const char *)p + off[ti], lens[ti], &tid))) break;
        tagcache[ti] = tid;
      }
      att__build_tag_id(b, tagcache[ti]);
    }
    if (rc || bad) break;
    s = att__packed_str(&r, off, lens, nstr, &n, p, &bad);
    if (s && (rc = att__build_category(b, s, n))) break;
    s = att__packed_str(&r, off, lens, nstr, &n, p, &bad);
    if (s && (rc = att__build_title(b, s, n))) break;
    d = att__rd_f64(&r);
    if (!isnan(d) && (rc = att__build_popularity(b, d))) break;
    d = att__rd_f64(&r);
    if (!isnan(d) && (rc = att__build_published(b, d))) break;
    has_vec = att__rd_u8(&r);
    if (has_vec) {
      float *row;
      if ((rc = att__build_vector_len(b, dim))) break;
      row = att__build_row(b);
      if (dim * 4u > r.len - r.pos) {
        bad = 1;
        break;
      }
      memcpy(row, r.p + r.pos, dim * 4u); /* little-endian floats, as wasm and x86 store them */
      r.pos += dim * 4u;
      for (k = 0; k < dim; k++)
        if (!(fabsf(row[k]) <= 1e6f)) break;
      if (k < dim && (rc = att__build_vector_value(b, k, row[k]))) break;
      att__build_vector_done(b);
    }
    nnb = att__rd_u8(&r);
    if ((rc = att__build_neighbors_reserve(b, nnb))) break;
    for (k = 0; k < nnb && !rc; k++) {
      uint32_t pos = att__rd_u32(&r), u = att__rd_u32(&r);
      float w;
      memcpy(&w, &u, 4);
      if (r.bad) break;
      rc = att__build_neighbor(b, k, NULL, 0, pos < nitems ? pos : ATT__NB_BY_INDEX - 1, w);
    }
    if (bad || r.bad) break;
  }
  if (!rc && (r.bad || i < nitems || r.pos != r.len))
    rc = att__fail(b->e, ATT_E_CATALOG, "catalog: the packed catalog is damaged (item %u)", i);
done:
  att__free(off);
  att__free(lens);
  att__free(tagcache);
  return rc;
}

int att__catalog_load_packed(att__err *e, const unsigned char *bytes, size_t len, int vectors,
                             att__catalog **out) {
  return att__build(e, out, att__read_packed, bytes, len, vectors);
}

/* --- the catalog ------------------------------------------------------------------------- */

void att__catalog_free(att__catalog *c) {
  if (!c) return;
  att__strtab_free(&c->ids);
  att__strtab_free(&c->tags);
  att__strtab_free(&c->cats);
  att__strtab_free(&c->titles);
  att__free(c->tag_off);
  att__free(c->tag_ids);
  att__free(c->cat);
  att__free(c->pop);
  att__free(c->published);
  att__free(c->title);
  att__free(c->vec);
  att__free(c->vq);
  att__free(c->vscale);
  att__free(c->nb_off);
  att__free(c->nb_item);
  att__free(c->nb_w);
  att__free(c);
}

int64_t att__catalog_find(const att__catalog *c, const char *id, size_t n) {
  return c ? att__strtab_find(&c->ids, id, n) : -1;
}

const char *att__catalog_id(const att__catalog *c, uint32_t item) { return att__strtab_str(&c->ids, item, NULL); }

size_t att__catalog_bytes(const att__catalog *c) {
  size_t n = c->n;
  size_t vectors = c->vec_kind == ATT_VEC_I8 ? (c->dim ? n * (c->dim * sizeof(int8_t) + sizeof(float)) : 0)
                                             : n * c->dim * sizeof(float);
  return att__strtab_bytes(&c->ids) + att__strtab_bytes(&c->tags) + att__strtab_bytes(&c->cats) +
         att__strtab_bytes(&c->titles) + (n + 1) * 8 + c->tag_off[n] * sizeof(uint16_t) +
         n * (sizeof(uint16_t) + 2 * sizeof(float) + (c->title ? sizeof(uint32_t) : 0)) + vectors +
         c->nb_off[n] * (sizeof(uint32_t) + sizeof(float));
}

/* --- item vectors ------------------------------------------------------------------------ */

const float *att__catalog_vec(const att__catalog *c, uint32_t i, float *scratch) {
  const int8_t *q;
  float s;
  uint32_t k;
  if (c->dim == 0) return scratch;
  if (c->vec_kind != ATT_VEC_I8) return c->vec + (size_t)i * c->dim;
  q = c->vq + (size_t)i * c->dim;
  s = c->vscale[i];
  for (k = 0; k < c->dim; k++) scratch[k] = (float)q[k] * s;
  return scratch;
}

float att__catalog_dotf(const att__catalog *c, uint32_t i, const float *y) {
  if (c->dim == 0) return 0;
  if (c->vec_kind != ATT_VEC_I8) return att__dotf(c->vec + (size_t)i * c->dim, y, c->dim);
  return att__dotq8(c->vq + (size_t)i * c->dim, y, c->dim) * c->vscale[i];
}

float att__catalog_dot_items(const att__catalog *c, uint32_t a, uint32_t b) {
  if (c->dim == 0) return 0;
  if (c->vec_kind != ATT_VEC_I8) return att__dotf(c->vec + (size_t)a * c->dim, c->vec + (size_t)b * c->dim, c->dim);
  return (float)att__dot_i8(c->vq + (size_t)a * c->dim, c->vq + (size_t)b * c->dim, c->dim) * c->vscale[a] *
         c->vscale[b];
}
