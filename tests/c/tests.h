/* tests.h — the C test groups, one file each. */
#ifndef ATT_TESTS_H
#define ATT_TESTS_H

void test_json(void);
void test_config(void);
void test_catalog(void);
void test_profile(void);
void test_rank(void);
void test_snapshot(void);
void test_api(void);
void test_alloc_failures(void);
void test_levels(void);
void test_vectors(void);
void test_model(void);

#endif
