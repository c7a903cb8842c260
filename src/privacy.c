/* privacy.c — retention, level purges, decay and randomised response. */
#include "privacy.h"

#include <math.h>
#include <string.h>

#include "profile.h"

double att__decay(double age_ms, double half_life_days) {
  return exp2(-age_ms / (half_life_days * ATT_DAY_MS));
}

double att__decay_since(double now, double t, double half_life_days) {
  return now > t ? att__decay(now - t, half_life_days) : 1;
}

int att__item_sensitive(const att__config *cfg, const att__catalog *cat, int32_t idx) {
  uint32_t k;
  size_t n;
  const char *s;
  if (!cat || idx < 0 || cfg->nsensitive == 0) return 0;
  for (k = cat->tag_off[idx]; k < cat->tag_off[idx + 1]; k++) {
    s = att__strtab_str(&cat->tags, cat->tag_ids[k], &n);
    if (att__config_is_sensitive(cfg, s, n)) return 1;
  }
  if (cat->cat[idx] != ATT_NO_CATEGORY) {
    s = att__strtab_str(&cat->cats, cat->cat[idx], &n);
    if (att__config_is_sensitive(cfg, s, n)) return 1;
  }
  return 0;
}

int att__privacy_expire(att__profile *p, const att__config *cfg, const att__catalog *cat, double now) {
  double cutoff = now - cfg->retention_days * ATT_DAY_MS;
  int changed = 0, i;
  while (p->nwin > 0 && p->win[0].at < cutoff) {
    att__profile_remove_event(p, cfg, cat, 0);
    changed = 1;
  }
  for (i = p->dismissed.n - 1; i >= 0; i--)
    if (p->dismissed.v[i].at < cutoff) {
      att__marks_remove(&p->dismissed, i);
      changed = 1;
    }
  for (i = 0; i < ATT_MAX_TRAITS; i++)
    if (p->trait[i] >= 0 && p->trait_at[i] < cutoff) {
      p->trait[i] = -1;
      p->trait_at[i] = NAN;
      changed = 1;
    }
  if (p->act_bits) {
    /* drop days more than 30 days old; the bitmap is only moved along when a day is marked,
     * so a call that loses nothing leaves the stored form as it was */
    int32_t shift = (int32_t)floor(now / ATT_DAY_MS) - p->act_day;
    if (shift > 0) {
      uint32_t keep = shift >= 30 ? 0 : (1u << (30 - shift)) - 1;
      if (p->act_bits & ~keep) {
        p->act_bits &= keep;
        changed = 1;
      }
    }
  }
  for (i = p->model.impressions.n - 1; i >= 0; i--)
    if (p->model.impressions.v[i].at < cutoff) {
      att__marks_remove(&p->model.impressions, i);
      changed = 1;
    }
  if (p->label_epoch >= 0 && p->label_epoch != att__label_epoch(cfg, now)) {
    /* the memoised answers hold for their epoch only; the count of answers given (and when the
       first was) stays, because the site keeps those reports and the privacy budget counts them */
    p->label_epoch = -1;
    p->label_n = 0;
    changed = 1;
  }
  if (!isnan(p->metrics_since) && p->metrics_since < cutoff) {
    /* engagement counts and the counterfactual log restart together */
    memset(p->impr, 0, sizeof p->impr);
    memset(p->clicks, 0, sizeof p->clicks);
    p->metrics_since = NAN;
    p->model.ips_n = p->model.ips_greedy = 0;
    p->model.explored_shown = p->model.explored_clicked = 0;
    changed = 1;
  }
  return changed;
}

int att__privacy_purge(att__profile *p, const att__config *cfg, const att__catalog *cat, int level) {
  int changed = 0, i;
  if (level < ATT_LEVEL_INDIVIDUAL) {
    const att__model *m = &p->model;
    if (m->updates || m->impressions.n || m->ips_n || m->explored_shown) changed = 1;
    att__model_reset(&p->model);
  }
  if (level < ATT_LEVEL_CONTEXTUAL) {
    for (i = 0; i < p->nwin; i++)
      if (p->win[i].bucket) {
        p->win[i].bucket = 0;
        changed = 1;
      }
  }
  if (level < ATT_LEVEL_BEHAVIORAL) {
    if (p->nwin || p->dismissed.n) changed = 1;
    while (p->nwin > 0) att__profile_remove_event(p, cfg, cat, p->nwin - 1);
    att__marks_free(&p->dismissed);
  }
  if (level < ATT_LEVEL_SEGMENT) {
    int chosen = p->level_chosen;
    att__profile tmp;
    if (p->act_bits || p->blocked_tags.n || p->blocked_items.n || !isnan(p->metrics_since) ||
        p->label_epoch >= 0 || p->label_epochs)
      changed = 1;
    for (i = 0; i < ATT_MAX_TRAITS; i++)
      if (p->trait[i] >= 0) changed = 1;
    /* keep the (empty) derived arrays bound to the catalog */
    att__profile_init(&tmp, level);
    tmp.tag_aff = p->tag_aff;
    tmp.cat_aff = p->cat_aff;
    tmp.ntag_aff = p->ntag_aff;
    tmp.ncat_aff = p->ncat_aff;
    p->tag_aff = p->cat_aff = NULL;
    att__profile_free(p);
    *p = tmp;
    p->level_chosen = chosen;
  }
  if (p->level != level) changed = 1;
  p->level = level;
  return changed;
}

void att__rng_seed(att__rng *r, double seed) {
  uint64_t s = 0;
  if (isfinite(seed)) {
    /* callers pass integers below 2^53; anything else is folded in bit by bit (fmod would pull
       in slow long-double code on wasm) */
    double a = fabs(seed);
    if (a < 9007199254740992.0 && a == floor(a)) s = (uint64_t)a;
    else memcpy(&s, &seed, sizeof s);
  }
  r->s = s ^ 0x9e3779b97f4a7c15ull;
}

static uint64_t att__rng_next(att__rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double att__rng_unit(att__rng *r) { return (double)(att__rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

int32_t att__label_epoch(const att__config *cfg, double now) {
  return (int32_t)floor(now / (cfg->epoch_days * ATT_DAY_MS));
}

int att__rr_report(att__rng *r, int truth, int m, double keep) {
  int other;
  if (m < 2 || att__rng_unit(r) < keep) return truth;
  other = (int)(att__rng_unit(r) * (m - 1));
  if (other >= m - 1) other = m - 2;
  return other >= truth ? other + 1 : other;
}

double att__rr_epsilon(double keep, int m) {
  double other;
  if (m < 2) return 0;
  other = (1 - keep) / (m - 1);
  if (other <= 0) return INFINITY;
  return log(keep / other);
}
