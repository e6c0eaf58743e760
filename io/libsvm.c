/* libsvm / svmlight reader (see kiln/frame.h and docs/formats.md).
 *
 * One row per line: "label idx:val idx:val ... [# comment]", indices 1-based
 * and increasing. The file is read in blocks (kiln_text_reader); the entries are
 * kept sparse while reading (row starts, indices, values) because the width d
 * is only known at the end, then scattered into the dense frame: "target"
 * followed by f1..fd, absent entries 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/frame_impl.h"
#include "io/text_impl.h"
#include "kiln/util.h"

enum {
    LIBSVM_MAX_INDEX = 10000000, /* a wider dense frame is a mistake, not data */
    ROWS_FIRST = 16,             /* rows and entries of the first arrays (they double) */
    ENTRIES_FIRST = 64
};

typedef struct libsvm_parse {
    kiln_text_reader rd;
    const char *path;
    size_t line;
    size_t nrows, rows_cap;
    double *label;
    size_t *row_line;
    size_t *row_end; /* entries of row i are [row_end[i-1], row_end[i]) */
    size_t nnz, nz_cap;
    uint32_t *idx;
    double *val;
    uint32_t width;
} libsvm_parse;

static void parse_free(libsvm_parse *p)
{
    kiln_text_close(&p->rd);
    free(p->label);
    free(p->row_line);
    free(p->row_end);
    free(p->idx);
    free(p->val);
}

static int grow(void **a, size_t cap, size_t size)
{
    void *q = kiln_realloc(*a, cap, size);
    if (!q)
        return -1;
    *a = q;
    return 0;
}

static kiln_status add_row(libsvm_parse *p, double label)
{
    if (p->nrows == p->rows_cap) {
        size_t cap = p->rows_cap ? 2 * p->rows_cap : ROWS_FIRST;
        if (grow((void **)&p->label, cap, sizeof *p->label) || grow((void **)&p->row_line, cap, sizeof(size_t)) ||
            grow((void **)&p->row_end, cap, sizeof(size_t)))
            return KILN_ENOMEM;
        p->rows_cap = cap;
    }
    p->label[p->nrows] = label;
    p->row_line[p->nrows] = p->line;
    p->row_end[p->nrows] = p->nnz;
    p->nrows++;
    return KILN_OK;
}

static kiln_status add_entry(libsvm_parse *p, uint32_t idx, double val)
{
    if (p->nnz == p->nz_cap) {
        size_t cap = p->nz_cap ? 2 * p->nz_cap : ENTRIES_FIRST;
        if (grow((void **)&p->idx, cap, sizeof *p->idx) || grow((void **)&p->val, cap, sizeof *p->val))
            return KILN_ENOMEM;
        p->nz_cap = cap;
    }
    p->idx[p->nnz] = idx;
    p->val[p->nnz] = val;
    p->nnz++;
    p->row_end[p->nrows - 1] = p->nnz;
    if (idx > p->width)
        p->width = idx;
    return KILN_OK;
}

static kiln_status bad_token(const libsvm_parse *p, size_t col, const char *tok, size_t n, const char *why)
{
    return KILN_ERROR(KILN_EINPUT, "%s:%zu:%zu: %s '%.*s'", p->path, p->line, col, why, (int)(n > 32 ? 32 : n), tok);
}

/* A number token that must be finite. */
static kiln_status parse_value(const libsvm_parse *p, size_t col, const char *tok, size_t n, double *v)
{
    kiln_numkind k = kiln_parse_number(tok, n, v);
    if (k == KILN_NUM_INF)
        return bad_token(p, col, tok, n, "infinite value");
    if (k != KILN_NUM_OK)
        return bad_token(p, col, tok, n, "not a number:");
    return KILN_OK;
}

/* The feature index of "idx:" (digits only, 1..LIBSVM_MAX_INDEX). */
static kiln_status parse_index(const libsvm_parse *p, size_t col, const char *tok, size_t n, uint32_t *idx)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (tok[i] < '0' || tok[i] > '9')
            return bad_token(p, col, tok, n, "not a feature index:");
        if (x <= LIBSVM_MAX_INDEX)
            x = x * 10 + (uint64_t)(tok[i] - '0');
    }
    if (n == 0)
        return bad_token(p, col, tok, n, "missing feature index before ':' in");
    if (x == 0)
        return bad_token(p, col, tok, n, "feature indices start at 1, not");
    if (x > LIBSVM_MAX_INDEX)
        return KILN_ERROR(KILN_EINPUT, "%s:%zu:%zu: feature index above %d", p->path, p->line, col, LIBSVM_MAX_INDEX);
    *idx = (uint32_t)x;
    return KILN_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* One line s[0..n) (s[n] is readable): a row, or nothing if blank or a comment. */
static kiln_status parse_line(libsvm_parse *p, const char *s, size_t n)
{
    const char *hash = memchr(s, '#', n);
    size_t end = hash ? (size_t)(hash - s) : n;
    uint32_t last = 0;
    int first = 1;
    for (size_t i = 0; i < end;) {
        if (is_space(s[i])) {
            i++;
            continue;
        }
        size_t a = i;
        while (i < end && !is_space(s[i]))
            i++;
        const char *tok = s + a;
        size_t len = i - a, col = a + 1;
        if (first) {
            double label;
            KILN_TRY(parse_value(p, col, tok, len, &label));
            KILN_TRY(add_row(p, label));
            first = 0;
            continue;
        }
        const char *colon = memchr(tok, ':', len);
        if (!colon)
            return bad_token(p, col, tok, len, "expected idx:value, got");
        uint32_t idx = 0;
        double v = 0;
        KILN_TRY(parse_index(p, col, tok, (size_t)(colon - tok), &idx));
        if (idx <= last)
            return KILN_ERROR(KILN_EINPUT, "%s:%zu:%zu: feature index %u after %u (indices must increase)", p->path,
                              p->line, col, idx, last);
        KILN_TRY(parse_value(p, col + (size_t)(colon - tok) + 1, colon + 1, len - (size_t)(colon - tok) - 1, &v));
        KILN_TRY(add_entry(p, idx, v));
        last = idx;
    }
    return KILN_OK;
}

static kiln_status parse_file(libsvm_parse *p)
{
    for (p->line = 1;; p->line++) {
        char *s = p->rd.buf + p->rd.pos;
        char *nl = memchr(s, '\n', p->rd.len - p->rd.pos);
        while (!nl && !p->rd.eof) {
            KILN_TRY(kiln_text_fill(&p->rd));
            s = p->rd.buf + p->rd.pos;
            nl = memchr(s, '\n', p->rd.len - p->rd.pos);
        }
        size_t n = nl ? (size_t)(nl - s) : p->rd.len - p->rd.pos;
        if (memchr(s, '\0', n))
            return KILN_ERROR(KILN_EINPUT, "%s:%zu: not a text file (a NUL byte)", p->path, p->line);
        KILN_TRY(parse_line(p, s, n));
        p->rd.pos += n + (nl != NULL);
        if (!nl)
            return KILN_OK;
    }
}

static kiln_status build_frame(const libsvm_parse *p, kiln_frame **out)
{
    kiln_frame *f = kiln_frame_alloc((size_t)p->width + 1, p->path);
    if (!f)
        return KILN_ENOMEM;
    f->nrows = p->nrows;
    f->line = kiln_alloc(p->nrows, sizeof *f->line);
    if (!f->line) {
        kiln_frame_free(f);
        return KILN_ENOMEM;
    }
    memcpy(f->line, p->row_line, p->nrows * sizeof *f->line);
    for (size_t j = 0; j < f->ncols; j++) {
        kiln_column *c = &f->cols[j];
        char name[24];
        snprintf(name, sizeof name, j ? "f%zu" : "target", j);
        c->type = KILN_COL_NUMERIC;
        c->name = kiln_strdup(name);
        c->num = kiln_alloc(p->nrows, sizeof *c->num);
        if (!c->name || !c->num) {
            kiln_frame_free(f);
            return KILN_ENOMEM;
        }
    }
    for (size_t i = 0; i < p->nrows; i++) {
        f->cols[0].num[i] = p->label[i];
        for (size_t k = i ? p->row_end[i - 1] : 0; k < p->row_end[i]; k++)
            f->cols[p->idx[k]].num[i] = p->val[k];
    }
    *out = f;
    return KILN_OK;
}

kiln_status kiln_libsvm_read(const char *path, kiln_frame **out)
{
    *out = NULL;
    libsvm_parse p;
    memset(&p, 0, sizeof p);
    p.path = path;
    kiln_status s = kiln_text_open(&p.rd, path);
    if (s == KILN_OK)
        s = parse_file(&p);
    if (s == KILN_OK && p.nrows == 0)
        s = KILN_ERROR(KILN_EINPUT, "%s: no data rows", path);
    if (s == KILN_OK)
        s = build_frame(&p, out);
    parse_free(&p);
    return s;
}
