/* core.h — what every module shares: the error record, growable byte buffers, the allocator
 * and the documented limits.  Nothing here knows about JSON, catalogs or profiles. */
#ifndef ATT_CORE_H
#define ATT_CORE_H

#include <stddef.h>
#include <stdint.h>
#include "attune.h"

/* Documented limits (README "Limits"); exceeding one is an error naming it. */
#define ATT_MAX_ID_LEN 128          /* bytes in an item id */
#define ATT_MAX_TAG_LEN 64          /* bytes in a tag, category, trait name or value, label */
#define ATT_MAX_TITLE_LEN 256       /* bytes in an item title */
#define ATT_MAX_ITEMS 1000000
#define ATT_MAX_ITEM_TAGS 64
#define ATT_MAX_NEIGHBORS 100
#define ATT_MAX_DIM 128
#define ATT_MAX_TAGS 65535          /* distinct tags (and categories) in a catalog */
#define ATT_MAX_TRAITS 16
#define ATT_MAX_TRAIT_VALUES 32
#define ATT_MAX_SEGMENTS 16
#define ATT_MAX_BOOSTS 256          /* boost entries in one rule */
#define ATT_MAX_PINS 64
#define ATT_MAX_HISTORY 1000
#define ATT_MAX_BLOCKED 1000        /* blocked tags plus blocked items */
#define ATT_MAX_DISMISSED 1000
#define ATT_MAX_K 1000
#define ATT_MAX_LIST 10000          /* exclude lists and filters in one call */
#define ATT_MAX_JSON_DEPTH 32
#define ATT_POSITIONS 20            /* metrics keep positions 1..20; later ones count in 20 */

#define ATT_DAY_MS 86400000.0

/* How a catalog holds item vectors (config model.vectors; see catalog.h). */
enum { ATT_VEC_F32, ATT_VEC_I8 };

typedef struct att__err {
  int code;
  char msg[320];
} att__err;

/* Records a failure and returns `code`.  The message is printf-formatted and truncated. */
int att__fail(att__err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Writes at most `max` bytes of `s` into `out` (size `cap`) for use in messages, replacing
 * control characters and eliding long text, so hostile input cannot flood a message. */
const char *att__quote(char *out, size_t cap, const char *s, size_t len);

/* snprintf for message fragments (key paths), where truncating a long path is intended. */
void att__fmt(char *out, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

void *att__malloc(size_t n);
void *att__calloc(size_t n, size_t size);
void *att__realloc(void *p, size_t n);
void att__free(void *p);
char *att__strndup(const char *s, size_t n);

/* A growable byte buffer.  A zeroed struct is an empty buffer; att__buf_free releases it. */
typedef struct att__buf {
  unsigned char *p;
  size_t len, cap;
} att__buf;

int att__buf_reserve(att__buf *b, size_t extra);
int att__buf_put(att__buf *b, const void *data, size_t n);
int att__buf_u8(att__buf *b, unsigned v);
int att__buf_u16(att__buf *b, unsigned v);
int att__buf_u32(att__buf *b, uint32_t v);
int att__buf_f64(att__buf *b, double v);
/* A string as u16 length + bytes. */
int att__buf_str(att__buf *b, const char *s, size_t n);
void att__buf_free(att__buf *b);

/* A bounds-checked little-endian reader over borrowed bytes.  Any read past the end sets
 * `bad` and yields zeros, so decoders check once at the end of a section. */
typedef struct att__rd {
  const unsigned char *p;
  size_t len, pos;
  int bad;
} att__rd;

/* Readers are inline: decoding snapshots and packed catalogs calls them per field. */
static inline const unsigned char *att__rd_take(att__rd *r, size_t n) {
  const unsigned char *p;
  if (r->bad || n > r->len - r->pos) {
    r->bad = 1;
    return 0;
  }
  p = r->p + r->pos;
  r->pos += n;
  return p;
}

static inline unsigned att__rd_u8(att__rd *r) {
  const unsigned char *p = att__rd_take(r, 1);
  return p ? p[0] : 0;
}

static inline unsigned att__rd_u16(att__rd *r) {
  const unsigned char *p = att__rd_take(r, 2);
  return p ? (unsigned)(p[0] | (p[1] << 8)) : 0;
}

static inline uint32_t att__rd_u32(att__rd *r) {
  const unsigned char *p = att__rd_take(r, 4);
  return p ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24) : 0;
}

double att__rd_f64(att__rd *r);
/* Returns a pointer into the input and its length (u16-prefixed), or NULL when out of bounds. */
const char *att__rd_str(att__rd *r, size_t *n);

/* CRC-32 (IEEE 802.3), used by snapshots. */
uint32_t att__crc32(const unsigned char *p, size_t n);

/* FNV-1a, used by the string tables. */
uint32_t att__hash(const char *s, size_t n);

int att__popcount32(uint32_t v);

/* Valid UTF-8 with no NUL and no control characters other than tab. */
int att__valid_text(const char *s, size_t n);

#endif
