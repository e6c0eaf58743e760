/* Test helpers: load a numeric fixture (comma-separated, one header line) into a
 * matrix, and locate fixture files. Fixtures are written by the make_*.py script
 * beside them; this reader is deliberately simple and trusts them. */
#ifndef KILN_TESTDATA_H
#define KILN_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/mat.h"

/* KILN_SOURCE_DIR "/" rel, in a static buffer. */
static inline const char *test_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", KILN_SOURCE_DIR, rel);
    return buf;
}

/* All numbers after the header line; rows by newline, columns by commas. */
static inline kiln_mat *test_load_matrix(const char *rel)
{
    FILE *f = fopen(test_path(rel), "r");
    if (!f)
        return NULL;
    char *line = NULL;
    size_t cap = 0, rows = 0, cols = 0;
    double *v = NULL;
    size_t nv = 0, vcap = 0;
    ssize_t len = getline(&line, &cap, f); /* header */
    while (len >= 0 && (len = getline(&line, &cap, f)) > 0) {
        size_t c = 0;
        for (char *tok = strtok(line, ",\n"); tok; tok = strtok(NULL, ",\n"), c++) {
            if (nv == vcap) {
                vcap = vcap ? 2 * vcap : 1024;
                v = realloc(v, vcap * sizeof *v);
            }
            v[nv++] = strtod(tok, NULL);
        }
        if (c == 0)
            continue;
        cols = c;
        rows++;
    }
    free(line);
    fclose(f);
    kiln_mat *m = kiln_mat_new(rows, cols);
    memcpy(m->data, v, rows * cols * sizeof *v);
    free(v);
    return m;
}

#endif
