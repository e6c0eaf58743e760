/* io/serial: the model file container (round trips, layout, every refusal,
 * atomic commit) and the JSON writer. */
#include <check.h>
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kiln/serial.h"
#include "testrun.h"

/* ---- helpers ---- */

static double f64_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static float f32_bits(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* A small two-section file; the caller frees the bytes. */
static unsigned char *sample_file(size_t *len)
{
    kiln_writer *w = kiln_writer_new();
    const double v[3] = {1.5, -0.0, NAN};
    kiln_writer_section(w, "SCHM");
    kiln_w_str(w, "petal");
    kiln_w_u32(w, 3);
    kiln_writer_section(w, "ESTM");
    kiln_w_f64s(w, v, 3);
    const unsigned char *bytes;
    ck_assert_msg(kiln_writer_finish(w, &bytes, len) == KILN_OK, "the sample file finishes");
    unsigned char *copy = malloc(*len);
    memcpy(copy, bytes, *len);
    kiln_writer_free(w);
    return copy;
}

static void expect_input_error(kiln_status s, const char *needle, const char *what)
{
    ck_assert_msg(s == KILN_EINPUT, "%s: status is KILN_EINPUT (got %d)", what, (int)s);
    ck_assert_msg(strstr(kiln_last_error(), needle) != NULL, "%s: message '%s' contains '%s'", what,
                  kiln_last_error(), needle);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "fixture %s can be created", path);
    ck_assert_msg(fwrite(p, 1, n, f) == n, "fixture %s is written", path);
    fclose(f);
}

static char *make_tmpdir(void)
{
    char *dir = strdup("/tmp/kiln-serial-XXXXXX");
    ck_assert_msg(mkdtemp(dir) != NULL, "a scratch directory is created");
    return dir;
}

/* The directory's entries other than . and .., joined by spaces in name order. */
static void list_dir(const char *dir, char *out, size_t cap)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    ck_assert_msg(n >= 0, "%s can be listed", dir);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
            if (out[0])
                strncat(out, " ", cap - strlen(out) - 1);
            strncat(out, names[i]->d_name, cap - strlen(out) - 1);
        }
        free(names[i]);
    }
    free(names);
}

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* ---- CRC and layout ---- */

START_TEST(crc32_matches_the_standard_check_values)
{
    ck_assert_msg(kiln_crc32("123456789", 9) == 0xCBF43926u, "crc32(\"123456789\") is the CRC-32 check value");
    ck_assert_msg(kiln_crc32("", 0) == 0u, "crc32 of nothing is 0");
    const char *fox = "The quick brown fox jumps over the lazy dog";
    ck_assert_msg(kiln_crc32(fox, strlen(fox)) == 0x414FA339u, "crc32 of the fox sentence matches zlib");
    /* 1000 bytes (i * 7 mod 251) from each of 8 starting offsets, so the eight-byte
     * steps and the byte-wise tail both run at every alignment; the values are
     * python3 -c 'import zlib; b = bytes(i * 7 % 251 for i in range(1000));
     *             print([hex(zlib.crc32(b[k:])) for k in range(8)])' */
    static const uint32_t want[8] = {0x04da8651u, 0xb0197eb2u, 0x439a9038u, 0x5f5b960bu,
                                     0xa150564bu, 0x82a58242u, 0xfce0bab6u, 0xb09020b0u};
    unsigned char b[1000];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (unsigned char)(i * 7 % 251);
    for (size_t k = 0; k < 8; k++)
        ck_assert_msg(kiln_crc32(b + k, sizeof b - k) == want[k], "crc32 from offset %zu matches zlib", k);
}
END_TEST

START_TEST(tiny_file_has_the_documented_bytes)
{
    kiln_writer *w = kiln_writer_new();
    kiln_writer_section(w, "TEST");
    kiln_w_u32(w, 0x01020304u);
    const unsigned char *bytes;
    size_t len;
    kiln_writer_finish(w, &bytes, &len);

    unsigned char want[128];
    size_t n = 0, vlen = strlen(KILN_VERSION);
    memcpy(want + n, "KILNMODL", 8), n += 8;
    memcpy(want + n, "\x01\x00\x00\x00", 4), n += 4;
    want[n++] = (unsigned char)vlen, want[n++] = 0, want[n++] = 0, want[n++] = 0;
    memcpy(want + n, KILN_VERSION, vlen), n += vlen;
    memcpy(want + n, "TEST\x04\x00\x00\x00\x00\x00\x00\x00", 12), n += 12;
    memcpy(want + n, "\x04\x03\x02\x01", 4), n += 4;
    uint32_t crc = kiln_crc32(want, n);
    for (int i = 0; i < 4; i++)
        want[n++] = (unsigned char)(crc >> (8 * i));

    ck_assert_msg(len == n, "file length is header + section + CRC (%zu, want %zu)", len, n);
    ck_assert_msg(memcmp(bytes, want, n) == 0, "file bytes follow the documented layout");
    const unsigned char *again;
    size_t len2;
    kiln_writer_finish(w, &again, &len2);
    ck_assert_msg(again == bytes && len2 == len, "finish is idempotent");
    ck_assert_msg(kiln_w_u8(w, 1) == KILN_EINTERNAL, "writing after finish is refused");
    kiln_writer_free(w);
    kiln_writer_free(NULL);
    kiln_reader_free(NULL);
}
END_TEST

/* ---- round trips ---- */

START_TEST(every_type_round_trips_bit_exactly)
{
    const double d[] = {f64_bits(0x7FF800000000BEEFull), f64_bits(0x7FF0000000000001ull),
                        f64_bits(0xFFF8000000000000ull), -0.0, 0.0, DBL_TRUE_MIN, DBL_MIN / 3,
                        DBL_MAX, -INFINITY, INFINITY, 0.1, -1e-300};
    const float f[] = {f32_bits(0x7FC00001u), f32_bits(0x7F800001u), -0.0f, f32_bits(0x00000001u),
                       FLT_MAX, -INFINITY, 3.25f};
    const int32_t ints[] = {INT32_MIN, -1, 0, 1, INT32_MAX};
    const uint32_t uints[] = {0, 1, 0x80000000u, UINT32_MAX};
    const unsigned char raw[] = {0, 255, 'k', 0x80};
    const size_t nd = sizeof d / sizeof *d, nf = sizeof f / sizeof *f, ni = 5;

    kiln_writer *w = kiln_writer_new();
    kiln_writer_section(w, "ALL ");
    kiln_w_u8(w, 0xAB);
    kiln_w_u32(w, 0xDEADBEEFu);
    kiln_w_i32(w, -123456789);
    kiln_w_u64(w, UINT64_MAX);
    kiln_w_f64(w, f64_bits(0x7FF4000000000123ull));
    kiln_w_str(w, "");
    kiln_w_str(w, "sépal \"length\"\n");
    kiln_w_f64s(w, d, nd);
    kiln_w_f32s(w, f, nf);
    kiln_w_i32s(w, ints, ni);
    kiln_w_u32s(w, uints, 4);
    kiln_w_bytes(w, raw, sizeof raw);
    kiln_w_u64(w, 42);
    const unsigned char *bytes;
    size_t len;
    kiln_writer_finish(w, &bytes, &len);

    kiln_reader *r;
    ck_assert_msg(kiln_reader_open_mem(bytes, len, "rt.kiln", &r) == KILN_OK, "the file opens: %s",
                  kiln_last_error());
    kiln_writer_free(w); /* the reader keeps its own copy */
    ck_assert_msg(strcmp(kiln_reader_writer_version(r), KILN_VERSION) == 0, "the writer version is stored");
    ck_assert_msg(kiln_reader_section(r, "ALL ") == KILN_OK, "the section is found");
    uint8_t u8;
    uint32_t u32;
    int32_t i32;
    uint64_t u64;
    double x;
    char *s1, *s2;
    double d2[12];
    float f2[7];
    int32_t i2[5];
    uint32_t u2[4];
    unsigned char raw2[4];
    size_t count;
    ck_assert_msg(kiln_r_u8(r, &u8) == KILN_OK && u8 == 0xAB, "u8 round trip");
    ck_assert_msg(kiln_r_u32(r, &u32) == KILN_OK && u32 == 0xDEADBEEFu, "u32 round trip");
    ck_assert_msg(kiln_r_i32(r, &i32) == KILN_OK && i32 == -123456789, "negative i32 round trip");
    ck_assert_msg(kiln_r_u64(r, &u64) == KILN_OK && u64 == UINT64_MAX, "u64 max round trip");
    uint64_t xb, want = 0x7FF4000000000123ull;
    ck_assert_msg(kiln_r_f64(r, &x) == KILN_OK, "f64 reads");
    memcpy(&xb, &x, 8);
    ck_assert_msg(xb == want, "a signalling NaN's payload survives");
    ck_assert_msg(kiln_r_str(r, &s1) == KILN_OK && strcmp(s1, "") == 0, "empty string round trip");
    ck_assert_msg(kiln_r_str(r, &s2) == KILN_OK && strcmp(s2, "sépal \"length\"\n") == 0,
                  "UTF-8 string with quotes and newline round trip");
    ck_assert_msg(kiln_r_f64s(r, d2, nd) == KILN_OK && memcmp(d2, d, sizeof d) == 0,
                  "doubles (NaN payloads, -0, denormals, inf) are bit-exact");
    ck_assert_msg(kiln_r_f32s(r, f2, nf) == KILN_OK && memcmp(f2, f, sizeof f) == 0,
                  "floats (NaN payloads, -0, denormals, inf) are bit-exact");
    ck_assert_msg(kiln_r_i32s(r, i2, ni) == KILN_OK && memcmp(i2, ints, sizeof ints) == 0,
                  "i32 arrays round trip including INT32_MIN");
    ck_assert_msg(kiln_r_u32s(r, u2, 4) == KILN_OK && memcmp(u2, uints, sizeof uints) == 0,
                  "u32 arrays round trip including UINT32_MAX");
    ck_assert_msg(kiln_r_bytes(r, raw2, 4) == KILN_OK && memcmp(raw2, raw, 4) == 0, "raw bytes round trip");
    ck_assert_msg(kiln_r_count(r, 42, &count) == KILN_OK && count == 42, "a count equal to max is accepted");
    ck_assert_msg(kiln_r_u8(r, &u8) == KILN_EINPUT, "the section is exactly consumed");
    free(s1);
    free(s2);
    kiln_reader_free(r);
}
END_TEST

START_TEST(sections_are_read_in_any_order)
{
    kiln_writer *w = kiln_writer_new();
    const char *tags[3] = {"AAAA", "BBBB", "CCCC"};
    for (uint32_t i = 0; i < 3; i++) {
        kiln_writer_section(w, tags[i]);
        for (uint32_t k = 0; k <= i; k++)
            kiln_w_u32(w, 100 * i + k);
    }
    kiln_writer_section(w, "EMPT");
    const unsigned char *bytes;
    size_t len;
    kiln_writer_finish(w, &bytes, &len);
    kiln_reader *r;
    ck_assert_msg(kiln_reader_open_mem(bytes, len, NULL, &r) == KILN_OK, "four sections open");
    const int order[5] = {2, 0, 1, 0, 2};
    for (int o = 0; o < 5; o++) {
        uint32_t i = (uint32_t)order[o], v;
        ck_assert_msg(kiln_reader_section(r, tags[i]) == KILN_OK, "section %s is found", tags[i]);
        for (uint32_t k = 0; k <= i; k++)
            ck_assert_msg(kiln_r_u32(r, &v) == KILN_OK && v == 100 * i + k, "section %s value %u", tags[i], k);
        ck_assert_msg(kiln_r_u32(r, &v) == KILN_EINPUT, "section %s ends where its length says", tags[i]);
    }
    uint8_t b;
    ck_assert_msg(kiln_reader_section(r, "EMPT") == KILN_OK, "an empty section exists");
    expect_input_error(kiln_r_u8(r, &b), "section EMPT is truncated", "reading from an empty section");
    kiln_reader_free(r);
    kiln_writer_free(w);
}
END_TEST

START_TEST(a_file_written_by_python_reads)
{
    /* tests/fuzz/make_corpus.py writes this file with struct and zlib.crc32. */
    kiln_reader *r;
    const char *path = KILN_SOURCE_DIR "/tests/fuzz/corpus/model/valid.kiln";
    ck_assert_msg(kiln_reader_open(path, &r) == KILN_OK, "the independently written file opens: %s",
                  kiln_last_error());
    uint8_t op;
    char *name = NULL;
    size_t n = 0;
    double v[3];
    float f;
    kiln_reader_section(r, "SCHM");
    ck_assert_msg(kiln_r_u8(r, &op) == KILN_OK && op == 6, "the first op byte");
    ck_assert_msg(kiln_r_str(r, &name) == KILN_OK && strcmp(name, "sepal_length") == 0, "the string");
    ck_assert_msg(kiln_r_u8(r, &op) == KILN_OK && kiln_r_count(r, 3, &n) == KILN_OK && n == 3, "the count");
    ck_assert_msg(kiln_r_f64s(r, v, 3) == KILN_OK && v[0] == 1.5 && signbit(v[1]) && v[2] == DBL_TRUE_MIN,
                  "the doubles");
    kiln_reader_section(r, "ESTM");
    ck_assert_msg(kiln_r_u8(r, &op) == KILN_OK && kiln_r_f64(r, v) == KILN_OK && v[0] == 0.25, "ESTM double");
    ck_assert_msg(kiln_r_u8(r, &op) == KILN_OK && kiln_r_f32s(r, &f, 1) == KILN_OK && f == -1.0f, "ESTM float");
    free(name);
    kiln_reader_free(r);
}
END_TEST

/* ---- refusals ---- */

START_TEST(unreadable_paths_are_refused)
{
    kiln_reader *r = (kiln_reader *)1;
    char *dir = make_tmpdir();
    char *missing = path_in(dir, "missing.kiln");
    expect_input_error(kiln_reader_open(missing, &r), "No such file", "a missing file");
    ck_assert_msg(r == NULL, "a failed open leaves *out NULL");
    ck_assert_msg(strstr(kiln_last_error(), missing) != NULL, "the message names the missing path");
    expect_input_error(kiln_reader_open(dir, &r), "is a directory", "a directory");

    char *empty = path_in(dir, "empty.kiln");
    write_bytes(empty, "", 0);
    expect_input_error(kiln_reader_open(empty, &r), "empty.kiln: empty file, not a kiln model file",
                       "an empty file");

    char *csv = path_in(dir, "iris.csv");
    const char *text = "sepal_length,sepal_width,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n";
    write_bytes(csv, text, strlen(text));
    expect_input_error(kiln_reader_open(csv, &r), "iris.csv: not a kiln model file", "a CSV given as a model");

    remove(empty);
    remove(csv);
    rmdir(dir);
    free(missing);
    free(empty);
    free(csv);
    free(dir);
}
END_TEST

START_TEST(bad_magic_and_newer_versions_are_refused)
{
    size_t len;
    unsigned char *b = sample_file(&len);
    kiln_reader *r;
    b[3] = 'X';
    expect_input_error(kiln_reader_open_mem(b, len, "m.kiln", &r), "m.kiln: not a kiln model file", "bad magic");
    b[3] = 'N';
    /* A file from a newer kiln, with a valid checksum: the version check speaks. */
    b[8] = 2;
    uint32_t crc = kiln_crc32(b, len - 4);
    for (int i = 0; i < 4; i++)
        b[len - 4 + i] = (unsigned char)(crc >> (8 * i));
    expect_input_error(kiln_reader_open_mem(b, len, "m.kiln", &r),
                       "m.kiln: written by model format version 2; this kiln reads version 1 — upgrade kiln",
                       "a newer format version");
    b[8] = 1;
    ck_assert_msg(kiln_reader_open_mem(b, len, "m.kiln", &r) == KILN_EINPUT, "the old CRC no longer matches");
    expect_input_error(kiln_reader_open_mem(b, len, "m.kiln", &r), "m.kiln: corrupted (checksum mismatch)",
                       "a stale checksum");
    free(b);
}
END_TEST

/* b's last four bytes: the CRC of the others, as a writer would put them. */
static void reseal(unsigned char *b, size_t len)
{
    uint32_t crc = kiln_crc32(b, len - 4);
    for (int i = 0; i < 4; i++)
        b[len - 4 + i] = (unsigned char)(crc >> (8 * i));
}

START_TEST(damaged_headers_with_valid_checksums_are_refused)
{
    size_t len;
    unsigned char *b = sample_file(&len);
    kiln_reader *r;
    b[8] = 0;
    reseal(b, len);
    expect_input_error(kiln_reader_open_mem(b, len, "m.kiln", &r), "m.kiln: corrupted (format version 0)",
                       "format version 0");
    b[8] = 1;
    /* The first section (SCHM, at 21) claims one byte fewer: the next tag starts inside its payload. */
    b[21 + 4] -= 1;
    reseal(b, len);
    expect_input_error(kiln_reader_open_mem(b, len, "m.kiln", &r), "m.kiln: corrupted (bad section table)",
                       "sections that do not tile the body");
    free(b);
}
END_TEST

START_TEST(misuse_of_the_writer_and_reader_is_an_internal_error)
{
    kiln_writer *w = kiln_writer_new();
    ck_assert_msg(kiln_w_u8(w, 1) == KILN_EINTERNAL &&
                      strstr(kiln_last_error(), "model writer: data written before any section"),
                  "data before a section is refused: %s", kiln_last_error());
    const double two[2] = {1, 2};
    ck_assert_msg(kiln_w_f64s(w, two, 2) == KILN_EINTERNAL &&
                      strstr(kiln_last_error(), "model writer: data written before any section"),
                  "an array before a section is refused: %s", kiln_last_error());
    kiln_writer_section(w, "ESTM");
    ck_assert_msg(kiln_writer_reserve(w, SIZE_MAX - 8) == KILN_ENOMEM && strstr(kiln_last_error(), "out of memory"),
                  "room for more than memory holds is refused: %s", kiln_last_error());
    ck_assert_msg(kiln_w_f64s(w, two, SIZE_MAX / 4) == KILN_ENOMEM,
                  "an array longer than memory is refused before it is read");
    ck_assert_msg(kiln_writer_reserve(w, 1 << 20) == KILN_OK, "a megabyte of room is granted");
    kiln_w_u8(w, 1);
    const unsigned char *bytes;
    size_t len;
    ck_assert_msg(kiln_writer_finish(w, &bytes, &len) == KILN_OK, "the writer finishes");
    ck_assert_msg(kiln_w_u8(w, 1) == KILN_EINTERNAL &&
                      strstr(kiln_last_error(), "model writer: data written after finish"),
                  "data after finish is refused: %s", kiln_last_error());
    ck_assert_msg(kiln_writer_section(w, "MORE") == KILN_EINTERNAL &&
                      strstr(kiln_last_error(), "model writer: section MORE started after finish"),
                  "a section after finish is refused: %s", kiln_last_error());
    kiln_reader *r;
    ck_assert_msg(kiln_reader_open_mem(bytes, len, "m.kiln", &r) == KILN_OK, "the file opens");
    uint8_t v;
    ck_assert_msg(kiln_r_u8(r, &v) == KILN_EINTERNAL &&
                      strstr(kiln_last_error(), "m.kiln: read before selecting a section"),
                  "a read before kiln_reader_section is refused: %s", kiln_last_error());
    kiln_reader_free(r);
    kiln_writer_free(w);
}
END_TEST

START_TEST(every_corrupted_byte_is_refused)
{
    size_t len;
    unsigned char *b = sample_file(&len);
    kiln_reader *r;
    ck_assert_msg(kiln_reader_open_mem(b, len, "ok", &r) == KILN_OK, "the untouched file opens");
    kiln_reader_free(r);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit <= 8; bit++) {
            unsigned char mask = bit == 8 ? 0xFF : (unsigned char)(1u << bit);
            b[i] ^= mask;
            r = (kiln_reader *)1;
            kiln_status s = kiln_reader_open_mem(b, len, "flip", &r);
            ck_assert_msg(s == KILN_EINPUT && r == NULL, "flipping byte %zu with mask 0x%02x is refused (%d)", i,
                          mask, (int)s);
            ck_assert_msg(strncmp(kiln_last_error(), "flip: ", 6) == 0, "the message names the file: %s",
                          kiln_last_error());
            b[i] ^= mask;
        }
    }
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, b, len);
    longer[len] = 0;
    ck_assert_msg(kiln_reader_open_mem(longer, len + 1, "junk", &r) == KILN_EINPUT, "a trailing byte is refused");
    free(longer);
    free(b);
}
END_TEST

START_TEST(every_truncation_is_refused)
{
    size_t len;
    unsigned char *b = sample_file(&len);
    for (size_t n = 0; n < len; n++) {
        kiln_reader *r = (kiln_reader *)1;
        kiln_status s = kiln_reader_open_mem(b, n, "cut", &r);
        ck_assert_msg(s == KILN_EINPUT && r == NULL, "the first %zu of %zu bytes are refused", n, len);
    }
    kiln_reader *r;
    expect_input_error(kiln_reader_open_mem(b, len - 1, "cut", &r), "cut: truncated", "one CRC byte missing");
    expect_input_error(kiln_reader_open_mem(b, len - 10, "cut", &r), "cut: truncated", "payload cut short");
    expect_input_error(kiln_reader_open_mem(b, 12, "cut", &r), "cut: truncated", "header cut short");
    free(b);
}
END_TEST

START_TEST(reads_stop_at_the_section_end)
{
    kiln_writer *w = kiln_writer_new();
    ck_assert_msg(kiln_w_u8(w, 1) == KILN_EINTERNAL, "writing before any section is refused");
    kiln_writer_section(w, "TINY");
    kiln_w_u8(w, 7);
    kiln_w_u8(w, 9);
    kiln_writer_section(w, "STR ");
    kiln_w_u32(w, 1000); /* a string length with no string behind it */
    kiln_w_u8(w, 'x');
    kiln_writer_section(w, "NEXT");
    kiln_w_u64(w, 5);
    const unsigned char *bytes;
    size_t len;
    kiln_writer_finish(w, &bytes, &len);
    kiln_reader *r;
    kiln_reader_open_mem(bytes, len, "m.kiln", &r);
    uint8_t a, b;
    uint32_t u;
    double d[2];
    char *s = NULL;
    ck_assert_msg(kiln_r_u8(r, &a) == KILN_EINTERNAL, "reading before selecting a section is refused");
    kiln_reader_section(r, "TINY");
    expect_input_error(kiln_r_u32(r, &u), "m.kiln: section TINY is truncated", "u32 from a 2-byte section");
    ck_assert_msg(kiln_r_u8(r, &a) == KILN_OK && kiln_r_u8(r, &b) == KILN_OK && a == 7 && b == 9,
                  "a refused fixed-size read does not move the position");
    expect_input_error(kiln_r_u8(r, &a), "section TINY is truncated", "reading into the next section");
    kiln_reader_section(r, "TINY");
    expect_input_error(kiln_r_f64s(r, d, SIZE_MAX / 4), "section TINY is truncated", "a huge array length");
    expect_input_error(kiln_r_skip(r, 1, 4), "section TINY is truncated", "skipping past the section's end");
    ck_assert_msg(kiln_r_skip(r, 2, 1) == KILN_OK && kiln_r_u8(r, &a) != KILN_OK,
                  "skipping the section's two bytes leaves none to read");
    kiln_reader_section(r, "STR ");
    expect_input_error(kiln_r_str(r, &s), "section STR  is truncated", "a string longer than its section");
    ck_assert_msg(s == NULL, "no string is returned");
    kiln_reader_free(r);
    kiln_writer_free(w);
}
END_TEST

START_TEST(implausible_counts_and_missing_sections_are_refused)
{
    kiln_writer *w = kiln_writer_new();
    kiln_writer_section(w, "CNTS");
    kiln_w_u64(w, 1000000000000ull);
    const unsigned char *bytes;
    size_t len;
    kiln_writer_finish(w, &bytes, &len);
    kiln_reader *r;
    kiln_reader_open_mem(bytes, len, "m.kiln", &r);
    size_t n = 0;
    kiln_reader_section(r, "CNTS");
    expect_input_error(kiln_r_count(r, 1000, &n), "m.kiln: implausible count 1000000000000 in section CNTS",
                       "a count above its maximum");
    ck_assert_msg(n == 0, "the count is not stored");
    expect_input_error(kiln_reader_section(r, "ESTM"), "m.kiln: no section ESTM", "a missing section");
    kiln_reader_free(r);
    kiln_writer_free(w);
}
END_TEST

/* ---- atomic commit ---- */

START_TEST(commit_replaces_the_target_atomically)
{
    char *dir = make_tmpdir();
    char *path = path_in(dir, "model.kiln");
    write_bytes(path, "an older model", 14);
    kiln_writer *w = kiln_writer_new();
    kiln_writer_section(w, "ESTM");
    kiln_w_f64(w, 2.5);
    ck_assert_msg(kiln_writer_commit(w, path) == KILN_OK, "commit over an existing file succeeds: %s",
                  kiln_last_error());
    char listing[512];
    list_dir(dir, listing, sizeof listing);
    ck_assert_msg(strcmp(listing, "model.kiln") == 0, "only the model is left in the directory: '%s'", listing);

    kiln_reader *r;
    ck_assert_msg(kiln_reader_open(path, &r) == KILN_OK, "the committed file opens: %s", kiln_last_error());
    double x = 0;
    kiln_reader_section(r, "ESTM");
    ck_assert_msg(kiln_r_f64(r, &x) == KILN_OK && x == 2.5, "the new content replaced the old");
    kiln_reader_free(r);
    ck_assert_msg(kiln_writer_commit(w, path) == KILN_OK, "a finished writer can be committed again");
    list_dir(dir, listing, sizeof listing);
    ck_assert_msg(strcmp(listing, "model.kiln") == 0, "still only the model: '%s'", listing);

    remove(path);
    rmdir(dir);
    free(path);
    free(dir);
    kiln_writer_free(w);
}
END_TEST

START_TEST(failed_commits_leave_nothing_behind)
{
    char *dir = make_tmpdir();
    char *nested = path_in(dir, "no/such/dir/model.kiln");
    kiln_writer *w = kiln_writer_new();
    kiln_writer_section(w, "ESTM");
    kiln_w_u32(w, 1);
    expect_input_error(kiln_writer_commit(w, nested), "cannot write: No such file or directory", "a missing directory");
    ck_assert_msg(strstr(kiln_last_error(), nested) != NULL, "the message names the target path");
    char listing[512];
    list_dir(dir, listing, sizeof listing);
    ck_assert_msg(strcmp(listing, "") == 0, "nothing is left after a failed commit: '%s'", listing);

    char *sub = path_in(dir, "sub");
    ck_assert_msg(mkdir(sub, 0700) == 0, "a subdirectory is created");
    expect_input_error(kiln_writer_commit(w, sub), "cannot write: it is a directory", "a directory as the target");
    list_dir(dir, listing, sizeof listing);
    ck_assert_msg(strcmp(listing, "sub") == 0, "only the subdirectory is there: '%s'", listing);
    list_dir(sub, listing, sizeof listing);
    ck_assert_msg(strcmp(listing, "") == 0, "the subdirectory is untouched: '%s'", listing);

    rmdir(sub);
    rmdir(dir);
    free(sub);
    free(nested);
    free(dir);
    kiln_writer_free(w);
}
END_TEST

/* ---- JSON ---- */

typedef struct capture {
    char *buf;
    size_t size;
    FILE *f;
} capture;

static void capture_begin(capture *c, kiln_json *j, int pretty)
{
    c->buf = NULL;
    c->f = open_memstream(&c->buf, &c->size);
    ck_assert_msg(c->f != NULL, "a memory stream opens");
    kiln_json_init(j, c->f, pretty);
}

static void capture_expect(capture *c, const char *want, const char *what)
{
    fclose(c->f);
    ck_assert_msg(strcmp(c->buf, want) == 0, "%s:\n got  %s\n want %s", what, c->buf, want);
    free(c->buf);
}

static void write_sample_document(kiln_json *j)
{
    kiln_json_begin_object(j);
    kiln_json_key(j, "model");
    kiln_json_str(j, "rf \"big\"\\\n\t\x01\x1f é");
    kiln_json_key(j, "scores");
    kiln_json_begin_array(j);
    kiln_json_num(j, 3.0);
    kiln_json_num(j, -0.0);
    kiln_json_num(j, 0.1);
    kiln_json_num(j, NAN);
    kiln_json_num(j, -INFINITY);
    kiln_json_num(j, 1e22);
    kiln_json_end_array(j);
    kiln_json_key(j, "empty");
    kiln_json_begin_object(j);
    kiln_json_end_object(j);
    kiln_json_key(j, "nested");
    kiln_json_begin_array(j);
    kiln_json_begin_object(j);
    kiln_json_key(j, "k");
    kiln_json_int(j, -42);
    kiln_json_end_object(j);
    kiln_json_begin_array(j);
    kiln_json_end_array(j);
    kiln_json_bool(j, 1);
    kiln_json_end_array(j);
    kiln_json_key(j, "flags");
    kiln_json_begin_array(j);
    kiln_json_bool(j, 0);
    kiln_json_null(j);
    kiln_json_str(j, NULL);
    kiln_json_end_array(j);
    kiln_json_end_object(j);
}

START_TEST(json_compact_output)
{
    capture c;
    kiln_json j;
    capture_begin(&c, &j, 0);
    write_sample_document(&j);
    capture_expect(&c,
                   "{\"model\":\"rf \\\"big\\\"\\\\\\n\\t\\u0001\\u001f é\","
                   "\"scores\":[3,-0,0.10000000000000001,null,null,1e+22],"
                   "\"empty\":{},\"nested\":[{\"k\":-42},[],true],\"flags\":[false,null,null]}\n",
                   "compact JSON is one line with escapes, commas and nulls for non-finite numbers");
}
END_TEST

START_TEST(json_pretty_output)
{
    capture c;
    kiln_json j;
    capture_begin(&c, &j, 1);
    write_sample_document(&j);
    capture_expect(&c,
                   "{\n"
                   "  \"model\": \"rf \\\"big\\\"\\\\\\n\\t\\u0001\\u001f é\",\n"
                   "  \"scores\": [\n"
                   "    3,\n"
                   "    -0,\n"
                   "    0.10000000000000001,\n"
                   "    null,\n"
                   "    null,\n"
                   "    1e+22\n"
                   "  ],\n"
                   "  \"empty\": {},\n"
                   "  \"nested\": [\n"
                   "    {\n"
                   "      \"k\": -42\n"
                   "    },\n"
                   "    [],\n"
                   "    true\n"
                   "  ],\n"
                   "  \"flags\": [\n"
                   "    false,\n"
                   "    null,\n"
                   "    null\n"
                   "  ]\n"
                   "}\n",
                   "pretty JSON indents two spaces per level");
}
END_TEST

START_TEST(json_numbers_and_top_level_values)
{
    capture c;
    kiln_json j;
    capture_begin(&c, &j, 0);
    kiln_json_num(&j, 9007199254740992.0);
    kiln_json_num(&j, 1e17);
    kiln_json_num(&j, 0.5);
    kiln_json_num(&j, DBL_TRUE_MIN);
    kiln_json_int(&j, -9223372036854775807LL - 1);
    kiln_json_str(&j, "top");
    capture_expect(&c, "9007199254740992\n1e+17\n0.5\n4.9406564584124654e-324\n-9223372036854775808\n\"top\"\n",
                   "numbers print with %.17g and each top-level value ends a line");
}
END_TEST

START_TEST(json_nests_deeper_than_64_levels)
{
    enum { DEPTH = 100 };
    capture c;
    kiln_json j;
    capture_begin(&c, &j, 0);
    for (int d = 0; d < DEPTH; d++)
        kiln_json_begin_array(&j);
    for (int d = 0; d < DEPTH; d++) {
        kiln_json_int(&j, d);
        kiln_json_end_array(&j);
    }
    char want[1024] = "";
    for (int d = 0; d < DEPTH; d++)
        strcat(want, "[");
    for (int d = 0; d < DEPTH; d++) {
        char item[16];
        snprintf(item, sizeof item, d ? ",%d]" : "%d]", d);
        strcat(want, item);
    }
    strcat(want, "\n");
    capture_expect(&c, want, "commas stay right when nesting past 64 levels");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serial");
    TCase *tc = tcase_create("serial");
    tcase_add_test(tc, crc32_matches_the_standard_check_values);
    tcase_add_test(tc, tiny_file_has_the_documented_bytes);
    tcase_add_test(tc, every_type_round_trips_bit_exactly);
    tcase_add_test(tc, sections_are_read_in_any_order);
    tcase_add_test(tc, a_file_written_by_python_reads);
    tcase_add_test(tc, unreadable_paths_are_refused);
    tcase_add_test(tc, bad_magic_and_newer_versions_are_refused);
    tcase_add_test(tc, damaged_headers_with_valid_checksums_are_refused);
    tcase_add_test(tc, misuse_of_the_writer_and_reader_is_an_internal_error);
    tcase_add_test(tc, every_corrupted_byte_is_refused);
    tcase_add_test(tc, every_truncation_is_refused);
    tcase_add_test(tc, reads_stop_at_the_section_end);
    tcase_add_test(tc, implausible_counts_and_missing_sections_are_refused);
    tcase_add_test(tc, commit_replaces_the_target_atomically);
    tcase_add_test(tc, failed_commits_leave_nothing_behind);
    tcase_add_test(tc, json_compact_output);
    tcase_add_test(tc, json_pretty_output);
    tcase_add_test(tc, json_numbers_and_top_level_values);
    tcase_add_test(tc, json_nests_deeper_than_64_levels);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
