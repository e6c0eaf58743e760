/* io/: the CSV and libsvm readers and the data frame. Fixtures: tests/data/csv/
 * (written by tests/data/csv/make_fixtures.py); the block-boundary tests write
 * their own files to /tmp. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kiln/frame.h"
#include "testrun.h"

#define FIXTURE(name) KILN_SOURCE_DIR "/tests/data/csv/" name

static kiln_frame *read_ok(const char *path, const kiln_csv_options *opt)
{
    kiln_frame *f = NULL;
    kiln_status s = kiln_csv_read(path, opt, &f);
    ck_assert_msg(s == KILN_OK, "reading %s succeeds (got: %s)", path, kiln_last_error());
    return f;
}

/* The read fails with KILN_EINPUT, no frame, and a message containing `want`. */
static void read_fails(const char *path, const kiln_csv_options *opt, const char *want)
{
    kiln_frame *f = (kiln_frame *)1;
    kiln_status s = kiln_csv_read(path, opt, &f);
    ck_assert_msg(s == KILN_EINPUT, "reading %s is a user error", path);
    ck_assert_msg(f == NULL, "a failed read returns no frame");
    ck_assert_msg(strstr(kiln_last_error(), want) != NULL, "the error for %s says '%s' (got: %s)", path, want,
                  kiln_last_error());
}

static const char *level_of(const kiln_frame *f, size_t j, size_t i)
{
    int32_t c = f->cols[j].code[i];
    return c < 0 ? NULL : f->cols[j].levels[c];
}

START_TEST(crlf_bom_and_quoted_numbers)
{
    kiln_frame *f = read_ok(FIXTURE("crlf_bom.csv"), NULL);
    ck_assert_msg(f->nrows == 3 && f->ncols == 3, "3 rows, 3 columns");
    ck_assert_msg(strcmp(f->cols[0].name, "x") == 0, "the byte-order mark is not part of the first name");
    ck_assert_msg(f->cols[0].type == KILN_COL_NUMERIC && f->cols[1].type == KILN_COL_NUMERIC,
                  "x and y are numeric");
    ck_assert_msg(f->cols[0].num[1] == 3.0, "a quoted number with spaces is a number");
    ck_assert_msg(f->cols[1].num[1] == -400.0 && f->cols[1].num[2] == 6.0, "scientific and spaced numbers");
    ck_assert_msg(f->cols[2].type == KILN_COL_CATEGORICAL && f->cols[2].nlevels == 2, "label has 2 levels");
    ck_assert_msg(strcmp(level_of(f, 2, 2), "a") == 0, "no CR is left at the end of the last field");
    ck_assert_msg(f->line[0] == 2 && f->line[2] == 4, "rows start on lines 2..4");
    ck_assert_msg(strstr(f->source, "crlf_bom.csv") != NULL, "the frame remembers its file");
    kiln_frame_free(f);
}
END_TEST

START_TEST(delimiters_are_sniffed)
{
    kiln_frame *f = read_ok(FIXTURE("semicolon.csv"), NULL);
    ck_assert_msg(f->ncols == 3, "';' splits the header into 3 columns");
    ck_assert_msg(f->cols[0].type == KILN_COL_CATEGORICAL && strcmp(level_of(f, 0, 0), "1,5") == 0,
                  "a decimal comma is text, kept exactly");
    ck_assert_msg(f->cols[2].type == KILN_COL_NUMERIC && f->cols[2].num[1] == 4.0, "c is numeric");
    kiln_frame_free(f);

    f = read_ok(FIXTURE("tab.tsv"), NULL);
    ck_assert_msg(f->ncols == 3 && strcmp(f->cols[2].name, "c d") == 0, "tab splits, spaces stay in names");
    ck_assert_msg(strcmp(level_of(f, 1, 0), "x y") == 0, "spaces inside a tab-separated field stay");
    kiln_frame_free(f);

    f = read_ok(FIXTURE("tie.csv"), NULL);
    ck_assert_msg(f->ncols == 2 && strcmp(f->cols[0].name, "a;b") == 0, "a tie between delimiters goes to ','");
    kiln_frame_free(f);

    kiln_csv_options opt = {';', NULL};
    f = read_ok(FIXTURE("tie.csv"), &opt);
    ck_assert_msg(f->ncols == 2 && strcmp(f->cols[0].name, "a") == 0, "an explicit delimiter is used as given");
    kiln_frame_free(f);

    opt.delimiter = '"';
    read_fails(FIXTURE("tie.csv"), &opt, "cannot be the delimiter");
}
END_TEST

START_TEST(quoting_and_line_numbers)
{
    kiln_frame *f = read_ok(FIXTURE("quoted.csv"), NULL);
    ck_assert_msg(f->nrows == 5 && f->ncols == 3, "5 rows (the empty line is skipped)");
    ck_assert_msg(strcmp(level_of(f, 1, 0), "a,b") == 0, "a quoted delimiter is text");
    ck_assert_msg(strcmp(level_of(f, 1, 1), "say \"hi\"") == 0, "\"\" is one quote");
    ck_assert_msg(strcmp(level_of(f, 1, 2), "two\nlines") == 0, "a quoted newline is kept");
    ck_assert_msg(strcmp(level_of(f, 1, 3), "three\r\nlines\nhere") == 0, "a quoted CRLF is kept as is");
    ck_assert_msg(strcmp(level_of(f, 1, 4), "5\"3 inch") == 0, "a quote inside an unquoted field is literal");
    size_t want[5] = {2, 3, 4, 6, 10};
    for (int i = 0; i < 5; i++)
        ck_assert_msg(f->line[i] == want[i], "row %d starts on line %zu (got %zu)", i, want[i], f->line[i]);
    ck_assert_msg(f->cols[2].type == KILN_COL_NUMERIC && f->cols[2].num[4] == 50.0, "n after the quotes is right");
    kiln_frame_free(f);
}
END_TEST

START_TEST(missing_markers)
{
    kiln_frame *f = read_ok(FIXTURE("missing.csv"), NULL);
    ck_assert_msg(f->nrows == 12, "12 rows");
    ck_assert_msg(f->cols[0].type == KILN_COL_NUMERIC, "missing markers do not make a column text");
    ck_assert_msg(f->cols[0].num[0] == 1.0 && f->cols[0].num[11] == 2.0, "the numbers are kept");
    for (size_t i = 1; i < 11; i++) {
        ck_assert_msg(isnan(f->cols[0].num[i]), "row %zu of num is missing (NaN)", i);
        ck_assert_msg(f->cols[1].code[i] == -1, "row %zu of cat is missing (-1)", i);
    }
    ck_assert_msg(f->cols[1].nlevels == 2, "missing markers are not levels");
    kiln_frame_free(f);
}
END_TEST

START_TEST(type_inference_and_exact_levels)
{
    kiln_frame *f = read_ok(FIXTURE("types.csv"), NULL);
    ck_assert_msg(f->cols[0].type == KILN_COL_NUMERIC && f->cols[0].num[2] == -0.03, "num is numeric");
    kiln_column *color = &f->cols[1];
    ck_assert_msg(color->type == KILN_COL_CATEGORICAL && color->nlevels == 3, "color has 3 levels");
    ck_assert_msg(!strcmp(color->levels[0], "red") && !strcmp(color->levels[1], "blue") &&
                      !strcmp(color->levels[2], "green"),
                  "levels in first-seen order");
    ck_assert_msg(color->code[0] == 0 && color->code[2] == 0 && color->code[3] == 2, "codes point at levels");
    ck_assert_msg(f->cols[2].type == KILN_COL_NUMERIC && f->cols[2].num[0] == 2134.0,
                  "a column of zip codes is numeric unless forced");
    kiln_column *size = &f->cols[3];
    ck_assert_msg(size->type == KILN_COL_CATEGORICAL && size->nlevels == 4, "size is categorical with 4 levels");
    ck_assert_msg(!strcmp(size->levels[0], "007") && !strcmp(size->levels[1], "8") &&
                      !strcmp(size->levels[2], "large") && !strcmp(size->levels[3], "7.0"),
                  "numbers before the first text keep their exact text and order");
    kiln_column *half = &f->cols[4];
    ck_assert_msg(half->type == KILN_COL_CATEGORICAL && half->nlevels == 4 && !strcmp(half->levels[2], "2"),
                  "half numbers, half text is categorical");
    ck_assert_msg(kiln_column_level(size, "large") == 2 && kiln_column_level(size, "7") == -1,
                  "kiln_column_level finds exact levels only");
    ck_assert_msg(kiln_frame_find(f, "zip") == 2 && kiln_frame_find(f, "nope") == -1, "kiln_frame_find");
    kiln_frame_free(f);

    const char *cats[] = {"zip", "num", NULL};
    kiln_csv_options opt = {0, cats};
    f = read_ok(FIXTURE("types.csv"), &opt);
    kiln_column *zip = &f->cols[2];
    ck_assert_msg(zip->type == KILN_COL_CATEGORICAL && zip->nlevels == 3, "forced zip is categorical");
    ck_assert_msg(!strcmp(zip->levels[0], "02134") && zip->code[2] == 0, "forced levels keep leading zeros");
    ck_assert_msg(f->cols[0].type == KILN_COL_CATEGORICAL && !strcmp(f->cols[0].levels[2], "-3e-2"),
                  "forced numbers keep their text");
    kiln_frame_free(f);

    const char *missing[] = {"zipcode", NULL};
    opt.categorical = missing;
    read_fails(FIXTURE("types.csv"), &opt, "no column named 'zipcode'");
}
END_TEST

START_TEST(numbers_parse_exactly)
{
    kiln_frame *f = read_ok(FIXTURE("numbers.csv"), NULL);
    const char *text[] = {"0.1", "1e-300", "123456789012345678901234", "4.9e-324", "1.7976931348623157e308",
                          ".5", "5.", "-0", "+3", "1e22", "1e23", "9007199254740993",
                          "0.000000000000000000000000000001234", "42"};
    ck_assert_msg(f->cols[0].type == KILN_COL_NUMERIC && f->nrows == 14, "v is numeric");
    for (size_t i = 0; i < 14; i++)
        ck_assert_msg(f->cols[0].num[i] == strtod(text[i], NULL), "%s is read as strtod reads it", text[i]);
    ck_assert_msg(signbit(f->cols[0].num[7]), "-0 keeps its sign");
    ck_assert_msg(f->cols[1].type == KILN_COL_CATEGORICAL && f->cols[1].nlevels == 14,
                  "1e, e5, ., 1.2.3, 0x10, --1, 1e+, '1 2', +, - ... are text");
    kiln_frame_free(f);
}
END_TEST

START_TEST(typo_rule)
{
    read_fails(FIXTURE("typo.csv"), NULL, "typo.csv:11:2: '1O.5' is not a number, but 12 of the 13 values");
    read_fails(FIXTURE("typo_long.csv"), NULL, "typo_long.csv:22:1: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
    const char *cats[] = {"value", NULL};
    kiln_csv_options opt = {0, cats};
    kiln_frame *f = read_ok(FIXTURE("typo.csv"), &opt);
    ck_assert_msg(f->cols[1].type == KILN_COL_CATEGORICAL && f->cols[1].nlevels == 13,
                  "forcing the column categorical accepts the typo");
    kiln_frame_free(f);
    f = read_ok(FIXTURE("few_numbers.csv"), NULL);
    kiln_column *v = &f->cols[0];
    ck_assert_msg(v->type == KILN_COL_CATEGORICAL && v->nlevels == 10, "9 numbers and a text are categorical");
    ck_assert_msg(!strcmp(v->levels[0], "0") && !strcmp(v->levels[9], "n/a"), "levels in file order");
    kiln_frame_free(f);
}
END_TEST

START_TEST(errors_name_file_line_column)
{
    read_fails(FIXTURE("inf.csv"), NULL, "inf.csv:3:2: infinite value '-Infinity' in column 'b'");
    read_fails(FIXTURE("overflow.csv"), NULL, "overflow.csv:4:2: infinite value '1e999'");
    read_fails(FIXTURE("ragged.csv"), NULL, "ragged.csv:3: expected 3 fields (as in the header), got 2");
    read_fails(FIXTURE("unterminated.csv"), NULL, "unterminated.csv:3:2: unterminated quoted field");
    read_fails(FIXTURE("empty.csv"), NULL, "empty.csv: empty file");
    read_fails(FIXTURE("header_only.csv"), NULL, "header_only.csv: no data rows");
    read_fails(FIXTURE("dup_name.csv"), NULL, "dup_name.csv:1:3: duplicate column name 'a' (also column 1)");
    read_fails(FIXTURE("empty_name.csv"), NULL, "empty_name.csv:1:2: empty column name");
    read_fails(FIXTURE("nul.csv"), NULL, "nul.csv:3:2: not a text file");
    read_fails(FIXTURE("control.csv"), NULL, "control.csv:2:2: not a text file (control byte 0x1b)");
    read_fails(FIXTURE("does_not_exist.csv"), NULL, "does_not_exist.csv: cannot open");
    read_fails(KILN_SOURCE_DIR "/tests/data/csv", NULL, "csv: is a directory");
}
END_TEST

/* Write `data` to a fresh file under /tmp; the caller unlinks `path`. */
static void write_temp(char *path, const char *data, size_t n)
{
    strcpy(path, "/tmp/kiln_test_csv_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "a temporary file can be created");
    FILE *fp = fdopen(fd, "wb");
    ck_assert_msg(fp && fwrite(data, 1, n, fp) == n && fclose(fp) == 0, "the temporary file is written");
}

/* Records that straddle the 1 MiB block boundary at every offset around a
 * quote escape, an embedded newline and a CRLF. */
START_TEST(records_across_block_boundaries)
{
    const size_t block = 1 << 20;
    const char *tail = "2,\"x\"\"y\nz\"\r\n3,4\r\n";
    char *data = malloc(block + 64);
    ck_assert_msg(data != NULL, "buffer for the file");
    for (size_t shift = 1; shift <= 14; shift++) {
        size_t start = block - shift; /* offset where row 2 begins */
        strcpy(data, "a,b\n1,");
        size_t n = strlen(data);
        memset(data + n, 'p', start - 1 - n);
        data[start - 1] = '\n';
        strcpy(data + start, tail);
        char path[64];
        write_temp(path, data, start + strlen(tail));
        kiln_frame *f = read_ok(path, NULL);
        unlink(path);
        ck_assert_msg(f->nrows == 3, "shift %zu: 3 rows", shift);
        ck_assert_msg(strcmp(level_of(f, 1, 1), "x\"y\nz") == 0, "shift %zu: the quoted field is whole", shift);
        ck_assert_msg(strcmp(level_of(f, 1, 2), "4") == 0, "shift %zu: the last field has no CR", shift);
        ck_assert_msg(f->line[1] == 3 && f->line[2] == 5, "shift %zu: lines stay right", shift);
        ck_assert_msg(strlen(level_of(f, 1, 0)) == start - 1 - 6, "shift %zu: the long field is whole", shift);
        kiln_frame_free(f);
    }
    free(data);
}
END_TEST

START_TEST(many_rows_stream_in_blocks)
{
    const size_t rows = 150000;
    size_t cap = rows * 32, n = 0;
    char *data = malloc(cap);
    ck_assert_msg(data != NULL, "buffer for the file");
    n += (size_t)sprintf(data + n, "i,x,g\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)sprintf(data + n, "%zu,%.6f,%s\n", i, (double)i / 7.0, i % 3 ? "b" : "a");
    char path[64];
    write_temp(path, data, n);
    free(data);
    kiln_frame *f = read_ok(path, NULL);
    unlink(path);
    ck_assert_msg(f->nrows == rows, "every row is read");
    int ok = 1;
    for (size_t i = 0; i < rows; i++)
        ok &= f->cols[0].num[i] == (double)i && fabs(f->cols[1].num[i] - (double)i / 7.0) < 1e-6 &&
              f->cols[2].code[i] == (i % 3 ? 1 : 0) && f->line[i] == i + 2;
    ck_assert_msg(ok, "every value and line number is right");
    kiln_frame_free(f);
}
END_TEST

START_TEST(take_rows_copies)
{
    kiln_frame *f = read_ok(FIXTURE("types.csv"), NULL);
    size_t idx[3] = {3, 0, 3};
    kiln_frame *t = NULL;
    ck_assert_msg(kiln_frame_take_rows(f, idx, 3, &t) == KILN_OK, "take_rows succeeds");
    ck_assert_msg(t->nrows == 3 && t->ncols == f->ncols, "3 rows, all columns");
    ck_assert_msg(t->cols[0].num[0] == 4.0 && t->cols[0].num[1] == 1.5, "numbers follow idx");
    ck_assert_msg(t->cols[1].nlevels == 3 && t->cols[1].code[0] == 2 && t->cols[1].code[2] == 2,
                  "codes follow idx, the dictionary is kept whole");
    ck_assert_msg(t->line[0] == 5 && t->line[1] == 2, "line numbers follow idx");
    ck_assert_msg(t->cols[1].levels[0] != f->cols[1].levels[0] && !strcmp(t->cols[1].levels[0], "red"),
                  "levels are copies");
    kiln_frame_free(f);
    ck_assert_msg(!strcmp(t->cols[1].levels[2], "green") && strstr(t->source, "types.csv"),
                  "the copy outlives the original");
    size_t bad = 7;
    kiln_frame *u = (kiln_frame *)1;
    ck_assert_msg(kiln_frame_take_rows(t, &bad, 1, &u) != KILN_OK && u == NULL, "an index past the end fails");
    kiln_frame_free(t);
    kiln_frame_free(NULL);
}
END_TEST

static void libsvm_fails(const char *path, const char *want)
{
    kiln_frame *f = (kiln_frame *)1;
    ck_assert_msg(kiln_libsvm_read(path, &f) == KILN_EINPUT && f == NULL, "reading %s is a user error", path);
    ck_assert_msg(strstr(kiln_last_error(), want) != NULL, "the error for %s says '%s' (got: %s)", path, want,
                  kiln_last_error());
}

START_TEST(libsvm_reads_and_rejects)
{
    kiln_frame *f = NULL;
    ck_assert_msg(kiln_libsvm_read(FIXTURE("good.svm"), &f) == KILN_OK, "good.svm reads (%s)", kiln_last_error());
    ck_assert_msg(f->nrows == 4 && f->ncols == 5, "4 rows; target then f1..f4");
    ck_assert_msg(!strcmp(f->cols[0].name, "target") && !strcmp(f->cols[4].name, "f4"), "column names");
    double want[4][5] = {{1, 0.5, 0, -2, 0}, {-1, 0, 1e-3, 0, 0}, {0, 0, 0, 0, 0}, {2.5, 0, 0, 0, 7}};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 5; j++)
            ck_assert_msg(f->cols[j].num[i] == want[i][j], "row %zu column %zu", i, j);
    ck_assert_msg(f->line[0] == 2 && f->line[1] == 4 && f->line[3] == 6, "rows keep their lines");
    kiln_frame_free(f);
    libsvm_fails(FIXTURE("svm_order.svm"), "svm_order.svm:2:7: feature index 2 after 2");
    libsvm_fails(FIXTURE("svm_zero.svm"), "svm_zero.svm:1:3: feature indices start at 1");
    libsvm_fails(FIXTURE("svm_badval.svm"), "svm_badval.svm:2:5: not a number: 'x'");
    libsvm_fails(FIXTURE("svm_badlabel.svm"), "svm_badlabel.svm:2:1: not a number: 'yes'");
    libsvm_fails(FIXTURE("svm_nocolon.svm"), "svm_nocolon.svm:1:7: expected idx:value");
    libsvm_fails(FIXTURE("empty.csv"), "empty.csv: no data rows");
    libsvm_fails(FIXTURE("nope.svm"), "nope.svm: cannot open");
}
END_TEST

/* Inputs of the C API only: options the command line never builds, and
 * libsvm files written here. */
START_TEST(options_and_libsvm_edges)
{
    kiln_csv_options quote = {'"', NULL};
    read_fails(FIXTURE("types.csv"), &quote, "a quote or a line break cannot be the delimiter");
    static const char *const nosuch[] = {"nosuch", NULL};
    kiln_csv_options cat = {0, nosuch};
    read_fails(FIXTURE("types.csv"), &cat, "no column named 'nosuch' (asked to read it as categorical)");
    char path[64];
    write_temp(path, "1 1:2\n0 1:1\0\n", 13);
    libsvm_fails(path, ":2: not a text file (a NUL byte)");
    unlink(path);
    write_temp(path, "1 10000001:1\n", 13);
    libsvm_fails(path, ":1:3: feature index above 10000000");
    unlink(path);
    /* The widest index decides the width: a dense frame of 100,000 features. */
    write_temp(path, "1 3:1 100000:2\n0 1:5\n", 21);
    kiln_frame *f = NULL;
    ck_assert_msg(kiln_libsvm_read(path, &f) == KILN_OK, "a wide libsvm file reads: %s", kiln_last_error());
    ck_assert_msg(f->ncols == 100001 && !strcmp(f->cols[100000].name, "f100000"), "target and f1..f100000");
    ck_assert_msg(f->cols[100000].num[0] == 2 && f->cols[3].num[0] == 1 && f->cols[1].num[1] == 5 &&
                      f->cols[2].num[0] == 0,
                  "entries land in their columns, absent ones are 0");
    kiln_frame_free(f);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, crlf_bom_and_quoted_numbers);
    tcase_add_test(tc, delimiters_are_sniffed);
    tcase_add_test(tc, quoting_and_line_numbers);
    tcase_add_test(tc, missing_markers);
    tcase_add_test(tc, type_inference_and_exact_levels);
    tcase_add_test(tc, numbers_parse_exactly);
    tcase_add_test(tc, typo_rule);
    tcase_add_test(tc, errors_name_file_line_column);
    tcase_add_test(tc, records_across_block_boundaries);
    tcase_add_test(tc, many_rows_stream_in_blocks);
    tcase_add_test(tc, take_rows_copies);
    tcase_add_test(tc, libsvm_reads_and_rejects);
    tcase_add_test(tc, options_and_libsvm_edges);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
