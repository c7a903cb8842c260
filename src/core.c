/* core.c — errors, allocation, buffers, readers, checksums. */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int att__fail(att__err *e, int code, const char *fmt, ...) {
  va_list ap;
  e->code = code;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  return code;
}

void att__fmt(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out, cap, fmt, ap);
  va_end(ap);
}

const char *att__quote(char *out, size_t cap, const char *s, size_t len) {
  size_t o = 0, i;
  size_t max = cap > 8 ? cap - 5 : 0; /* room for "..." and NUL */
  for (i = 0; i < len && o < max; i++) {
    unsigned char c = (unsigned char)s[i];
    out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
  }
  if (i < len && cap >= 4) {
    /* do not end inside a UTF-8 sequence */
    while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80) o--;
    if (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0xC0) o--;
    memcpy(out + o, "...", 3);
    o += 3;
  }
  if (cap) out[o < cap ? o : cap - 1] = 0;
  return out;
}

#ifdef ATT_TESTING
/* Tests make the n-th allocation from now fail to prove every path cleans up. */
long att__alloc_countdown = -1;
static int att__alloc_should_fail(void) {
  if (att__alloc_countdown < 0) return 0;
  if (att__alloc_countdown == 0) return 1;
  att__alloc_countdown--;
  return 0;
}
#else
#define att__alloc_should_fail() 0
#endif

void *att__malloc(size_t n) { return att__alloc_should_fail() ? NULL : malloc(n ? n : 1); }
void *att__calloc(size_t n, size_t size) {
  return att__alloc_should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}
void *att__realloc(void *p, size_t n) { return att__alloc_should_fail() ? NULL : realloc(p, n ? n : 1); }
void att__free(void *p) { free(p); }

char *att__strndup(const char *s, size_t n) {
  char *d = att__malloc(n + 1);
  if (!d) return NULL;
  if (n) memcpy(d, s, n);
  d[n] = 0;
  return d;
}

int att__buf_reserve(att__buf *b, size_t extra) {
  size_t need, cap;
  unsigned char *p;
  if (extra > SIZE_MAX - b->len) return ATT_E_NOMEM;
  need = b->len + extra;
  if (need <= b->cap) return ATT_OK;
  cap = b->cap ? b->cap : 256;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  p = att__realloc(b->p, cap);
  if (!p) return ATT_E_NOMEM;
  b->p = p;
  b->cap = cap;
  return ATT_OK;
}

int att__buf_put(att__buf *b, const void *data, size_t n) {
  if (att__buf_reserve(b, n)) return ATT_E_NOMEM;
  if (n) memcpy(b->p + b->len, data, n);
  b->len += n;
  return ATT_OK;
}

int att__buf_u8(att__buf *b, unsigned v) {
  unsigned char c = (unsigned char)v;
  return att__buf_put(b, &c, 1);
}

int att__buf_u16(att__buf *b, unsigned v) {
  unsigned char c[2];
  c[0] = (unsigned char)(v & 0xff);
  c[1] = (unsigned char)((v >> 8) & 0xff);
  return att__buf_put(b, c, 2);
}

int att__buf_u32(att__buf *b, uint32_t v) {
  unsigned char c[4];
  int i;
  for (i = 0; i < 4; i++) c[i] = (unsigned char)((v >> (8 * i)) & 0xff);
  return att__buf_put(b, c, 4);
}

int att__buf_f64(att__buf *b, double v) {
  uint64_t u;
  unsigned char c[8];
  int i;
  memcpy(&u, &v, 8);
  for (i = 0; i < 8; i++) c[i] = (unsigned char)((u >> (8 * i)) & 0xff);
  return att__buf_put(b, c, 8);
}

int att__buf_str(att__buf *b, const char *s, size_t n) {
  if (n > 0xffff) return ATT_E_LIMIT;
  if (att__buf_u16(b, (unsigned)n)) return ATT_E_NOMEM;
  return att__buf_put(b, s, n);
}

void att__buf_free(att__buf *b) {
  att__free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

double att__rd_f64(att__rd *r) {
  const unsigned char *p = att__rd_take(r, 8);
  uint64_t u = 0;
  double v;
  int i;
  if (!p) return 0;
  for (i = 7; i >= 0; i--) u = (u << 8) | p[i];
  memcpy(&v, &u, 8);
  return v;
}

const char *att__rd_str(att__rd *r, size_t *n) {
  size_t len = att__rd_u16(r);
  const unsigned char *p = att__rd_take(r, len);
  *n = p ? len : 0;
  return (const char *)p;
}

/* CRC-32 by "slicing by 8": eight tables let the loop take 8 bytes per step, which keeps
 * checking a multi-megabyte packed catalog to a few milliseconds. */
uint32_t att__crc32(const unsigned char *p, size_t n) {
  static uint32_t t[8][256];
  static int ready;
  uint32_t c = 0xffffffffu;
  if (!ready) {
    uint32_t k, v;
    int j;
    for (k = 0; k < 256; k++) {
      v = k;
      for (j = 0; j < 8; j++) v = (v & 1) ? 0xedb88320u ^ (v >> 1) : v >> 1;
      t[0][k] = v;
    }
    for (k = 0; k < 256; k++)
      for (j = 1; j < 8; j++) t[j][k] = (t[j - 1][k] >> 8) ^ t[0][t[j - 1][k] & 0xff];
    ready = 1;
  }
  while (n >= 8) {
    uint32_t a = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    c = t[7][a & 0xff] ^ t[6][(a >> 8) & 0xff] ^ t[5][(a >> 16) & 0xff] ^ t[4][a >> 24] ^ t[3][p[4]] ^ t[2][p[5]] ^
        t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n--) c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t att__hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 16777619u;
  }
  return h;
}

int att__popcount32(uint32_t v) {
  int n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

int att__valid_text(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) return 0;
      i++;
      continue;
    }
    if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
    else return 0;
    if (extra > n - i - 1) return 0;
    for (size_t k = 1; k <= extra; k++) {
      unsigned char d = (unsigned char)s[i + k];
      if ((d & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += extra + 1;
  }
  return 1;
}
