/* test_profile.c — the user's profile: activity bitmap and usage, the rolling window, decayed
 * affinities, retention, level purges and sensitive items. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "check.h"
#include "config.h"
#include "privacy.h"
#include "profile.h"
#include "tests.h"

#define DAY ATT_DAY_MS
#define DAY0 19675.0 /* 2023-11-14 */
#define NOON(d) (((d) + 0.5) * DAY)

static att__config make_config(const char *json) {
  att__config c;
  att__err e;
  memset(&c, 0, sizeof c);
  if (att__config_parse(&e, json, strlen(json), &c)) {
    CHECK_MSG(0, "config: %s", e.msg);
    att__config_parse(&e, "{}", 2, &c);
  }
  return c;
}

static att__catalog *make_catalog(const char *json) {
  att__catalog *c = NULL;
  att__err e;
  if (att__catalog_parse(&e, json, strlen(json), ATT_VEC_F32, &c)) CHECK_MSG(0, "catalog: %s", e.msg);
  return c;
}

static const char *const catalog_json =
    "{\"version\":1,\"items\":["
    "{\"id\":\"a\",\"tags\":[\"x\",\"y\"],\"category\":\"news\"},"
    "{\"id\":\"b\",\"tags\":[\"y\"],\"category\":\"sport\"},"
    "{\"id\":\"c\",\"tags\":[\"z\",\"x\"],\"category\":\"news\"},"
    "{\"id\":\"d\",\"tags\":[\"health\"]},"
    "{\"id\":\"e\",\"category\":\"finance\"},"
    "{\"id\":\"f\"}]}";

/* Adds an event for item `id` to the window and trims it to history.size, as att_track does;
 * returns att__profile_add_event's result. */
static int add(att__profile *p, const att__config *cfg, const att__catalog *cat, const char *id, int type,
               double at, double value, double eid) {
  att__event ev;
  int rc;
  memset(&ev, 0, sizeof ev);
  ev.eid = eid;
  ev.at = at;
  ev.value = value;
  ev.type = (uint8_t)type;
  ev.idx = (int32_t)att__catalog_find(cat, id, strlen(id));
  ev.item = att__strndup(id, strlen(id));
  rc = att__profile_add_event(p, cfg, cat, &ev);
  if (rc != 1) att__free(ev.item);
  att__profile_trim(p, cfg, cat);
  return rc;
}

static int32_t tag(const att__catalog *cat, const char *t) {
  return (int32_t)att__strtab_find(&cat->tags, t, strlen(t));
}

static int32_t category(const att__catalog *cat, const char *t) {
  return (int32_t)att__strtab_find(&cat->cats, t, strlen(t));
}

/* sum over window events whose item has tag `t` (or category `c` when t < 0) of
 * w * 2^(-(now - at) / halfLife), computed directly. */
static double expected_affinity(const att__profile *p, const att__config *cfg, const att__catalog *cat, int32_t t,
                                int32_t c, double now) {
  double sum = 0;
  int i;
  for (i = 0; i < p->nwin; i++) {
    const att__event *ev = &p->win[i];
    int match = 0;
    uint32_t k;
    if (ev->idx < 0) continue;
    if (t >= 0) {
      for (k = cat->tag_off[ev->idx]; k < cat->tag_off[ev->idx + 1]; k++)
        if (cat->tag_ids[k] == (uint16_t)t) match = 1;
    } else {
      match = cat->cat[ev->idx] == (uint16_t)c;
    }
    if (match)
      sum += cfg->event_w[ev->type] * ev->value * pow(2.0, -(now - ev->at) / (cfg->half_life_days * DAY));
  }
  return sum;
}

static int close_rel(double a, double b) {
  double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
  return fabs(a - b) <= 1e-9 * scale || fabs(a - b) < 1e-300;
}

/* The sums are kept in 2^-40 fixed point at the anchor aff_t0 (profile.c), so besides 1e-9
 * relative each event may add half a unit of the last place, decayed from the anchor to now. */
static int close_aff(const att__profile *p, const att__config *cfg, double got, double want, double now) {
  double ulp = ldexp(1, -41) * (p->nwin + 1);
  if (!isnan(p->aff_t0)) ulp *= exp2(-(now - p->aff_t0) / (cfg->half_life_days * DAY));
  return fabs(got - want) <= 1e-9 * fabs(want) + ulp;
}

/* Every tag and category affinity of `p` at `now` matches the formula. */
static void check_affinities(int line, const att__profile *p, const att__config *cfg, const att__catalog *cat,
                             double now) {
  uint32_t t;
  for (t = 0; t < cat->tags.n; t++) {
    double got = att__profile_tag_aff(p, cfg, t, now), want = expected_affinity(p, cfg, cat, (int32_t)t, -1, now);
    CHECK_MSG(close_aff(p, cfg, got, want, now), "line %d: tag %s: %.17g, expected %.17g", line,
              att__strtab_str(&cat->tags, t, NULL), got, want);
  }
  for (t = 0; t < cat->cats.n; t++) {
    double got = att__profile_cat_aff(p, cfg, t, now), want = expected_affinity(p, cfg, cat, -1, (int32_t)t, now);
    CHECK_MSG(close_aff(p, cfg, got, want, now), "line %d: category %s: %.17g, expected %.17g", line,
              att__strtab_str(&cat->cats, t, NULL), got, want);
  }
}

static int window_sorted(const att__profile *p) {
  int i;
  for (i = 1; i < p->nwin; i++)
    if (p->win[i].at < p->win[i - 1].at) return 0;
  return 1;
}

/* --- activity ---------------------------------------------------------------------------- */

static void activity_marks_days_and_rolls_over(void) {
  att__profile p;
  att__profile_init(&p, ATT_LEVEL_SEGMENT);
  CHECK(att__profile_active_days(&p, NOON(DAY0)) == 0);
  att__profile_mark_active(&p, NOON(DAY0));
  att__profile_mark_active(&p, NOON(DAY0) + 3600e3); /* same day twice counts once */
  CHECK(att__profile_active_days(&p, NOON(DAY0)) == 1);
  att__profile_mark_active(&p, NOON(DAY0 + 1));
  att__profile_mark_active(&p, NOON(DAY0 + 3));
  CHECK(p.act_day == (int32_t)DAY0 + 3);
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 3)) == 3);
  /* the 30 days ending today: DAY0 is still inside on DAY0 + 29, gone on DAY0 + 30 */
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 29)) == 3);
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 30)) == 2);
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 32)) == 1);
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 33)) == 0);

  att__profile_roll_activity(&p, NOON(DAY0 + 10));
  CHECK(p.act_day == (int32_t)DAY0 + 10);
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 10)) == 3);
  att__profile_roll_activity(&p, NOON(DAY0 + 5)); /* never backwards */
  CHECK(p.act_day == (int32_t)DAY0 + 10);
  att__profile_roll_activity(&p, NOON(DAY0 + 30));
  CHECK(p.act_bits == ((1u << 27) | (1u << 29))); /* DAY0 + 3 and DAY0 + 1; DAY0 fell out */
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 30)) == 2);
  att__profile_roll_activity(&p, NOON(DAY0 + 100));
  CHECK(p.act_bits == 0 && att__profile_active_days(&p, NOON(DAY0 + 100)) == 0);
  att__profile_free(&p);
}

static void activity_keeps_only_30_days(void) {
  att__profile p;
  int d;
  att__profile_init(&p, ATT_LEVEL_SEGMENT);
  att__profile_mark_active(&p, NOON(DAY0 + 40));
  att__profile_mark_active(&p, NOON(DAY0 + 10)); /* 30 days back: outside */
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 40)) == 1);
  att__profile_mark_active(&p, NOON(DAY0 + 11)); /* 29 days back: inside */
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 40)) == 2);
  for (d = 0; d < 60; d++) att__profile_mark_active(&p, NOON(DAY0 + 41 + d));
  CHECK(att__profile_active_days(&p, NOON(DAY0 + 100)) == 30);
  CHECK(p.act_bits < (1u << 30));
  att__profile_free(&p);
}

static void usage_has_light_regular_and_heavy_thresholds(void) {
  att__config cfg = make_config("{}"), custom = make_config("{\"usage\":{\"regularDays\":2,\"heavyDays\":3}}");
  att__profile p;
  int d;
  double now = NOON(DAY0 + 29);
  att__profile_init(&p, ATT_LEVEL_SEGMENT);
  CHECK(att__profile_usage(&p, &cfg, now) == 0);
  for (d = 0; d < 3; d++) att__profile_mark_active(&p, NOON(DAY0 + d));
  CHECK(att__profile_usage(&p, &cfg, now) == 0); /* 3 days: light */
  CHECK(att__profile_usage(&p, &custom, now) == 2); /* 3 days: heavy with heavyDays 3 */
  att__profile_mark_active(&p, NOON(DAY0 + 3));
  CHECK(att__profile_usage(&p, &cfg, now) == 1); /* 4 days: regular */
  for (d = 4; d < 11; d++) att__profile_mark_active(&p, NOON(DAY0 + d));
  CHECK(att__profile_active_days(&p, now) == 11);
  CHECK(att__profile_usage(&p, &cfg, now) == 1); /* 11 days: regular */
  att__profile_mark_active(&p, NOON(DAY0 + 11));
  CHECK(att__profile_usage(&p, &cfg, now) == 2); /* 12 days: heavy */
  /* as days fall out of the 30, usage drops */
  CHECK(att__profile_usage(&p, &cfg, NOON(DAY0 + 30)) == 1);
  CHECK(att__profile_usage(&p, &cfg, NOON(DAY0 + 38)) == 0);
  att__profile_free(&p);
  att__config_free(&cfg);
  att__config_free(&custom);
}

/* --- rolling window ---------------------------------------------------------------------- */

static void window_keeps_the_newest_events_sorted_by_time(void) {
  att__config cfg = make_config("{\"history\":{\"size\":5}}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  const double at[] = {50, 10, 70, 30, 90, 20, 80, 60, 70};
  int i;
  if (!cat) return;
  att__profile_init(&p, ATT_LEVEL_BEHAVIORAL);
  CHECK(att__profile_bind(&p, &cfg, cat) == ATT_OK);
  for (i = 0; i < 9; i++) {
    CHECK(add(&p, &cfg, cat, i % 2 ? "a" : "b", ATT_EV_CLICK, NOON(DAY0) + at[i] * 1000, 1, 100 - i) == 1);
    CHECK(p.nwin == (i < 5 ? i + 1 : 5));
    CHECK_MSG(window_sorted(&p), "after event %d", i);
  }
  /* the five newest: 60, 70 (eid 98, then eid 92 which came later), 80, 90 */
  CHECK(p.win[0].at == NOON(DAY0) + 60000 && p.win[1].at == NOON(DAY0) + 70000 && p.win[1].eid == 98 &&
        p.win[2].eid == 92 && p.win[3].at == NOON(DAY0) + 80000 && p.win[4].at == NOON(DAY0) + 90000);
  /* an event older than everything kept does not stay */
  CHECK(add(&p, &cfg, cat, "c", ATT_EV_CLICK, NOON(DAY0), 1, 500) == 1);
  CHECK(p.nwin == 5 && p.win[0].at == NOON(DAY0) + 60000);
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 1));
  /* trimming alone drops the oldest beyond history.size */
  {
    att__config small = make_config("{\"history\":{\"size\":2}}");
    CHECK(att__profile_trim(&p, &small, cat) == 3);
    CHECK(p.nwin == 2 && p.win[0].at == NOON(DAY0) + 80000);
    CHECK(att__profile_trim(&p, &small, cat) == 0);
    check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 1));
    att__config_free(&small);
  }
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
}

static void same_millisecond_events_keep_their_arrival_order(void) {
  att__config cfg = make_config("{}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  if (!cat) return;
  att__profile_init(&p, ATT_LEVEL_BEHAVIORAL);
  att__profile_bind(&p, &cfg, cat);
  add(&p, &cfg, cat, "a", ATT_EV_CLICK, NOON(DAY0), 1, 30);
  add(&p, &cfg, cat, "b", ATT_EV_CLICK, NOON(DAY0), 1, 10);
  add(&p, &cfg, cat, "c", ATT_EV_CLICK, NOON(DAY0) - 1, 1, 20);
  add(&p, &cfg, cat, "d", ATT_EV_CLICK, NOON(DAY0), 1, 5);
  CHECK(p.nwin == 4);
  CHECK(p.win[0].eid == 20 && p.win[1].eid == 30 && p.win[2].eid == 10 && p.win[3].eid == 5);
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
}

static void a_replayed_event_id_is_ignored(void) {
  att__config cfg = make_config("{}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  if (!cat) return;
  att__profile_init(&p, ATT_LEVEL_BEHAVIORAL);
  att__profile_bind(&p, &cfg, cat);
  CHECK(add(&p, &cfg, cat, "a", ATT_EV_CLICK, NOON(DAY0), 1, 7) == 1);
  CHECK(add(&p, &cfg, cat, "b", ATT_EV_LIKE, NOON(DAY0) + 5, 1, 7) == 0);
  CHECK(p.nwin == 1 && strcmp(p.win[0].item, "a") == 0);
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 2));
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
}

/* --- affinities -------------------------------------------------------------------------- */

static void affinity_is_the_decayed_sum_of_weights(void) {
  att__config cfg = make_config("{\"history\":{\"halfLifeDays\":3}}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  double now = NOON(DAY0 + 20);
  if (!cat) return;
  att__profile_init(&p, ATT_LEVEL_BEHAVIORAL);
  att__profile_bind(&p, &cfg, cat);
  CHECK(att__profile_tag_aff(&p, &cfg, (uint32_t)tag(cat, "x"), now) == 0);
  add(&p, &cfg, cat, "a", ATT_EV_CLICK, NOON(DAY0 + 1), 1, 1);
  add(&p, &cfg, cat, "a", ATT_EV_VIEW, NOON(DAY0 + 2) + 12345, 1, 2);
  add(&p, &cfg, cat, "c", ATT_EV_PURCHASE, NOON(DAY0 + 19), 2.5, 3);
  add(&p, &cfg, cat, "b", ATT_EV_DISMISS, NOON(DAY0 + 10), 1, 4);
  add(&p, &cfg, cat, "f", ATT_EV_LIKE, NOON(DAY0 + 12), 1, 5);
  add(&p, &cfg, cat, "gone", ATT_EV_SHARE, NOON(DAY0 + 12), 1, 6); /* not in the catalog */
  CHECK(p.nwin == 6);
  check_affinities(__LINE__, &p, &cfg, cat, now);
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 19));
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 200));
  /* one explicit value: tag y = click on a at day 1 + view on a + dismiss on b */
  {
    double want = 1 * exp2(-(now - NOON(DAY0 + 1)) / (3 * DAY)) +
                  0.2 * exp2(-(now - (NOON(DAY0 + 2) + 12345)) / (3 * DAY)) +
                  -2 * exp2(-(now - NOON(DAY0 + 10)) / (3 * DAY));
    CHECK(close_rel(att__profile_tag_aff(&p, &cfg, (uint32_t)tag(cat, "y"), now), want));
    want = 3 * 2.5 * exp2(-(now - NOON(DAY0 + 19)) / (3 * DAY));
    CHECK(close_rel(att__profile_tag_aff(&p, &cfg, (uint32_t)tag(cat, "z"), now), want));
  }
  CHECK(att__profile_cat_aff(&p, &cfg, (uint32_t)category(cat, "news"), now) > 0);
  CHECK(att__profile_cat_aff(&p, &cfg, (uint32_t)category(cat, "sport"), now) < 0);
  CHECK(att__profile_tag_aff(&p, &cfg, 9999, now) == 0);
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
}

static void affinity_stays_exact_across_long_time_spans(void) {
  att__config cfg = make_config("{\"history\":{\"halfLifeDays\":0.5,\"size\":1000,\"retentionDays\":365}}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  int i;
  if (!cat) return;
  att__profile_init(&p, ATT_LEVEL_BEHAVIORAL);
  att__profile_bind(&p, &cfg, cat);
  /* 9 days apart is 18 half-lives; 351 days is 702: the sums must be re-anchored on the way */
  for (i = 0; i < 40; i++) add(&p, &cfg, cat, i % 3 ? "a" : "c", ATT_EV_CLICK, NOON(DAY0 + 9 * i), 1 + i % 4, i);
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 351));
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 352.25));
  /* an event from long before arriving late (within the 365-day retention limit) */
  add(&p, &cfg, cat, "b", ATT_EV_LIKE, NOON(DAY0 - 10), 1, 1000);
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 351));
  CHECK(isfinite(att__profile_tag_aff(&p, &cfg, (uint32_t)tag(cat, "x"), NOON(DAY0 + 351))));
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
}

static void removing_an_event_restores_the_previous_affinities(void) {
  att__config cfg = make_config("{}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  double before[16], cbefore[8], now = NOON(DAY0 + 5);
  uint32_t t;
  int i;
  if (!cat) return;
  att__profile_init(&p, ATT_LEVEL_BEHAVIORAL);
  att__profile_bind(&p, &cfg, cat);
  add(&p, &cfg, cat, "a", ATT_EV_CLICK, NOON(DAY0), 1, 1);
  add(&p, &cfg, cat, "b", ATT_EV_SHARE, NOON(DAY0 + 1), 1, 2);
  for (t = 0; t < cat->tags.n; t++) before[t] = att__profile_tag_aff(&p, &cfg, t, now);
  for (t = 0; t < cat->cats.n; t++) cbefore[t] = att__profile_cat_aff(&p, &cfg, t, now);
  add(&p, &cfg, cat, "c", ATT_EV_PURCHASE, NOON(DAY0 + 2), 3, 3);
  CHECK(att__profile_tag_aff(&p, &cfg, (uint32_t)tag(cat, "x"), now) != before[tag(cat, "x")]);
  for (i = 0; i < p.nwin && p.win[i].eid != 3; i++) {
  }
  att__profile_remove_event(&p, &cfg, cat, i);
  CHECK(p.nwin == 2);
  for (t = 0; t < cat->tags.n; t++)
    CHECK_MSG(close_rel(att__profile_tag_aff(&p, &cfg, t, now), before[t]), "tag %u", t);
  for (t = 0; t < cat->cats.n; t++) CHECK(close_rel(att__profile_cat_aff(&p, &cfg, t, now), cbefore[t]));
  /* removing everything leaves exact zeros */
  att__profile_remove_event(&p, &cfg, cat, 1);
  att__profile_remove_event(&p, &cfg, cat, 0);
  CHECK(p.nwin == 0);
  for (t = 0; t < cat->tags.n; t++) CHECK(att__profile_tag_aff(&p, &cfg, t, now) == 0);
  for (t = 0; t < cat->cats.n; t++) CHECK(att__profile_cat_aff(&p, &cfg, t, now) == 0);
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
}

static void binding_resolves_items_against_the_catalog(void) {
  att__config cfg = make_config("{}");
  att__catalog *cat = make_catalog(catalog_json);
  att__catalog *other = make_catalog("{\"version\":1,\"items\":[{\"id\":\"f\",\"tags\":[\"x\"]},{\"id\":\"a\"}]}");
  att__profile p;
  if (!cat || !other) return;
  att__profile_init(&p, ATT_LEVEL_BEHAVIORAL);
  att__profile_bind(&p, &cfg, cat);
  add(&p, &cfg, cat, "a", ATT_EV_CLICK, NOON(DAY0), 1, 1);
  add(&p, &cfg, cat, "c", ATT_EV_CLICK, NOON(DAY0), 1, 2);
  CHECK(att__marks_add(&p.blocked_tags, "z", 1, tag(cat, "z"), NOON(DAY0), 10) == ATT_OK);
  CHECK(att__marks_add(&p.blocked_items, "f", 1, 5, NOON(DAY0), 10) == ATT_OK);
  CHECK(att__profile_bind(&p, &cfg, other) == ATT_OK);
  CHECK(p.nwin == 2 && p.win[0].idx == 1 && p.win[1].idx == -1);
  CHECK(p.blocked_tags.v[0].idx == -1 && p.blocked_items.v[0].idx == 0);
  check_affinities(__LINE__, &p, &cfg, other, NOON(DAY0 + 1));
  CHECK(att__profile_bind(&p, &cfg, cat) == ATT_OK);
  CHECK(p.win[0].idx == 0 && p.win[1].idx == 2 && p.blocked_tags.v[0].idx == tag(cat, "z"));
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 1));
  att__profile_free(&p);
  att__catalog_free(cat);
  att__catalog_free(other);
  att__config_free(&cfg);
}

/* --- marks ------------------------------------------------------------------------------- */

static void marks_are_found_refreshed_and_limited(void) {
  att__marks m;
  memset(&m, 0, sizeof m);
  CHECK(att__marks_find(&m, "a", 1) == -1);
  CHECK(att__marks_add(&m, "a", 1, 0, 100, 2) == ATT_OK);
  CHECK(att__marks_add(&m, "bXX", 1, 1, 50, 2) == ATT_OK); /* "b" */
  CHECK(m.n == 2 && att__marks_find(&m, "b", 1) == 1 && att__marks_find(&m, "bXX", 3) == -1);
  CHECK(att__marks_add(&m, "c", 1, 2, 10, 2) == ATT_E_LIMIT);
  CHECK(att__marks_add(&m, "a", 1, 0, 300, 2) == ATT_OK && m.n == 2 && m.v[0].at == 300);
  CHECK(att__marks_add(&m, "a", 1, 0, 200, 2) == ATT_OK && m.v[0].at == 300); /* never moves back */
  att__marks_remove(&m, 0);
  CHECK(m.n == 1 && strcmp(m.v[0].key, "b") == 0);
  att__marks_free(&m);
  CHECK(m.n == 0 && m.v == NULL);

  CHECK(att__metrics_slot(0) == 0 && att__metrics_slot(-3) == 0 && att__metrics_slot(1) == 1 &&
        att__metrics_slot(ATT_POSITIONS) == ATT_POSITIONS && att__metrics_slot(ATT_POSITIONS + 7) == ATT_POSITIONS);
}

/* --- retention and purges ---------------------------------------------------------------- */

/* A profile with something in every part, bound to `cat`. */
static void fill_profile(att__profile *p, const att__config *cfg, const att__catalog *cat, double now) {
  int l;
  att__profile_init(p, ATT_LEVEL_INDIVIDUAL);
  p->level_chosen = 1;
  att__profile_bind(p, cfg, cat);
  p->trait[0] = 1;
  p->trait_at[0] = now - 31 * DAY;
  p->trait[1] = 0;
  p->trait_at[1] = now - 2 * DAY;
  att__profile_mark_active(p, now - 20 * DAY);
  att__profile_mark_active(p, now);
  add(p, cfg, cat, "a", ATT_EV_CLICK, now - 40 * DAY, 1, 1);
  add(p, cfg, cat, "b", ATT_EV_LIKE, now - 31 * DAY, 1, 2);
  add(p, cfg, cat, "c", ATT_EV_VIEW, now - 29 * DAY, 1, 3);
  add(p, cfg, cat, "a", ATT_EV_SHARE, now - 1000, 1, 4);
  for (l = 0; l < p->nwin; l++) p->win[l].bucket = 3;
  att__marks_add(&p->dismissed, "e", 1, 4, now - 31 * DAY, 100);
  att__marks_add(&p->dismissed, "f", 1, 5, now - DAY, 100);
  att__marks_add(&p->blocked_tags, "z", 1, tag(cat, "z"), now - 300 * DAY, 100);
  att__marks_add(&p->blocked_items, "b", 1, 1, now - 300 * DAY, 100);
  p->metrics_since = now - 10 * DAY;
  p->impr[2][1] = 5;
  p->clicks[2][1] = 2;
  p->label_epoch = 7;
  p->label_n = 1;
  p->label_truth[0] = 0;
  p->label_value[0] = 0;
  p->label_epochs = 3;
  p->label_first = now - 9 * DAY;
}

static void retention_removes_what_is_older(void) {
  att__config cfg = make_config("{\"traits\":{\"plan\":[\"free\",\"pro\"],\"team\":[\"a\",\"b\"]}}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  double now = NOON(DAY0 + 100);
  if (!cat) return;
  fill_profile(&p, &cfg, cat, now);
  CHECK(p.nwin == 4 && p.dismissed.n == 2);
  CHECK(att__privacy_expire(&p, &cfg, cat, now) == 1);
  /* events, dismissals and traits older than 30 days are gone */
  CHECK(p.nwin == 2 && p.win[0].eid == 3 && p.win[1].eid == 4);
  CHECK(p.dismissed.n == 1 && strcmp(p.dismissed.v[0].key, "f") == 0);
  CHECK(p.trait[0] == -1 && isnan(p.trait_at[0]) && p.trait[1] == 0);
  check_affinities(__LINE__, &p, &cfg, cat, now);
  /* blocks are kept until the user lifts them; activity within 30 days stays */
  CHECK(p.blocked_tags.n == 1 && p.blocked_items.n == 1);
  CHECK(att__profile_active_days(&p, now) == 2);
  CHECK(p.impr[2][1] == 5 && p.metrics_since == now - 10 * DAY);
  /* nothing more to remove */
  CHECK(att__privacy_expire(&p, &cfg, cat, now) == 0);
  /* later: metrics older than retention and the old activity day go too */
  CHECK(att__privacy_expire(&p, &cfg, cat, now + 21 * DAY) == 1);
  CHECK(p.impr[2][1] == 0 && p.clicks[2][1] == 0 && isnan(p.metrics_since));
  CHECK(att__profile_active_days(&p, now + 21 * DAY) == 1);
  CHECK(p.nwin == 1 && p.win[0].eid == 4);
  check_affinities(__LINE__, &p, &cfg, cat, now + 21 * DAY);
  CHECK(att__privacy_expire(&p, &cfg, cat, now + 400 * DAY) == 1);
  CHECK(p.nwin == 0 && p.dismissed.n == 0 && p.trait[1] == -1 && p.act_bits == 0);
  CHECK(att__profile_tag_aff(&p, &cfg, (uint32_t)tag(cat, "x"), now + 400 * DAY) == 0);
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
}

static void purges_delete_what_the_level_does_not_keep(void) {
  att__config cfg = make_config("{\"traits\":{\"plan\":[\"free\",\"pro\"],\"team\":[\"a\",\"b\"]}}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  double now = NOON(DAY0 + 100);
  int i;
  if (!cat) return;
  fill_profile(&p, &cfg, cat, now);
  /* same level: nothing to do */
  CHECK(att__privacy_purge(&p, &cfg, cat, ATT_LEVEL_INDIVIDUAL) == 0);
  CHECK(att__privacy_purge(&p, &cfg, cat, ATT_LEVEL_CONTEXTUAL) == 1);
  CHECK(p.level == ATT_LEVEL_CONTEXTUAL && p.nwin == 4 && p.win[0].bucket == 3);

  /* behavioral keeps the window but not the context buckets */
  CHECK(att__privacy_purge(&p, &cfg, cat, ATT_LEVEL_BEHAVIORAL) == 1);
  CHECK(p.level == ATT_LEVEL_BEHAVIORAL && p.nwin == 4);
  for (i = 0; i < p.nwin; i++) CHECK(p.win[i].bucket == 0);
  CHECK(att__privacy_purge(&p, &cfg, cat, ATT_LEVEL_BEHAVIORAL) == 0);

  /* segment keeps traits, activity, blocks, metrics and the label, not the window */
  CHECK(att__privacy_purge(&p, &cfg, cat, ATT_LEVEL_SEGMENT) == 1);
  CHECK(p.level == ATT_LEVEL_SEGMENT && p.nwin == 0 && p.dismissed.n == 0);
  CHECK(att__profile_tag_aff(&p, &cfg, (uint32_t)tag(cat, "x"), now) == 0);
  CHECK(att__profile_cat_aff(&p, &cfg, (uint32_t)category(cat, "news"), now) == 0);
  CHECK(p.trait[0] == 1 && p.trait[1] == 0 && p.act_bits != 0);
  CHECK(p.blocked_tags.n == 1 && p.blocked_items.n == 1 && p.impr[2][1] == 5 && p.label_epoch == 7);

  /* none keeps nothing but the choice of level; the profile stays bound */
  CHECK(att__privacy_purge(&p, &cfg, cat, ATT_LEVEL_NONE) == 1);
  CHECK(p.level == ATT_LEVEL_NONE && p.level_chosen == 1);
  CHECK(p.trait[0] == -1 && p.trait[1] == -1 && p.act_bits == 0 && p.blocked_tags.n == 0 && p.blocked_items.n == 0);
  CHECK(p.impr[2][1] == 0 && p.clicks[2][1] == 0 && isnan(p.metrics_since));
  CHECK(p.label_epoch == -1 && p.label_epochs == 0 && isnan(p.label_first));
  CHECK(p.tag_aff != NULL && p.ntag_aff == cat->tags.n);
  CHECK(att__privacy_purge(&p, &cfg, cat, ATT_LEVEL_NONE) == 0);

  /* raising the level invents nothing */
  CHECK(att__privacy_purge(&p, &cfg, cat, ATT_LEVEL_INDIVIDUAL) == 1);
  CHECK(p.level == ATT_LEVEL_INDIVIDUAL && p.nwin == 0 && p.trait[0] == -1);
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
}

/* --- sensitive items --------------------------------------------------------------------- */

static void sensitive_items_are_known_by_tag_or_category(void) {
  att__config cfg = make_config("{\"sensitiveTags\":[\"health\",\"finance\"]}"), plain = make_config("{}");
  att__catalog *cat = make_catalog(catalog_json);
  att__profile p;
  if (!cat) return;
  CHECK(att__item_sensitive(&cfg, cat, 3) == 1); /* tag health */
  CHECK(att__item_sensitive(&cfg, cat, 4) == 1); /* category finance */
  CHECK(att__item_sensitive(&cfg, cat, 0) == 0);
  CHECK(att__item_sensitive(&cfg, cat, 5) == 0);
  CHECK(att__item_sensitive(&cfg, cat, -1) == 0);
  CHECK(att__item_sensitive(&cfg, NULL, 3) == 0);
  CHECK(att__item_sensitive(&plain, cat, 3) == 0);

  /* events learned before the site marked a tag sensitive are dropped when rebinding */
  att__profile_init(&p, ATT_LEVEL_BEHAVIORAL);
  att__profile_bind(&p, &plain, cat);
  add(&p, &plain, cat, "d", ATT_EV_CLICK, NOON(DAY0), 1, 1);
  add(&p, &plain, cat, "a", ATT_EV_CLICK, NOON(DAY0), 1, 2);
  add(&p, &plain, cat, "e", ATT_EV_CLICK, NOON(DAY0), 1, 3);
  CHECK(close_rel(att__profile_tag_aff(&p, &plain, (uint32_t)tag(cat, "health"), NOON(DAY0)), 1));
  CHECK(att__profile_bind(&p, &cfg, cat) == ATT_OK);
  CHECK(p.nwin == 1 && strcmp(p.win[0].item, "a") == 0);
  CHECK(att__profile_tag_aff(&p, &cfg, (uint32_t)tag(cat, "health"), NOON(DAY0)) == 0);
  CHECK(att__profile_cat_aff(&p, &cfg, (uint32_t)category(cat, "finance"), NOON(DAY0)) == 0);
  check_affinities(__LINE__, &p, &cfg, cat, NOON(DAY0 + 1));
  att__profile_free(&p);
  att__catalog_free(cat);
  att__config_free(&cfg);
  att__config_free(&plain);
}

static void decay_halves_per_half_life(void) {
  CHECK(att__decay(0, 7) == 1);
  CHECK(att__decay(7 * DAY, 7) == 0.5);
  CHECK(att__decay(14 * DAY, 7) == 0.25);
  CHECK(att__decay(-7 * DAY, 7) == 2);
}

void test_profile(void) {
  activity_marks_days_and_rolls_over();
  activity_keeps_only_30_days();
  usage_has_light_regular_and_heavy_thresholds();
  window_keeps_the_newest_events_sorted_by_time();
  same_millisecond_events_keep_their_arrival_order();
  a_replayed_event_id_is_ignored();
  affinity_is_the_decayed_sum_of_weights();
  affinity_stays_exact_across_long_time_spans();
  removing_an_event_restores_the_previous_affinities();
  binding_resolves_items_against_the_catalog();
  marks_are_found_refreshed_and_limited();
  retention_removes_what_is_older();
  purges_delete_what_the_level_does_not_keep();
  sensitive_items_are_known_by_tag_or_category();
  decay_halves_per_half_life();
}
