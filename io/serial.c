/* Model files and the JSON writer (see kiln/serial.h; docs/model-file.md has
 * the byte layout, the checks and the error messages).
 *
 *     "KILNMODL" | u32 format version | u32 n, n bytes of kiln version |
 *     { 4-byte tag | u64 n | n bytes of payload }* | u32 CRC32 of all before
 *
 * Integers are little-endian, floating point numbers their IEEE-754 bits.
 * The CRC is CRC-32/ISO-HDLC (IEEE 802.3, zlib's crc32): reflected polynomial
 * 0xEDB88320, initial value and final xor 0xFFFFFFFF, computed from
 * 256-entry tables (D. V. Sarwate, "Computation of cyclic redundancy checks
 * via table look-up", CACM 31(8), 1988) eight bytes at a time ("slicing by
 * 8": M. E. Kounavis and F. L. Berry, "Novel table lookup-based algorithms
 * for high-performance CRC generation", IEEE Trans. Computers 57(11), 2008):
 * table k holds the CRC of a byte followed by k zero bytes, so the eight
 * lookups of a word are independent and their xor is the word's CRC.
 */
#include "kiln/serial.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiln/util.h"

#define MAGIC "KILNMODL"
#define MAGIC_LEN 8
#define FIXED_HEADER 16  /* magic, format version, version string length */
#define SECTION_HEADER 12 /* tag, payload length */
#define CRC_LEN 4

/* ---- CRC32 ---------------------------------------------------------------- */

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (int k = 1; k < 8; k++)
        for (uint32_t i = 0; i < 256; i++)
            crc_table[k][i] = (crc_table[k - 1][i] >> 8) ^ crc_table[0][crc_table[k - 1][i] & 0xFFu];
}

static uint32_t crc_byte(uint32_t c, unsigned char b)
{
    return crc_table[0][(c ^ b) & 0xFFu] ^ (c >> 8);
}

uint32_t kiln_crc32(const void *p, size_t n)
{
    pthread_once(&crc_once, crc_table_init);
    const unsigned char *b = p;
    uint32_t c = 0xFFFFFFFFu;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32_t lo = c ^ ((uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 |
                           (uint32_t)b[i + 3] << 24);
        c = crc_table[7][lo & 0xFFu] ^ crc_table[6][(lo >> 8) & 0xFFu] ^ crc_table[5][(lo >> 16) & 0xFFu] ^
            crc_table[4][lo >> 24] ^ crc_table[3][b[i + 4]] ^ crc_table[2][b[i + 5]] ^ crc_table[1][b[i + 6]] ^
            crc_table[0][b[i + 7]];
    }
    for (; i < n; i++)
        c = crc_byte(c, b[i]);
    return c ^ 0xFFFFFFFFu;
}

/* ---- little-endian integers ---------------------------------------------- */

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- writer --------------------------------------------------------------- */

struct kiln_writer {
    unsigned char *buf;
    size_t len, cap;
    size_t section_at; /* offset of the open section's header; 0 when none is open */
    int finished;
};

/* Room for n more bytes in w->buf (it doubles, so n bytes written in many
 * pieces cost O(n) copying). */
kiln_status kiln_writer_reserve(kiln_writer *w, size_t n)
{
    if (n > w->cap - w->len) {
        size_t cap = w->cap ? w->cap : 256;
        while (n > cap - w->len) {
            if (cap > SIZE_MAX / 2)
                return KILN_NOMEM();
            cap *= 2;
        }
        unsigned char *b = kiln_realloc(w->buf, cap, 1);
        if (!b)
            return KILN_ENOMEM;
        w->buf = b;
        w->cap = cap;
    }
    return KILN_OK;
}

static kiln_status append(kiln_writer *w, const void *p, size_t n)
{
    KILN_TRY(kiln_writer_reserve(w, n));
    if (n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
    return KILN_OK;
}

static kiln_status append_le(kiln_writer *w, uint64_t v, int bytes)
{
    unsigned char b[8];
    put_le(b, v, bytes);
    return append(w, b, (size_t)bytes);
}

kiln_writer *kiln_writer_new(void)
{
    kiln_writer *w = kiln_alloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t vlen = strlen(KILN_VERSION);
    if (append(w, MAGIC, MAGIC_LEN) != KILN_OK || append_le(w, KILN_FORMAT_VERSION, 4) != KILN_OK ||
        append_le(w, vlen, 4) != KILN_OK || append(w, KILN_VERSION, vlen) != KILN_OK) {
        kiln_writer_free(w);
        return NULL;
    }
    return w;
}

void kiln_writer_free(kiln_writer *w)
{
    if (!w)
        return;
    free(w->buf);
    free(w);
}

static void close_section(kiln_writer *w)
{
    if (!w->section_at)
        return;
    put_le(w->buf + w->section_at + 4, w->len - w->section_at - SECTION_HEADER, 8);
    w->section_at = 0;
}

kiln_status kiln_writer_section(kiln_writer *w, const char tag[4])
{
    if (w->finished)
        return KILN_ERROR(KILN_EINTERNAL, "model writer: section %.4s started after finish", tag);
    close_section(w);
    size_t at = w->len;
    KILN_TRY(append(w, tag, 4));
    KILN_TRY(append_le(w, 0, 8));
    w->section_at = at;
    return KILN_OK;
}

/* Payload bytes belong to the open section. */
static kiln_status payload_open(const kiln_writer *w)
{
    if (w->finished || !w->section_at)
        return KILN_ERROR(KILN_EINTERNAL, "model writer: data written %s",
                          w->finished ? "after finish" : "before any section");
    return KILN_OK;
}

static kiln_status payload(kiln_writer *w, const void *p, size_t n)
{
    KILN_TRY(payload_open(w));
    return append(w, p, n);
}

/* Room in the open section for n values of `size` bytes, at *at. */
static kiln_status payload_room(kiln_writer *w, size_t n, size_t size, unsigned char **at)
{
    KILN_TRY(payload_open(w));
    if (n > SIZE_MAX / size)
        return KILN_NOMEM();
    KILN_TRY(kiln_writer_reserve(w, n * size));
    *at = w->buf + w->len;
    w->len += n * size;
    return KILN_OK;
}

static kiln_status payload_le(kiln_writer *w, uint64_t v, int bytes)
{
    unsigned char b[8];
    put_le(b, v, bytes);
    return payload(w, b, (size_t)bytes);
}

kiln_status kiln_w_u8(kiln_writer *w, uint8_t v) { return payload_le(w, v, 1); }
kiln_status kiln_w_u32(kiln_writer *w, uint32_t v) { return payload_le(w, v, 4); }
kiln_status kiln_w_i32(kiln_writer *w, int32_t v) { return payload_le(w, (uint32_t)v, 4); }
kiln_status kiln_w_u64(kiln_writer *w, uint64_t v) { return payload_le(w, v, 8); }
kiln_status kiln_w_bytes(kiln_writer *w, const void *p, size_t n) { return payload(w, p, n); }

kiln_status kiln_w_f64(kiln_writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return payload_le(w, bits, 8);
}

kiln_status kiln_w_str(kiln_writer *w, const char *s)
{
    size_t n = strlen(s);
    if (n > UINT32_MAX)
        return KILN_ERROR(KILN_EINPUT, "model writer: a string of %zu bytes is too long", n);
    KILN_TRY(kiln_w_u32(w, (uint32_t)n));
    return payload(w, s, n);
}

/* n host words of `size` (4 or 8) bytes from src into the open section,
 * little-endian: the room for all of them is reserved once and the words
 * stored in place (take_words' mirror; inlined with size constant). */
static inline kiln_status put_words(kiln_writer *w, const void *src, size_t n, int size)
{
    unsigned char *at = NULL;
    KILN_TRY(payload_room(w, n, (size_t)size, &at));
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++, s += size, at += size) {
        uint64_t v;
        uint32_t v32;
        if (size == 4) {
            memcpy(&v32, s, 4);
            v = v32;
        } else {
            memcpy(&v, s, 8);
        }
        put_le(at, v, size);
    }
    return KILN_OK;
}

kiln_status kiln_w_f64s(kiln_writer *w, const double *v, size_t n) { return put_words(w, v, n, 8); }
kiln_status kiln_w_f32s(kiln_writer *w, const float *v, size_t n) { return put_words(w, v, n, 4); }
kiln_status kiln_w_u32s(kiln_writer *w, const uint32_t *v, size_t n) { return put_words(w, v, n, 4); }
kiln_status kiln_w_i32s(kiln_writer *w, const int32_t *v, size_t n) { return put_words(w, v, n, 4); }

kiln_status kiln_writer_finish(kiln_writer *w, const unsigned char **bytes, size_t *len)
{
    if (!w->finished) {
        close_section(w);
        KILN_TRY(append_le(w, kiln_crc32(w->buf, w->len), 4));
        w->finished = 1;
    }
    *bytes = w->buf;
    *len = w->len;
    return KILN_OK;
}

/* Write, flush and sync `tmp`; on failure nothing is left under that name. */
static kiln_status write_synced(const char *tmp, const unsigned char *bytes, size_t len, const char *path)
{
    FILE *f = fopen(tmp, "wbx");
    if (!f) {
        int user = errno == ENOENT || errno == ENOTDIR;
        return KILN_ERROR(user ? KILN_EINPUT : KILN_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    int ok = fwrite(bytes, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    if (ok)
        return KILN_OK;
    remove(tmp);
    return KILN_ERROR(KILN_EIO, "%s: cannot write: %s", path, strerror(err));
}

kiln_status kiln_writer_commit(kiln_writer *w, const char *path)
{
    static atomic_uint counter;
    const unsigned char *bytes;
    size_t len;
    KILN_TRY(kiln_writer_finish(w, &bytes, &len));
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return KILN_ERROR(KILN_EINPUT, "%s: cannot write: it is a directory", path);
    size_t n = strlen(path) + 48;
    char *tmp = kiln_alloc(n, 1);
    if (!tmp)
        return KILN_ENOMEM;
    snprintf(tmp, n, "%s.tmp-%ld-%u", path, (long)getpid(), atomic_fetch_add(&counter, 1u));
    kiln_status s = write_synced(tmp, bytes, len, path);
    if (s == KILN_OK && rename(tmp, path) != 0) {
        s = KILN_ERROR(errno == EISDIR ? KILN_EINPUT : KILN_EIO, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return s;
}

/* ---- reader --------------------------------------------------------------- */

typedef struct section {
    char tag[4];
    size_t at, len; /* payload offset and length */
} section;

struct kiln_reader {
    unsigned char *buf;
    size_t len;
    char *name;
    char *version;
    section *sec;
    size_t nsec;
    const section *cur; /* the section being read, NULL before kiln_reader_section */
    size_t pos;
};

void kiln_reader_free(kiln_reader *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r->name);
    free(r->version);
    free(r->sec);
    free(r);
}

static kiln_status truncated(const kiln_reader *r)
{
    return KILN_ERROR(KILN_EINPUT, "%s: truncated", r->name);
}

/* Magic, format version and the version string; *body is where sections start. */
static kiln_status check_header(kiln_reader *r, size_t *body)
{
    const unsigned char *b = r->buf;
    if (r->len == 0)
        return KILN_ERROR(KILN_EINPUT, "%s: empty file, not a kiln model file", r->name);
    if (memcmp(b, MAGIC, r->len < MAGIC_LEN ? r->len : MAGIC_LEN) != 0)
        return KILN_ERROR(KILN_EINPUT, "%s: not a kiln model file", r->name);
    if (r->len < FIXED_HEADER + CRC_LEN)
        return truncated(r);
    uint32_t version = (uint32_t)get_le(b + 8, 4);
    if (version > KILN_FORMAT_VERSION)
        return KILN_ERROR(KILN_EINPUT,
                          "%s: written by model format version %u; this kiln reads version %u — upgrade kiln",
                          r->name, version, KILN_FORMAT_VERSION);
    if (version == 0)
        return KILN_ERROR(KILN_EINPUT, "%s: corrupted (format version 0)", r->name);
    uint32_t vlen = (uint32_t)get_le(b + 12, 4);
    if (vlen > r->len - FIXED_HEADER - CRC_LEN)
        return truncated(r);
    r->version = kiln_alloc((size_t)vlen + 1, 1);
    if (!r->version)
        return KILN_ENOMEM;
    memcpy(r->version, b + FIXED_HEADER, vlen);
    *body = FIXED_HEADER + vlen;
    return KILN_OK;
}

/* Walk the section headers in [pos, end). Returns 0 if a header or payload runs
 * past `end`; otherwise counts the sections (and fills `out` when given). */
static int walk_sections(const unsigned char *b, size_t pos, size_t end, section *out, size_t *count)
{
    size_t k = 0;
    while (pos < end) {
        if (end - pos < SECTION_HEADER)
            return 0;
        uint64_t n = get_le(b + pos + 4, 8);
        if (n > end - pos - SECTION_HEADER)
            return 0;
        if (out) {
            memcpy(out[k].tag, b + pos, 4);
            out[k].at = pos + SECTION_HEADER;
            out[k].len = (size_t)n;
        }
        k++;
        pos += SECTION_HEADER + (size_t)n;
    }
    *count = k;
    return 1;
}

/* Everything is checked before the first section is read: header, CRC, table. */
static kiln_status check_and_index(kiln_reader *r)
{
    size_t body = 0, count = 0;
    KILN_TRY(check_header(r, &body));
    size_t end = r->len - CRC_LEN;
    int table_ok = walk_sections(r->buf, body, end, NULL, &count);
    if ((uint32_t)get_le(r->buf + end, 4) != kiln_crc32(r->buf, end))
        return table_ok ? KILN_ERROR(KILN_EINPUT, "%s: corrupted (checksum mismatch)", r->name) : truncated(r);
    if (!table_ok)
        return KILN_ERROR(KILN_EINPUT, "%s: corrupted (bad section table)", r->name);
    r->sec = kiln_alloc(count, sizeof *r->sec);
    if (!r->sec)
        return KILN_ENOMEM;
    walk_sections(r->buf, body, end, r->sec, &r->nsec);
    return KILN_OK;
}

/* Takes ownership of buf. */
static kiln_status reader_new(unsigned char *buf, size_t len, const char *name, kiln_reader **out)
{
    kiln_reader *r = kiln_alloc(1, sizeof *r);
    if (!r) {
        free(buf);
        return KILN_ENOMEM;
    }
    r->buf = buf;
    r->len = len;
    r->name = kiln_strdup(name);
    kiln_status s = r->name ? check_and_index(r) : KILN_ENOMEM;
    if (s != KILN_OK) {
        kiln_reader_free(r);
        return s;
    }
    *out = r;
    return KILN_OK;
}

static kiln_status read_whole_file(const char *path, unsigned char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return KILN_ERROR(KILN_EINPUT, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        int err = errno;
        fclose(f);
        return KILN_ERROR(KILN_EIO, "%s: cannot read: %s", path, strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        fclose(f);
        return KILN_ERROR(KILN_EINPUT, "%s: is a directory, not a kiln model file", path);
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
    unsigned char *b = kiln_alloc(cap, 1);
    while (b && !feof(f) && !ferror(f)) {
        if (n == cap) {
            unsigned char *nb = kiln_realloc(b, cap, 2);
            if (!nb)
                free(b);
            b = nb;
            cap *= 2;
            continue;
        }
        n += fread(b + n, 1, cap - n, f);
    }
    if (!b) {
        fclose(f);
        return KILN_ENOMEM;
    }
    if (ferror(f)) {
        int err = errno;
        free(b);
        fclose(f);
        return KILN_ERROR(KILN_EIO, "%s: cannot read: %s", path, strerror(err));
    }
    fclose(f);
    *buf = b;
    *len = n;
    return KILN_OK;
}

kiln_status kiln_reader_open(const char *path, kiln_reader **out)
{
    *out = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    KILN_TRY(read_whole_file(path, &buf, &len));
    return reader_new(buf, len, path, out);
}

kiln_status kiln_reader_open_mem(const void *bytes, size_t len, const char *name, kiln_reader **out)
{
    *out = NULL;
    unsigned char *buf = kiln_alloc(len, 1);
    if (!buf)
        return KILN_ENOMEM;
    if (len)
        memcpy(buf, bytes, len);
    return reader_new(buf, len, name ? name : "<memory>", out);
}

const char *kiln_reader_writer_version(const kiln_reader *r)
{
    return r->version;
}

kiln_status kiln_reader_section(kiln_reader *r, const char tag[4])
{
    for (size_t i = 0; i < r->nsec; i++) {
        if (memcmp(r->sec[i].tag, tag, 4) == 0) {
            r->cur = &r->sec[i];
            r->pos = r->cur->at;
            return KILN_OK;
        }
    }
    return KILN_ERROR(KILN_EINPUT, "%s: no section %.4s", r->name, tag);
}

int kiln_reader_has_section(const kiln_reader *r, const char tag[4])
{
    for (size_t i = 0; i < r->nsec; i++)
        if (memcmp(r->sec[i].tag, tag, 4) == 0)
            return 1;
    return 0;
}

/* The next n items of `size` bytes of the current section. */
static kiln_status take(kiln_reader *r, size_t n, size_t size, const unsigned char **p)
{
    if (!r->cur)
        return KILN_ERROR(KILN_EINTERNAL, "%s: read before selecting a section", r->name);
    if (n > (r->cur->at + r->cur->len - r->pos) / size)
        return KILN_ERROR(KILN_EINPUT, "%s: section %.4s is truncated", r->name, r->cur->tag);
    *p = r->buf + r->pos;
    r->pos += n * size;
    return KILN_OK;
}

/* n little-endian words of `size` (4 or 8) bytes into dst as host words. */
static kiln_status take_words(kiln_reader *r, void *dst, size_t n, int size)
{
    const unsigned char *p = NULL;
    KILN_TRY(take(r, n, (size_t)size, &p));
    unsigned char *d = dst;
    for (size_t i = 0; i < n; i++, p += size, d += size) {
        uint64_t v = get_le(p, size);
        uint32_t v32 = (uint32_t)v;
        memcpy(d, size == 4 ? (const void *)&v32 : (const void *)&v, (size_t)size);
    }
    return KILN_OK;
}

kiln_status kiln_r_skip(kiln_reader *r, size_t n, size_t size)
{
    const unsigned char *p;
    return take(r, n, size, &p);
}

kiln_status kiln_r_u8(kiln_reader *r, uint8_t *v) { return kiln_r_bytes(r, v, 1); }
kiln_status kiln_r_u32(kiln_reader *r, uint32_t *v) { return take_words(r, v, 1, 4); }
kiln_status kiln_r_i32(kiln_reader *r, int32_t *v) { return take_words(r, v, 1, 4); }
kiln_status kiln_r_u64(kiln_reader *r, uint64_t *v) { return take_words(r, v, 1, 8); }
kiln_status kiln_r_f64(kiln_reader *r, double *v) { return take_words(r, v, 1, 8); }
kiln_status kiln_r_f64s(kiln_reader *r, double *v, size_t n) { return take_words(r, v, n, 8); }
kiln_status kiln_r_f32s(kiln_reader *r, float *v, size_t n) { return take_words(r, v, n, 4); }
kiln_status kiln_r_i32s(kiln_reader *r, int32_t *v, size_t n) { return take_words(r, v, n, 4); }
kiln_status kiln_r_u32s(kiln_reader *r, uint32_t *v, size_t n) { return take_words(r, v, n, 4); }

kiln_status kiln_r_str(kiln_reader *r, char **s)
{
    uint32_t n = 0;
    const unsigned char *p = NULL;
    KILN_TRY(kiln_r_u32(r, &n));
    KILN_TRY(take(r, n, 1, &p));
    *s = kiln_alloc((size_t)n + 1, 1);
    if (!*s)
        return KILN_ENOMEM;
    memcpy(*s, p, n);
    return KILN_OK;
}

kiln_status kiln_r_bytes(kiln_reader *r, void *p, size_t n)
{
    const unsigned char *src = NULL;
    KILN_TRY(take(r, n, 1, &src));
    if (n)
        memcpy(p, src, n);
    return KILN_OK;
}

kiln_status kiln_r_count(kiln_reader *r, size_t max, size_t *n)
{
    uint64_t v = 0;
    KILN_TRY(kiln_r_u64(r, &v));
    if (v > max)
        return KILN_ERROR(KILN_EINPUT, "%s: implausible count %llu in section %.4s", r->name,
                          (unsigned long long)v, r->cur->tag);
    *n = (size_t)v;
    return KILN_OK;
}

/* ---- JSON writer ---------------------------------------------------------- */

/* need_comma[d-1] says whether level d already holds a value. A level's flag
 * is only consulted while the writer is at that level, and it is always set
 * again when a child container closes, so levels past 64 share the last slot. */
static unsigned char *json_level(kiln_json *j)
{
    return &j->need_comma[(j->depth < 64 ? j->depth : 64) - 1];
}

static void json_newline(kiln_json *j)
{
    if (!j->pretty)
        return;
    fputc('\n', j->out);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->out);
}

/* Separate the value (or key) about to be written from the previous one. */
static void json_value_start(kiln_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth == 0)
        return;
    unsigned char *flag = json_level(j);
    if (*flag)
        fputc(',', j->out);
    *flag = 1;
    json_newline(j);
}

/* A complete top-level value ends its line. */
static void json_value_end(kiln_json *j)
{
    if (j->depth == 0)
        fputc('\n', j->out);
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

void kiln_json_init(kiln_json *j, FILE *out, int pretty)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->pretty = pretty;
}

static void json_begin(kiln_json *j, char open)
{
    json_value_start(j);
    fputc(open, j->out);
    j->depth++;
    *json_level(j) = 0;
}

static void json_end(kiln_json *j, char close)
{
    if (j->depth == 0)
        return;
    int had_values = *json_level(j);
    j->depth--;
    if (had_values)
        json_newline(j);
    fputc(close, j->out);
    if (j->depth > 0)
        *json_level(j) = 1;
    json_value_end(j);
}

void kiln_json_begin_object(kiln_json *j) { json_begin(j, '{'); }
void kiln_json_end_object(kiln_json *j) { json_end(j, '}'); }
void kiln_json_begin_array(kiln_json *j) { json_begin(j, '['); }
void kiln_json_end_array(kiln_json *j) { json_end(j, ']'); }

void kiln_json_key(kiln_json *j, const char *key)
{
    json_value_start(j);
    json_string(j->out, key);
    fputs(j->pretty ? ": " : ":", j->out);
    j->after_key = 1;
}

static void json_literal(kiln_json *j, const char *text)
{
    json_value_start(j);
    fputs(text, j->out);
    json_value_end(j);
}

void kiln_json_null(kiln_json *j) { json_literal(j, "null"); }
void kiln_json_bool(kiln_json *j, int v) { json_literal(j, v ? "true" : "false"); }

void kiln_json_str(kiln_json *j, const char *s)
{
    if (!s) {
        kiln_json_null(j);
        return;
    }
    json_value_start(j);
    json_string(j->out, s);
    json_value_end(j);
}

void kiln_json_int(kiln_json *j, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    json_literal(j, buf);
}

/* %.17g round-trips every double. Finite values print as JSON numbers ("3",
 * "-0", "0.10000000000000001", "1e+300"); whatever the locale, the decimal
 * point (the only locale-dependent part, possibly several bytes) becomes '.'. */
void kiln_json_num(kiln_json *j, double v)
{
    if (!isfinite(v)) {
        kiln_json_null(j);
        return;
    }
    char raw[64], buf[64];
    snprintf(raw, sizeof raw, "%.17g", v);
    size_t k = 0;
    for (const char *p = raw; *p;) {
        if (strchr("0123456789+-e", *p)) {
            buf[k++] = *p++;
            continue;
        }
        buf[k++] = '.';
        while (*p && !strchr("0123456789+-e", *p))
            p++;
    }
    buf[k] = '\0';
    json_literal(j, buf);
}
