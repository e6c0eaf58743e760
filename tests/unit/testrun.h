/* The end of every unit test's main: run the suite, and exit with failure if any
 * test failed. */
#ifndef KILN_TESTRUN_H
#define KILN_TESTRUN_H

#include <check.h>
#include <stdlib.h>

static inline int test_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
