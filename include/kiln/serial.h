/* kiln/serial.h — the model file container and the JSON writer.
 *
 * A model file is: the magic "KILNMODL", a u32 format version, the writer's
 * kiln version string, then tagged sections (4-byte tag, u64 length, payload),
 * then a CRC32 of everything before it. All numbers little-endian; doubles as
 * their IEEE-754 bits, so a round trip is exact.
 *
 * Writing builds the file in memory and kiln_writer_commit() writes it to a
 * temporary name beside the target and renames it, so an interrupted write
 * never leaves half a file:
 *
 *     kiln_writer *w = kiln_writer_new();
 *     kiln_writer_section(w, "ESTM");
 *     kiln_w_u32(w, 3); kiln_w_f64s(w, coef, n);
 *     kiln_writer_commit(w, "m.kiln");   // then kiln_writer_free(w)
 *
 * Reading loads and checks the whole file (magic, version, CRC) first; every
 * kiln_r_* call is bounds-checked and fails with KILN_EINPUT naming the file:
 *
 *     kiln_reader *r; kiln_reader_open("m.kiln", &r);
 *     kiln_reader_section(r, "ESTM"); kiln_r_u32(r, &k);
 */
#ifndef KILN_SERIAL_H
#define KILN_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "kiln/status.h"

#define KILN_FORMAT_VERSION 1u
#define KILN_VERSION "0.1.0"

typedef struct kiln_writer kiln_writer;
typedef struct kiln_reader kiln_reader;

kiln_writer *kiln_writer_new(void);
void kiln_writer_free(kiln_writer *w);
/* Room for `bytes` more bytes: a large payload written in many pieces (a
 * forest's trees) then fills one buffer instead of being copied each time
 * the buffer doubles. Optional. */
kiln_status kiln_writer_reserve(kiln_writer *w, size_t bytes);
/* Start a section; it runs until the next section or the commit. */
kiln_status kiln_writer_section(kiln_writer *w, const char tag[4]);
kiln_status kiln_w_u8(kiln_writer *w, uint8_t v);
kiln_status kiln_w_u32(kiln_writer *w, uint32_t v);
kiln_status kiln_w_i32(kiln_writer *w, int32_t v);
kiln_status kiln_w_u64(kiln_writer *w, uint64_t v);
kiln_status kiln_w_f64(kiln_writer *w, double v);
kiln_status kiln_w_str(kiln_writer *w, const char *s); /* u32 length + bytes */
kiln_status kiln_w_f64s(kiln_writer *w, const double *v, size_t n);
kiln_status kiln_w_f32s(kiln_writer *w, const float *v, size_t n);
kiln_status kiln_w_i32s(kiln_writer *w, const int32_t *v, size_t n);
kiln_status kiln_w_u32s(kiln_writer *w, const uint32_t *v, size_t n);
kiln_status kiln_w_bytes(kiln_writer *w, const void *p, size_t n);
/* The finished file's bytes (header, sections, CRC) — for hashing and tests. */
kiln_status kiln_writer_finish(kiln_writer *w, const unsigned char **bytes, size_t *len);
/* Write the file atomically (temporary name, then rename). */
kiln_status kiln_writer_commit(kiln_writer *w, const char *path);

/* Open from a file or from memory (the bytes are copied). */
kiln_status kiln_reader_open(const char *path, kiln_reader **out);
kiln_status kiln_reader_open_mem(const void *bytes, size_t len, const char *name, kiln_reader **out);
void kiln_reader_free(kiln_reader *r);
/* Position the reader at the start of the section `tag`. */
kiln_status kiln_reader_section(kiln_reader *r, const char tag[4]);
/* 1 if the file has a section `tag` (for optional sections), else 0. */
int kiln_reader_has_section(const kiln_reader *r, const char tag[4]);
const char *kiln_reader_writer_version(const kiln_reader *r);
kiln_status kiln_r_u8(kiln_reader *r, uint8_t *v);
kiln_status kiln_r_u32(kiln_reader *r, uint32_t *v);
kiln_status kiln_r_i32(kiln_reader *r, int32_t *v);
kiln_status kiln_r_u64(kiln_reader *r, uint64_t *v);
kiln_status kiln_r_f64(kiln_reader *r, double *v);
/* A string into a new malloc'd buffer. */
kiln_status kiln_r_str(kiln_reader *r, char **s);
/* Arrays of known length n into caller memory. */
kiln_status kiln_r_f64s(kiln_reader *r, double *v, size_t n);
kiln_status kiln_r_f32s(kiln_reader *r, float *v, size_t n);
kiln_status kiln_r_i32s(kiln_reader *r, int32_t *v, size_t n);
kiln_status kiln_r_u32s(kiln_reader *r, uint32_t *v, size_t n);
kiln_status kiln_r_bytes(kiln_reader *r, void *p, size_t n);
/* Move past n values of `size` bytes that are not needed. */
kiln_status kiln_r_skip(kiln_reader *r, size_t n, size_t size);
/* Read a u64 count and check it is at most `max` (guards allocations from corrupt files). */
kiln_status kiln_r_count(kiln_reader *r, size_t max, size_t *n);

uint32_t kiln_crc32(const void *p, size_t n);

/* JSON output: a small streaming writer with correct escaping and %.17g doubles
 * (non-finite numbers written as null). Commas are placed automatically; each
 * complete top-level value ends with a newline. pretty=0 writes one line.
 *
 *     kiln_json j; kiln_json_init(&j, stdout);
 *     kiln_json_begin_object(&j);
 *     kiln_json_key(&j, "Accuracy"); kiln_json_num(&j, 0.97);
 *     kiln_json_end_object(&j);
 */
typedef struct kiln_json {
    FILE *out;
    int depth;
    unsigned char need_comma[64];
    int after_key;
    int pretty;
} kiln_json;

void kiln_json_init(kiln_json *j, FILE *out, int pretty);
void kiln_json_begin_object(kiln_json *j);
void kiln_json_end_object(kiln_json *j);
void kiln_json_begin_array(kiln_json *j);
void kiln_json_end_array(kiln_json *j);
void kiln_json_key(kiln_json *j, const char *key);
void kiln_json_str(kiln_json *j, const char *s);
void kiln_json_num(kiln_json *j, double v);
void kiln_json_int(kiln_json *j, long long v);
void kiln_json_bool(kiln_json *j, int v);
void kiln_json_null(kiln_json *j);

#endif
