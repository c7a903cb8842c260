/* transparency.c — inventory, metrics and the privacy report, as JSON.  Times are numbers in
 * ms since the epoch (null when there is none), so pages can count down to expiry. */
#include "transparency.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "privacy.h"
#include "segment.h"

typedef struct att__row {
  const char *key, *why;
  char what[200];
  double count, oldest, expires;
  int level, leaves, stored;
} att__row;

static void att__emit_row(att__jw *w, att__jv *arr, const att__row *r) {
  att__jv *o = att__jw_obj(w, arr, NULL);
  att__jw_str(w, o, "key", r->key);
  att__jw_str(w, o, "what", r->what);
  att__jw_str(w, o, "why", r->why);
  att__jw_num(w, o, "count", r->count);
  att__jw_num(w, o, "oldest", r->oldest);
  att__jw_num(w, o, "expiresAt", r->expires);
  att__jw_str(w, o, "level", att__level_name(r->level));
  att__jw_bool(w, o, "stored", r->stored);
  att__jw_bool(w, o, "leavesDevice", r->leaves);
}

static double att__min_at(const att__marks *m) {
  double t = NAN;
  int i;
  for (i = 0; i < m->n; i++)
    if (isnan(t) || m->v[i].at < t) t = m->v[i].at;
  return t;
}

int att__inventory_json(const att__profile *p, const att__config *cfg, const att__catalog *cat, int session,
                        double now, att__buf *out) {
  att__jw w;
  att__jv *arr = att__jw_begin(&w, 1);
  att__row r;
  double keep = cfg->retention_days * ATT_DAY_MS, t;
  int i, n, level = p->level;
  if (level == ATT_LEVEL_NONE) return att__jw_finish(&w, out);

  memset(&r, 0, sizeof r);
  r.key = "level";
  snprintf(r.what, sizeof r.what, "Your personalization level: %s%s", att__level_name(level),
           p->level_chosen ? " (your choice)" : " (the site's default)");
  r.why = "So your choice of level is kept between visits";
  r.count = p->level_chosen;
  r.oldest = r.expires = NAN;
  r.level = ATT_LEVEL_SEGMENT;
  r.stored = 1;
  att__emit_row(&w, arr, &r);

  r.key = "traits";
  n = 0;
  t = NAN;
  r.what[0] = 0;
  for (i = 0; i < cfg->ntraits; i++) {
    size_t o = strlen(r.what);
    if (p->trait[i] < 0) continue;
    n++;
    if (isnan(t) || p->trait_at[i] < t) t = p->trait_at[i];
    snprintf(r.what + o, sizeof r.what - o, "%s%s = %s", n == 1 ? "Declared traits: " : ", ", cfg->traits[i].name,
             cfg->traits[i].values[p->trait[i]]);
  }
  if (!n) snprintf(r.what, sizeof r.what, "Declared traits (none set)");
  r.why = "To choose your segment, which picks content suited to people like you";
  r.count = n;
  r.oldest = t;
  r.expires = t + keep;
  att__emit_row(&w, arr, &r);

  r.key = "activity";
  n = att__profile_active_days(p, now);
  snprintf(r.what, sizeof r.what, "Days you were active in the last 30 days: %d (usage: %s)", n,
           att__usage_names[att__profile_usage(p, cfg, now)]);
  r.why = "To tell light, regular and heavy use apart for your segment";
  r.count = n;
  r.oldest = r.expires = NAN;
  for (i = 29; n && i >= 0; i--)
    if (p->act_bits & (1u << i)) {
      r.oldest = ((double)p->act_day - i) * ATT_DAY_MS;
      r.expires = r.oldest + 30 * ATT_DAY_MS;
      break;
    }
  att__emit_row(&w, arr, &r);

  r.key = "blocked";
  n = p->blocked_tags.n + p->blocked_items.n;
  snprintf(r.what, sizeof r.what, "Tags and items you blocked: %d tags, %d items", p->blocked_tags.n,
           p->blocked_items.n);
  r.why = "So blocked content never ranks; kept until you unblock it or forget your profile";
  r.count = n;
  t = att__min_at(&p->blocked_tags);
  r.oldest = isnan(t) || att__min_at(&p->blocked_items) < t ? att__min_at(&p->blocked_items) : t;
  r.expires = NAN;
  att__emit_row(&w, arr, &r);

  r.key = "metrics";
  {
    double im = 0, cl = 0;
    int l, k;
    for (l = 0; l < ATT_LEVEL_COUNT; l++)
      for (k = 0; k <= ATT_POSITIONS; k++) {
        im += p->impr[l][k];
        cl += p->clicks[l][k];
      }
    snprintf(r.what, sizeof r.what,
             "Counts of recommendations shown (%.0f) and clicked (%.0f) by level and position; no items or times",
             im, cl);
    r.count = im + cl;
  }
  r.why = "To measure on this device how much each level helps";
  r.oldest = p->metrics_since;
  r.expires = p->metrics_since + keep;
  att__emit_row(&w, arr, &r);

  r.key = "serverLabel";
  if (p->label_epoch >= 0 && p->label_n > 0) {
    size_t o = (size_t)snprintf(r.what, sizeof r.what, "The segment label reported to the site this epoch: %s",
                                att__segment_label(cfg, p->label_value[0]));
    for (i = 1; i < p->label_n && o < sizeof r.what; i++)
      o += (size_t)snprintf(r.what + o, sizeof r.what - o, "%s%s", i + 1 == p->label_n ? " and " : ", ",
                            att__segment_label(cfg, p->label_value[i]));
    if (o < sizeof r.what)
      snprintf(r.what + o, sizeof r.what - o, "; %u randomised answers given in all", p->label_epochs);
    r.count = p->label_n;
    r.oldest = p->label_first;
    r.expires = ((double)p->label_epoch + 1) * cfg->epoch_days * ATT_DAY_MS;
  } else {
    if (p->label_epochs)
      snprintf(r.what, sizeof r.what,
               "The segment label reported to the site (none this epoch; %u randomised answers given before)",
               p->label_epochs);
    else
      snprintf(r.what, sizeof r.what, "The segment label reported to the site (none reported yet)");
    r.count = 0;
    r.oldest = p->label_first;
    r.expires = NAN;
  }
  r.why = "Kept so the randomised answer stays the same all epoch and cannot be averaged away, and counted so "
          "the privacy report can add up what was disclosed; this label is the only thing that may leave the device";
  r.leaves = 1;
  att__emit_row(&w, arr, &r);
  r.leaves = 0;

  if (level >= ATT_LEVEL_BEHAVIORAL) {
    r.key = "history";
    r.level = ATT_LEVEL_BEHAVIORAL;
    snprintf(r.what, sizeof r.what, "Your last %d interactions (item, type, time); at most %d are kept", p->nwin,
             cfg->history_size);
    r.why = "To learn which tags and categories interest you and to suggest related items";
    r.count = p->nwin;
    r.oldest = p->nwin ? p->win[0].at : NAN;
    r.expires = r.oldest + keep;
    att__emit_row(&w, arr, &r);

    r.key = "dismissed";
    snprintf(r.what, sizeof r.what, "Items you said you are not interested in: %d", p->dismissed.n);
    r.why = "So they are not shown to you again";
    r.count = p->dismissed.n;
    r.oldest = att__min_at(&p->dismissed);
    r.expires = r.oldest + keep;
    att__emit_row(&w, arr, &r);

    r.key = "affinities";
    n = 0;
    if (cat && p->tag_aff)
      for (i = 0; i < (int)p->ntag_aff; i++) n += att__profile_tag_aff(p, cfg, (uint32_t)i, now) != 0;
    snprintf(r.what, sizeof r.what,
             "Interest scores for %d tags, computed from your history and fading with a %g-day half-life", n,
             cfg->half_life_days);
    r.why = "To rank what matches your interests first; computed in memory, never stored";
    r.count = n;
    r.oldest = r.expires = NAN;
    r.stored = 0;
    att__emit_row(&w, arr, &r);
    r.stored = 1;
  }
  if (level >= ATT_LEVEL_CONTEXTUAL) {
    r.key = "contextBuckets";
    r.level = ATT_LEVEL_CONTEXTUAL;
    n = 0;
    t = NAN;
    for (i = 0; i < p->nwin; i++)
      if (p->win[i].bucket) {
        n++;
        if (isnan(t)) t = p->win[i].at;
      }
    att__fmt(r.what, sizeof r.what,
             "The time of day and device class of %d of your interactions (never the exact time, page or device)", n);
    r.why = "To learn what you like at different times and on different devices";
    r.count = n;
    r.oldest = t;
    r.expires = t + keep;
    att__emit_row(&w, arr, &r);

    r.key = "session";
    att__fmt(r.what, sizeof r.what, "What you did in this visit: %d interactions", session);
    r.why = "So what you are reading now weighs more; kept in memory only and dropped when the visit ends";
    r.count = session;
    r.oldest = r.expires = NAN;
    r.stored = 0;
    att__emit_row(&w, arr, &r);
    r.stored = 1;
  }
  if (level >= ATT_LEVEL_INDIVIDUAL) {
    const att__model *m = &p->model;
    size_t o;
    r.key = "model";
    r.level = ATT_LEVEL_INDIVIDUAL;
    o = (size_t)snprintf(r.what, sizeof r.what, "Learned weights of %d signals:", ATT_SIG_COUNT);
    for (i = 0; i < ATT_SIG_COUNT && o < sizeof r.what; i++)
      o += (size_t)snprintf(r.what + o, sizeof r.what - o, " %s %.2f", att__group_names[i], m->theta[i]);
    if (o < sizeof r.what) snprintf(r.what + o, sizeof r.what - o, " (from %u learning steps)", m->updates);
    r.why = "To learn which signals predict what you open; updated from what you were shown and clicked";
    r.count = ATT_SIG_COUNT;
    r.oldest = r.expires = NAN;
    att__emit_row(&w, arr, &r);

    r.key = "impressions";
    att__fmt(r.what, sizeof r.what, "Items shown to you and how often: %d items", m->impressions.n);
    r.why = "So items you keep skipping move down, and exploration can be measured";
    r.count = m->impressions.n;
    r.oldest = att__min_at(&m->impressions);
    r.expires = r.oldest + keep;
    att__emit_row(&w, arr, &r);

    r.key = "counterfactual";
    att__fmt(r.what, sizeof r.what,
             "Counts that judge exploration: %.0f recommendations logged with their odds of being shown, %u "
             "exploratory ones shown and %u of those clicked; no items or times",
             m->ips_n, m->explored_shown, m->explored_clicked);
    r.why = "To estimate on this device how ranking without exploration would do, without sending anything";
    r.count = m->ips_n;
    r.oldest = p->metrics_since;
    r.expires = p->metrics_since + keep;
    att__emit_row(&w, arr, &r);

    r.key = "tasteVector";
    att__fmt(r.what, sizeof r.what, "A taste vector of %u numbers computed from your history and the items' vectors",
             cat ? cat->dim : 0);
    r.why = "To rank items similar to what you liked; computed in memory, never stored";
    r.count = cat && cat->dim ? 1 : 0;
    r.oldest = r.expires = NAN;
    r.stored = 0;
    att__emit_row(&w, arr, &r);
    r.stored = 1;
  }
  return att__jw_finish(&w, out);
}

static void att__emit_counts(att__jw *w, att__jv *o, double im, double cl) {
  att__jw_num(w, o, "impressions", im);
  att__jw_num(w, o, "clicks", cl);
  att__jw_num(w, o, "ctr", im > 0 ? cl / im : NAN);
}

int att__metrics_json(const att__profile *p, double now, att__buf *out) {
  att__jw w;
  att__jv *root = att__jw_begin(&w, 0), *levels;
  double ti = 0, tc = 0;
  int l, k;
  (void)now;
  att__jw_num(&w, root, "since", p->metrics_since);
  levels = att__jw_obj(&w, root, "levels");
  for (l = 0; l < ATT_LEVEL_COUNT; l++) {
    double im = 0, cl = 0;
    att__jv *lv, *pos;
    for (k = 0; k <= ATT_POSITIONS; k++) {
      im += p->impr[l][k];
      cl += p->clicks[l][k];
    }
    ti += im;
    tc += cl;
    lv = att__jw_obj(&w, levels, att__level_name(l));
    att__emit_counts(&w, lv, im, cl);
    pos = att__jw_arr(&w, lv, "positions");
    for (k = 0; k <= ATT_POSITIONS; k++) {
      att__jv *o;
      if (!p->impr[l][k] && !p->clicks[l][k]) continue;
      o = att__jw_obj(&w, pos, NULL);
      if (k == 0) att__jw_null(&w, o, "position");
      else att__jw_num(&w, o, "position", k);
      att__jw_bool(&w, o, "orLater", k == ATT_POSITIONS);
      att__emit_counts(&w, o, p->impr[l][k], p->clicks[l][k]);
    }
  }
  att__emit_counts(&w, att__jw_obj(&w, root, "total"), ti, tc);
  {
    /* inverse-propensity estimate of the click rate the greedy policy (no exploration) would
       get, from the local log of what was shown with which propensity: sum over clicks on
       greedy choices of 1 / propensity, divided by the impressions logged */
    const att__model *m = &p->model;
    att__jv *cf = att__jw_obj(&w, root, "counterfactual");
    att__jw_num(&w, cf, "impressions", m->ips_n);
    att__jw_num(&w, cf, "greedyCtrEstimate", m->ips_n > 0 ? m->ips_greedy / m->ips_n : NAN);
    att__jw_num(&w, cf, "exploredShown", m->explored_shown);
    att__jw_num(&w, cf, "exploredClicked", m->explored_clicked);
    att__jw_num(&w, cf, "exploredCtr", m->explored_shown ? (double)m->explored_clicked / m->explored_shown : NAN);
  }
  return att__jw_finish(&w, out);
}

int att__privacy_report_json(const att__profile *p, const att__config *cfg, double now, att__buf *out) {
  static const char *const keeps[ATT_LEVEL_COUNT] = {
      "nothing",
      "declared traits, a 30-day activity bitmap, blocked tags and items, engagement counts, the memoised "
      "server label",
      "+ the last interactions (item, type, time) and dismissed items",
      "+ a coarse context bucket (daypart, device class) per interaction",
      "+ an on-device model: learned signal weights, impression counts and the counts that judge "
      "exploration (the taste vector is recomputed in memory, never stored)"};
  att__jw w;
  att__jv *root = att__jw_begin(&w, 0), *x, *y;
  int m = cfg->nsegments + 1, l, i, published = 0;
  double keep = att__config_keep_probability(cfg), eps = att__rr_epsilon(keep, m);
  att__jw_str(&w, root, "level", att__level_name(p->level));
  att__jw_str(&w, root, "maxLevel", att__level_name(cfg->max_level));
  att__jw_num(&w, root, "retentionDays", cfg->retention_days);
  att__jw_num(&w, root, "historySize", cfg->history_size);
  att__jw_num(&w, root, "halfLifeDays", cfg->half_life_days);

  x = att__jw_obj(&w, root, "label");
  att__jw_num(&w, x, "labels", m);
  att__jw_str(&w, x, "mechanism", isnan(cfg->epsilon) ? "random label with probability randomRate"
                                                      : "k-ary randomised response with epsilon");
  att__jw_num(&w, x, "randomRate", isnan(cfg->epsilon) ? cfg->random_rate : NAN);
  att__jw_num(&w, x, "keepProbability", keep);
  if (isfinite(eps)) att__jw_num(&w, x, "epsilonPerEpoch", eps);
  else att__jw_null(&w, x, "epsilonPerEpoch");
  att__jw_num(&w, x, "epochDays", cfg->epoch_days);
  att__jw_num(&w, x, "currentEpoch", att__label_epoch(cfg, now));
  att__jw_num(&w, x, "disclosures", p->label_epochs);
  if (isfinite(eps)) att__jw_num(&w, x, "cumulativeEpsilon", eps * p->label_epochs);
  else att__jw_null(&w, x, "cumulativeEpsilon");
  att__jw_num(&w, x, "k", cfg->label_k);
  for (i = 0; i <= cfg->nsegments; i++) published |= cfg->populations[i] >= 0;
  att__jw_bool(&w, x, "kAnonymityEnforced", published && cfg->label_k > 0);

  x = att__jw_arr(&w, root, "storedByLevel");
  for (l = 0; l < ATT_LEVEL_COUNT; l++) {
    y = att__jw_obj(&w, x, NULL);
    att__jw_str(&w, y, "level", att__level_name(l));
    att__jw_str(&w, y, "keeps", keeps[l]);
    att__jw_bool(&w, y, "current", l == p->level);
  }
  att__jw_str(&w, root, "leavesDevice",
              p->level == ATT_LEVEL_NONE
                  ? "nothing"
                  : "at most one segment label, and only when the site asks for it (serverPayload)");
  return att__jw_finish(&w, out);
}
