/* catalog.c — parsing the catalog JSON into struct-of-arrays form. */
#include "catalog.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

typedef struct att__catbuild {
  att__err *e;
  att__catalog *c;
  size_t cap_items;     /* capacity of every per-item array */
  size_t cap_tags, cap_nb;
  size_t ntag_ids, nnb;
  att__strtab pend;     /* neighbor ids, resolved once every item is known */
  uint32_t *nb_pend;    /* per neighbor entry: its id in `pend` */
  double *raw_pop;
  double max_pop;
} att__catbuild;

static int att__resize(void **p, size_t count, size_t size) {
  void *q;
  if (count > SIZE_MAX / size) return ATT_E_NOMEM;
  q = att__realloc(*p, count * size);
  if (!q) return ATT_E_NOMEM;
  *p = q;
  return ATT_OK;
}

/* Makes room for item `item` in every per-item array. */
static int att__cat_reserve(att__catbuild *b, size_t item) {
  att__catalog *c = b->c;
  size_t cap = b->cap_items ? b->cap_items : 64;
  if (item + 2 <= b->cap_items) return ATT_OK;
  while (cap < item + 2) cap *= 2;
  if (att__resize((void **)&c->tag_off, cap, sizeof *c->tag_off) ||
      att__resize((void **)&c->nb_off, cap, sizeof *c->nb_off) ||
      att__resize((void **)&c->cat, cap, sizeof *c->cat) ||
      att__resize((void **)&b->raw_pop, cap, sizeof *b->raw_pop) ||
      att__resize((void **)&c->published, cap, sizeof *c->published) ||
      att__resize((void **)&c->title, cap, sizeof *c->title) ||
      (c->dim && att__resize((void **)&c->vec, cap * c->dim, sizeof *c->vec)))
    return ATT_E_NOMEM;
  b->cap_items = cap;
  return ATT_OK;
}

static int att__cat_member(void *ctx, const char *key, const att__jv *v) {
  att__catbuild *b = ctx;
  double d = att__jv_num(v);
  char q[80];
  if (strcmp(key, "version") == 0) {
    if (att__jv_type(v) != ATT__J_NUM || d != floor(d) || d < 1)
      return att__fail(b->e, ATT_E_CATALOG, "catalog.version: expected the number 1");
    if (d > 1)
      return att__fail(b->e, ATT_E_VERSION,
                       "catalog.version: %g is newer than this engine reads (1); update Attune", d);
    return ATT_OK;
  }
  if (strcmp(key, "dim") == 0) {
    if (att__jv_type(v) != ATT__J_NUM || d != floor(d) || d < 0 || d > ATT_MAX_DIM)
      return att__fail(b->e, ATT_E_CATALOG, "catalog.dim: expected a whole number from 0 to %d",
                       ATT_MAX_DIM);
    b->c->dim = (uint32_t)d;
    return ATT_OK;
  }
  if (strcmp(key, "items") == 0)
    return att__fail(b->e, ATT_E_CATALOG, "catalog.items: expected an array, got %s",
                     att__jv_typename(v));
  return att__fail(b->e, ATT_E_CATALOG, "catalog: unknown key \"%s\" (allowed: version, dim, items)",
                   att__quote(q, sizeof q, key, strlen(key)));
}

/* Fails naming the item by index and, when known, id. */
static int att__cat_bad(att__catbuild *b, size_t index, const char *id, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static int att__cat_bad(att__catbuild *b, size_t index, const char *id, int code, const char *fmt, ...) {
  char q[80], what[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (id)
    return att__fail(b->e, code, "catalog.items[%zu] (id \"%s\"): %s", index,
                     att__quote(q, sizeof q, id, strlen(id)), what);
  return att__fail(b->e, code, "catalog.items[%zu]: %s", index, what);
}

/* A non-empty printable string of at most `max` bytes. */
static int att__cat_text(const att__jv *v, size_t max, const char **s, size_t *n) {
  if (att__jv_type(v) != ATT__J_STR) return 0;
  *s = att__jv_str(v, n);
  return *n > 0 && *n <= max && att__valid_text(*s, *n);
}

static int att__cat_tags(att__catbuild *b, size_t index, const char *id, const att__jv *x) {
  att__catalog *c = b->c;
  const att__jv *t;
  size_t start = b->ntag_ids, k = 0;
  if (att__jv_type(x) != ATT__J_ARR)
    return att__cat_bad(b, index, id, ATT_E_CATALOG, "\"tags\" must be an array of strings, got %s",
                        att__jv_typename(x));
  if (att__jv_count(x) > ATT_MAX_ITEM_TAGS)
    return att__cat_bad(b, index, id, ATT_E_LIMIT, "more than %d tags", ATT_MAX_ITEM_TAGS);
  if (b->ntag_ids + ATT_MAX_ITEM_TAGS > b->cap_tags) {
    size_t cap = b->cap_tags ? b->cap_tags * 2 : 1024;
    if (att__resize((void **)&c->tag_ids, cap, sizeof *c->tag_ids))
      return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
    b->cap_tags = cap;
  }
  for (t = att__jv_first(x); t; t = att__jv_next(t), k++) {
    const char *s;
    size_t n, j;
    uint32_t tid;
    if (!att__cat_text(t, ATT_MAX_TAG_LEN, &s, &n))
      return att__cat_bad(b, index, id, ATT_E_CATALOG,
                          "tags[%zu] must be a string of 1 to %d bytes of printable text", k,
                          ATT_MAX_TAG_LEN);
    if (att__strtab_intern(&c->tags, s, n, &tid, NULL))
      return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
    if (tid >= ATT_MAX_TAGS)
      return att__cat_bad(b, index, id, ATT_E_LIMIT, "the catalog has more than %d distinct tags",
                          ATT_MAX_TAGS);
    for (j = start; j < b->ntag_ids && c->tag_ids[j] != tid; j++) {
    }
    if (j == b->ntag_ids) c->tag_ids[b->ntag_ids++] = (uint16_t)tid; /* repeated tags count once */
  }
  return ATT_OK;
}

static int att__cat_vector(att__catbuild *b, size_t index, const char *id, const att__jv *x, float *out) {
  const att__jv *f;
  uint32_t k = 0;
  if (att__jv_type(x) != ATT__J_ARR)
    return att__cat_bad(b, index, id, ATT_E_CATALOG, "\"vector\" must be an array of numbers");
  if (b->c->dim == 0)
    return att__cat_bad(b, index, id, ATT_E_CATALOG,
                        "has a \"vector\" but the catalog's \"dim\" is 0; set dim to its length");
  if (att__jv_count(x) != b->c->dim)
    return att__cat_bad(b, index, id, ATT_E_CATALOG, "\"vector\" has %zu numbers; the catalog's dim is %u",
                        att__jv_count(x), b->c->dim);
  for (f = att__jv_first(x); f; f = att__jv_next(f), k++) {
    double d = att__jv_num(f);
    if (att__jv_type(f) != ATT__J_NUM || !isfinite(d) || fabs(d) > 1e6)
      return att__cat_bad(b, index, id, ATT_E_CATALOG, "vector[%u] must be a finite number (|x| <= 1e6)", k);
    out[k] = (float)d;
  }
  return ATT_OK;
}

static int att__cat_neighbors(att__catbuild *b, size_t index, const char *id, const att__jv *x) {
  att__catalog *c = b->c;
  const att__jv *p;
  size_t k = 0;
  if (att__jv_type(x) != ATT__J_ARR)
    return att__cat_bad(b, index, id, ATT_E_CATALOG, "\"neighbors\" must be an array of [id, weight] pairs");
  if (att__jv_count(x) > ATT_MAX_NEIGHBORS)
    return att__cat_bad(b, index, id, ATT_E_LIMIT, "more than %d neighbors", ATT_MAX_NEIGHBORS);
  if (b->nnb + ATT_MAX_NEIGHBORS > b->cap_nb) {
    size_t cap = b->cap_nb ? b->cap_nb * 2 : 1024;
    if (att__resize((void **)&b->nb_pend, cap, sizeof *b->nb_pend) ||
        att__resize((void **)&c->nb_w, cap, sizeof *c->nb_w))
      return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
    b->cap_nb = cap;
  }
  for (p = att__jv_first(x); p; p = att__jv_next(p), k++) {
    const att__jv *pid = att__jv_first(p), *pw = att__jv_next(pid);
    const char *s;
    size_t n;
    double w = att__jv_num(pw);
    uint32_t nid;
    if (att__jv_type(p) != ATT__J_ARR || att__jv_count(p) != 2 || !att__cat_text(pid, ATT_MAX_ID_LEN, &s, &n) ||
        att__jv_type(pw) != ATT__J_NUM || !isfinite(w) || w < 0 || w > 1e6)
      return att__cat_bad(b, index, id, ATT_E_CATALOG,
                          "neighbors[%zu] must be [id, weight] with a weight from 0 to 1e6", k);
    if (att__strtab_intern(&b->pend, s, n, &nid, NULL))
      return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
    b->nb_pend[b->nnb] = nid;
    c->nb_w[b->nnb] = (float)w;
    b->nnb++;
  }
  return ATT_OK;
}

static int att__cat_item(void *ctx, size_t index, const att__jv *v) {
  att__catbuild *b = ctx;
  att__catalog *c = b->c;
  const att__jv *x;
  const char *id, *s;
  size_t idn, n;
  uint32_t item = c->n, sid;
  int added;
  if (att__jv_type(v) != ATT__J_OBJ)
    return att__cat_bad(b, index, NULL, ATT_E_CATALOG, "expected an object, got %s", att__jv_typename(v));
  if (c->n >= ATT_MAX_ITEMS)
    return att__fail(b->e, ATT_E_LIMIT, "catalog.items: more than %d items", ATT_MAX_ITEMS);
  x = att__jv_get(v, "id");
  if (!x) return att__cat_bad(b, index, NULL, ATT_E_CATALOG, "missing \"id\"");
  if (!att__cat_text(x, ATT_MAX_ID_LEN, &id, &idn))
    return att__cat_bad(b, index, NULL, ATT_E_CATALOG,
                        "\"id\" must be a string of 1 to %d bytes of printable text", ATT_MAX_ID_LEN);
  if (att__cat_reserve(b, item)) return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
  if (att__strtab_intern(&c->ids, id, idn, &sid, &added))
    return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
  if (!added) return att__cat_bad(b, index, id, ATT_E_CATALOG, "duplicate id (also item %u)", sid);

  c->tag_off[item] = (uint32_t)b->ntag_ids;
  c->nb_off[item] = (uint32_t)b->nnb;
  c->cat[item] = ATT_NO_CATEGORY;
  c->title[item] = ATT_NO_TITLE;
  c->published[item] = NAN;
  b->raw_pop[item] = 0;
  if (c->dim) memset(c->vec + (size_t)item * c->dim, 0, c->dim * sizeof *c->vec);
  c->n++;

  if ((x = att__jv_get(v, "tags")) && att__cat_tags(b, index, id, x)) return b->e->code;
  if ((x = att__jv_get(v, "category")) && att__jv_type(x) != ATT__J_NULL) {
    uint32_t cid;
    if (!att__cat_text(x, ATT_MAX_TAG_LEN, &s, &n))
      return att__cat_bad(b, index, id, ATT_E_CATALOG,
                          "\"category\" must be a string of 1 to %d bytes of printable text", ATT_MAX_TAG_LEN);
    if (att__strtab_intern(&c->cats, s, n, &cid, NULL)) return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
    if (cid >= ATT_MAX_TAGS)
      return att__cat_bad(b, index, id, ATT_E_LIMIT, "more than %d distinct categories", ATT_MAX_TAGS);
    c->cat[item] = (uint16_t)cid;
  }
  if ((x = att__jv_get(v, "title")) && att__jv_type(x) != ATT__J_NULL) {
    if (!att__cat_text(x, ATT_MAX_TITLE_LEN, &s, &n))
      return att__cat_bad(b, index, id, ATT_E_CATALOG,
                          "\"title\" must be a string of 1 to %d bytes of printable text", ATT_MAX_TITLE_LEN);
    if (att__strtab_intern(&c->titles, s, n, &c->title[item], NULL))
      return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
  }
  if ((x = att__jv_get(v, "popularity")) && att__jv_type(x) != ATT__J_NULL) {
    double d = att__jv_num(x);
    if (att__jv_type(x) != ATT__J_NUM || !isfinite(d) || d < 0 || d > 1e15)
      return att__cat_bad(b, index, id, ATT_E_CATALOG, "\"popularity\" must be a number from 0 to 1e15");
    b->raw_pop[item] = d;
    if (d > b->max_pop) b->max_pop = d;
  }
  if ((x = att__jv_get(v, "publishedAt")) && att__jv_type(x) != ATT__J_NULL) {
    double d = att__jv_num(x);
    if (att__jv_type(x) != ATT__J_NUM || !isfinite(d) || fabs(d) > 1e15)
      return att__cat_bad(b, index, id, ATT_E_CATALOG,
                          "\"publishedAt\" must be a time in milliseconds since 1970");
    c->published[item] = (float)(d / ATT_DAY_MS);
  }
  if ((x = att__jv_get(v, "vector")) && att__jv_type(x) != ATT__J_NULL &&
      att__cat_vector(b, index, id, x, c->vec + (size_t)item * c->dim))
    return b->e->code;
  if ((x = att__jv_get(v, "neighbors")) && att__jv_type(x) != ATT__J_NULL && att__cat_neighbors(b, index, id, x))
    return b->e->code;
  return ATT_OK;
}

/* Resolves neighbor ids to item indices, dropping unknown ones and self-references. */
static int att__cat_resolve(att__catbuild *b) {
  att__catalog *c = b->c;
  uint32_t i, out = 0;
  int64_t *map = NULL;
  if (att__cat_reserve(b, c->n)) return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
  if (b->pend.n) {
    map = att__malloc(b->pend.n * sizeof *map);
    if (!map) return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
    for (i = 0; i < b->pend.n; i++) {
      size_t n;
      const char *s = att__strtab_str(&b->pend, i, &n);
      map[i] = att__catalog_find(c, s, n);
    }
  }
  c->nb_item = att__malloc((b->nnb ? b->nnb : 1) * sizeof *c->nb_item);
  if (!c->nb_item) {
    att__free(map);
    return att__fail(b->e, ATT_E_NOMEM, "catalog: out of memory");
  }
  for (i = 0; i < c->n; i++) {
    size_t k, end = i + 1 < c->n ? c->nb_off[i + 1] : b->nnb;
    uint32_t start = out;
    for (k = c->nb_off[i]; k < end; k++) {
      int64_t j = map[b->nb_pend[k]];
      if (j < 0 || j == i) {
        c->dropped_neighbors++;
        continue;
      }
      c->nb_item[out] = (uint32_t)j;
      c->nb_w[out] = c->nb_w[k];
      out++;
    }
    c->nb_off[i] = start;
  }
  c->nb_off[c->n] = out;
  c->tag_off[c->n] = (uint32_t)b->ntag_ids;
  att__free(map);
  return ATT_OK;
}

int att__catalog_parse(att__err *e, const char *json, size_t len, att__catalog **out) {
  att__catbuild b;
  att__catalog *c = att__calloc(1, sizeof *c);
  int rc;
  uint32_t i;
  memset(&b, 0, sizeof b);
  if (!c) return att__fail(e, ATT_E_NOMEM, "catalog: out of memory");
  b.e = e;
  b.c = c;
  rc = att__json_walk(e, "catalog", json, len, "items", att__cat_member, att__cat_item, &b);
  if (!rc) rc = att__cat_resolve(&b);
  if (!rc) {
    double norm = b.max_pop > 0 ? log1p(b.max_pop) : 1;
    c->pop = att__malloc((c->n ? c->n : 1) * sizeof *c->pop);
    if (!c->pop) rc = att__fail(e, ATT_E_NOMEM, "catalog: out of memory");
    for (i = 0; !rc && i < c->n; i++) c->pop[i] = (float)(log1p(b.raw_pop[i]) / norm);
  }
  att__strtab_free(&b.pend);
  att__free(b.nb_pend);
  att__free(b.raw_pop);
  if (rc) {
    att__catalog_free(c);
    return rc;
  }
  *out = c;
  return ATT_OK;
}

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
  att__free(c->nb_off);
  att__free(c->nb_item);
  att__free(c->nb_w);
  att__free(c);
}

int64_t att__catalog_find(const att__catalog *c, const char *id, size_t n) {
  return c ? att__strtab_find(&c->ids, id, n) : -1;
}

const char *att__catalog_id(const att__catalog *c, uint32_t item) {
  return att__strtab_str(&c->ids, item, NULL);
}

size_t att__catalog_bytes(const att__catalog *c) {
  size_t n = c->n;
  return att__strtab_bytes(&c->ids) + att__strtab_bytes(&c->tags) + att__strtab_bytes(&c->cats) +
         att__strtab_bytes(&c->titles) + (n + 1) * 8 + c->tag_off[n] * sizeof(uint16_t) +
         n * (sizeof(uint16_t) + 2 * sizeof(float) + sizeof(uint32_t)) + n * c->dim * sizeof(float) +
         c->nb_off[n] * (sizeof(uint32_t) + sizeof(float));
}
