/* Buffered block reading and number parsing for the text readers (see text_impl.h).
 *
 * Numbers: the digits are gathered into a 64-bit integer m and a decimal
 * exponent k, so the value is m * 10^k. When m < 2^53 and |k| <= 22 both m and
 * 10^|k| are exact doubles and one IEEE multiplication or division rounds the
 * product correctly (Clinger, "How to read floating point numbers accurately",
 * PLDI 1990, the fast path). Every other number goes to strtod, which is also
 * correctly rounded, after the syntax has been checked here.
 */
#include "io/text_impl.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "kiln/util.h"

/* The first buffer: the whole of a small file (plus one byte, so its end is
 * seen without growing), at most one block of a large one. */
enum { READER_BLOCK = 1 << 20 };

kiln_status kiln_text_open(kiln_text_reader *rd, const char *path)
{
    memset(rd, 0, sizeof *rd);
    rd->path = path;
    rd->fp = fopen(path, "rb");
    if (!rd->fp)
        return KILN_ERROR(KILN_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int known = fstat(fileno(rd->fp), &st) == 0;
    if (known && S_ISDIR(st.st_mode)) {
        kiln_text_close(rd);
        return KILN_ERROR(KILN_EINPUT, "%s: is a directory, not a file", path);
    }
    rd->cap = READER_BLOCK;
    if (known && S_ISREG(st.st_mode) && st.st_size >= 0 && st.st_size < READER_BLOCK)
        rd->cap = (size_t)st.st_size + 1;
    rd->buf = kiln_alloc(rd->cap + 1, 1);
    if (!rd->buf) {
        kiln_text_close(rd);
        return KILN_ENOMEM;
    }
    kiln_status s = kiln_text_fill(rd);
    if (s != KILN_OK) {
        kiln_text_close(rd);
        return s;
    }
    if (rd->len >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0)
        rd->pos = 3;
    return KILN_OK;
}

kiln_status kiln_text_fill(kiln_text_reader *rd)
{
    if (rd->eof)
        return KILN_OK;
    memmove(rd->buf, rd->buf + rd->pos, rd->len - rd->pos);
    rd->len -= rd->pos;
    rd->pos = 0;
    if (rd->len == rd->cap) {
        char *b = kiln_realloc(rd->buf, 2 * rd->cap + 1, 1);
        if (!b)
            return KILN_ENOMEM;
        rd->buf = b;
        rd->cap *= 2;
    }
    size_t want = rd->cap - rd->len;
    size_t got = fread(rd->buf + rd->len, 1, want, rd->fp);
    rd->len += got;
    rd->buf[rd->len] = '\0';
    if (got < want) {
        if (ferror(rd->fp))
            return KILN_ERROR(KILN_EIO, "%s: read error: %s", rd->path, strerror(errno));
        rd->eof = 1;
    }
    return KILN_OK;
}

void kiln_text_close(kiln_text_reader *rd)
{
    if (rd->fp)
        fclose(rd->fp);
    free(rd->buf);
    rd->fp = NULL;
    rd->buf = NULL;
}

const char *kiln_trim(const char *s, size_t *n)
{
    size_t a = 0, b = *n;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    *n = b - a;
    return s + a;
}

static int is_infinity_word(const char *s, size_t n)
{
    return (n == 3 && strncasecmp(s, "inf", 3) == 0) || (n == 8 && strncasecmp(s, "infinity", 8) == 0);
}

static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

kiln_numkind kiln_parse_number(const char *s, size_t n, double *out)
{
    const char *p = s, *e = s + n;
    int neg = 0;
    if (p < e && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    if (is_infinity_word(p, (size_t)(e - p)))
        return KILN_NUM_INF;
    uint64_t m = 0; /* the first 19 significant digits          */
    int sig = 0, digits = 0;
    long k = 0;     /* m * 10^k is the value while sig <= 19    */
    for (; p < e && *p >= '0' && *p <= '9'; p++, digits++)
        if (m || *p != '0') {
            if (sig < 19)
                m = m * 10 + (uint64_t)(*p - '0');
            sig++;
        }
    if (p < e && *p == '.') {
        for (p++; p < e && *p >= '0' && *p <= '9'; p++, digits++) {
            if (m || *p != '0') {
                if (sig < 19) {
                    m = m * 10 + (uint64_t)(*p - '0');
                    k--;
                }
                sig++;
            } else {
                k--;
            }
        }
    }
    if (!digits)
        return KILN_NUM_TEXT;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < e && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p == e || *p < '0' || *p > '9')
            return KILN_NUM_TEXT;
        long x = 0;
        for (; p < e && *p >= '0' && *p <= '9'; p++)
            if (x < 100000)
                x = x * 10 + (*p - '0');
        k += eneg ? -x : x;
    }
    if (p != e)
        return KILN_NUM_TEXT;
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return KILN_NUM_OK;
    }
    if (sig <= 19 && m <= (UINT64_C(1) << 53) && k >= -22 && k <= 22) {
        double v = k < 0 ? (double)m / exact_pow10[-k] : (double)m * exact_pow10[k];
        *out = neg ? -v : v;
        return KILN_NUM_OK;
    }
    double v = strtod(s, NULL);
    if (isinf(v))
        return KILN_NUM_INF;
    *out = v;
    return KILN_NUM_OK;
}
