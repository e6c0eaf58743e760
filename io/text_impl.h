/* io/text_impl.h — private helpers shared by the text readers (CSV, libsvm).
 *
 * A kiln_text_reader reads a file in large blocks and keeps the unconsumed tail,
 * so a parser can look at buf[pos..len) and ask for more when a record runs
 * past the end of the block; the whole file is never held at once.
 *
 *     kiln_text_reader rd;
 *     KILN_TRY(kiln_text_open(&rd, path));
 *     ... parse rd.buf[rd.pos .. rd.len), advance rd.pos ...
 *     if (record incomplete && !rd.eof) KILN_TRY(kiln_text_fill(&rd));
 *     kiln_text_close(&rd);
 */
#ifndef KILN_IO_TEXT_IMPL_H
#define KILN_IO_TEXT_IMPL_H

#include <stdio.h>
#include <stddef.h>
#include "kiln/status.h"

typedef struct kiln_text_reader {
    const char *path;
    FILE *fp;
    char *buf;
    size_t cap, len, pos; /* buf holds len bytes; pos is the parse point   */
    int eof;              /* nothing is left in the file beyond buf[len)   */
} kiln_text_reader;

/* Open `path` and read the first block; a UTF-8 byte-order mark is skipped.
 * Missing files and directories are KILN_EINPUT naming the path. */
kiln_status kiln_text_open(kiln_text_reader *rd, const char *path);

/* Drop buf[0..pos), then read more bytes after the kept tail (the buffer
 * doubles when the tail fills it). Sets eof at the end of the file. */
kiln_status kiln_text_fill(kiln_text_reader *rd);

void kiln_text_close(kiln_text_reader *rd);

/* What a token is, as a number. */
typedef enum kiln_numkind {
    KILN_NUM_OK = 0,   /* a finite decimal or scientific number           */
    KILN_NUM_TEXT = 1, /* anything else                                   */
    KILN_NUM_INF = 2   /* inf, Infinity (any case, signed) or an overflow */
} kiln_numkind;

/* Parse s[0..n) (no surrounding spaces) as a number; s[n] must be readable
 * and not a digit (a NUL or a delimiter). Correctly rounded. */
kiln_numkind kiln_parse_number(const char *s, size_t n, double *out);

/* s[0..*n) without leading and trailing spaces and tabs. */
const char *kiln_trim(const char *s, size_t *n);

#endif
