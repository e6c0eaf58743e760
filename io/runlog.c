/* The run log: file hashes, appending lines, reading them back (see kiln/runlog.h).
 *
 * FNV-1a 64 (Fowler-Noll-Vo, http://www.isthe.com/chongo/tech/comp/fnv/):
 * h = 14695981039346656037; for each byte b: h = (h XOR b) * 1099511628211
 * mod 2^64. The JSON reader is only what the log needs: it walks one object,
 * skipping values it is not asked for.
 */
#include "kiln/runlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kiln/util.h"

kiln_status kiln_file_hash(const char *path, uint64_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return KILN_ERROR(KILN_EIO, "%s: %s", path, strerror(errno));
    uint64_t h = 14695981039346656037ull;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211ull;
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return KILN_ERROR(KILN_EIO, "%s: read error", path);
    *out = h;
    return KILN_OK;
}

kiln_status kiln_runlog_append(const char *path, const char *line)
{
    size_t len = strlen(line);
    char *buf = kiln_alloc(len + 2, 1);
    if (!buf)
        return KILN_ENOMEM;
    memcpy(buf, line, len);
    buf[len] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    kiln_status s = KILN_OK;
    if (fd < 0) {
        s = KILN_ERROR(KILN_EIO, "%s: %s", path, strerror(errno));
    } else {
        ssize_t w = write(fd, buf, len + 1);
        if (w != (ssize_t)(len + 1))
            s = KILN_ERROR(KILN_EIO, "%s: %s", path, w < 0 ? strerror(errno) : "short write");
        if (close(fd) != 0 && s == KILN_OK)
            s = KILN_ERROR(KILN_EIO, "%s: %s", path, strerror(errno));
    }
    free(buf);
    return s;
}

kiln_status kiln_runlog_read(const char *path, kiln_runlog_fn fn, void *arg)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return KILN_ERROR(errno == ENOENT ? KILN_EINPUT : KILN_EIO, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    kiln_status s = KILN_OK;
    while (s == KILN_OK && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            s = fn(arg, line, lineno);
    }
    free(line);
    fclose(f);
    return s;
}

/* ---- reading one JSON object ---------------------------------------------- */

static void skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

static size_t put_utf8(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* Parse a string at *p (on its opening quote) into out (may be NULL). 0 if
 * malformed or longer than size - 1. */
static int read_string(const char **p, char *out, size_t size)
{
    const char *s = *p + 1;
    size_t n = 0;
    int fits = 1;
    while (*s && *s != '"') {
        char tmp[4];
        size_t k = 1;
        tmp[0] = *s;
        if (*s == '\\') {
            s++;
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *e = *s ? strchr(from, *s) : NULL;
            if (e) {
                tmp[0] = to[e - from];
            } else if (*s == 'u') {
                unsigned cp = 0;
                for (int i = 1; i <= 4; i++) {
                    char c = s[i];
                    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                    if (d < 0)
                        return 0;
                    cp = cp * 16 + (unsigned)d;
                }
                s += 4;
                k = put_utf8(cp, tmp);
            } else {
                return 0;
            }
        }
        if (out && n + k < size)
            memcpy(out + n, tmp, k);
        else
            fits = 0;
        n += k;
        s++;
    }
    if (*s != '"')
        return 0;
    if (out && fits)
        out[n] = '\0';
    *p = s + 1;
    return out ? fits : 1;
}

/* Skip one value of any kind. 0 if malformed. */
static int skip_value(const char **p)
{
    skip_ws(p);
    if (**p == '"')
        return read_string(p, NULL, 0);
    if (**p == '{' || **p == '[') {
        char close = **p == '{' ? '}' : ']';
        (*p)++;
        skip_ws(p);
        if (**p == close) {
            (*p)++;
            return 1;
        }
        for (;;) {
            if (close == '}') {
                skip_ws(p);
                if (**p != '"' || !read_string(p, NULL, 0))
                    return 0;
                skip_ws(p);
                if (*(*p)++ != ':')
                    return 0;
            }
            if (!skip_value(p))
                return 0;
            skip_ws(p);
            char c = *(*p)++;
            if (c == close)
                return 1;
            if (c != ',')
                return 0;
        }
    }
    size_t n = strcspn(*p, ",}] \t\r\n");
    *p += n;
    return n > 0;
}

static int lookup(const char **p, const char *key, char *buf, size_t size)
{
    skip_ws(p);
    if (*(*p)++ != '{')
        return 0;
    skip_ws(p);
    if (**p == '}')
        return 0;
    for (;;) {
        char name[128];
        skip_ws(p);
        if (**p != '"' || !read_string(p, name, sizeof name))
            return 0;
        skip_ws(p);
        if (*(*p)++ != ':')
            return 0;
        skip_ws(p);
        size_t len = strlen(name);
        if (strcmp(name, key) == 0) {
            if (**p == '"')
                return read_string(p, buf, size);
            const char *start = *p;
            if (!skip_value(p) || (size_t)(*p - start) >= size)
                return 0;
            memcpy(buf, start, (size_t)(*p - start));
            buf[*p - start] = '\0';
            return 1;
        }
        if (strncmp(name, key, len) == 0 && key[len] == '.' && **p == '{') {
            const char *q = *p;
            if (lookup(&q, key + len + 1, buf, size))
                return 1;
        }
        if (!skip_value(p))
            return 0;
        skip_ws(p);
        char c = *(*p)++;
        if (c != ',')
            return 0;
    }
}

int kiln_json_lookup(const char *json, const char *key, char *buf, size_t size)
{
    const char *p = json;
    return size > 0 && lookup(&p, key, buf, size);
}
