/* test_config.c — the site's configuration: defaults, every section, and errors that name the
 * key. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "tests.h"

/* Parses `json`; on failure returns the code with the message in *e. */
static int parse(const char *json, att__config *c, att__err *e) {
  memset(e, 0, sizeof *e);
  memset(c, 0, sizeof *c);
  return att__config_parse(e, json, strlen(json), c);
}

/* Expects `json` to fail with `code` and a message containing `path`. */
static void expect_error_at(int line, const char *json, int code, const char *path) {
  att__config c;
  att__err e;
  int rc = parse(json, &c, &e);
  CHECK_MSG(rc == code && e.code == code, "line %d: %s gave %d (%s)", line, json, rc, e.msg);
  CHECK_MSG(strstr(e.msg, path) != NULL, "line %d: message does not name %s: %s", line, path, e.msg);
  if (rc == ATT_OK) att__config_free(&c);
}
#define EXPECT_CONFIG_ERROR(json, path) expect_error_at(__LINE__, json, ATT_E_CONFIG, path)

static void every_default_is_documented(void) {
  att__config c, d;
  att__err e;
  int i;
  CHECK(parse("{}", &c, &e) == ATT_OK);
  CHECK(c.level == ATT_LEVEL_BEHAVIORAL);
  CHECK(c.max_level == ATT_LEVEL_INDIVIDUAL);
  CHECK(c.history_size == 100);
  CHECK(c.retention_days == 30);
  CHECK(c.half_life_days == 7);
  CHECK(c.event_w[ATT_EV_VIEW] == 0.2 && c.event_w[ATT_EV_CLICK] == 1 && c.event_w[ATT_EV_LIKE] == 2 &&
        c.event_w[ATT_EV_SHARE] == 2 && c.event_w[ATT_EV_PURCHASE] == 3 && c.event_w[ATT_EV_DISMISS] == -2 &&
        c.event_w[ATT_EV_IMPRESSION] == 0);
  CHECK(c.ntraits == 0 && c.nsegments == 0);
  CHECK(c.usage_regular_days == 4 && c.usage_heavy_days == 12);
  CHECK(c.default_segment && strcmp(c.default_segment, "general") == 0);
  CHECK(c.ncontext_keys == 0 && c.ncontext_rules == 0);
  CHECK(c.label_k == 50);
  CHECK(c.random_rate == 0.05);
  CHECK(isnan(c.epsilon));
  CHECK(c.epoch_days == 7);
  CHECK(c.populations != NULL && c.populations[0] < 0);
  CHECK(c.exclude_seen == 1);
  CHECK(c.diversity == 0.2 && c.max_per_category == 0 && c.exploration == 0.05);
  CHECK(c.w_popularity == 0.3 && c.w_freshness == 0.2 && c.w_affinity == 1 && c.w_related == 0.5);
  CHECK(c.freshness_half_life_days == 14);
  CHECK(c.nsensitive == 0 && c.npins == 0 && c.nexclude == 0);

  /* att__config_defaults gives the same scalars */
  att__config_defaults(&d);
  CHECK(d.level == c.level && d.max_level == c.max_level && d.history_size == c.history_size &&
        d.retention_days == c.retention_days && d.half_life_days == c.half_life_days && d.label_k == c.label_k &&
        d.random_rate == c.random_rate && d.epoch_days == c.epoch_days && d.exclude_seen == c.exclude_seen &&
        d.w_popularity == c.w_popularity && d.freshness_half_life_days == c.freshness_half_life_days);
  for (i = 0; i < ATT_EV_COUNT; i++) CHECK(d.event_w[i] == c.event_w[i]);
  att__config_free(&c);

  /* an empty text is the empty object */
  memset(&c, 0, sizeof c);
  CHECK(att__config_parse(&e, "", 0, &c) == ATT_OK);
  CHECK(c.history_size == 100 && strcmp(c.default_segment, "general") == 0);
  att__config_free(&c);
}

static const char *const full_config =
    "{ \"privacyLevel\": \"segment\", \"maxPrivacyLevel\": \"contextual\","
    "  \"history\": { \"size\": 50, \"retentionDays\": 14, \"halfLifeDays\": 3.5 },"
    "  \"events\": { \"view\": 0.5, \"click\": 1.5, \"like\": 2.5, \"share\": 3, \"purchase\": 4, \"dismiss\": -3 },"
    "  \"traits\": { \"plan\": [\"free\", \"pro\", \"team\"], \"industry\": [\"finance\", \"retail\", \"other\"] },"
    "  \"usage\": { \"regularDays\": 3, \"heavyDays\": 10 },"
    "  \"segments\": ["
    "    { \"label\": \"pro-heavy\", \"when\": { \"plan\": [\"pro\", \"team\"], \"usage\": [\"heavy\"] },"
    "      \"boost\": { \"tags\": { \"advanced\": 0.5 }, \"categories\": { \"guides\": -1 }, \"items\": { \"a1\": 2 } } },"
    "    { \"label\": \"newcomer\", \"when\": { \"usage\": [\"light\"] }, \"boost\": { \"tags\": { \"basics\": 0.8 } } } ],"
    "  \"defaultSegment\": \"everyone\","
    "  \"context\": { \"keys\": [\"campaign\"],"
    "    \"rules\": [ { \"when\": { \"daypart\": [\"morning\"], \"campaign\": [\"spring\"] },"
    "                   \"boost\": { \"tags\": { \"briefing\": 0.3 } } } ] },"
    "  \"label\": { \"k\": 20, \"populations\": { \"pro-heavy\": 1200, \"everyone\": 9000 }, \"randomRate\": 0.1,"
    "             \"epsilon\": null, \"epochDays\": 14 },"
    "  \"ranking\": { \"excludeSeen\": false, \"diversity\": 0.5, \"maxPerCategory\": 3, \"exploration\": 0,"
    "               \"weights\": { \"popularity\": 0.4, \"freshness\": 0.1, \"affinity\": 2, \"related\": 0.25 },"
    "               \"freshnessHalfLifeDays\": 30 },"
    "  \"sensitiveTags\": [\"health\", \"religion\"],"
    "  \"editorial\": { \"pins\": [ { \"item\": \"a1\", \"position\": 1 },"
    "                               { \"item\": \"a2\", \"position\": 2, \"segment\": \"newcomer\" },"
    "                               { \"item\": \"a3\", \"position\": 2, \"segment\": \"everyone\" } ],"
    "                   \"exclude\": [\"old1\", \"old2\"] } }";

static void every_section_parses(void) {
  att__config c;
  att__err e;
  int rc = parse(full_config, &c, &e);
  CHECK_MSG(rc == ATT_OK, "%s", e.msg);
  if (rc) return;
  CHECK(c.level == ATT_LEVEL_SEGMENT && c.max_level == ATT_LEVEL_CONTEXTUAL);
  CHECK(c.history_size == 50 && c.retention_days == 14 && c.half_life_days == 3.5);
  CHECK(c.event_w[ATT_EV_VIEW] == 0.5 && c.event_w[ATT_EV_CLICK] == 1.5 && c.event_w[ATT_EV_LIKE] == 2.5 &&
        c.event_w[ATT_EV_SHARE] == 3 && c.event_w[ATT_EV_PURCHASE] == 4 && c.event_w[ATT_EV_DISMISS] == -3 &&
        c.event_w[ATT_EV_IMPRESSION] == 0);

  CHECK(c.ntraits == 2);
  CHECK(att__config_trait(&c, "plan", 4) == 0 && att__config_trait(&c, "industry", 8) == 1);
  CHECK(att__config_trait(&c, "usage", 5) == -1 && att__config_trait(&c, "pla", 3) == -1);
  CHECK(c.traits[0].nvalues == 3 && att__config_trait_value(&c.traits[0], "team", 4) == 2);
  CHECK(att__config_trait_value(&c.traits[1], "pro", 3) == -1);
  CHECK(c.usage_regular_days == 3 && c.usage_heavy_days == 10);

  CHECK(c.nsegments == 2);
  CHECK(strcmp(c.segments[0].label, "pro-heavy") == 0 && c.segments[0].nwhen == 2);
  CHECK(strcmp(c.segments[0].when[0].key, "plan") == 0 && c.segments[0].when[0].nvalues == 2 &&
        strcmp(c.segments[0].when[0].values[1], "team") == 0);
  CHECK(strcmp(c.segments[0].when[1].key, "usage") == 0);
  CHECK(c.segments[0].nboost == 3);
  CHECK(c.segments[0].boost[0].kind == ATT_BOOST_TAG && strcmp(c.segments[0].boost[0].key, "advanced") == 0 &&
        c.segments[0].boost[0].w == 0.5);
  CHECK(c.segments[0].boost[1].kind == ATT_BOOST_CATEGORY && c.segments[0].boost[1].w == -1);
  CHECK(c.segments[0].boost[2].kind == ATT_BOOST_ITEM && strcmp(c.segments[0].boost[2].key, "a1") == 0);
  CHECK(strcmp(c.default_segment, "everyone") == 0);
  CHECK(att__config_segment(&c, "newcomer", 8) == 1);
  CHECK(att__config_segment(&c, "everyone", 8) == ATT_MAX_SEGMENTS);
  CHECK(att__config_segment(&c, "general", 7) == -1);

  CHECK(c.ncontext_keys == 1 && strcmp(c.context_keys[0], "campaign") == 0);
  CHECK(c.ncontext_rules == 1 && c.context_rules[0].nwhen == 2 && c.context_rules[0].label == NULL &&
        c.context_rules[0].nboost == 1 && c.context_rules[0].boost[0].w == 0.3);

  CHECK(c.label_k == 20 && c.random_rate == 0.1 && isnan(c.epsilon) && c.epoch_days == 14);
  CHECK(c.populations[0] == 1200 && c.populations[1] < 0 && c.populations[2] == 9000);

  CHECK(c.exclude_seen == 0 && c.diversity == 0.5 && c.max_per_category == 3 && c.exploration == 0);
  CHECK(c.w_popularity == 0.4 && c.w_freshness == 0.1 && c.w_affinity == 2 && c.w_related == 0.25);
  CHECK(c.freshness_half_life_days == 30);

  CHECK(c.nsensitive == 2 && att__config_is_sensitive(&c, "religion", 8) && !att__config_is_sensitive(&c, "heal", 4));

  CHECK(c.npins == 3);
  CHECK(strcmp(c.pins[0].item, "a1") == 0 && c.pins[0].position == 1 && c.pins[0].segment == -2);
  CHECK(c.pins[1].segment == 1 && c.pins[1].position == 2);
  CHECK(c.pins[2].segment == -1); /* the default label */
  CHECK(c.nexclude == 2 && strcmp(c.editorial_exclude[1], "old2") == 0);
  att__config_free(&c);
}

static void bad_json_is_a_json_error(void) {
  expect_error_at(__LINE__, "{\"history\":", ATT_E_JSON, "config");
  expect_error_at(__LINE__, "{} {}", ATT_E_JSON, "config");
  EXPECT_CONFIG_ERROR("[]", "config: expected an object");
  EXPECT_CONFIG_ERROR("\"x\"", "config");
}

static void unknown_keys_are_errors_naming_the_path(void) {
  EXPECT_CONFIG_ERROR("{\"privacy\":\"none\"}", "\"privacy\"");
  EXPECT_CONFIG_ERROR("{\"history\":{\"sizes\":10}}", "config.history: unknown key \"sizes\"");
  EXPECT_CONFIG_ERROR("{\"events\":{\"impression\":1}}", "config.events: unknown key \"impression\"");
  EXPECT_CONFIG_ERROR("{\"usage\":{\"lightDays\":1}}", "config.usage");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"rank\":1}]}", "config.segments[0]: unknown key \"rank\"");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"boost\":{\"colors\":{}}}]}", "config.segments[0].boost");
  EXPECT_CONFIG_ERROR("{\"context\":{\"key\":[]}}", "config.context");
  EXPECT_CONFIG_ERROR("{\"context\":{\"rules\":[{\"label\":\"x\"}]}}", "config.context.rules[0]");
  EXPECT_CONFIG_ERROR("{\"label\":{\"K\":5}}", "config.label");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"weights\":{\"recency\":1}}}", "config.ranking.weights");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"diverse\":1}}", "config.ranking");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":1,\"until\":5}]}}",
                      "config.editorial.pins[0]");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"hide\":[]}}", "config.editorial");
  EXPECT_CONFIG_ERROR("{\"history\":{},\"history\":{}}", "twice");
  EXPECT_CONFIG_ERROR("{\"history\":{\"size\":5,\"size\":6}}", "config.history");
}

static void wrong_types_are_errors_naming_the_key(void) {
  EXPECT_CONFIG_ERROR("{\"privacyLevel\":3}", "config.privacyLevel");
  EXPECT_CONFIG_ERROR("{\"maxPrivacyLevel\":null}", "config.maxPrivacyLevel");
  EXPECT_CONFIG_ERROR("{\"history\":[]}", "config.history");
  EXPECT_CONFIG_ERROR("{\"history\":{\"size\":\"10\"}}", "config.history.size");
  EXPECT_CONFIG_ERROR("{\"history\":{\"retentionDays\":true}}", "config.history.retentionDays");
  EXPECT_CONFIG_ERROR("{\"events\":{\"click\":\"1\"}}", "config.events.click");
  EXPECT_CONFIG_ERROR("{\"traits\":[]}", "config.traits");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"plan\":\"pro\"}}", "config.traits.plan");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"plan\":[1]}}", "config.traits.plan[0]");
  EXPECT_CONFIG_ERROR("{\"segments\":{}}", "config.segments");
  EXPECT_CONFIG_ERROR("{\"segments\":[\"a\"]}", "config.segments[0]");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":5}]}", "config.segments[0].label");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"when\":[]}]}", "config.segments[0].when");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"when\":{\"usage\":\"heavy\"}}]}",
                      "config.segments[0].when.usage");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"boost\":{\"tags\":[]}}]}", "config.segments[0].boost.tags");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"boost\":{\"tags\":{\"x\":\"1\"}}}]}",
                      "config.segments[0].boost.tags.x");
  EXPECT_CONFIG_ERROR("{\"defaultSegment\":[]}", "config.defaultSegment");
  EXPECT_CONFIG_ERROR("{\"context\":{\"keys\":\"campaign\"}}", "config.context.keys");
  EXPECT_CONFIG_ERROR("{\"context\":{\"rules\":{}}}", "config.context.rules");
  EXPECT_CONFIG_ERROR("{\"label\":{\"epsilon\":\"1\"}}", "config.label.epsilon");
  EXPECT_CONFIG_ERROR("{\"label\":{\"populations\":[]}}", "config.label.populations");
  EXPECT_CONFIG_ERROR("{\"label\":{\"populations\":{\"general\":\"5\"}}}", "config.label.populations.general");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"excludeSeen\":\"yes\"}}", "config.ranking.excludeSeen");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"weights\":[]}}", "config.ranking.weights");
  EXPECT_CONFIG_ERROR("{\"sensitiveTags\":\"health\"}", "config.sensitiveTags");
  EXPECT_CONFIG_ERROR("{\"sensitiveTags\":[null]}", "config.sensitiveTags[0]");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":{}}}", "config.editorial.pins");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"item\":1,\"position\":1}]}}", "config.editorial.pins[0].item");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":\"1\"}]}}",
                      "config.editorial.pins[0].position");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":1,\"segment\":2}]}}",
                      "config.editorial.pins[0].segment");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"exclude\":\"a\"}}", "config.editorial.exclude");
}

static void out_of_range_values_are_errors_naming_the_key(void) {
  EXPECT_CONFIG_ERROR("{\"privacyLevel\":\"max\"}", "config.privacyLevel");
  EXPECT_CONFIG_ERROR("{\"privacyLevel\":\"individual\",\"maxPrivacyLevel\":\"segment\"}", "config.privacyLevel");
  EXPECT_CONFIG_ERROR("{\"history\":{\"size\":0}}", "config.history.size");
  EXPECT_CONFIG_ERROR("{\"history\":{\"size\":1001}}", "config.history.size");
  EXPECT_CONFIG_ERROR("{\"history\":{\"size\":1.5}}", "config.history.size");
  EXPECT_CONFIG_ERROR("{\"history\":{\"retentionDays\":0.5}}", "config.history.retentionDays");
  EXPECT_CONFIG_ERROR("{\"history\":{\"retentionDays\":366}}", "config.history.retentionDays");
  EXPECT_CONFIG_ERROR("{\"history\":{\"halfLifeDays\":0.4}}", "config.history.halfLifeDays");
  EXPECT_CONFIG_ERROR("{\"events\":{\"click\":10.5}}", "config.events.click");
  EXPECT_CONFIG_ERROR("{\"events\":{\"dismiss\":-11}}", "config.events.dismiss");
  EXPECT_CONFIG_ERROR("{\"events\":{\"like\":1e999}}", "config.events.like");
  EXPECT_CONFIG_ERROR("{\"usage\":{\"regularDays\":0}}", "config.usage.regularDays");
  EXPECT_CONFIG_ERROR("{\"usage\":{\"heavyDays\":31}}", "config.usage.heavyDays");
  EXPECT_CONFIG_ERROR("{\"usage\":{\"regularDays\":5,\"heavyDays\":5}}", "config.usage");
  EXPECT_CONFIG_ERROR("{\"label\":{\"k\":-1}}", "config.label.k");
  EXPECT_CONFIG_ERROR("{\"label\":{\"k\":2.5}}", "config.label.k");
  EXPECT_CONFIG_ERROR("{\"label\":{\"randomRate\":1.5}}", "config.label.randomRate");
  EXPECT_CONFIG_ERROR("{\"label\":{\"epsilon\":0}}", "config.label.epsilon");
  EXPECT_CONFIG_ERROR("{\"label\":{\"epsilon\":21}}", "config.label.epsilon");
  EXPECT_CONFIG_ERROR("{\"label\":{\"epochDays\":0}}", "config.label.epochDays");
  EXPECT_CONFIG_ERROR("{\"label\":{\"populations\":{\"general\":-1}}}", "config.label.populations.general");
  EXPECT_CONFIG_ERROR("{\"label\":{\"populations\":{\"general\":1.5}}}", "config.label.populations.general");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"diversity\":1.01}}", "config.ranking.diversity");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"maxPerCategory\":-1}}", "config.ranking.maxPerCategory");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"exploration\":-0.1}}", "config.ranking.exploration");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"weights\":{\"popularity\":11}}}", "config.ranking.weights.popularity");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"weights\":{\"related\":-1}}}", "config.ranking.weights.related");
  EXPECT_CONFIG_ERROR("{\"ranking\":{\"freshnessHalfLifeDays\":0}}", "config.ranking.freshnessHalfLifeDays");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"boost\":{\"tags\":{\"x\":10.5}}}]}",
                      "config.segments[0].boost.tags.x");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":0}]}}",
                      "config.editorial.pins[0].position");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":1001}]}}",
                      "config.editorial.pins[0].position");
}

static void names_must_be_short_printable_and_distinct(void) {
  char json[400], long_tag[66];
  memset(long_tag, 'x', 65);
  long_tag[65] = 0;
  EXPECT_CONFIG_ERROR("{\"defaultSegment\":\"\"}", "config.defaultSegment");
  EXPECT_CONFIG_ERROR("{\"sensitiveTags\":[\"\"]}", "config.sensitiveTags[0]");
  snprintf(json, sizeof json, "{\"sensitiveTags\":[\"ok\",\"%s\"]}", long_tag);
  EXPECT_CONFIG_ERROR(json, "config.sensitiveTags[1]");
  long_tag[64] = 0; /* 64 bytes is allowed */
  snprintf(json, sizeof json, "{\"sensitiveTags\":[\"%s\"]}", long_tag);
  {
    att__config c;
    att__err e;
    CHECK_MSG(parse(json, &c, &e) == ATT_OK, "%s", e.msg);
    att__config_free(&c);
  }
  EXPECT_CONFIG_ERROR("{\"sensitiveTags\":[\"a\",\"b\",\"a\"]}", "config.sensitiveTags[2]");
  EXPECT_CONFIG_ERROR("{\"sensitiveTags\":[\"tab\\u0001\"]}", "config.sensitiveTags[0]");
  EXPECT_CONFIG_ERROR("{\"sensitiveTags\":[\"\xff\"]}", "config.sensitiveTags[0]");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"plan\":[]}}", "config.traits.plan");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"plan\":[\"a\",\"a\"]}}", "config.traits.plan[1]");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"usage\":[\"x\"]}}", "config.traits.usage");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"\":[\"x\"]}}", "config.traits");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"plan\":[\"a\"],\"plan\":[\"b\"]}}", "config.traits");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"a\":[\"x\"],\"b\":[\"x\"],\"c\":[\"x\"],\"d\":[\"x\"],\"e\":[\"x\"],"
                      "\"f\":[\"x\"],\"g\":[\"x\"],\"h\":[\"x\"],\"i\":[\"x\"],\"j\":[\"x\"],\"k\":[\"x\"],"
                      "\"l\":[\"x\"],\"m\":[\"x\"],\"n\":[\"x\"],\"o\":[\"x\"],\"p\":[\"x\"],\"q\":[\"x\"]}}",
                      "config.traits");
  EXPECT_CONFIG_ERROR("{\"context\":{\"keys\":[\"daypart\"]}}", "config.context.keys[0]");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"exclude\":[\"a\",\"a\"]}}", "config.editorial.exclude[1]");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"exclude\":[\"\"]}}", "config.editorial.exclude[0]");
}

static void segments_may_only_use_declared_traits(void) {
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"when\":{\"plan\":[\"pro\"]}}]}",
                      "config.segments[0].when.plan");
  EXPECT_CONFIG_ERROR("{\"traits\":{\"plan\":[\"free\"]},"
                      "\"segments\":[{\"label\":\"a\"},{\"label\":\"b\",\"when\":{\"plan\":[\"pro\"]}}]}",
                      "config.segments[1].when.plan[0]");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"when\":{\"usage\":[\"sometimes\"]}}]}",
                      "config.segments[0].when.usage[0]");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"when\":{\"usage\":[]}}]}", "config.segments[0].when.usage");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\",\"when\":{\"daypart\":[\"morning\"]}}]}",
                      "config.segments[0].when.daypart");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"when\":{}}]}", "config.segments[0].label");
  EXPECT_CONFIG_ERROR("{\"context\":{\"rules\":[{\"when\":{\"daypart\":[\"noon\"]}}]}}",
                      "config.context.rules[0].when.daypart[0]");
  EXPECT_CONFIG_ERROR("{\"context\":{\"rules\":[{\"when\":{\"campaign\":[\"x\"]}}]}}",
                      "config.context.rules[0].when.campaign");
  EXPECT_CONFIG_ERROR("{\"context\":{\"rules\":[{\"when\":{\"plan\":[\"x\"]}}]}}",
                      "config.context.rules[0].when.plan");
  {
    /* a declared context key takes any values; traits work in segments */
    att__config c;
    att__err e;
    CHECK_MSG(parse("{\"traits\":{\"plan\":[\"pro\"]},\"segments\":[{\"label\":\"a\",\"when\":{\"plan\":[\"pro\"]}}],"
                    "\"context\":{\"keys\":[\"campaign\"],\"rules\":[{\"when\":{\"campaign\":[\"anything\"]}}]}}",
                    &c, &e) == ATT_OK,
              "%s", e.msg);
    att__config_free(&c);
  }
}

static void segment_labels_are_unique(void) {
  char json[2000];
  int i, o;
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\"},{\"label\":\"b\"},{\"label\":\"a\"}]}",
                      "config.segments[2].label");
  EXPECT_CONFIG_ERROR("{\"defaultSegment\":\"a\",\"segments\":[{\"label\":\"a\"}]}", "config.segments[0].label");
  EXPECT_CONFIG_ERROR("{\"defaultSegment\":\"a\",\"segments\":[{\"label\":\"a\"}]}", "defaultSegment");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"x\"},{\"label\":\"general\"}]}", "config.segments[1].label");
  o = snprintf(json, sizeof json, "{\"segments\":[");
  for (i = 0; i <= ATT_MAX_SEGMENTS; i++)
    o += snprintf(json + o, sizeof json - (size_t)o, "%s{\"label\":\"s%d\"}", i ? "," : "", i);
  snprintf(json + o, sizeof json - (size_t)o, "]}");
  EXPECT_CONFIG_ERROR(json, "config.segments");
}

static void pins_may_not_collide(void) {
  att__config c;
  att__err e;
  const char *segs = "\"segments\":[{\"label\":\"s1\"},{\"label\":\"s2\"}]";
  char json[600];
  /* the same position twice for every segment */
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":1},{\"item\":\"b\",\"position\":1}]}}",
                      "config.editorial.pins[1]");
  /* a pin for every segment collides with one for a single segment */
  snprintf(json, sizeof json,
           "{%s,\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":2,\"segment\":\"s1\"},"
           "{\"item\":\"b\",\"position\":2}]}}",
           segs);
  EXPECT_CONFIG_ERROR(json, "config.editorial.pins[1]");
  /* the same item twice for the same segment */
  snprintf(json, sizeof json,
           "{%s,\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":1,\"segment\":\"s2\"},"
           "{\"item\":\"a\",\"position\":3,\"segment\":\"s2\"}]}}",
           segs);
  EXPECT_CONFIG_ERROR(json, "config.editorial.pins[1]");
  /* an unknown segment */
  snprintf(json, sizeof json, "{%s,\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":1,\"segment\":\"s3\"}]}}",
           segs);
  EXPECT_CONFIG_ERROR(json, "config.editorial.pins[0].segment");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"position\":1}]}}", "config.editorial.pins[0].item");
  EXPECT_CONFIG_ERROR("{\"editorial\":{\"pins\":[{\"item\":\"a\"}]}}", "config.editorial.pins[0].position");

  /* the same position for different segments, and the same item for different segments, are fine */
  snprintf(json, sizeof json,
           "{%s,\"editorial\":{\"pins\":[{\"item\":\"a\",\"position\":1,\"segment\":\"s1\"},"
           "{\"item\":\"b\",\"position\":1,\"segment\":\"s2\"},{\"item\":\"a\",\"position\":1,\"segment\":\"general\"},"
           "{\"item\":\"a\",\"position\":2,\"segment\":\"s2\"}]}}",
           segs);
  CHECK_MSG(parse(json, &c, &e) == ATT_OK, "%s", e.msg);
  if (e.code == ATT_OK) {
    CHECK(c.npins == 4 && c.pins[0].segment == 0 && c.pins[1].segment == 1 && c.pins[2].segment == -1);
    att__config_free(&c);
  }
}

static void populations_must_name_known_labels(void) {
  att__config c;
  att__err e;
  EXPECT_CONFIG_ERROR("{\"label\":{\"populations\":{\"nobody\":5}}}", "config.label.populations.nobody");
  EXPECT_CONFIG_ERROR("{\"segments\":[{\"label\":\"a\"}],\"label\":{\"populations\":{\"a\":5,\"b\":7}}}",
                      "config.label.populations.b");
  CHECK(parse("{\"segments\":[{\"label\":\"a\"},{\"label\":\"b\"}],\"defaultSegment\":\"rest\","
              "\"label\":{\"populations\":{\"b\":7,\"rest\":0}}}",
              &c, &e) == ATT_OK);
  if (e.code == ATT_OK) {
    CHECK(c.populations[0] < 0 && c.populations[1] == 7 && c.populations[2] == 0);
    att__config_free(&c);
  }
}

static void keep_probability_follows_the_formulas(void) {
  att__config c;
  att__err e;
  double r = 0.2, m = 4, eps = 1.5, want;
  /* one label only: nothing to randomise */
  CHECK(parse("{}", &c, &e) == ATT_OK);
  CHECK(att__config_keep_probability(&c) == 1);
  att__config_free(&c);

  CHECK(parse("{\"segments\":[{\"label\":\"a\"},{\"label\":\"b\"},{\"label\":\"c\"}],\"label\":{\"randomRate\":0.2}}",
              &c, &e) == ATT_OK);
  want = 1 - r + r / m;
  CHECK_MSG(fabs(att__config_keep_probability(&c) - want) <= 1e-15, "%.17g vs %.17g",
            att__config_keep_probability(&c), want);
  att__config_free(&c);

  CHECK(parse("{\"segments\":[{\"label\":\"a\"},{\"label\":\"b\"},{\"label\":\"c\"}],"
              "\"label\":{\"randomRate\":0.2,\"epsilon\":1.5}}",
              &c, &e) == ATT_OK);
  want = exp(eps) / (exp(eps) + m - 1);
  CHECK(c.epsilon == 1.5);
  CHECK_MSG(fabs(att__config_keep_probability(&c) - want) <= 1e-15, "%.17g vs %.17g",
            att__config_keep_probability(&c), want);
  att__config_free(&c);

  /* epsilon null means the randomRate path; randomRate 0 keeps the truth */
  CHECK(parse("{\"segments\":[{\"label\":\"a\"}],\"label\":{\"randomRate\":0,\"epsilon\":null}}", &c, &e) == ATT_OK);
  CHECK(isnan(c.epsilon) && att__config_keep_probability(&c) == 1);
  att__config_free(&c);

  CHECK(parse("{\"segments\":[{\"label\":\"a\"}],\"label\":{\"randomRate\":1}}", &c, &e) == ATT_OK);
  CHECK(att__config_keep_probability(&c) == 0.5); /* uniform over two labels */
  att__config_free(&c);
}

static void level_and_event_names_map_both_ways(void) {
  int i;
  for (i = 0; i < ATT_LEVEL_COUNT; i++) {
    const char *s = att__level_name(i);
    CHECK(att__level_from_name(s, strlen(s)) == i);
  }
  for (i = 0; i < ATT_EV_COUNT; i++) {
    const char *s = att__event_name(i);
    CHECK(att__event_from_name(s, strlen(s)) == i);
  }
  CHECK(att__level_from_name("behavior", 8) == -1);
  CHECK(att__level_from_name("segmentX", 7) == ATT_LEVEL_SEGMENT); /* length-bounded */
  CHECK(strcmp(att__level_name(ATT_LEVEL_COUNT), "?") == 0);
  CHECK(att__event_from_name("tap", 3) == -1);
}

void test_config(void) {
  every_default_is_documented();
  every_section_parses();
  bad_json_is_a_json_error();
  unknown_keys_are_errors_naming_the_path();
  wrong_types_are_errors_naming_the_key();
  out_of_range_values_are_errors_naming_the_key();
  names_must_be_short_printable_and_distinct();
  segments_may_only_use_declared_traits();
  segment_labels_are_unique();
  pins_may_not_collide();
  populations_must_name_known_labels();
  keep_probability_follows_the_formulas();
  level_and_event_names_map_both_ways();
}
