/* strtab.h — interned strings: each distinct string gets a dense id (0, 1, 2, ...) in the
 * order first seen.  Catalog ids, tags, categories and titles are kept this way, so the
 * ranking loops work on small integers and every string is stored once. */
#ifndef ATT_STRTAB_H
#define ATT_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct att__strtab {
  char *arena;        /* NUL-terminated strings back to back */
  size_t arena_len, arena_cap;
  uint32_t *off;      /* off[id]: start of string id in the arena */
  uint32_t *len;      /* len[id]: its length in bytes */
  uint32_t n, cap;
  uint32_t *slot;     /* open-addressing hash: id + 1, 0 = empty */
  uint32_t nslot;     /* a power of two */
} att__strtab;

/* Finds or adds `s`; *id receives its id and *added 1 when it is new (added may be NULL).
 * Returns ATT_OK or ATT_E_NOMEM (the table is unchanged on failure). */
int att__strtab_intern(att__strtab *t, const char *s, size_t n, uint32_t *id, int *added);
/* The id of `s`, or -1. */
int64_t att__strtab_find(const att__strtab *t, const char *s, size_t n);
/* The string with this id; valid until the next intern. */
const char *att__strtab_str(const att__strtab *t, uint32_t id, size_t *n);
size_t att__strtab_bytes(const att__strtab *t);
/* Gives back the spare capacity once no more strings will be added (keeps it on failure). */
void att__strtab_shrink(att__strtab *t);
void att__strtab_free(att__strtab *t);

#endif
