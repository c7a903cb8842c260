/* check.h — tiny test macros in the sds style: each CHECK counts a pass or a failure and
 * prints the failing expression with its location; main() prints "N passed, N failed". */
#ifndef ATT_CHECK_H
#define ATT_CHECK_H

#include <stdio.h>

extern int check_passed, check_failed;

#define CHECK(expr)                                                             \
  do {                                                                          \
    if (expr) check_passed++;                                                   \
    else {                                                                      \
      check_failed++;                                                           \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #expr);           \
    }                                                                           \
  } while (0)

#define CHECK_MSG(expr, ...)                                                    \
  do {                                                                          \
    if (expr) check_passed++;                                                   \
    else {                                                                      \
      check_failed++;                                                           \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #expr);           \
      fprintf(stderr, __VA_ARGS__);                                             \
      fputc('\n', stderr);                                                      \
    }                                                                           \
  } while (0)

#endif
