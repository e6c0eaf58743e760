/* kiln/outfile.h — text output that appears whole or not at all.
 *
 * Output files (predictions, reports, tables) are written to a temporary name
 * in the target's directory and renamed into place on commit, so a crash or an
 * interrupt never leaves half a file under the final name. "-" means stdout,
 * which is written directly.
 *
 *     kiln_outfile *o;
 *     if (kiln_outfile_open("out.csv", &o) != KILN_OK) ...;
 *     fprintf(kiln_outfile_stream(o), "a,b\n");
 *     kiln_outfile_commit(o);   // or kiln_outfile_abort(o) on failure
 */
#ifndef KILN_OUTFILE_H
#define KILN_OUTFILE_H

#include <stdio.h>
#include "kiln/status.h"

typedef struct kiln_outfile kiln_outfile;

kiln_status kiln_outfile_open(const char *path, kiln_outfile **out);
/* Fail now, with the message kiln_outfile_open would give, if path cannot be
 * written (a directory, a missing folder, no permission); leaves nothing behind.
 * For commands that write their output only after a long run. */
kiln_status kiln_outfile_check(const char *path);
FILE *kiln_outfile_stream(kiln_outfile *o);
/* Flush, sync and rename into place; frees o whatever happens. */
kiln_status kiln_outfile_commit(kiln_outfile *o);
/* Remove the temporary file; frees o. NULL does nothing. */
void kiln_outfile_abort(kiln_outfile *o);

/* Write one CSV field, quoted when it holds the delimiter, a quote or a line break. */
void kiln_csv_write_text(FILE *out, const char *s);
/* Write a number in its shortest exact form ("" for NaN). */
void kiln_csv_write_number(FILE *out, double v);

#endif
