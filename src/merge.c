/* merge.c — three-way profile merge (see merge.h). */
#include "merge.h"

#include <math.h>
#include <string.h>

#include "model.h"

static int att__win_has(const att__profile *p, double eid) {
  int i;
  for (i = 0; i < p->nwin; i++)
    if (p->win[i].eid == eid) return 1;
  return 0;
}

static int att__day_has(const att__profile *p, int32_t day) {
  int32_t k = p->act_day - day;
  return p->act_bits && k >= 0 && k < 30 && (p->act_bits >> k & 1u);
}

static int att__add_copy(att__err *e, const att__config *cfg, att__profile *out, const att__event *ev) {
  att__event c = *ev;
  int rc;
  c.item = att__strndup(ev->item, strlen(ev->item));
  if (!c.item) return att__fail(e, ATT_E_NOMEM, "merge: out of memory");
  c.idx = -1;
  rc = att__profile_add_event(out, cfg, NULL, &c);
  if (rc != 1) att__free(c.item);
  return rc < 0 ? att__fail(e, ATT_E_NOMEM, "merge: out of memory") : ATT_OK;
}

/* ours - (base - theirs) + (theirs - base), by key; `at` is the later of the two sides. */
static int att__merge_marks(att__err *e, const att__marks *base, const att__marks *theirs, const att__marks *ours,
                            att__marks *out) {
  int i, j;
  for (i = 0; i < ours->n; i++) {
    const att__mark *m = &ours->v[i];
    size_t n = strlen(m->key);
    double at = m->at;
    if (att__marks_find(base, m->key, n) >= 0 && att__marks_find(theirs, m->key, n) < 0) continue;
    if ((j = att__marks_find(theirs, m->key, n)) >= 0 && theirs->v[j].at > at) at = theirs->v[j].at;
    if (att__marks_add(out, m->key, n, -1, at, 1 << 20)) return att__fail(e, ATT_E_NOMEM, "merge: out of memory");
  }
  for (i = 0; i < theirs->n; i++) {
    const att__mark *m = &theirs->v[i];
    size_t n = strlen(m->key);
    if (att__marks_find(base, m->key, n) >= 0 || att__marks_find(out, m->key, n) >= 0) continue;
    if (att__marks_add(out, m->key, n, -1, m->at, 1 << 20)) return att__fail(e, ATT_E_NOMEM, "merge: out of memory");
  }
  return ATT_OK;
}

static int att__trait_same(const att__profile *a, const att__profile *b, int t) {
  return a->trait[t] == b->trait[t] &&
         (a->trait_at[t] == b->trait_at[t] || (isnan(a->trait_at[t]) && isnan(b->trait_at[t])));
}

static uint32_t att__sub(uint32_t a, uint32_t b) { return a > b ? a - b : 0; }

int att__merge(att__err *e, const att__config *cfg, const att__profile *base, const att__profile *theirs,
               const att__profile *ours, att__profile *out) {
  int i, l, k, rc = ATT_OK;
  int32_t top, d;
  att__profile_init(out, ours->level);

  /* the level: the side that changed it; when both did, the lower (more private) one */
  if (theirs->level != base->level || theirs->level_chosen != base->level_chosen) {
    if (ours->level == base->level && ours->level_chosen == base->level_chosen) {
      out->level = theirs->level;
      out->level_chosen = theirs->level_chosen;
    } else {
      out->level = ours->level < theirs->level ? ours->level : theirs->level;
      out->level_chosen = ours->level_chosen || theirs->level_chosen;
    }
  } else {
    out->level = ours->level;
    out->level_chosen = ours->level_chosen;
  }

  for (i = 0; i < ATT_MAX_TRAITS; i++) {
    const att__profile *src = ours;
    if (!att__trait_same(theirs, base, i)) {
      /* both changed: the later setting wins (a cleared trait has no time, so a setting wins) */
      if (att__trait_same(ours, base, i) || theirs->trait_at[i] > ours->trait_at[i] ||
          (isnan(ours->trait_at[i]) && !isnan(theirs->trait_at[i])))
        src = theirs;
    }
    out->trait[i] = src->trait[i];
    out->trait_at[i] = src->trait_at[i];
  }

  top = ours->act_day > theirs->act_day ? ours->act_day : theirs->act_day;
  for (d = top - 29; d <= top; d++) {
    int keep = (att__day_has(ours, d) && !(att__day_has(base, d) && !att__day_has(theirs, d))) ||
               (att__day_has(theirs, d) && !att__day_has(base, d));
    if (keep) att__profile_mark_active(out, (double)d * ATT_DAY_MS);
  }

  for (i = 0; rc == ATT_OK && i < ours->nwin; i++) {
    const att__event *ev = &ours->win[i];
    if (att__win_has(base, ev->eid) && !att__win_has(theirs, ev->eid)) continue;
    rc = att__add_copy(e, cfg, out, ev);
  }
  for (i = 0; rc == ATT_OK && i < theirs->nwin; i++) {
    const att__event *ev = &theirs->win[i];
    if (att__win_has(base, ev->eid) || att__win_has(out, ev->eid)) continue;
    rc = att__add_copy(e, cfg, out, ev);
  }
  if (rc == ATT_OK) rc = att__merge_marks(e, &base->dismissed, &theirs->dismissed, &ours->dismissed, &out->dismissed);
  if (rc == ATT_OK)
    rc = att__merge_marks(e, &base->blocked_tags, &theirs->blocked_tags, &ours->blocked_tags, &out->blocked_tags);
  if (rc == ATT_OK)
    rc = att__merge_marks(e, &base->blocked_items, &theirs->blocked_items, &ours->blocked_items, &out->blocked_items);
  if (rc) {
    att__profile_free(out);
    att__profile_init(out, ours->level);
    return rc;
  }

  for (l = 0; l < ATT_LEVEL_COUNT; l++)
    for (k = 0; k <= ATT_POSITIONS; k++) {
      out->impr[l][k] = ours->impr[l][k] + att__sub(theirs->impr[l][k], base->impr[l][k]);
      out->clicks[l][k] = ours->clicks[l][k] + att__sub(theirs->clicks[l][k], base->clicks[l][k]);
    }
  out->metrics_since = ours->metrics_since;
  if (!isnan(theirs->metrics_since) && (isnan(out->metrics_since) || theirs->metrics_since < out->metrics_since))
    out->metrics_since = theirs->metrics_since;

  {
    /* the model: the weights of the side that learned more since base; counts add up */
    const att__model *bm = &base->model, *tm = &theirs->model, *om = &ours->model;
    att__model *m = &out->model;
    const att__model *src = tm->updates - (tm->updates > bm->updates ? bm->updates : tm->updates) >
                                    om->updates - (om->updates > bm->updates ? bm->updates : om->updates)
                                ? tm
                                : om;
    memcpy(m->theta, src->theta, sizeof m->theta);
    m->bias = src->bias;
    m->updates = om->updates + att__sub(tm->updates, bm->updates);
    m->ips_n = om->ips_n + (tm->ips_n > bm->ips_n ? tm->ips_n - bm->ips_n : 0);
    m->ips_greedy = om->ips_greedy + (tm->ips_greedy > bm->ips_greedy ? tm->ips_greedy - bm->ips_greedy : 0);
    m->explored_shown = om->explored_shown + att__sub(tm->explored_shown, bm->explored_shown);
    m->explored_clicked = om->explored_clicked + att__sub(tm->explored_clicked, bm->explored_clicked);
    if (att__merge_marks(e, &bm->impressions, &tm->impressions, &om->impressions, &m->impressions)) {
      att__profile_free(out);
      att__profile_init(out, ours->level);
      return e->code;
    }
    for (i = 0; i < m->impressions.n; i++) { /* counts: ours plus what they added since base */
      const char *key = m->impressions.v[i].key;
      size_t n = strlen(key);
      int jo = att__marks_find(&om->impressions, key, n), jt = att__marks_find(&tm->impressions, key, n),
          jb = att__marks_find(&bm->impressions, key, n);
      uint32_t co = jo >= 0 ? om->impressions.v[jo].n : 0, ct = jt >= 0 ? tm->impressions.v[jt].n : 0,
               cb = jb >= 0 ? bm->impressions.v[jb].n : 0;
      m->impressions.v[i].n = co + att__sub(ct, cb);
      if (m->impressions.v[i].n == 0) m->impressions.v[i].n = 1;
    }
    att__model_trim(m);
  }

  {
    /* the answers of the newer epoch; in the same epoch, both sides' answers (ours first) */
    const att__profile *src = theirs->label_epoch > ours->label_epoch ? theirs : ours;
    out->label_epoch = src->label_epoch;
    out->label_n = src->label_n;
    memcpy(out->label_truth, src->label_truth, sizeof out->label_truth);
    memcpy(out->label_value, src->label_value, sizeof out->label_value);
    if (theirs->label_epoch == ours->label_epoch)
      for (i = 0; i < theirs->label_n; i++) {
        int j;
        for (j = 0; j < out->label_n && out->label_truth[j] != theirs->label_truth[i]; j++) {
        }
        if (j == out->label_n && out->label_n <= ATT_MAX_SEGMENTS) {
          out->label_truth[out->label_n] = theirs->label_truth[i];
          out->label_value[out->label_n++] = theirs->label_value[i];
        }
      }
    out->label_epochs = ours->label_epochs + att__sub(theirs->label_epochs, base->label_epochs);
    out->label_first = ours->label_first;
    if (!isnan(theirs->label_first) && (isnan(out->label_first) || theirs->label_first < out->label_first))
      out->label_first = theirs->label_first;
  }
  return ATT_OK;
}
