/* test_main.c — runs every C test group and prints "N passed, N failed". */
#include <stdio.h>

#include "check.h"
#include "tests.h"

int check_passed, check_failed;

int main(void) {
  test_json();
  test_config();
  test_catalog();
  test_profile();
  test_rank();
  test_snapshot();
  test_api();
  test_levels();
  test_vectors();
  test_model();
  test_alloc_failures();
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed ? 1 : 0;
}
