/* strtab.c — string interning with an open-addressing hash table. */
#include "strtab.h"

#include <string.h>

#include "core.h"

int64_t att__strtab_find(const att__strtab *t, const char *s, size_t n) {
  uint32_t mask, i;
  if (!t->nslot) return -1;
  mask = t->nslot - 1;
  for (i = att__hash(s, n) & mask;; i = (i + 1) & mask) {
    uint32_t v = t->slot[i];
    if (!v) return -1;
    if (t->len[v - 1] == n && memcmp(t->arena + t->off[v - 1], s, n) == 0) return v - 1;
  }
}

static int att__strtab_rehash(att__strtab *t, uint32_t nslot) {
  uint32_t *slot = att__calloc(nslot, sizeof *slot), mask = nslot - 1, id;
  if (!slot) return ATT_E_NOMEM;
  for (id = 0; id < t->n; id++) {
    uint32_t i = att__hash(t->arena + t->off[id], t->len[id]) & mask;
    while (slot[i]) i = (i + 1) & mask;
    slot[i] = id + 1;
  }
  att__free(t->slot);
  t->slot = slot;
  t->nslot = nslot;
  return ATT_OK;
}

int att__strtab_intern(att__strtab *t, const char *s, size_t n, uint32_t *id, int *added) {
  int64_t found = att__strtab_find(t, s, n);
  uint32_t mask, i;
  if (added) *added = 0;
  if (found >= 0) {
    *id = (uint32_t)found;
    return ATT_OK;
  }
  if (n > UINT32_MAX / 2 || t->n >= UINT32_MAX / 4) return ATT_E_NOMEM;
  if ((uint64_t)(t->n + 1) * 4 > (uint64_t)t->nslot * 3) {
    uint32_t nslot = t->nslot ? t->nslot * 2 : 64;
    while ((uint64_t)(t->n + 1) * 4 > (uint64_t)nslot * 3) nslot *= 2;
    if (att__strtab_rehash(t, nslot)) return ATT_E_NOMEM;
  }
  if (t->n == t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 64;
    uint32_t *off = att__realloc(t->off, cap * sizeof *off), *len;
    if (!off) return ATT_E_NOMEM;
    t->off = off;
    len = att__realloc(t->len, cap * sizeof *len);
    if (!len) return ATT_E_NOMEM;
    t->len = len;
    t->cap = cap;
  }
  if (t->arena_len + n + 1 > t->arena_cap) {
    size_t cap = t->arena_cap ? t->arena_cap : 1024;
    char *a;
    while (cap < t->arena_len + n + 1) cap *= 2;
    if (cap > UINT32_MAX) return ATT_E_NOMEM;
    a = att__realloc(t->arena, cap);
    if (!a) return ATT_E_NOMEM;
    t->arena = a;
    t->arena_cap = cap;
  }
  memcpy(t->arena + t->arena_len, s, n);
  t->arena[t->arena_len + n] = 0;
  t->off[t->n] = (uint32_t)t->arena_len;
  t->len[t->n] = (uint32_t)n;
  t->arena_len += n + 1;
  mask = t->nslot - 1;
  for (i = att__hash(s, n) & mask; t->slot[i]; i = (i + 1) & mask) {
  }
  t->slot[i] = t->n + 1;
  *id = t->n++;
  if (added) *added = 1;
  return ATT_OK;
}

const char *att__strtab_str(const att__strtab *t, uint32_t id, size_t *n) {
  if (n) *n = t->len[id];
  return t->arena + t->off[id];
}

size_t att__strtab_bytes(const att__strtab *t) {
  return t->arena_cap + (size_t)t->cap * 8 + (size_t)t->nslot * 4;
}

void att__strtab_shrink(att__strtab *t) {
  char *a;
  uint32_t *off, *len;
  if (t->n == 0) return;
  if ((a = att__realloc(t->arena, t->arena_len))) {
    t->arena = a;
    t->arena_cap = t->arena_len;
  }
  if ((off = att__realloc(t->off, t->n * sizeof *off))) t->off = off;
  if ((len = att__realloc(t->len, t->n * sizeof *len))) t->len = len;
  t->cap = t->n; /* both arrays hold at least n entries, shrunk or not */
}

void att__strtab_free(att__strtab *t) {
  att__free(t->arena);
  att__free(t->off);
  att__free(t->len);
  att__free(t->slot);
  memset(t, 0, sizeof *t);
}
