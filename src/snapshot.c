/* snapshot.c — binary snapshots and JSON export/import of a profile.
 *
 * Binary layout (little-endian), format version 2 (version 1 is read too: it has no model):
 *   "ATTN" | u16 version | u16 flags (0) | u32 payload length | u32 CRC-32 of the payload
 *   payload: sections, each u8 tag | u32 length | body, every tag exactly once, in order:
 *     1 meta       u8 level, u8 level chosen, f64 saved at
 *     2 traits     u16 n, n x (str name, str value, f64 set at)
 *     3 activity   u32 day, u32 bits
 *     4 history    u16 n, n x (f64 eid, f64 at, f64 value, u8 type, u8 bucket, str item)
 *     5 dismissed  u16 n, n x (str item, f64 at)
 *     6 blocked tags, 7 blocked items: as dismissed
 *     8 metrics    f64 since, u8 levels, u8 slots, levels x slots x (u32 impressions, u32 clicks)
 *     9 label      i32 epoch, u8 n, n x (u16 true segment, u16 reported segment), u32 disclosures,
 *                  f64 first   (version 1: no n, exactly one pair)
 *    10 model      7 x f64 signal weights, f64 bias, u32 updates, u16 n, n x (str item, u32 count,
 *                  f64 at), f64 logged impressions, f64 greedy clicks / propensity,
 *                  u32 explored shown, u32 explored clicked
 *   str = u16 length + UTF-8 bytes.
 * Items and traits are stored by name, so a snapshot survives catalog and config changes. */
#include "snapshot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "context.h"
#include "json.h"
#include "segment.h"

enum { ATT__SEC_META = 1, ATT__SEC_TRAITS, ATT__SEC_ACTIVITY, ATT__SEC_HISTORY, ATT__SEC_DISMISSED,
       ATT__SEC_BLOCKED_TAGS, ATT__SEC_BLOCKED_ITEMS, ATT__SEC_METRICS, ATT__SEC_LABEL, ATT__SEC_MODEL,
       ATT__SEC_END };

/* The last section of each format version. */
static int att__last_section(unsigned version) { return version >= 2 ? ATT__SEC_MODEL : ATT__SEC_LABEL; }

#define ATT__HEADER 16

/* --- checks shared by both decoders ------------------------------------------------------ */

static int att__bad(att__err *e, const char *where, const char *what) {
  return att__fail(e, ATT_E_PROFILE, "%s: %s; the data is damaged and was not loaded", where, what);
}

static int att__time_ok(double t) { return isfinite(t) && t >= 0 && t <= 8.64e15; }

static int att__put_trait(att__err *e, const att__config *cfg, att__profile *p, const char *where,
                          const char *name, size_t nn, const char *value, size_t vn, double at) {
  int t, v;
  if (!nn || nn > ATT_MAX_TAG_LEN || !vn || vn > ATT_MAX_TAG_LEN || !att__valid_text(name, nn) ||
      !att__valid_text(value, vn))
    return att__bad(e, where, "a trait name or value is not valid text");
  if (!att__time_ok(at)) return att__bad(e, where, "a trait's time is not valid");
  t = att__config_trait(cfg, name, nn);
  v = t < 0 ? -1 : att__config_trait_value(&cfg->traits[t], value, vn);
  if (v < 0) {
    p->stale = 1; /* no longer declared: dropped, and the stored copy rewritten */
    return ATT_OK;
  }
  if (p->trait[t] >= 0) return att__bad(e, where, "a trait appears twice");
  p->trait[t] = (int16_t)v;
  p->trait_at[t] = at;
  return ATT_OK;
}

static int att__put_event(att__err *e, const att__config *cfg, att__profile *p, const char *where,
                          const char *item, size_t n, int type, double at, double value, double eid, int bucket) {
  att__event ev;
  int rc;
  if (!n || n > ATT_MAX_ID_LEN || !att__valid_text(item, n)) return att__bad(e, where, "an item id is not valid");
  if (type < 0 || type >= ATT_EV_IMPRESSION) return att__bad(e, where, "an interaction type is not valid");
  if (!att__time_ok(at) || at != floor(at)) return att__bad(e, where, "an interaction time is not valid");
  if (!isfinite(value) || value < 0 || value > 100) return att__bad(e, where, "an interaction value is out of range");
  if (!isfinite(eid) || eid < 0 || eid >= 9007199254740992.0 || eid != floor(eid))
    return att__bad(e, where, "an interaction id is not valid");
  if (bucket < 0 || bucket > ATT_BUCKETS) return att__bad(e, where, "a context bucket is not valid");
  memset(&ev, 0, sizeof ev);
  ev.eid = eid;
  ev.at = at;
  ev.value = value;
  ev.type = (uint8_t)type;
  ev.bucket = (uint8_t)bucket;
  ev.idx = -1;
  ev.item = att__strndup(item, n);
  if (!ev.item) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", where);
  rc = att__profile_add_event(p, cfg, NULL, &ev);
  if (rc == 1) return ATT_OK;
  att__free(ev.item);
  if (rc < 0) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", where);
  return att__bad(e, where, "an interaction id appears twice");
}

static int att__put_mark(att__err *e, att__marks *m, const char *where, const char *key, size_t n, size_t max,
                         double at) {
  int rc;
  if (!n || n > max || !att__valid_text(key, n)) return att__bad(e, where, "an entry is not valid text");
  if (!att__time_ok(at)) return att__bad(e, where, "an entry's time is not valid");
  if (att__marks_find(m, key, n) >= 0) return att__bad(e, where, "an entry appears twice");
  rc = att__marks_add(m, key, n, -1, at, ATT_MAX_BLOCKED > ATT_MAX_DISMISSED ? ATT_MAX_BLOCKED : ATT_MAX_DISMISSED);
  if (rc == ATT_E_LIMIT) return att__bad(e, where, "too many entries");
  if (rc) return att__fail(e, ATT_E_NOMEM, "%s: out of memory", where);
  return ATT_OK;
}

static int att__check_whole(att__err *e, att__profile *p, const char *where) {
  if (p->blocked_tags.n + p->blocked_items.n > ATT_MAX_BLOCKED) return att__bad(e, where, "too many blocked entries");
  if (p->dismissed.n > ATT_MAX_DISMISSED) return att__bad(e, where, "too many dismissed items");
  if (p->act_bits >= (1u << 30)) return att__bad(e, where, "the activity bitmap is not valid");
  return ATT_OK;
}

/* --- binary ------------------------------------------------------------------------------ */

static size_t att__section_begin(att__buf *b, int tag) {
  att__buf_u8(b, (unsigned)tag);
  att__buf_u32(b, 0);
  return b->len;
}

static void att__section_end(att__buf *b, size_t start) {
  uint32_t n = (uint32_t)(b->len - start);
  int i;
  if (b->len < start || !b->p) return;
  for (i = 0; i < 4; i++) b->p[start - 4 + (size_t)i] = (unsigned char)((n >> (8 * i)) & 0xff);
}

static void att__put_marks(att__buf *b, const att__marks *m) {
  int i;
  att__buf_u16(b, (unsigned)m->n);
  for (i = 0; i < m->n; i++) {
    att__buf_str(b, m->v[i].key, strlen(m->v[i].key));
    att__buf_f64(b, m->v[i].at);
  }
}

int att__snapshot_encode(const att__profile *p, const att__config *cfg, double now, att__buf *out) {
  att__buf b;
  size_t s;
  int i, l, k, ntraits = 0;
  uint32_t crc;
  memset(&b, 0, sizeof b);
  if (att__buf_reserve(&b, 4096)) return ATT_E_NOMEM;
  s = att__section_begin(&b, ATT__SEC_META);
  att__buf_u8(&b, (unsigned)p->level);
  att__buf_u8(&b, (unsigned)p->level_chosen);
  att__buf_f64(&b, now);
  att__section_end(&b, s);

  s = att__section_begin(&b, ATT__SEC_TRAITS);
  for (i = 0; i < cfg->ntraits; i++) ntraits += p->trait[i] >= 0;
  att__buf_u16(&b, (unsigned)ntraits);
  for (i = 0; i < cfg->ntraits; i++) {
    const att__trait *t = &cfg->traits[i];
    if (p->trait[i] < 0) continue;
    att__buf_str(&b, t->name, strlen(t->name));
    att__buf_str(&b, t->values[p->trait[i]], strlen(t->values[p->trait[i]]));
    att__buf_f64(&b, p->trait_at[i]);
  }
  att__section_end(&b, s);

  s = att__section_begin(&b, ATT__SEC_ACTIVITY);
  att__buf_u32(&b, (uint32_t)p->act_day);
  att__buf_u32(&b, p->act_bits);
  att__section_end(&b, s);

  s = att__section_begin(&b, ATT__SEC_HISTORY);
  att__buf_u16(&b, (unsigned)p->nwin);
  for (i = 0; i < p->nwin; i++) {
    const att__event *ev = &p->win[i];
    att__buf_f64(&b, ev->eid);
    att__buf_f64(&b, ev->at);
    att__buf_f64(&b, ev->value);
    att__buf_u8(&b, ev->type);
    att__buf_u8(&b, ev->bucket);
    att__buf_str(&b, ev->item, strlen(ev->item));
  }
  att__section_end(&b, s);

  s = att__section_begin(&b, ATT__SEC_DISMISSED);
  att__put_marks(&b, &p->dismissed);
  att__section_end(&b, s);
  s = att__section_begin(&b, ATT__SEC_BLOCKED_TAGS);
  att__put_marks(&b, &p->blocked_tags);
  att__section_end(&b, s);
  s = att__section_begin(&b, ATT__SEC_BLOCKED_ITEMS);
  att__put_marks(&b, &p->blocked_items);
  att__section_end(&b, s);

  s = att__section_begin(&b, ATT__SEC_METRICS);
  att__buf_f64(&b, p->metrics_since);
  att__buf_u8(&b, ATT_LEVEL_COUNT);
  att__buf_u8(&b, ATT_POSITIONS + 1);
  for (l = 0; l < ATT_LEVEL_COUNT; l++)
    for (k = 0; k <= ATT_POSITIONS; k++) {
      att__buf_u32(&b, p->impr[l][k]);
      att__buf_u32(&b, p->clicks[l][k]);
    }
  att__section_end(&b, s);

  s = att__section_begin(&b, ATT__SEC_LABEL);
  att__buf_u32(&b, (uint32_t)p->label_epoch);
  att__buf_u8(&b, p->label_n);
  for (i = 0; i < p->label_n; i++) {
    att__buf_u16(&b, (unsigned)(uint16_t)p->label_truth[i]);
    att__buf_u16(&b, (unsigned)(uint16_t)p->label_value[i]);
  }
  att__buf_u32(&b, p->label_epochs);
  att__buf_f64(&b, p->label_first);
  att__section_end(&b, s);

  s = att__section_begin(&b, ATT__SEC_MODEL);
  for (l = 0; l < ATT_SIG_COUNT; l++) att__buf_f64(&b, p->model.theta[l]);
  att__buf_f64(&b, p->model.bias);
  att__buf_u32(&b, p->model.updates);
  att__buf_u16(&b, (unsigned)p->model.impressions.n);
  for (k = 0; k < p->model.impressions.n; k++) {
    const att__mark *m = &p->model.impressions.v[k];
    att__buf_str(&b, m->key, strlen(m->key));
    att__buf_u32(&b, m->n);
    att__buf_f64(&b, m->at);
  }
  att__buf_f64(&b, p->model.ips_n);
  att__buf_f64(&b, p->model.ips_greedy);
  att__buf_u32(&b, p->model.explored_shown);
  att__buf_u32(&b, p->model.explored_clicked);
  att__section_end(&b, s);

  if (!b.p || b.len < s || b.len > UINT32_MAX) {
    att__buf_free(&b);
    return ATT_E_NOMEM;
  }
  crc = att__crc32(b.p, b.len);
  out->len = 0;
  if (att__buf_put(out, ATT_SNAPSHOT_MAGIC, 4) || att__buf_u16(out, ATT_SNAPSHOT_VERSION) || att__buf_u16(out, 0) ||
      att__buf_u32(out, (uint32_t)b.len) || att__buf_u32(out, crc) || att__buf_put(out, b.p, b.len)) {
    att__buf_free(&b);
    return ATT_E_NOMEM;
  }
  att__buf_free(&b);
  return ATT_OK;
}

/* One section's reader; must consume exactly its body. */
static int att__read_section(att__err *e, const att__config *cfg, att__profile *p, int tag, att__rd *r,
                             unsigned version) {
  const char *where = "snapshot";
  unsigned n, i;
  int k;
  size_t a, c;
  const char *s, *t;
  switch (tag) {
    case ATT__SEC_META: {
      unsigned level = att__rd_u8(r), chosen = att__rd_u8(r);
      double saved = att__rd_f64(r);
      if (r->bad) break;
      if (level >= ATT_LEVEL_COUNT || chosen > 1 || !att__time_ok(saved))
        return att__bad(e, where, "the level or save time is not valid");
      p->level = (int)level;
      p->level_chosen = (int)chosen;
      return ATT_OK;
    }
    case ATT__SEC_TRAITS:
      n = att__rd_u16(r);
      if (n > ATT_MAX_TRAITS) return att__bad(e, where, "too many traits");
      for (i = 0; i < n; i++) {
        s = att__rd_str(r, &a);
        t = att__rd_str(r, &c);
        double at = att__rd_f64(r);
        if (r->bad) break;
        if (att__put_trait(e, cfg, p, where, s, a, t, c, at)) return e->code;
      }
      break;
    case ATT__SEC_ACTIVITY:
      p->act_day = (int32_t)att__rd_u32(r);
      p->act_bits = att__rd_u32(r);
      break;
    case ATT__SEC_HISTORY:
      n = att__rd_u16(r);
      if (n > ATT_MAX_HISTORY) return att__bad(e, where, "the history is longer than allowed");
      for (i = 0; i < n; i++) {
        double eid = att__rd_f64(r), at = att__rd_f64(r), value = att__rd_f64(r);
        int type = (int)att__rd_u8(r), bucket = (int)att__rd_u8(r);
        s = att__rd_str(r, &a);
        if (r->bad) break;
        if (att__put_event(e, cfg, p, where, s, a, type, at, value, eid, bucket)) return e->code;
      }
      break;
    case ATT__SEC_DISMISSED:
    case ATT__SEC_BLOCKED_TAGS:
    case ATT__SEC_BLOCKED_ITEMS: {
      att__marks *m = tag == ATT__SEC_DISMISSED ? &p->dismissed
                      : tag == ATT__SEC_BLOCKED_TAGS ? &p->blocked_tags : &p->blocked_items;
      size_t max = tag == ATT__SEC_BLOCKED_TAGS ? ATT_MAX_TAG_LEN : ATT_MAX_ID_LEN;
      n = att__rd_u16(r);
      for (i = 0; i < n; i++) {
        s = att__rd_str(r, &a);
        double at = att__rd_f64(r);
        if (r->bad) break;
        if (att__put_mark(e, m, where, s, a, max, at)) return e->code;
      }
      break;
    }
    case ATT__SEC_METRICS: {
      unsigned levels, slots, l, slot;
      p->metrics_since = att__rd_f64(r);
      levels = att__rd_u8(r);
      slots = att__rd_u8(r);
      if (r->bad) break;
      if (levels != ATT_LEVEL_COUNT || slots != ATT_POSITIONS + 1 ||
          !(isnan(p->metrics_since) || att__time_ok(p->metrics_since)))
        return att__bad(e, where, "the metrics are not valid");
      for (l = 0; l < levels; l++)
        for (slot = 0; slot < slots; slot++) {
          p->impr[l][slot] = att__rd_u32(r);
          p->clicks[l][slot] = att__rd_u32(r);
        }
      break;
    }
    case ATT__SEC_LABEL: {
      int stale = 0;
      p->label_epoch = (int32_t)att__rd_u32(r);
      n = version >= 2 ? att__rd_u8(r) : 1; /* version 1 kept one answer */
      if (n > ATT_MAX_SEGMENTS + 1) return att__bad(e, where, "the label memo is not valid");
      p->label_n = (uint8_t)n;
      for (i = 0; i < n; i++) {
        p->label_truth[i] = (int16_t)att__rd_u16(r);
        p->label_value[i] = (int16_t)att__rd_u16(r);
        if (p->label_truth[i] < 0 || p->label_value[i] < 0 || p->label_truth[i] > ATT_MAX_SEGMENTS ||
            p->label_value[i] > ATT_MAX_SEGMENTS)
          return att__bad(e, where, "the label memo is not valid");
        if (p->label_truth[i] > cfg->nsegments || p->label_value[i] > cfg->nsegments) stale = 1;
        for (k = 0; k < (int)i; k++)
          if (p->label_truth[k] == p->label_truth[i]) return att__bad(e, where, "the label memo is not valid");
      }
      p->label_epochs = att__rd_u32(r);
      p->label_first = att__rd_f64(r);
      if (r->bad) break;
      if (p->label_epoch < -1 || !(isnan(p->label_first) || att__time_ok(p->label_first)))
        return att__bad(e, where, "the label memo is not valid");
      if (p->label_epoch < 0) p->label_n = 0;
      if (stale) { /* labels this configuration does not have: a fresh draw next time */
        p->label_epoch = -1;
        p->label_n = 0;
        p->stale = 1;
      }
      break;
    }
    case ATT__SEC_MODEL: {
      att__model *m = &p->model;
      int g;
      for (g = 0; g < ATT_SIG_COUNT; g++) m->theta[g] = att__rd_f64(r);
      m->bias = att__rd_f64(r);
      m->updates = att__rd_u32(r);
      n = att__rd_u16(r);
      if (r->bad) break;
      for (g = 0; g < ATT_SIG_COUNT; g++)
        if (!(m->theta[g] >= 0 && m->theta[g] <= 5)) return att__bad(e, where, "a learned weight is out of range");
      if (!(m->bias >= -20 && m->bias <= 20)) return att__bad(e, where, "the model's bias is out of range");
      if (n > ATT_MAX_IMPRESSION_ITEMS) return att__bad(e, where, "too many impression counts");
      for (i = 0; i < n; i++) {
        uint32_t count;
        double at;
        s = att__rd_str(r, &a);
        count = att__rd_u32(r);
        at = att__rd_f64(r);
        if (r->bad) break;
        if (count == 0) return att__bad(e, where, "an impression count is zero");
        if (att__put_mark(e, &m->impressions, where, s, a, ATT_MAX_ID_LEN, at)) return e->code;
        m->impressions.v[m->impressions.n - 1].n = count;
      }
      m->ips_n = att__rd_f64(r);
      m->ips_greedy = att__rd_f64(r);
      m->explored_shown = att__rd_u32(r);
      m->explored_clicked = att__rd_u32(r);
      if (r->bad) break;
      if (!(m->ips_n >= 0 && m->ips_n < 1e15 && m->ips_greedy >= 0 && m->ips_greedy < 1e15))
        return att__bad(e, where, "the counterfactual log is not valid");
      break;
    }
    default:
      return att__bad(e, where, "an unknown section");
  }
  if (r->bad) return att__bad(e, where, "a section ends early");
  if (r->pos != r->len) return att__bad(e, where, "a section has extra bytes");
  return ATT_OK;
}

int att__snapshot_decode(att__err *e, const att__config *cfg, const unsigned char *b, size_t n, att__profile *out) {
  att__rd r;
  unsigned version, flags;
  uint32_t len, crc;
  int tag;
  att__profile_init(out, ATT_LEVEL_NONE);
  if (!b || n < ATT__HEADER || memcmp(b, ATT_SNAPSHOT_MAGIC, 4) != 0)
    return att__fail(e, ATT_E_PROFILE, "snapshot: not an Attune profile snapshot (bad magic or too short)");
  r.p = b;
  r.len = n;
  r.pos = 4;
  r.bad = 0;
  version = att__rd_u16(&r);
  flags = att__rd_u16(&r);
  len = att__rd_u32(&r);
  crc = att__rd_u32(&r);
  if (version > ATT_SNAPSHOT_VERSION)
    return att__fail(e, ATT_E_VERSION,
                     "snapshot: format version %u is newer than this engine reads (%d); update Attune and "
                     "keep the stored copy",
                     version, ATT_SNAPSHOT_VERSION);
  if (version == 0) return att__bad(e, "snapshot", "format version 0 does not exist");
  if (flags != 0) return att__bad(e, "snapshot", "unknown header flags are set");
  if ((size_t)len != n - ATT__HEADER) return att__bad(e, "snapshot", "the length does not match");
  if (att__crc32(b + ATT__HEADER, len) != crc) return att__bad(e, "snapshot", "the checksum does not match");
  for (tag = ATT__SEC_META; tag <= att__last_section(version); tag++) {
    att__rd sec;
    unsigned t = att__rd_u8(&r);
    uint32_t sl = att__rd_u32(&r);
    int rc;
    if (r.bad || t != (unsigned)tag || sl > r.len - r.pos) {
      att__profile_free(out);
      att__profile_init(out, ATT_LEVEL_NONE);
      return att__bad(e, "snapshot", "sections are missing or out of order");
    }
    sec.p = r.p + r.pos;
    sec.len = sl;
    sec.pos = 0;
    sec.bad = 0;
    r.pos += sl;
    rc = att__read_section(e, cfg, out, tag, &sec, version);
    if (rc) {
      att__profile_free(out);
      att__profile_init(out, ATT_LEVEL_NONE);
      return rc;
    }
  }
  if (r.pos != r.len || att__check_whole(e, out, "snapshot")) {
    att__profile_free(out);
    att__profile_init(out, ATT_LEVEL_NONE);
    return e->code ? e->code : att__bad(e, "snapshot", "extra bytes after the last section");
  }
  return ATT_OK;
}

/* --- JSON export ------------------------------------------------------------------------- */

static void att__export_marks(att__jw *w, att__jv *parent, const char *key, const char *field, const att__marks *m) {
  att__jv *arr = att__jw_arr(w, parent, key);
  int i;
  for (i = 0; i < m->n; i++) {
    att__jv *o = att__jw_obj(w, arr, NULL);
    att__jw_str(w, o, field, m->v[i].key);
    att__jw_time(w, o, "at", m->v[i].at);
  }
}

int att__export_json(const att__profile *p, const att__config *cfg, double now, att__buf *out) {
  att__jw w;
  att__jv *root, *x, *y;
  int i, l, k;
  char day[32];
  root = att__jw_begin(&w, 0);
  att__jw_str(&w, root, "format", ATT_EXPORT_FORMAT);
  att__jw_num(&w, root, "version", ATT_EXPORT_VERSION);
  att__jw_time(&w, root, "exportedAt", now);
  att__jw_str(&w, root, "level", att__level_name(p->level));
  att__jw_bool(&w, root, "levelChosen", p->level_chosen);
  x = att__jw_obj(&w, root, "traits");
  for (i = 0; i < cfg->ntraits; i++) {
    if (p->trait[i] < 0) continue;
    y = att__jw_obj(&w, x, cfg->traits[i].name);
    att__jw_str(&w, y, "value", cfg->traits[i].values[p->trait[i]]);
    att__jw_time(&w, y, "setAt", p->trait_at[i]);
  }
  x = att__jw_arr(&w, root, "activeDays");
  for (k = 29; k >= 0; k--)
    if (p->act_bits & (1u << k)) {
      att__iso_format(day, ((double)p->act_day - k) * ATT_DAY_MS);
      if (strchr(day, 'T')) *strchr(day, 'T') = 0; /* the date alone */
      att__jw_str(&w, x, NULL, day);
    }
  x = att__jw_arr(&w, root, "history");
  for (i = 0; i < p->nwin; i++) {
    const att__event *ev = &p->win[i];
    y = att__jw_obj(&w, x, NULL);
    att__jw_num(&w, y, "id", ev->eid);
    att__jw_str(&w, y, "item", ev->item);
    att__jw_str(&w, y, "type", att__event_name(ev->type));
    att__jw_time(&w, y, "at", ev->at);
    att__jw_num(&w, y, "value", ev->value);
    att__jw_num(&w, y, "bucket", ev->bucket);
  }
  att__export_marks(&w, root, "dismissed", "item", &p->dismissed);
  y = att__jw_obj(&w, root, "blocked");
  att__export_marks(&w, y, "tags", "tag", &p->blocked_tags);
  att__export_marks(&w, y, "items", "item", &p->blocked_items);
  x = att__jw_obj(&w, root, "metrics");
  att__jw_time(&w, x, "since", p->metrics_since);
  {
    att__jv *im = att__jw_obj(&w, x, "impressions"), *cl = att__jw_obj(&w, x, "clicks");
    for (l = 0; l < ATT_LEVEL_COUNT; l++) {
      att__jv *a = att__jw_arr(&w, im, att__level_name(l)), *b = att__jw_arr(&w, cl, att__level_name(l));
      for (k = 0; k <= ATT_POSITIONS; k++) {
        att__jw_num(&w, a, NULL, p->impr[l][k]);
        att__jw_num(&w, b, NULL, p->clicks[l][k]);
      }
    }
  }
  x = att__jw_obj(&w, root, "serverLabel");
  att__jw_num(&w, x, "epoch", p->label_epoch >= 0 ? (double)p->label_epoch : NAN);
  y = att__jw_arr(&w, x, "answers");
  for (i = 0; i < p->label_n; i++) {
    att__jv *o = att__jw_obj(&w, y, NULL);
    att__jw_str(&w, o, "truth", att__segment_label(cfg, p->label_truth[i]));
    att__jw_str(&w, o, "reported", att__segment_label(cfg, p->label_value[i]));
  }
  att__jw_num(&w, x, "disclosures", p->label_epochs);
  att__jw_time(&w, x, "firstAt", p->label_first);
  x = att__jw_obj(&w, root, "model");
  y = att__jw_obj(&w, x, "weights");
  for (k = 0; k < ATT_SIG_COUNT; k++) att__jw_num(&w, y, att__group_names[k], p->model.theta[k]);
  att__jw_num(&w, x, "bias", p->model.bias);
  att__jw_num(&w, x, "updates", p->model.updates);
  y = att__jw_arr(&w, x, "impressions");
  for (i = 0; i < p->model.impressions.n; i++) {
    att__jv *o = att__jw_obj(&w, y, NULL);
    att__jw_str(&w, o, "item", p->model.impressions.v[i].key);
    att__jw_num(&w, o, "count", p->model.impressions.v[i].n);
    att__jw_time(&w, o, "at", p->model.impressions.v[i].at);
  }
  y = att__jw_obj(&w, x, "counterfactual");
  att__jw_num(&w, y, "impressions", p->model.ips_n);
  att__jw_num(&w, y, "greedyClicksByPropensity", p->model.ips_greedy);
  att__jw_num(&w, y, "exploredShown", p->model.explored_shown);
  att__jw_num(&w, y, "exploredClicked", p->model.explored_clicked);
  return att__jw_finish(&w, out);
}

/* --- JSON import ------------------------------------------------------------------------- */

/* Reads an ISO time member; NULL-valued members give NaN when `nullable`. */
static int att__imp_time(att__err *e, const att__jv *obj, const char *key, const char *where, int nullable,
                         double *out) {
  const att__jv *v = att__jv_get(obj, key);
  size_t n;
  const char *s;
  *out = NAN;
  if (nullable && (!v || att__jv_type(v) == ATT__J_NULL)) {
    *out = NAN;
    return ATT_OK;
  }
  if (att__jv_type(v) != ATT__J_STR)
    return att__fail(e, ATT_E_PROFILE, "%s.%s: expected an ISO-8601 time string", where, key);
  s = att__jv_str(v, &n);
  if (att__iso_parse(s, n, out) || !att__time_ok(*out))
    return att__fail(e, ATT_E_PROFILE, "%s.%s: \"%.40s\" is not a time like 2026-01-31T12:00:00.000Z", where, key, s);
  return ATT_OK;
}

static int att__imp_str(att__err *e, const att__jv *obj, const char *key, const char *where, const char **s,
                        size_t *n) {
  const att__jv *v = att__jv_get(obj, key);
  *s = "";
  *n = 0;
  if (att__jv_type(v) != ATT__J_STR) return att__fail(e, ATT_E_PROFILE, "%s.%s: expected a string", where, key);
  *s = att__jv_str(v, n);
  return ATT_OK;
}

static int att__imp_num(att__err *e, const att__jv *obj, const char *key, const char *where, double *d) {
  const att__jv *v = att__jv_get(obj, key);
  *d = 0;
  if (att__jv_type(v) != ATT__J_NUM) return att__fail(e, ATT_E_PROFILE, "%s.%s: expected a number", where, key);
  *d = att__jv_num(v);
  return ATT_OK;
}

static int att__imp_type(att__err *e, const att__jv *v, int type, const char *where, const char *want) {
  if (att__jv_type(v) == type) return ATT_OK;
  return att__fail(e, ATT_E_PROFILE, "%s: expected %s, got %s", where, want, att__jv_typename(v));
}

static int att__imp_marks(att__err *e, const att__jv *arr, const char *where, const char *field, size_t max,
                          att__marks *m) {
  static const char *const keys_item[] = {"item", "at", NULL};
  static const char *const keys_tag[] = {"tag", "at", NULL};
  const att__jv *x;
  char sub[64];
  int i = 0;
  if (att__imp_type(e, arr, ATT__J_ARR, where, "an array")) return e->code;
  if (att__jv_count(arr) > ATT_MAX_BLOCKED) return att__bad(e, where, "too many entries");
  for (x = att__jv_first(arr); x; x = att__jv_next(x), i++) {
    const char *s;
    size_t n;
    double at;
    snprintf(sub, sizeof sub, "%s[%d]", where, i);
    if (att__imp_type(e, x, ATT__J_OBJ, sub, "an object") ||
        att__json_check_keys(e, ATT_E_PROFILE, x, sub, strcmp(field, "tag") ? keys_item : keys_tag) ||
        att__imp_str(e, x, field, sub, &s, &n) || att__imp_time(e, x, "at", sub, 0, &at) ||
        att__put_mark(e, m, sub, s, n, max, at))
      return e->code;
  }
  return ATT_OK;
}

/* A whole number (or any number when `whole` is 0) member in [lo, hi]; absent leaves *out. */
static int att__imp_range(att__err *e, const att__jv *obj, const char *key, const char *where, double lo, double hi,
                          int whole, double *out) {
  const att__jv *v = att__jv_get(obj, key);
  double d;
  if (!v) return ATT_OK;
  d = att__jv_num(v);
  if (att__jv_type(v) != ATT__J_NUM || !(d >= lo && d <= hi) || (whole && d != floor(d)))
    return att__fail(e, ATT_E_PROFILE, "%s.%s: expected a %snumber from %g to %g", where, key, whole ? "whole " : "",
                     lo, hi);
  *out = d;
  return ATT_OK;
}

static int att__imp_model(att__err *e, const att__jv *x, att__model *m) {
  static const char *const model_keys[] = {"weights", "bias", "updates", "impressions", "counterfactual", NULL};
  static const char *const cf_keys[] = {"impressions", "greedyClicksByPropensity", "exploredShown",
                                        "exploredClicked", NULL};
  static const char *const imp_keys[] = {"item", "count", "at", NULL};
  const att__jv *y, *z;
  double d;
  int g, i;
  char where[64];
  if (att__imp_type(e, x, ATT__J_OBJ, "import.model", "an object") ||
      att__json_check_keys(e, ATT_E_PROFILE, x, "import.model", model_keys) ||
      att__imp_range(e, x, "bias", "import.model", -20, 20, 0, &m->bias))
    return e->code;
  d = m->updates;
  if (att__imp_range(e, x, "updates", "import.model", 0, 4294967295.0, 1, &d)) return e->code;
  m->updates = (uint32_t)d;
  if ((y = att__jv_get(x, "weights"))) {
    if (att__imp_type(e, y, ATT__J_OBJ, "import.model.weights", "an object") ||
        att__json_check_keys(e, ATT_E_PROFILE, y, "import.model.weights", att__group_names))
      return e->code;
    for (g = 0; g < ATT_SIG_COUNT; g++)
      if (att__imp_range(e, y, att__group_names[g], "import.model.weights", 0, 5, 0, &m->theta[g])) return e->code;
  }
  if ((y = att__jv_get(x, "impressions"))) {
    if (att__imp_type(e, y, ATT__J_ARR, "import.model.impressions", "an array")) return e->code;
    if (att__jv_count(y) > ATT_MAX_IMPRESSION_ITEMS) return att__bad(e, "import.model.impressions", "too many entries");
    for (z = att__jv_first(y), i = 0; z; z = att__jv_next(z), i++) {
      const char *s;
      size_t n;
      double at, count = 1;
      att__fmt(where, sizeof where, "import.model.impressions[%d]", i);
      if (att__imp_type(e, z, ATT__J_OBJ, where, "an object") ||
          att__json_check_keys(e, ATT_E_PROFILE, z, where, imp_keys) || att__imp_str(e, z, "item", where, &s, &n) ||
          att__imp_time(e, z, "at", where, 0, &at) || att__imp_range(e, z, "count", where, 1, 4294967295.0, 1, &count) ||
          att__put_mark(e, &m->impressions, where, s, n, ATT_MAX_ID_LEN, at))
        return e->code;
      m->impressions.v[m->impressions.n - 1].n = (uint32_t)count;
    }
  }
  if ((y = att__jv_get(x, "counterfactual"))) {
    double shown = 0, clicked = 0;
    if (att__imp_type(e, y, ATT__J_OBJ, "import.model.counterfactual", "an object") ||
        att__json_check_keys(e, ATT_E_PROFILE, y, "import.model.counterfactual", cf_keys) ||
        att__imp_range(e, y, "impressions", "import.model.counterfactual", 0, 1e15, 0, &m->ips_n) ||
        att__imp_range(e, y, "greedyClicksByPropensity", "import.model.counterfactual", 0, 1e15, 0, &m->ips_greedy) ||
        att__imp_range(e, y, "exploredShown", "import.model.counterfactual", 0, 4294967295.0, 1, &shown) ||
        att__imp_range(e, y, "exploredClicked", "import.model.counterfactual", 0, 4294967295.0, 1, &clicked))
      return e->code;
    m->explored_shown = (uint32_t)shown;
    m->explored_clicked = (uint32_t)clicked;
  }
  return ATT_OK;
}

static int att__imp_body(att__err *e, const att__config *cfg, const att__jv *root, att__profile *p) {
  static const char *const keys[] = {"format", "version", "exportedAt", "level", "levelChosen", "traits",
                                     "activeDays", "history", "dismissed", "blocked", "metrics",
                                     "serverLabel", "model", NULL};
  static const char *const ev_keys[] = {"id", "item", "type", "at", "value", "bucket", NULL};
  static const char *const trait_keys[] = {"value", "setAt", NULL};
  static const char *const blocked_keys[] = {"tags", "items", NULL};
  static const char *const metric_keys[] = {"since", "impressions", "clicks", NULL};
  static const char *const label_keys[] = {"epoch", "answers", "truth", "reported", "disclosures", "firstAt", NULL};
  static const char *const answer_keys[] = {"truth", "reported", NULL};
  const att__jv *x, *y;
  const char *s;
  size_t n;
  double d;
  char where[64];
  int i, l;

  if (att__imp_str(e, root, "format", "import", &s, &n)) return e->code;
  if (strcmp(s, ATT_EXPORT_FORMAT) != 0)
    return att__fail(e, ATT_E_PROFILE, "import: this is not an Attune profile export (format \"%.40s\")", s);
  if (att__imp_num(e, root, "version", "import", &d)) return e->code;
  if (d > ATT_EXPORT_VERSION)
    return att__fail(e, ATT_E_VERSION, "import: export version %g is newer than this engine reads (%d); update Attune",
                     d, ATT_EXPORT_VERSION);
  if (d != 1 && d != 2) return att__fail(e, ATT_E_PROFILE, "import: export version %g does not exist", d);
  if (att__json_check_keys(e, ATT_E_PROFILE, root, "import", keys)) return e->code;
  if (att__imp_time(e, root, "exportedAt", "import", 1, &d)) return e->code;

  if (att__imp_str(e, root, "level", "import", &s, &n)) return e->code;
  if ((p->level = att__level_from_name(s, n)) < 0)
    return att__fail(e, ATT_E_PROFILE, "import.level: \"%.40s\" is not a level", s);
  x = att__jv_get(root, "levelChosen");
  if (x) {
    if (att__imp_type(e, x, ATT__J_BOOL, "import.levelChosen", "true or false")) return e->code;
    p->level_chosen = att__jv_bool(x);
  }

  if ((x = att__jv_get(root, "traits"))) {
    if (att__imp_type(e, x, ATT__J_OBJ, "import.traits", "an object") ||
        att__json_check_keys(e, ATT_E_PROFILE, x, "import.traits", NULL))
      return e->code;
    for (y = att__jv_first(x); y; y = att__jv_next(y)) {
      const char *name = att__jv_key(y);
      double at;
      snprintf(where, sizeof where, "import.traits.%.40s", name);
      if (att__imp_type(e, y, ATT__J_OBJ, where, "an object") ||
          att__json_check_keys(e, ATT_E_PROFILE, y, where, trait_keys) || att__imp_str(e, y, "value", where, &s, &n) ||
          att__imp_time(e, y, "setAt", where, 0, &at) ||
          att__put_trait(e, cfg, p, where, name, strlen(name), s, n, at))
        return e->code;
    }
  }

  if ((x = att__jv_get(root, "activeDays"))) {
    int32_t days[30];
    int nd = 0, j;
    if (att__imp_type(e, x, ATT__J_ARR, "import.activeDays", "an array of dates")) return e->code;
    if (att__jv_count(x) > 30) return att__bad(e, "import.activeDays", "more than 30 days");
    for (y = att__jv_first(x); y; y = att__jv_next(y)) {
      char iso[32];
      if (att__jv_type(y) != ATT__J_STR) return att__bad(e, "import.activeDays", "expected date strings");
      s = att__jv_str(y, &n);
      if (n != 10 && n != 13) return att__bad(e, "import.activeDays", "expected dates like 2026-01-31");
      memcpy(iso, s, n);
      memcpy(iso + n, "T00:00:00.000Z", 15);
      if (att__iso_parse(iso, n + 14, &d) || !att__time_ok(d))
        return att__bad(e, "import.activeDays", "expected dates like 2026-01-31");
      days[nd++] = (int32_t)floor(d / ATT_DAY_MS);
    }
    for (j = 1; j < nd; j++)
      if (days[j] <= days[j - 1]) return att__bad(e, "import.activeDays", "dates must be distinct and in order");
    if (nd && days[nd - 1] - days[0] >= 30) return att__bad(e, "import.activeDays", "dates span more than 30 days");
    for (j = 0; j < nd; j++) att__profile_mark_active(p, (double)days[j] * ATT_DAY_MS);
  }

  if ((x = att__jv_get(root, "history"))) {
    if (att__imp_type(e, x, ATT__J_ARR, "import.history", "an array")) return e->code;
    if (att__jv_count(x) > ATT_MAX_HISTORY) return att__bad(e, "import.history", "longer than allowed");
    for (y = att__jv_first(x), i = 0; y; y = att__jv_next(y), i++) {
      const char *item, *type;
      size_t itemn, typen;
      double eid, at, value = 1, bucket = 0;
      int t;
      snprintf(where, sizeof where, "import.history[%d]", i);
      if (att__imp_type(e, y, ATT__J_OBJ, where, "an object") ||
          att__json_check_keys(e, ATT_E_PROFILE, y, where, ev_keys) || att__imp_num(e, y, "id", where, &eid) ||
          att__imp_str(e, y, "item", where, &item, &itemn) || att__imp_str(e, y, "type", where, &type, &typen) ||
          att__imp_time(e, y, "at", where, 0, &at) ||
          (att__jv_get(y, "value") && att__imp_num(e, y, "value", where, &value)) ||
          (att__jv_get(y, "bucket") && att__imp_num(e, y, "bucket", where, &bucket)))
        return e->code;
      t = att__event_from_name(type, typen);
      if (bucket != floor(bucket)) bucket = -1;
      if (att__put_event(e, cfg, p, where, item, itemn, t, at, value, eid, (int)(bucket >= 0 && bucket <= 255 ? bucket : -1)))
        return e->code;
    }
  }

  if ((x = att__jv_get(root, "dismissed")) &&
      att__imp_marks(e, x, "import.dismissed", "item", ATT_MAX_ID_LEN, &p->dismissed))
    return e->code;
  if ((x = att__jv_get(root, "blocked"))) {
    if (att__imp_type(e, x, ATT__J_OBJ, "import.blocked", "an object") ||
        att__json_check_keys(e, ATT_E_PROFILE, x, "import.blocked", blocked_keys))
      return e->code;
    if ((y = att__jv_get(x, "tags")) &&
        att__imp_marks(e, y, "import.blocked.tags", "tag", ATT_MAX_TAG_LEN, &p->blocked_tags))
      return e->code;
    if ((y = att__jv_get(x, "items")) &&
        att__imp_marks(e, y, "import.blocked.items", "item", ATT_MAX_ID_LEN, &p->blocked_items))
      return e->code;
  }

  if ((x = att__jv_get(root, "metrics"))) {
    if (att__imp_type(e, x, ATT__J_OBJ, "import.metrics", "an object") ||
        att__json_check_keys(e, ATT_E_PROFILE, x, "import.metrics", metric_keys) ||
        att__imp_time(e, x, "since", "import.metrics", 1, &p->metrics_since))
      return e->code;
    for (i = 0; i < 2; i++) {
      const att__jv *m = att__jv_get(x, i ? "clicks" : "impressions");
      const char *mw = i ? "import.metrics.clicks" : "import.metrics.impressions";
      if (!m) continue;
      if (att__imp_type(e, m, ATT__J_OBJ, mw, "an object of per-level arrays") ||
          att__json_check_keys(e, ATT_E_PROFILE, m, mw, NULL))
        return e->code;
      for (y = att__jv_first(m); y; y = att__jv_next(y)) {
        const att__jv *c;
        int k = 0;
        const char *ln = att__jv_key(y);
        l = att__level_from_name(ln, strlen(ln));
        if (l < 0 || att__jv_type(y) != ATT__J_ARR || att__jv_count(y) != ATT_POSITIONS + 1)
          return att__bad(e, mw, "expected one array of 21 counts per level name");
        for (c = att__jv_first(y); c; c = att__jv_next(c), k++) {
          double v = att__jv_num(c);
          if (att__jv_type(c) != ATT__J_NUM || v < 0 || v > 4294967295.0 || v != floor(v))
            return att__bad(e, mw, "counts must be whole numbers");
          if (i) p->clicks[l][k] = (uint32_t)v;
          else p->impr[l][k] = (uint32_t)v;
        }
      }
    }
  }

  if ((x = att__jv_get(root, "serverLabel"))) {
    const att__jv *ep;
    if (att__imp_type(e, x, ATT__J_OBJ, "import.serverLabel", "an object") ||
        att__json_check_keys(e, ATT_E_PROFILE, x, "import.serverLabel", label_keys) ||
        att__imp_time(e, x, "firstAt", "import.serverLabel", 1, &p->label_first))
      return e->code;
    if ((y = att__jv_get(x, "disclosures"))) {
      d = att__jv_num(y);
      if (att__jv_type(y) != ATT__J_NUM || d < 0 || d > 4294967295.0 || d != floor(d))
        return att__bad(e, "import.serverLabel.disclosures", "expected a whole number");
      p->label_epochs = (uint32_t)d;
    }
    ep = att__jv_get(x, "epoch");
    if (ep && att__jv_type(ep) != ATT__J_NULL) {
      const att__jv *answers = att__jv_get(x, "answers"), *a;
      int known = 1;
      d = att__jv_num(ep);
      if (att__jv_type(ep) != ATT__J_NUM || d < 0 || d > 2147483647.0 || d != floor(d))
        return att__bad(e, "import.serverLabel.epoch", "expected a whole number");
      p->label_epoch = (int32_t)d;
      p->label_n = 0;
      if (!answers) {
        /* export version 1: one pair beside the epoch */
        int truth, value;
        if (att__imp_str(e, x, "truth", "import.serverLabel", &s, &n)) return e->code;
        truth = att__config_segment(cfg, s, n);
        if (att__imp_str(e, x, "reported", "import.serverLabel", &s, &n)) return e->code;
        value = att__config_segment(cfg, s, n);
        known = truth >= 0 && value >= 0;
        if (known) {
          p->label_truth[0] = (int16_t)(truth == ATT_MAX_SEGMENTS ? cfg->nsegments : truth);
          p->label_value[0] = (int16_t)(value == ATT_MAX_SEGMENTS ? cfg->nsegments : value);
          p->label_n = 1;
        }
      } else {
        if (att__imp_type(e, answers, ATT__J_ARR, "import.serverLabel.answers", "an array")) return e->code;
        if (att__jv_count(answers) > ATT_MAX_SEGMENTS + 1)
          return att__bad(e, "import.serverLabel.answers", "more answers than labels");
        for (a = att__jv_first(answers), i = 0; a; a = att__jv_next(a), i++) {
          int truth, value, j;
          att__fmt(where, sizeof where, "import.serverLabel.answers[%d]", i);
          if (att__imp_type(e, a, ATT__J_OBJ, where, "an object") ||
              att__json_check_keys(e, ATT_E_PROFILE, a, where, answer_keys) || att__imp_str(e, a, "truth", where, &s, &n))
            return e->code;
          truth = att__config_segment(cfg, s, n);
          if (att__imp_str(e, a, "reported", where, &s, &n)) return e->code;
          value = att__config_segment(cfg, s, n);
          if (truth < 0 || value < 0) {
            known = 0;
            continue;
          }
          truth = truth == ATT_MAX_SEGMENTS ? cfg->nsegments : truth;
          for (j = 0; j < p->label_n; j++)
            if (p->label_truth[j] == truth) return att__bad(e, where, "a true label is answered twice");
          p->label_truth[p->label_n] = (int16_t)truth;
          p->label_value[p->label_n++] = (int16_t)(value == ATT_MAX_SEGMENTS ? cfg->nsegments : value);
        }
      }
      if (!known) { /* labels unknown to this configuration simply mean a fresh draw next time */
        p->label_epoch = -1;
        p->label_n = 0;
      }
    }
  }
  if ((x = att__jv_get(root, "model")) && att__imp_model(e, x, &p->model)) return e->code;
  return att__check_whole(e, p, "import");
}

int att__import_json(att__err *e, const att__config *cfg, const char *json, size_t n, att__profile *out) {
  att__jv *root;
  int rc;
  att__profile_init(out, ATT_LEVEL_NONE);
  root = att__json_parse(e, "import", json, n);
  if (!root) return e->code;
  if (att__jv_type(root) != ATT__J_OBJ) rc = att__bad(e, "import", "expected a JSON object");
  else rc = att__imp_body(e, cfg, root, out);
  att__json_free(root);
  if (rc) {
    att__profile_free(out);
    att__profile_init(out, ATT_LEVEL_NONE);
  }
  return rc;
}
