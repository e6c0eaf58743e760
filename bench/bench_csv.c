/* CSV parse speed: writes a generated file to /tmp, checks that kiln_csv_read
 * gives back what was written, then reports the best of a few reads in MB/s.
 *
 *     bench_csv [rows]      (default 300000 rows, about 30 MB)
 *
 * Columns: an integer id, 8 decimals, a scientific number, a categorical of
 * 12 levels and a quoted text with an embedded delimiter (50 levels).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "kiln/frame.h"
#include "kiln/util.h"

static const char *path = "/tmp/kiln_bench_csv.csv";

static double value(size_t i, int j)
{
    return (double)((i * 2654435761u + (size_t)j * 40503u) % 2000003u) / 1000.0 - 1000.0;
}

static long write_file(size_t rows)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fprintf(fp, "id,x1,x2,x3,x4,x5,x6,x7,x8,sci,cat,text\n");
    for (size_t i = 0; i < rows; i++) {
        fprintf(fp, "%zu", i);
        for (int j = 1; j <= 8; j++)
            fprintf(fp, ",%.3f", value(i, j));
        fprintf(fp, ",%.6e,level_%zu,\"item %zu, kind\"\n", value(i, 9), i % 12, i % 50);
    }
    long size = ftell(fp);
    return fclose(fp) == 0 ? size : -1;
}

/* The frame holds what write_file wrote (the %.3f values, to rounding). */
static int check(const kiln_frame *f, size_t rows)
{
    if (f->nrows != rows || f->ncols != 12 || f->cols[10].type != KILN_COL_CATEGORICAL ||
        f->cols[10].nlevels != (rows < 12 ? rows : 12))
        return 0;
    for (size_t i = 0; i < rows; i += rows / 100 + 1)
        for (int j = 1; j <= 8; j++)
            if (f->cols[0].num[i] != (double)i || fabs(f->cols[j].num[i] - value(i, j)) > 6e-4)
                return 0;
    return 1;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 300000;
    long size = write_file(rows);
    if (size < 0) {
        fprintf(stderr, "bench_csv: cannot write %s\n", path);
        return 1;
    }
    double best = INFINITY;
    for (int rep = 0; rep < 3; rep++) {
        kiln_frame *f;
        double t0 = kiln_now();
        if (kiln_csv_read(path, NULL, &f) != KILN_OK) {
            fprintf(stderr, "bench_csv: %s\n", kiln_last_error());
            return 1;
        }
        double t = kiln_now() - t0;
        if (!check(f, rows)) {
            fprintf(stderr, "bench_csv: the frame does not match the file\n");
            kiln_frame_free(f);
            return 1;
        }
        kiln_frame_free(f);
        best = t < best ? t : best;
    }
    remove(path);
    printf("csv read: %zu rows, %.1f MB in %.3f s = %.0f MB/s\n", rows, size / 1e6, best, size / 1e6 / best);
    return 0;
}
