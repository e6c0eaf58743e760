/* kiln/frame.h — a typed data frame: what a CSV file holds, before any encoding.
 *
 * Each column is numeric (doubles, NaN for missing) or categorical (an int32
 * code per row into a dictionary of levels, -1 for missing). The CSV and libsvm
 * readers produce frames; the preprocessing pipeline turns a frame into a
 * numeric matrix.
 *
 *     kiln_frame *f;
 *     if (kiln_csv_read("data.csv", NULL, &f) != KILN_OK) ...;
 *     int j = kiln_frame_find(f, "target");
 *     kiln_frame_free(f);
 */
#ifndef KILN_FRAME_H
#define KILN_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include "kiln/status.h"

typedef enum kiln_coltype {
    KILN_COL_NUMERIC = 0,
    KILN_COL_CATEGORICAL = 1
} kiln_coltype;

typedef struct kiln_column {
    char *name;
    kiln_coltype type;
    double *num;      /* NUMERIC: nrows values, NaN = missing            */
    int32_t *code;    /* CATEGORICAL: nrows codes into levels, -1 = missing */
    char **levels;    /* CATEGORICAL: distinct values in first-seen order */
    size_t nlevels;
} kiln_column;

typedef struct kiln_frame {
    size_t nrows, ncols;
    kiln_column *cols;
    size_t *line; /* the 1-based file line where each data row starts */
    char *source; /* the file name, for error messages */
} kiln_frame;

void kiln_frame_free(kiln_frame *f);

/* Index of the column called `name`, or -1. */
int kiln_frame_find(const kiln_frame *f, const char *name);

/* A new frame with the rows idx[0..n) of f (all columns, levels shared by copy). */
kiln_status kiln_frame_take_rows(const kiln_frame *f, const size_t *idx, size_t n, kiln_frame **out);

/* Index of `level` in a categorical column's dictionary, or -1. */
int32_t kiln_column_level(const kiln_column *c, const char *level);

/* CSV reading options; NULL means the defaults. */
typedef struct kiln_csv_options {
    char delimiter;               /* 0 = sniff among , ; \t |            */
    const char *const *categorical; /* names forced categorical, NULL-terminated */
} kiln_csv_options;

/* Read an RFC 4180 CSV file with a header row. Errors name the file, line and
 * column. See docs/formats.md for the rules. Missing tokens: empty, NA, N/A,
 * NaN, nan, null, NULL, None, ?. A column is numeric when its non-missing
 * tokens are numbers; categorical when forced, or when its text tokens are
 * not a stray few in a column of numbers (those are an error naming the line
 * and column of the first). An infinite value is an error. Levels are kept
 * as their text in first-seen order. */
kiln_status kiln_csv_read(const char *path, const kiln_csv_options *opt, kiln_frame **out);

/* Read a libsvm / svmlight file ("label idx:val ..."): column "target" first,
 * then f1..fd (d = largest index), absent entries 0. */
kiln_status kiln_libsvm_read(const char *path, kiln_frame **out);

#endif
