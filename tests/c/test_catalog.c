/* test_catalog.c — parsing the site's catalog into struct-of-arrays form, and errors that name
 * the item by index and id. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "check.h"
#include "tests.h"

static int parse(const char *json, att__catalog **out, att__err *e) {
  char *copy = malloc(strlen(json) + 1);
  int rc;
  memcpy(copy, json, strlen(json)); /* no NUL inside the given length */
  memset(e, 0, sizeof *e);
  *out = NULL;
  rc = att__catalog_parse(e, copy, strlen(json), ATT_VEC_F32, out);
  free(copy);
  return rc;
}

static void expect_error_at(int line, const char *json, int code, const char *part1, const char *part2) {
  att__catalog *c;
  att__err e;
  int rc = parse(json, &c, &e);
  CHECK_MSG(rc == code && e.code == code, "line %d: got %d (%s)", line, rc, e.msg);
  CHECK_MSG(strstr(e.msg, part1) != NULL, "line %d: message does not name %s: %s", line, part1, e.msg);
  if (part2) CHECK_MSG(strstr(e.msg, part2) != NULL, "line %d: message does not name %s: %s", line, part2, e.msg);
  if (rc == ATT_OK) att__catalog_free(c);
  else CHECK(c == NULL);
}
#define EXPECT_CATALOG_ERROR(json, code, part1, part2) expect_error_at(__LINE__, json, code, part1, part2)

static int64_t find(const att__catalog *c, const char *id) { return att__catalog_find(c, id, strlen(id)); }

static int64_t tag_id(const att__catalog *c, const char *tag) { return att__strtab_find(&c->tags, tag, strlen(tag)); }

/* 1 when item `i` carries exactly the tags `want` (in order). */
/* Item i has exactly the tags `want` (in any order), stored sorted by tag id. */
static int has_tags(const att__catalog *c, uint32_t i, const char *const *want, uint32_t n) {
  uint32_t k, j;
  if (c->tag_off[i + 1] - c->tag_off[i] != n) return 0;
  for (k = c->tag_off[i] + 1; k < c->tag_off[i + 1]; k++)
    if (c->tag_ids[k - 1] >= c->tag_ids[k]) return 0;
  for (k = 0; k < n; k++) {
    int64_t t = tag_id(c, want[k]);
    for (j = c->tag_off[i]; j < c->tag_off[i + 1] && (t < 0 || c->tag_ids[j] != (uint16_t)t); j++) {
    }
    if (j == c->tag_off[i + 1]) return 0;
  }
  return 1;
}

static const char *const sample =
    "{\"version\":1,\"dim\":2,\"items\":["
    "{\"id\":\"a\",\"tags\":[\"x\",\"y\",\"x\"],\"category\":\"news\",\"title\":\"Alpha\",\"popularity\":100,"
    " \"publishedAt\":86400000,\"vector\":[0.5,-1],\"neighbors\":[[\"b\",0.5],[\"zz\",1],[\"a\",2],[\"c\",0.25]]},"
    "{\"id\":\"b\",\"tags\":[\"y\",\"z\"],\"popularity\":0,\"neighbors\":[[\"a\",1]],\"category\":null},"
    "{\"id\":\"c\",\"category\":\"sport\",\"popularity\":10,\"title\":null,\"vector\":null}"
    "]}";

static void a_valid_catalog_parses_into_arrays(void) {
  att__catalog *c;
  att__err e;
  static const char *const tags_a[] = {"x", "y"}, *const tags_b[] = {"y", "z"};
  size_t n;
  int rc = parse(sample, &c, &e);
  CHECK_MSG(rc == ATT_OK, "%s", e.msg);
  if (rc) return;
  CHECK(c->n == 3 && c->dim == 2);
  /* ids interned in order */
  CHECK(find(c, "a") == 0 && find(c, "b") == 1 && find(c, "c") == 2);
  CHECK(find(c, "d") == -1 && find(c, "ab") == -1 && att__catalog_find(c, "ab", 1) == 0);
  CHECK(strcmp(att__catalog_id(c, 2), "c") == 0);
  /* tags deduplicated per item, interned across items */
  CHECK(c->tags.n == 3);
  CHECK(has_tags(c, 0, tags_a, 2));
  CHECK(has_tags(c, 1, tags_b, 2));
  CHECK(c->tag_off[3] - c->tag_off[2] == 0);
  /* categories */
  CHECK(c->cats.n == 2);
  CHECK(c->cat[0] != ATT_NO_CATEGORY && strcmp(att__strtab_str(&c->cats, c->cat[0], &n), "news") == 0 && n == 4);
  CHECK(c->cat[1] == ATT_NO_CATEGORY);
  CHECK(c->cat[2] != ATT_NO_CATEGORY && strcmp(att__strtab_str(&c->cats, c->cat[2], NULL), "sport") == 0);
  /* titles */
  CHECK(c->title[0] != ATT_NO_TITLE && strcmp(att__strtab_str(&c->titles, c->title[0], NULL), "Alpha") == 0);
  CHECK(c->title[1] == ATT_NO_TITLE && c->title[2] == ATT_NO_TITLE);
  /* popularity: log1p(p) / log1p(max) */
  CHECK(c->pop[0] == 1.0f);
  CHECK(c->pop[1] == 0.0f);
  CHECK_MSG(fabs(c->pop[2] - log1p(10.0) / log1p(100.0)) < 1e-6, "%g", (double)c->pop[2]);
  /* publishedAt in days */
  CHECK(c->published[0] == 1.0f);
  CHECK(isnan(c->published[1]) && isnan(c->published[2]));
  /* vectors; items without one have zeros */
  CHECK(c->vec[0] == 0.5f && c->vec[1] == -1.0f);
  CHECK(c->vec[2] == 0 && c->vec[3] == 0 && c->vec[4] == 0 && c->vec[5] == 0);
  /* neighbors resolved; unknown and self neighbors dropped and counted */
  CHECK(c->dropped_neighbors == 2);
  CHECK(c->nb_off[1] - c->nb_off[0] == 2);
  CHECK(c->nb_item[c->nb_off[0]] == 1 && c->nb_w[c->nb_off[0]] == 0.5f);
  CHECK(c->nb_item[c->nb_off[0] + 1] == 2 && c->nb_w[c->nb_off[0] + 1] == 0.25f);
  CHECK(c->nb_off[2] - c->nb_off[1] == 1 && c->nb_item[c->nb_off[1]] == 0 && c->nb_w[c->nb_off[1]] == 1.0f);
  CHECK(c->nb_off[3] == c->nb_off[2]);
  CHECK(att__catalog_bytes(c) > 0);
  att__catalog_free(c);
  att__catalog_free(NULL);
}

static void popularity_is_all_zero_without_any(void) {
  att__catalog *c;
  att__err e;
  CHECK(parse("{\"version\":1,\"items\":[{\"id\":\"a\"},{\"id\":\"b\",\"popularity\":0}]}", &c, &e) == ATT_OK);
  if (!c) return;
  CHECK(c->pop[0] == 0 && c->pop[1] == 0);
  CHECK(c->dim == 0 && c->tags.n == 0 && c->cats.n == 0 && c->dropped_neighbors == 0);
  att__catalog_free(c);
  CHECK(parse("{\"version\":1,\"items\":[{\"id\":\"a\",\"popularity\":1e15},{\"id\":\"b\",\"popularity\":1}]}", &c,
              &e) == ATT_OK);
  if (!c) return;
  CHECK(c->pop[0] == 1.0f && c->pop[1] > 0 && c->pop[1] < 0.03f);
  att__catalog_free(c);
}

static void empty_and_single_item_catalogs_parse(void) {
  att__catalog *c;
  att__err e;
  CHECK(parse("{\"version\":1,\"dim\":0,\"items\":[]}", &c, &e) == ATT_OK);
  if (c) {
    CHECK(c->n == 0 && c->tag_off[0] == 0 && c->nb_off[0] == 0 && find(c, "a") == -1);
    att__catalog_free(c);
  }
  CHECK(parse("{\"version\":1}", &c, &e) == ATT_OK);
  if (c) {
    CHECK(c->n == 0);
    att__catalog_free(c);
  }
  CHECK(parse("{\"version\":1,\"items\":[{\"id\":\"only\",\"tags\":[\"t\"],\"neighbors\":[[\"only\",1]]}]}", &c,
              &e) == ATT_OK);
  if (c) {
    CHECK(c->n == 1 && find(c, "only") == 0 && c->tag_off[1] == 1 && c->pop[0] == 0);
    CHECK(c->nb_off[1] == 0 && c->dropped_neighbors == 1);
    att__catalog_free(c);
  }
}

static void unknown_item_keys_are_ignored(void) {
  att__catalog *c;
  att__err e;
  int rc =
      parse("{\"version\":1,\"items\":[{\"id\":\"a\",\"author\":{\"name\":\"x\",\"links\":[1,2]},\"draft\":true}]}",
            &c, &e);
  CHECK_MSG(rc == ATT_OK, "%s", e.msg);
  if (c) {
    CHECK(c->n == 1);
    att__catalog_free(c);
  }
}

/* Many items, so every per-item array grows several times; forward and backward neighbors. */
static void large_catalogs_keep_every_item_intact(void) {
  enum { N = 700 };
  size_t cap = (size_t)N * 160 + 64, o;
  char *json = malloc(cap);
  att__catalog *c;
  att__err e;
  int i, ok = 1;
  o = (size_t)snprintf(json, cap, "{\"items\":[");
  for (i = 0; i < N; i++)
    o += (size_t)snprintf(json + o, cap - o,
                          "%s{\"id\":\"item-%d\",\"tags\":[\"t%d\",\"u%d\",\"all\"],\"category\":\"c%d\","
                          "\"popularity\":%d,\"neighbors\":[[\"item-%d\",1],[\"item-%d\",2]]}",
                          i ? "," : "", i, i % 50, i % 7, i % 5, i, (i + 1) % N, (i + N - 1) % N);
  snprintf(json + o, cap - o, "],\"version\":1}");
  CHECK_MSG(parse(json, &c, &e) == ATT_OK, "%s", e.msg);
  free(json);
  if (!c) return;
  CHECK(c->n == N && c->tags.n == 50 + 7 + 1 && c->cats.n == 5 && c->dropped_neighbors == 0);
  for (i = 0; i < N && ok; i++) {
    char id[32], t[8], u[8];
    const char *want[3];
    snprintf(id, sizeof id, "item-%d", i);
    snprintf(t, sizeof t, "t%d", i % 50);
    snprintf(u, sizeof u, "u%d", i % 7);
    want[0] = t;
    want[1] = u;
    want[2] = "all";
    ok = find(c, id) == i && has_tags(c, (uint32_t)i, want, 3) && c->nb_off[i + 1] - c->nb_off[i] == 2 &&
         c->nb_item[c->nb_off[i]] == (uint32_t)((i + 1) % N) && c->nb_w[c->nb_off[i] + 1] == 2.0f &&
         c->nb_item[c->nb_off[i] + 1] == (uint32_t)((i + N - 1) % N);
    CHECK_MSG(ok, "item %d", i);
  }
  CHECK(c->pop[N - 1] == 1.0f && c->pop[0] == 0.0f);
  att__catalog_free(c);
}

static void version_and_top_level_are_checked(void) {
  EXPECT_CATALOG_ERROR("{\"version\":2,\"items\":[]}", ATT_E_VERSION, "catalog.version", NULL);
  EXPECT_CATALOG_ERROR("{\"items\":[{\"id\":5}],\"version\":2}", ATT_E_VERSION, "catalog.version", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":0}", ATT_E_CATALOG, "catalog.version", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":\"1\"}", ATT_E_CATALOG, "catalog.version", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":1.5}", ATT_E_CATALOG, "catalog.version", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":1,\"dim\":129}", ATT_E_CATALOG, "catalog.dim", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":1,\"dim\":-1}", ATT_E_CATALOG, "catalog.dim", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":1,\"dim\":2.5}", ATT_E_CATALOG, "catalog.dim", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":{}}", ATT_E_CATALOG, "catalog.items", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[],\"name\":\"shop\"}", ATT_E_CATALOG, "\"name\"", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[]", ATT_E_JSON, "catalog", NULL);
  EXPECT_CATALOG_ERROR("[]", ATT_E_JSON, "catalog", NULL);
  EXPECT_CATALOG_ERROR("", ATT_E_JSON, "catalog", NULL);
  EXPECT_CATALOG_ERROR("{\"version\":1,\"version\":1}", ATT_E_JSON, "twice", NULL);
}

static void item_errors_name_the_index_and_id(void) {
  char json[600], id[130], tag[66];
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"a\"}]}", ATT_E_CATALOG,
                       "catalog.items[2]", "(id \"a\")");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"a\"},5]}", ATT_E_CATALOG, "catalog.items[1]", "object");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"tags\":[]}]}", ATT_E_CATALOG, "catalog.items[0]", "\"id\"");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":5}]}", ATT_E_CATALOG, "catalog.items[0]", "\"id\"");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"\"}]}", ATT_E_CATALOG, "catalog.items[0]", "\"id\"");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"a\\u0000b\"}]}", ATT_E_JSON, "catalog.items[0]",
                       "NUL");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"a\"},{\"id\":\"b\",\"tags\":\"x\"}]}", ATT_E_CATALOG,
                       "catalog.items[1] (id \"b\")", "tags");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"tags\":[\"x\",1]}]}", ATT_E_CATALOG,
                       "catalog.items[0] (id \"b\")", "tags[1]");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"category\":7}]}", ATT_E_CATALOG, "(id \"b\")",
                       "category");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"title\":[]}]}", ATT_E_CATALOG, "(id \"b\")",
                       "title");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"popularity\":\"high\"}]}", ATT_E_CATALOG,
                       "(id \"b\")", "popularity");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"popularity\":-1}]}", ATT_E_CATALOG, "(id \"b\")",
                       "popularity");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"publishedAt\":\"2024-01-01\"}]}", ATT_E_CATALOG,
                       "(id \"b\")", "publishedAt");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"neighbors\":{}}]}", ATT_E_CATALOG, "(id \"b\")",
                       "neighbors");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"neighbors\":[[\"a\",1],[\"c\"]]}]}", ATT_E_CATALOG,
                       "(id \"b\")", "neighbors[1]");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"neighbors\":[[\"a\",-0.5]]}]}", ATT_E_CATALOG,
                       "(id \"b\")", "neighbors[0]");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"b\",\"neighbors\":[[1,0.5]]}]}", ATT_E_CATALOG,
                       "(id \"b\")", "neighbors[0]");

  /* ids up to 128 bytes, tags up to 64 */
  memset(id, 'i', 129);
  id[129] = 0;
  snprintf(json, sizeof json, "{\"version\":1,\"items\":[{\"id\":\"ok\"},{\"id\":\"%s\"}]}", id);
  EXPECT_CATALOG_ERROR(json, ATT_E_CATALOG, "catalog.items[1]", "\"id\"");
  id[128] = 0;
  snprintf(json, sizeof json, "{\"version\":1,\"items\":[{\"id\":\"%s\"}]}", id);
  {
    att__catalog *c;
    att__err e;
    CHECK_MSG(parse(json, &c, &e) == ATT_OK, "a 128-byte id: %s", e.msg);
    if (c) {
      CHECK(find(c, id) == 0);
      att__catalog_free(c);
    }
  }
  memset(tag, 't', 65);
  tag[65] = 0;
  snprintf(json, sizeof json, "{\"version\":1,\"items\":[{\"id\":\"a\",\"tags\":[\"%s\"]}]}", tag);
  EXPECT_CATALOG_ERROR(json, ATT_E_CATALOG, "catalog.items[0] (id \"a\")", "tags[0]");
  snprintf(json, sizeof json, "{\"version\":1,\"items\":[{\"id\":\"a\",\"category\":\"%s\"}]}", tag);
  EXPECT_CATALOG_ERROR(json, ATT_E_CATALOG, "catalog.items[0] (id \"a\")", "category");
  tag[64] = 0;
  snprintf(json, sizeof json, "{\"version\":1,\"items\":[{\"id\":\"a\",\"tags\":[\"%s\"]}]}", tag);
  {
    att__catalog *c;
    att__err e;
    CHECK_MSG(parse(json, &c, &e) == ATT_OK, "a 64-byte tag: %s", e.msg);
    att__catalog_free(c);
  }
}

static void vectors_must_match_dim(void) {
  EXPECT_CATALOG_ERROR(
      "{\"version\":1,\"dim\":3,\"items\":[{\"id\":\"a\",\"vector\":[1,2,3]},{\"id\":\"v\",\"vector\":[1,2]}]}",
      ATT_E_CATALOG, "catalog.items[1] (id \"v\")", "vector");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"dim\":1,\"items\":[{\"id\":\"v\",\"vector\":[1,2]}]}", ATT_E_CATALOG,
                       "(id \"v\")", "dim");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"items\":[{\"id\":\"v\",\"vector\":[1]}]}", ATT_E_CATALOG,
                       "catalog.items[0] (id \"v\")", "dim");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"dim\":0,\"items\":[{\"id\":\"v\",\"vector\":[]}]}", ATT_E_CATALOG,
                       "(id \"v\")", "dim");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"dim\":2,\"items\":[{\"id\":\"v\",\"vector\":[1,\"2\"]}]}", ATT_E_CATALOG,
                       "(id \"v\")", "vector[1]");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"dim\":2,\"items\":[{\"id\":\"v\",\"vector\":[1,2e6]}]}", ATT_E_CATALOG,
                       "(id \"v\")", "vector[1]");
  EXPECT_CATALOG_ERROR("{\"version\":1,\"dim\":2,\"items\":[{\"id\":\"v\",\"vector\":{}}]}", ATT_E_CATALOG,
                       "(id \"v\")", "vector");
}

static void per_item_limits_are_enforced(void) {
  char *json = malloc(8000);
  size_t o;
  int i;
  o = (size_t)snprintf(json, 8000, "{\"version\":1,\"items\":[{\"id\":\"many\",\"tags\":[");
  for (i = 0; i <= ATT_MAX_ITEM_TAGS; i++) o += (size_t)snprintf(json + o, 8000 - o, "%s\"t%d\"", i ? "," : "", i);
  snprintf(json + o, 8000 - o, "]}]}");
  EXPECT_CATALOG_ERROR(json, ATT_E_LIMIT, "catalog.items[0] (id \"many\")", "tags");
  o = (size_t)snprintf(json, 8000, "{\"version\":1,\"items\":[{\"id\":\"many\",\"neighbors\":[");
  for (i = 0; i <= ATT_MAX_NEIGHBORS; i++)
    o += (size_t)snprintf(json + o, 8000 - o, "%s[\"n%d\",1]", i ? "," : "", i);
  snprintf(json + o, 8000 - o, "]}]}");
  EXPECT_CATALOG_ERROR(json, ATT_E_LIMIT, "catalog.items[0] (id \"many\")", "neighbors");
  free(json);
}

void test_catalog(void) {
  a_valid_catalog_parses_into_arrays();
  popularity_is_all_zero_without_any();
  empty_and_single_item_catalogs_parse();
  unknown_item_keys_are_ignored();
  large_catalogs_keep_every_item_intact();
  version_and_top_level_are_checked();
  item_errors_name_the_index_and_id();
  vectors_must_match_dim();
  per_item_limits_are_enforced();
}
