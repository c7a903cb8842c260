/* test_rank.c — ranking through the public API: the prior, segment boosts, affinities, what
 * never ranks, filters, pins, caps, and explanations that add up. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attune.h"
#include "check.h"
#include "json.h"
#include "tests.h"

#define DAY 86400000.0
#define NOW 1700000000000.0 /* 2023-11-14T22:13:20Z */

static double next_eid = 1;

static att_engine *engine_at(int line, const char *config, const char *catalog) {
  att_engine *h = att_new();
  int rc;
  if (!h) return NULL;
  rc = att_configure(h, config, strlen(config), NOW);
  CHECK_MSG(rc == ATT_OK, "line %d: configure: %s", line, att_errmsg(h));
  rc = att_load_catalog(h, catalog, strlen(catalog), NOW);
  CHECK_MSG(rc == ATT_OK, "line %d: catalog: %s", line, att_errmsg(h));
  return h;
}
#define ENGINE(config, catalog) engine_at(__LINE__, config, catalog)

static void track_at(int line, att_engine *h, const char *id, int type, double at) {
  int rc = att_track(h, id, strlen(id), type, at, NAN, next_eid++, NULL, 0, NOW);
  CHECK_MSG(rc == ATT_OK, "line %d: track %s: %s", line, id, att_errmsg(h));
}
#define TRACK(h, id, type) track_at(__LINE__, h, id, type, NAN)

static void traits(att_engine *h, const char *json) {
  int rc = att_set_traits(h, json, strlen(json), NOW);
  CHECK_MSG(rc == ATT_OK, "traits %s: %s", json, att_errmsg(h));
}

/* A recommendation list, parsed. */
typedef struct rec {
  int n;
  char id[64][16];
  double score[64];
  int editorial[64];
  char reasons[64][3][200];
  int nreasons[64];
} rec;

static att__jv *parse_result(att_engine *h) {
  att__err e;
  att__jv *v = att__json_parse(&e, "result", (const char *)att_result(h), att_result_len(h));
  CHECK_MSG(v != NULL, "result is not JSON: %s", e.msg);
  return v;
}

/* Runs att_recommend with `opts` and parses the list; n = -1 when the call failed. */
static rec recommend_at(int line, att_engine *h, const char *opts) {
  rec r;
  att__jv *v, *x;
  int rc = att_recommend(h, opts, strlen(opts), NOW);
  memset(&r, 0, sizeof r);
  CHECK_MSG(rc == ATT_OK, "line %d: recommend %s: %s", line, opts, att_errmsg(h));
  if (rc) {
    r.n = -1;
    return r;
  }
  v = parse_result(h);
  for (x = att__jv_first(v); x && r.n < 64; x = att__jv_next(x), r.n++) {
    const att__jv *y;
    snprintf(r.id[r.n], sizeof r.id[0], "%s", att__jv_str(att__jv_get(x, "id"), NULL));
    r.score[r.n] = att__jv_num(att__jv_get(x, "score"));
    r.editorial[r.n] = att__jv_bool(att__jv_get(x, "editorial"));
    for (y = att__jv_first(att__jv_get(x, "reasons")); y && r.nreasons[r.n] < 3; y = att__jv_next(y))
      snprintf(r.reasons[r.n][r.nreasons[r.n]++], sizeof r.reasons[0][0], "%s", att__jv_str(y, NULL));
  }
  att__json_free(v);
  return r;
}
#define RECOMMEND(h, opts) recommend_at(__LINE__, h, opts)

/* The ids joined with spaces, for comparing whole lists. */
static const char *ids(const rec *r) {
  static char buf[1024];
  int i;
  size_t o = 0;
  buf[0] = 0;
  for (i = 0; i < r->n && o < sizeof buf - 20; i++)
    o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? " " : "", r->id[i]);
  return buf;
}

#define CHECK_IDS(r, want) CHECK_MSG(strcmp(ids(&(r)), want) == 0, "got \"%s\", want \"%s\"", ids(&(r)), want)

static int position_of(const rec *r, const char *id) {
  int i;
  for (i = 0; i < r->n; i++)
    if (strcmp(r->id[i], id) == 0) return i;
  return -1;
}

static int any_reason_contains(const rec *r, int i, const char *text) {
  int j;
  for (j = 0; j < r->nreasons[i]; j++)
    if (strstr(r->reasons[i][j], text)) return 1;
  return 0;
}

/* --- the prior ---------------------------------------------------------------------------- */

static const char *const pop_catalog =
    "{\"version\":1,\"items\":[{\"id\":\"a\",\"popularity\":10},{\"id\":\"b\",\"popularity\":1000},"
    "{\"id\":\"c\",\"popularity\":100},{\"id\":\"d\",\"popularity\":100},{\"id\":\"e\"},{\"id\":\"f\",\"popularity\":0}]}";

static void level_none_ranks_by_popularity_with_ties_in_catalog_order(void) {
  att_engine *h = ENGINE("{\"privacyLevel\":\"none\"}", pop_catalog);
  rec r;
  if (!h) return;
  CHECK(att_level(h) == ATT_LEVEL_NONE);
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "b c d a e f");
  CHECK(r.score[0] == 0.3);
  CHECK(fabs(r.score[1] - 0.3 * log1p(100) / log1p(1000)) < 1e-6);
  CHECK(r.score[1] == r.score[2] && r.score[4] == 0 && r.score[5] == 0);
  CHECK(any_reason_contains(&r, 0, "Popular"));
  CHECK(strcmp(r.reasons[5][0], "In the site's order") == 0);
  r = RECOMMEND(h, "{\"k\":2}");
  CHECK_IDS(r, "b c");
  r = RECOMMEND(h, "{\"k\":3,\"exclude\":[\"b\"]}");
  CHECK_IDS(r, "c d a");
  /* tracking at level none changes nothing */
  TRACK(h, "e", ATT_EV_PURCHASE);
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "b c d a e f");
  att_free(h);

  /* all tied: catalog order, whatever k */
  h = ENGINE("{\"privacyLevel\":\"none\"}",
             "{\"version\":1,\"items\":[{\"id\":\"q1\"},{\"id\":\"q2\"},{\"id\":\"q3\"},{\"id\":\"q4\"},{\"id\":\"q5\"},"
             "{\"id\":\"q6\"},{\"id\":\"q7\"}]}");
  if (!h) return;
  r = RECOMMEND(h, "{\"k\":3}");
  CHECK_IDS(r, "q1 q2 q3");
  r = RECOMMEND(h, "{\"k\":6}");
  CHECK_IDS(r, "q1 q2 q3 q4 q5 q6");
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "q1 q2 q3 q4 q5 q6 q7");
  att_free(h);
}

static void freshness_favours_newer_items(void) {
  /* published on whole days: day 19674 is a day before NOW's day */
  att_engine *h = ENGINE("{\"privacyLevel\":\"none\"}",
                         "{\"version\":1,\"items\":["
                         "{\"id\":\"old\",\"popularity\":5,\"publishedAt\":1690070400000},"
                         "{\"id\":\"undated\",\"popularity\":5},"
                         "{\"id\":\"new\",\"popularity\":5,\"publishedAt\":1699833600000},"
                         "{\"id\":\"mid\",\"popularity\":5,\"publishedAt\":1698624000000},"
                         "{\"id\":\"future\",\"popularity\":5,\"publishedAt\":1800000000000}]}");
  rec r;
  double age_new = NOW / DAY - 1699833600000.0 / DAY;
  if (!h) return;
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "future new mid old undated");
  CHECK_MSG(fabs(r.score[0] - (0.3 + 0.2)) < 1e-9, "freshness is capped at 1: %.17g", r.score[0]);
  CHECK_MSG(fabs(r.score[1] - (0.3 + 0.2 * exp2(-age_new / 14))) < 1e-6, "%.17g", r.score[1]);
  CHECK(r.score[4] == 0.3);
  CHECK(any_reason_contains(&r, 1, "New since yesterday"));
  att_free(h);
}

/* --- segment boosts ----------------------------------------------------------------------- */

static const char *const seg_config =
    "{\"privacyLevel\":\"segment\",\"traits\":{\"plan\":[\"free\",\"pro\"]},"
    "\"segments\":[{\"label\":\"pros\",\"when\":{\"plan\":[\"pro\"]},"
    "\"boost\":{\"tags\":{\"advanced\":0.5},\"categories\":{\"guides\":0.25},\"items\":{\"e\":1}}}]}";

static const char *const seg_catalog =
    "{\"version\":1,\"items\":["
    "{\"id\":\"a\",\"tags\":[\"basics\"],\"category\":\"news\",\"popularity\":100},"
    "{\"id\":\"b\",\"tags\":[\"advanced\"],\"category\":\"news\",\"popularity\":10},"
    "{\"id\":\"c\",\"tags\":[\"advanced\",\"basics\"],\"category\":\"guides\",\"popularity\":1},"
    "{\"id\":\"d\",\"tags\":[\"sports\"],\"popularity\":50},"
    "{\"id\":\"e\",\"popularity\":0},"
    "{\"id\":\"f\",\"tags\":[\"sports\",\"basics\"],\"category\":\"guides\",\"popularity\":5}]}";

static void segment_boosts_apply_at_level_segment(void) {
  att_engine *h = ENGINE(seg_config, seg_catalog);
  rec r;
  if (!h) return;
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "a d b f c e"); /* the default segment has no boosts */
  traits(h, "{\"plan\":\"pro\"}");
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "e c b f a d");
  CHECK(r.score[0] == 1);
  CHECK(any_reason_contains(&r, 0, "Suggested for the pros segment"));
  CHECK(any_reason_contains(&r, 1, "Suggested for the pros segment: tagged advanced"));
  traits(h, "{\"plan\":\"free\"}");
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "a d b f c e");
  /* at level none no segment is used, and the traits are gone */
  traits(h, "{\"plan\":\"pro\"}");
  CHECK(att_set_level(h, ATT_LEVEL_NONE, NOW) == ATT_OK);
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "a d b f c e");
  CHECK(att_set_level(h, ATT_LEVEL_SEGMENT, NOW) == ATT_OK);
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "a d b f c e");
  att_free(h);
}

/* --- behaviour ---------------------------------------------------------------------------- */

static const char *const beh_catalog =
    "{\"version\":1,\"items\":["
    "{\"id\":\"s1\",\"title\":\"Sports one\",\"tags\":[\"sports\"],\"category\":\"sport\",\"neighbors\":[[\"t1\",1]]},"
    "{\"id\":\"s2\",\"tags\":[\"sports\",\"news\"],\"category\":\"sport\"},"
    "{\"id\":\"n1\",\"tags\":[\"news\"],\"category\":\"world\",\"popularity\":1000},"
    "{\"id\":\"n2\",\"tags\":[\"news\"],\"category\":\"local\",\"popularity\":500},"
    "{\"id\":\"t1\",\"tags\":[\"tech\"],\"category\":\"world\",\"popularity\":800},"
    "{\"id\":\"s3\",\"tags\":[\"sports\"]}]}";

static void clicked_tags_rank_higher(void) {
  /* no neighbors here, and a small popularity weight, so only affinity moves items (and no
   * diversity re-ranking, which reorders lists from the behavioral level up) */
  att_engine *h = ENGINE("{\"ranking\":{\"diversity\":0,\"weights\":{\"popularity\":0.1}}}",
                         "{\"version\":1,\"items\":[{\"id\":\"s1\",\"tags\":[\"sports\"]},"
                         "{\"id\":\"s2\",\"tags\":[\"sports\",\"news\"]},{\"id\":\"n1\",\"tags\":[\"news\"],\"popularity\":9},"
                         "{\"id\":\"t1\",\"tags\":[\"tech\"],\"popularity\":9},{\"id\":\"s3\",\"tags\":[\"sports\"]},"
                         "{\"id\":\"x1\",\"popularity\":9}]}");
  rec before, r;
  if (!h) return;
  before = RECOMMEND(h, "");
  CHECK_IDS(before, "n1 t1 x1 s1 s2 s3");
  TRACK(h, "s1", ATT_EV_CLICK);
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "s3 s2 n1 t1 x1"); /* s1 is seen */
  CHECK(r.score[0] > r.score[1] && r.score[1] > r.score[2]);
  CHECK(any_reason_contains(&r, 0, "Because you opened 1 item tagged sports this week"));
  /* a second sports item, liked: more evidence, a stronger pull */
  TRACK(h, "s3", ATT_EV_LIKE);
  before = r;
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "s2 n1 t1 x1");
  CHECK(r.score[0] > before.score[1]);
  CHECK_MSG(any_reason_contains(&r, 0, "Because you liked 2 items tagged sports this week"), "%s", r.reasons[0][0]);
  /* a dismissal pushes its tags down */
  TRACK(h, "t1", ATT_EV_DISMISS);
  TRACK(h, "s2", ATT_EV_VIEW);
  CHECK(att_set_level(h, ATT_LEVEL_BEHAVIORAL, NOW) == ATT_OK);
  r = RECOMMEND(h, "{\"exclude\":[]}");
  CHECK_IDS(r, "n1 x1");
  att_free(h);
}

static void related_items_follow_interactions(void) {
  att_engine *h = ENGINE("{\"ranking\":{\"diversity\":0,\"weights\":{\"popularity\":0.1}}}", beh_catalog);
  rec r;
  int i;
  if (!h) return;
  TRACK(h, "s1", ATT_EV_CLICK);
  r = RECOMMEND(h, "");
  i = position_of(&r, "t1");
  CHECK(i >= 0);
  if (i >= 0)
    CHECK_MSG(any_reason_contains(&r, i, "Related to \"Sports one\", which you opened"), "%s", r.reasons[i][0]);
  att_free(h);
}

static void seen_items_are_excluded_unless_configured(void) {
  att_engine *h = ENGINE("{}", beh_catalog), *keep = ENGINE("{\"ranking\":{\"excludeSeen\":false}}", beh_catalog);
  rec r;
  if (!h || !keep) return;
  TRACK(h, "n1", ATT_EV_VIEW);
  TRACK(keep, "n1", ATT_EV_VIEW);
  r = RECOMMEND(h, "");
  CHECK(position_of(&r, "n1") == -1 && r.n == 5);
  r = RECOMMEND(keep, "");
  CHECK(position_of(&r, "n1") == 0 && r.n == 6);
  /* at level segment nothing is remembered as seen */
  CHECK(att_set_level(h, ATT_LEVEL_SEGMENT, NOW) == ATT_OK);
  r = RECOMMEND(h, "");
  CHECK(position_of(&r, "n1") == 0);
  att_free(h);
  att_free(keep);
}

static void dismissed_and_blocked_items_never_rank(void) {
  att_engine *h = ENGINE("{\"ranking\":{\"excludeSeen\":false},"
                         "\"editorial\":{\"pins\":[{\"item\":\"s3\",\"position\":1},{\"item\":\"n2\",\"position\":2}]}}",
                         beh_catalog);
  rec r;
  if (!h) return;
  r = RECOMMEND(h, "");
  CHECK(strcmp(r.id[0], "s3") == 0 && strcmp(r.id[1], "n2") == 0);
  TRACK(h, "n1", ATT_EV_DISMISS);
  CHECK(att_block(h, 1, "s3", 2, 1, NOW) == ATT_OK);
  r = RECOMMEND(h, "{\"k\":100}");
  CHECK(position_of(&r, "n1") == -1);
  CHECK(position_of(&r, "s3") == -1); /* even though pinned */
  CHECK(r.n == 4);
  CHECK(att_block(h, 0, "news", 4, 1, NOW) == ATT_OK);
  r = RECOMMEND(h, "{\"k\":100}");
  CHECK_IDS(r, "s1 t1"); /* s2, n1, n2 carry "news"; t1 shares n1's dismissed category */
  /* explain says why */
  CHECK(att_explain(h, "s2", 2, NULL, 0, NOW) == ATT_OK);
  CHECK(strstr((const char *)att_result(h), "You blocked the tag news") != NULL);
  CHECK(att_explain(h, "s3", 2, NULL, 0, NOW) == ATT_OK);
  CHECK(strstr((const char *)att_result(h), "You blocked this item") != NULL);
  /* unblocking brings them back, the dismissal stays */
  CHECK(att_block(h, 0, "news", 4, 0, NOW) == ATT_OK);
  CHECK(att_block(h, 1, "s3", 2, 0, NOW) == ATT_OK);
  r = RECOMMEND(h, "{\"k\":100}");
  CHECK(r.n == 5 && position_of(&r, "n1") == -1 && strcmp(r.id[0], "s3") == 0);
  /* blocks hold at level segment too */
  CHECK(att_set_level(h, ATT_LEVEL_SEGMENT, NOW) == ATT_OK);
  CHECK(att_block(h, 0, "tech", 4, 1, NOW) == ATT_OK);
  r = RECOMMEND(h, "{\"k\":100}");
  CHECK(position_of(&r, "t1") == -1 && position_of(&r, "n1") >= 0 && r.n == 5);
  att_free(h);
}

static void filters_and_exclusions_narrow_the_list(void) {
  att_engine *h = ENGINE("{\"privacyLevel\":\"none\"}", beh_catalog);
  rec r;
  if (!h) return;
  r = RECOMMEND(h, "{\"filter\":{\"tags\":[\"news\"]}}");
  CHECK_IDS(r, "n1 n2 s2");
  r = RECOMMEND(h, "{\"filter\":{\"tags\":[\"tech\",\"sports\"]}}");
  CHECK_IDS(r, "t1 s1 s2 s3");
  r = RECOMMEND(h, "{\"filter\":{\"categories\":[\"world\"]}}");
  CHECK_IDS(r, "n1 t1");
  r = RECOMMEND(h, "{\"filter\":{\"tags\":[\"news\"],\"categories\":[\"world\",\"sport\"]}}");
  CHECK_IDS(r, "n1 s2");
  r = RECOMMEND(h, "{\"filter\":{\"tags\":[\"unknown\"]}}");
  CHECK(r.n == 0);
  r = RECOMMEND(h, "{\"filter\":{\"tags\":[]}}");
  CHECK(r.n == 0);
  r = RECOMMEND(h, "{\"filter\":{}}");
  CHECK(r.n == 6);
  r = RECOMMEND(h, "{\"exclude\":[\"n1\",\"nope\",\"t1\"]}");
  CHECK_IDS(r, "n2 s1 s2 s3");
  r = RECOMMEND(h, "{\"exclude\":[\"n1\"],\"filter\":{\"categories\":[\"world\"]}}");
  CHECK_IDS(r, "t1");
  att_free(h);
}

static void k_bounds_the_list(void) {
  att_engine *h = ENGINE("{\"privacyLevel\":\"none\"}", beh_catalog);
  rec r;
  if (!h) return;
  r = RECOMMEND(h, "{\"k\":0}");
  CHECK(r.n == 0);
  CHECK(att_result_len(h) == 2 && memcmp(att_result(h), "[]", 2) == 0);
  r = RECOMMEND(h, "{\"k\":1}");
  CHECK_IDS(r, "n1");
  r = RECOMMEND(h, "{\"k\":1000}");
  CHECK(r.n == 6);
  CHECK(att_recommend(h, "{\"k\":1001}", 10, NOW) == ATT_E_ARG);
  att_free(h);
}

/* --- the site's editorial choices --------------------------------------------------------- */

static void pins_land_at_their_positions(void) {
  att_engine *h = ENGINE("{\"privacyLevel\":\"none\",\"editorial\":{\"pins\":[{\"item\":\"s1\",\"position\":1},"
                         "{\"item\":\"n2\",\"position\":3},{\"item\":\"gone\",\"position\":2},"
                         "{\"item\":\"s3\",\"position\":9}]}}",
                         beh_catalog);
  rec r;
  if (!h) return;
  r = RECOMMEND(h, "");
  CHECK_IDS(r, "s1 n1 n2 t1 s2 s3");
  /* the pin at 9 lands at the end of a shorter list */
  CHECK(r.editorial[0] == 1 && r.editorial[1] == 0 && r.editorial[2] == 1 && r.editorial[4] == 0 &&
        r.editorial[5] == 1);
  CHECK(strcmp(r.reasons[0][0], "Chosen by the editors") == 0);
  r = RECOMMEND(h, "{\"k\":2}");
  CHECK_IDS(r, "s1 n1");
  r = RECOMMEND(h, "{\"k\":3,\"exclude\":[\"s1\"]}");
  CHECK_IDS(r, "n1 t1 n2");
  r = RECOMMEND(h, "{\"k\":4,\"filter\":{\"tags\":[\"news\"]}}");
  CHECK_IDS(r, "n1 s2 n2");
  CHECK(att_explain(h, "n2", 2, NULL, 0, NOW) == ATT_OK);
  CHECK(strstr((const char *)att_result(h), "\"editorial\":3") != NULL);
  CHECK(strstr((const char *)att_result(h), "Placed at position 3 by the editors") != NULL);
  att_free(h);
}

static void pins_can_be_per_segment(void) {
  att_engine *h = ENGINE("{\"privacyLevel\":\"segment\",\"traits\":{\"plan\":[\"free\",\"pro\"]},"
                         "\"segments\":[{\"label\":\"pros\",\"when\":{\"plan\":[\"pro\"]}}],"
                         "\"editorial\":{\"pins\":[{\"item\":\"s2\",\"position\":1,\"segment\":\"pros\"},"
                         "{\"item\":\"s3\",\"position\":1,\"segment\":\"general\"},{\"item\":\"s1\",\"position\":2}]}}",
                         beh_catalog);
  rec r;
  if (!h) return;
  r = RECOMMEND(h, "{\"k\":3}");
  CHECK_IDS(r, "s3 s1 n1");
  traits(h, "{\"plan\":\"pro\"}");
  r = RECOMMEND(h, "{\"k\":3}");
  CHECK_IDS(r, "s2 s1 n1");
  CHECK(att_set_level(h, ATT_LEVEL_NONE, NOW) == ATT_OK);
  r = RECOMMEND(h, "{\"k\":3}");
  CHECK_IDS(r, "n1 s1 t1"); /* no segment at level none: only the pin for everyone */
  att_free(h);
}

static void editorial_exclude_removes_items(void) {
  att_engine *h = ENGINE("{\"editorial\":{\"exclude\":[\"n1\",\"t1\"],\"pins\":[{\"item\":\"t1\",\"position\":1}]}}",
                         beh_catalog);
  rec r;
  if (!h) return;
  r = RECOMMEND(h, "{\"k\":100}");
  CHECK_IDS(r, "n2 s1 s2 s3");
  CHECK(att_explain(h, "n1", 2, NULL, 0, NOW) == ATT_OK);
  CHECK(strstr((const char *)att_result(h), "\"rank\":null") != NULL);
  CHECK(strstr((const char *)att_result(h), "Left out by the editors") != NULL);
  att_free(h);
}

static void max_per_category_caps_the_list(void) {
  const char *cat = "{\"version\":1,\"items\":["
                    "{\"id\":\"w1\",\"category\":\"world\",\"popularity\":100},{\"id\":\"w2\",\"category\":\"world\",\"popularity\":90},"
                    "{\"id\":\"w3\",\"category\":\"world\",\"popularity\":80},{\"id\":\"w4\",\"category\":\"world\",\"popularity\":70},"
                    "{\"id\":\"l1\",\"category\":\"local\",\"popularity\":60},{\"id\":\"l2\",\"category\":\"local\",\"popularity\":50},"
                    "{\"id\":\"l3\",\"category\":\"local\",\"popularity\":40},{\"id\":\"x1\",\"popularity\":30},"
                    "{\"id\":\"x2\",\"popularity\":20},{\"id\":\"x3\",\"popularity\":10}]}";
  att_engine *h = ENGINE("{\"privacyLevel\":\"none\",\"ranking\":{\"maxPerCategory\":2}}", cat);
  att_engine *pinned = ENGINE("{\"privacyLevel\":\"none\",\"ranking\":{\"maxPerCategory\":2},"
                              "\"editorial\":{\"pins\":[{\"item\":\"w4\",\"position\":5}]}}",
                              cat);
  rec r;
  if (!h || !pinned) return;
  r = RECOMMEND(h, "{\"k\":5}");
  CHECK_IDS(r, "w1 w2 l1 l2 x1");
  r = RECOMMEND(h, "{\"k\":100}");
  CHECK_IDS(r, "w1 w2 l1 l2 x1 x2 x3");
  r = RECOMMEND(pinned, "{\"k\":5}");
  CHECK_IDS(r, "w1 l1 l2 x1 w4"); /* the pin counts toward its category's cap */
  att_free(h);
  att_free(pinned);
}

/* --- explanations ------------------------------------------------------------------------- */

/* Explains `id`; returns its score and sets *sum to the contributions added in order. */
static double explain_at(int line, att_engine *h, const char *id, double *sum, int *ncontrib) {
  att__jv *v;
  const att__jv *c;
  double score;
  int rc = att_explain(h, id, strlen(id), NULL, 0, NOW);
  *sum = 0;
  *ncontrib = 0;
  CHECK_MSG(rc == ATT_OK, "line %d: explain %s: %s", line, id, att_errmsg(h));
  if (rc) return NAN;
  v = parse_result(h);
  score = att__jv_num(att__jv_get(v, "score"));
  CHECK(strcmp(att__jv_str(att__jv_get(v, "id"), NULL), id) == 0);
  for (c = att__jv_first(att__jv_get(v, "contributions")); c; c = att__jv_next(c)) {
    const char *reason = att__jv_str(att__jv_get(c, "reason"), NULL);
    *sum += att__jv_num(att__jv_get(c, "weight"));
    (*ncontrib)++;
    CHECK_MSG(reason[0] >= 'A' && reason[0] <= 'Z' && !strchr(reason, '_') && !strstr(reason, "nan") &&
                  !strchr(reason, '%') && !strchr(reason, '{'),
              "not plain words: %s", reason);
    CHECK(att__jv_type(att__jv_get(c, "signal")) == ATT__J_STR &&
          att__jv_type(att__jv_get(c, "level")) == ATT__J_STR);
  }
  att__json_free(v);
  return score;
}

static void explanations_add_up_to_the_ranked_score(void) {
  const char *cfg = "{\"privacyLevel\":\"behavioral\",\"traits\":{\"plan\":[\"free\",\"pro\"]},"
                    "\"segments\":[{\"label\":\"pros\",\"when\":{\"plan\":[\"pro\"]},"
                    "\"boost\":{\"tags\":{\"news\":0.3,\"tech\":-0.7},\"categories\":{\"world\":0.1},\"items\":{\"s2\":0.45}}}],"
                    "\"ranking\":{\"excludeSeen\":false},\"history\":{\"halfLifeDays\":3},"
                    "\"editorial\":{\"pins\":[{\"item\":\"n2\",\"position\":2}]}}";
  const char *cat = "{\"version\":1,\"items\":["
                    "{\"id\":\"s1\",\"tags\":[\"sports\",\"news\",\"x\"],\"category\":\"sport\",\"popularity\":3,"
                    "\"publishedAt\":1699000000000,\"neighbors\":[[\"t1\",0.7],[\"n1\",0.1]]},"
                    "{\"id\":\"s2\",\"tags\":[\"sports\",\"news\"],\"category\":\"sport\",\"popularity\":17,\"publishedAt\":1699900000000},"
                    "{\"id\":\"n1\",\"tags\":[\"news\"],\"category\":\"world\",\"popularity\":1000,\"neighbors\":[[\"s3\",1]]},"
                    "{\"id\":\"n2\",\"tags\":[\"news\",\"tech\"],\"category\":\"local\",\"popularity\":500},"
                    "{\"id\":\"t1\",\"tags\":[\"tech\"],\"category\":\"world\",\"popularity\":800,\"publishedAt\":1600000000000},"
                    "{\"id\":\"s3\",\"tags\":[\"sports\"],\"popularity\":0.3}]}";
  att_engine *h = ENGINE(cfg, cat);
  rec r;
  int i, n;
  double sum;
  if (!h) return;
  traits(h, "{\"plan\":\"pro\"}");
  track_at(__LINE__, h, "s1", ATT_EV_CLICK, NOW - 2 * DAY - 1234);
  track_at(__LINE__, h, "n1", ATT_EV_VIEW, NOW - 5 * DAY);
  track_at(__LINE__, h, "t1", ATT_EV_DISMISS, NOW - 3600e3);
  track_at(__LINE__, h, "s2", ATT_EV_SHARE, NOW - 7 * DAY);
  r = RECOMMEND(h, "{\"k\":100}");
  CHECK(r.n == 5); /* t1 is dismissed */
  for (i = 0; i < r.n; i++) {
    double score = explain_at(__LINE__, h, r.id[i], &sum, &n);
    CHECK_MSG(score == r.score[i], "%s: explain %.17g, recommend %.17g", r.id[i], score, r.score[i]);
    CHECK_MSG(sum == score, "%s: contributions add to %.17g, score %.17g", r.id[i], sum, score);
    CHECK(n >= 2);
  }
  /* the excluded item is explained too */
  CHECK(explain_at(__LINE__, h, "t1", &sum, &n) == sum);
  /* every reason in the list is plain words */
  for (i = 0; i < r.n; i++) {
    int j;
    CHECK(r.nreasons[i] >= 1);
    for (j = 0; j < r.nreasons[i]; j++)
      CHECK_MSG(r.reasons[i][j][0] >= 'A' && r.reasons[i][j][0] <= 'Z' && !strchr(r.reasons[i][j], '_'),
                "%s", r.reasons[i][j]);
  }
  att_free(h);
}

static void explain_reports_level_segment_and_rank(void) {
  att_engine *h = ENGINE(seg_config, seg_catalog);
  att__jv *v;
  if (!h) return;
  traits(h, "{\"plan\":\"pro\"}");
  CHECK(att_explain(h, "c", 1, NULL, 0, NOW) == ATT_OK);
  v = parse_result(h);
  CHECK(strcmp(att__jv_str(att__jv_get(v, "level"), NULL), "segment") == 0);
  CHECK(strcmp(att__jv_str(att__jv_get(v, "segment"), NULL), "pros") == 0);
  CHECK(att__jv_num(att__jv_get(v, "rank")) == 2);
  CHECK(att__jv_type(att__jv_get(v, "excluded")) == ATT__J_NULL);
  att__json_free(v);
  CHECK(att_set_level(h, ATT_LEVEL_NONE, NOW) == ATT_OK);
  CHECK(att_explain(h, "c", 1, NULL, 0, NOW) == ATT_OK);
  v = parse_result(h);
  CHECK(att__jv_type(att__jv_get(v, "segment")) == ATT__J_NULL);
  CHECK(att__jv_num(att__jv_get(v, "rank")) == 5);
  att__json_free(v);
  att_free(h);
}

static void ranking_is_deterministic(void) {
  att_engine *h = ENGINE("{}", beh_catalog);
  unsigned char first[4096];
  size_t n;
  if (!h) return;
  TRACK(h, "s1", ATT_EV_CLICK);
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_OK);
  n = att_result_len(h);
  CHECK(n < sizeof first);
  memcpy(first, att_result(h), n < sizeof first ? n : sizeof first);
  CHECK(att_recommend(h, NULL, 0, NOW) == ATT_OK);
  CHECK(att_result_len(h) == n && memcmp(att_result(h), first, n) == 0);
  att_free(h);
}

void test_rank(void) {
  level_none_ranks_by_popularity_with_ties_in_catalog_order();
  freshness_favours_newer_items();
  segment_boosts_apply_at_level_segment();
  clicked_tags_rank_higher();
  related_items_follow_interactions();
  seen_items_are_excluded_unless_configured();
  dismissed_and_blocked_items_never_rank();
  filters_and_exclusions_narrow_the_list();
  k_bounds_the_list();
  pins_land_at_their_positions();
  pins_can_be_per_segment();
  editorial_exclude_removes_items();
  max_per_category_caps_the_list();
  explanations_add_up_to_the_ranked_score();
  explain_reports_level_segment_and_rank();
  ranking_is_deterministic();
}
