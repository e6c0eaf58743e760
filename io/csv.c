/* CSV reader (see kiln/frame.h and docs/formats.md for the rules a user sees).
 *
 * The file is read in blocks of up to 1 MiB (kiln_text_reader). A record is tokenized from
 * the block into `rec`, each field unquoted and NUL-terminated; when a record
 * runs past the block the block is refilled and the record tokenized again,
 * so nothing is committed until a record is whole. Each field goes straight
 * into its column:
 *
 *   numeric so far   a double per row (NaN for missing);
 *   text seen        a code per row into a dictionary of the exact field texts
 *                    (io/intern.c), the doubles dropped;
 *   forced           codes from the first row.
 *
 * A column that turns to text after holding numbers has lost those numbers'
 * exact text ("007" was read as 7), so when it ends up categorical its codes
 * are rebuilt by a second pass over the file that touches only such columns.
 * Columns grow geometrically and are trimmed to the row count at the end, so
 * the peak memory is the parsed columns plus one block.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/frame_impl.h"
#include "io/intern_impl.h"
#include "io/text_impl.h"
#include "kiln/util.h"

enum {
    TYPO_MIN_NUMBERS = 10, /* a typo needs at least this many numbers around it */
    TYPO_PERCENT = 90,     /* ... and more than this share of numbers          */
    TOKEN_SHOWN = 32,      /* bytes of a token quoted in an error message      */
    ROWS_FIRST = 16        /* rows of the first column arrays (they double)    */
};

typedef enum col_state {
    COL_NUMERIC, /* every non-missing token so far is a number */
    COL_TEXT,    /* a text token was seen: codes from here on */
    COL_FORCED,  /* categorical by request (or being rebuilt): codes from row 0 */
    COL_SKIP     /* not touched in this pass */
} col_state;

typedef struct csv_column {
    char *name;
    col_state state;
    double *num;
    int32_t *code;
    kiln_intern dict;
    size_t n_num, n_text;       /* numbers and text tokens seen          */
    size_t num_before_text;     /* numbers seen before the first text    */
    size_t text_line;           /* where the first text token was        */
    char text_tok[TOKEN_SHOWN + 4];
} csv_column;

typedef enum tok_result { TOK_RECORD, TOK_MORE, TOK_END } tok_result;

enum { BYTE_PLAIN = 0, BYTE_STOP = 1, BYTE_BAD = 2 };

typedef struct csv_parse {
    const char *path;
    kiln_text_reader rd;
    char delim;
    unsigned char stop_unquoted[256], stop_quoted[256];
    char *rec;       /* the current record's fields, each NUL-terminated */
    size_t rec_cap;
    size_t *fend;    /* offset of each field's NUL in rec               */
    size_t *fline;   /* the line each field starts on                   */
    size_t nf, f_cap;
    size_t line;      /* line where the current record starts           */
    size_t next_line; /* line after it                                  */
    size_t ncols;
    csv_column *cols;
    size_t nrows, cap;
    size_t *row_line;
} csv_parse;

static void parse_free(csv_parse *p)
{
    kiln_text_close(&p->rd);
    free(p->rec);
    free(p->fend);
    free(p->fline);
    if (p->cols)
        for (size_t j = 0; j < p->ncols; j++) {
            free(p->cols[j].name);
            free(p->cols[j].num);
            free(p->cols[j].code);
            kiln_intern_free(&p->cols[j].dict);
        }
    free(p->cols);
    free(p->row_line);
}

/* ---- tokenizing ------------------------------------------------------- */

static void set_byte_classes(csv_parse *p)
{
    for (int b = 0; b < 256; b++) {
        int bad = b < 0x20 && b != '\t' && b != '\n' && b != '\v' && b != '\f' && b != '\r';
        p->stop_unquoted[b] = p->stop_quoted[b] = bad ? BYTE_BAD : BYTE_PLAIN;
    }
    p->stop_unquoted[(unsigned char)p->delim] = BYTE_STOP;
    p->stop_unquoted['\n'] = p->stop_unquoted['\r'] = BYTE_STOP;
    p->stop_quoted['"'] = p->stop_quoted['\n'] = BYTE_STOP;
}

/* The delimiter among , ; \t | that occurs most often outside quotes in the
 * first line of s[0..n); ties go to the earlier one; none gives ','. */
static char sniff_delimiter(const char *s, size_t n)
{
    static const char cand[4] = {',', ';', '\t', '|'};
    size_t count[4] = {0};
    int quoted = 0;
    for (size_t i = 0; i < n && (quoted || s[i] != '\n'); i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            for (int k = 0; k < 4; k++)
                count[k] += s[i] == cand[k];
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (count[k] > count[best])
            best = k;
    return cand[best];
}

static kiln_status not_text(const csv_parse *p, size_t line, size_t col, unsigned char b)
{
    return KILN_ERROR(KILN_EINPUT, "%s:%zu:%zu: not a text file (control byte 0x%02x)", p->path, line, col, b);
}

static kiln_status reserve_record(csv_parse *p, size_t bytes)
{
    if (bytes > p->rec_cap) {
        char *r = kiln_realloc(p->rec, bytes, 1);
        if (!r)
            return KILN_ENOMEM;
        p->rec = r;
        p->rec_cap = bytes;
    }
    return KILN_OK;
}

static kiln_status reserve_fields(csv_parse *p, size_t n)
{
    if (n > p->f_cap) {
        size_t cap = p->f_cap ? 2 * p->f_cap : 64;
        size_t *fe = kiln_realloc(p->fend, cap, sizeof *fe);
        if (!fe)
            return KILN_ENOMEM;
        p->fend = fe;
        size_t *fl = kiln_realloc(p->fline, cap, sizeof *fl);
        if (!fl)
            return KILN_ENOMEM;
        p->fline = fl;
        p->f_cap = cap;
    }
    return KILN_OK;
}

/* Tokenize one record from the block into rec/fend/fline. TOK_MORE: the block
 * ends inside the record (nothing committed); TOK_END: no record is left.
 * Empty lines are skipped. A quote inside an unquoted field, or after a
 * closing quote, is literal text. */
static kiln_status tokenize(csv_parse *p, tok_result *res)
{
    const unsigned char *s = (const unsigned char *)p->rd.buf + p->rd.pos;
    const unsigned char *e = (const unsigned char *)p->rd.buf + p->rd.len;
    int eof = p->rd.eof;
    size_t line = p->next_line;
    while (s < e && (*s == '\n' || (*s == '\r' && s + 1 < e && s[1] == '\n'))) {
        s += *s == '\r' ? 2 : 1;
        line++;
    }
    *res = TOK_MORE;
    if (s == e) {
        if (eof)
            *res = TOK_END;
        return KILN_OK;
    }
    /* Each input byte gives at most one output byte, plus the last NUL. */
    KILN_TRY(reserve_record(p, (size_t)(e - s) + 1));
    size_t start = line, nf = 0;
    char *o = p->rec;
    for (;;) {
        KILN_TRY(reserve_fields(p, nf + 1));
        p->fline[nf] = line;
        if (s < e && *s == '"') {
            size_t opened = line;
            for (s++;;) {
                while (s < e && !p->stop_quoted[*s])
                    *o++ = (char)*s++;
                if (s == e) {
                    if (!eof)
                        return KILN_OK;
                    return KILN_ERROR(KILN_EINPUT, "%s:%zu:%zu: unterminated quoted field (its quote opens here)",
                                      p->path, opened, nf + 1);
                }
                if (p->stop_quoted[*s] == BYTE_BAD)
                    return not_text(p, line, nf + 1, *s);
                if (*s == '\n') {
                    line++;
                    *o++ = (char)*s++;
                    continue;
                }
                if (s + 1 == e && !eof)
                    return KILN_OK;
                if (s + 1 < e && s[1] == '"') {
                    *o++ = '"';
                    s += 2;
                    continue;
                }
                s++;
                break;
            }
        }
        for (;;) {
            while (s < e && !p->stop_unquoted[*s])
                *o++ = (char)*s++;
            if (s == e || *s != '\r')
                break;
            if (s + 1 == e && !eof)
                return KILN_OK;
            if (s + 1 < e && s[1] == '\n')
                break;
            *o++ = (char)*s++; /* a lone CR is text */
        }
        if (s < e && p->stop_unquoted[*s] == BYTE_BAD)
            return not_text(p, line, nf + 1, *s);
        *o++ = '\0';
        p->fend[nf++] = (size_t)(o - p->rec) - 1;
        if (s < e && *s == (unsigned char)p->delim) {
            s++;
            continue;
        }
        if (s == e && !eof)
            return KILN_OK;
        if (s < e) {
            s += *s == '\r' ? 2 : 1;
            line++;
        }
        break;
    }
    p->rd.pos = (size_t)((const char *)s - p->rd.buf);
    p->nf = nf;
    p->line = start;
    p->next_line = line;
    *res = TOK_RECORD;
    return KILN_OK;
}

/* The next record; *got = 0 at the end of the file. */
static kiln_status next_record(csv_parse *p, int *got)
{
    for (;;) {
        tok_result r;
        KILN_TRY(tokenize(p, &r));
        if (r != TOK_MORE) {
            *got = r == TOK_RECORD;
            return KILN_OK;
        }
        KILN_TRY(kiln_text_fill(&p->rd));
    }
}

static const char *field(const csv_parse *p, size_t j, size_t *len)
{
    size_t start = j ? p->fend[j - 1] + 1 : 0;
    *len = p->fend[j] - start;
    return p->rec + start;
}

/* ---- the header ------------------------------------------------------- */

static kiln_status open_file(csv_parse *p, const kiln_csv_options *opt)
{
    KILN_TRY(kiln_text_open(&p->rd, p->path));
    if (!p->delim)
        p->delim = opt && opt->delimiter ? opt->delimiter
                                         : sniff_delimiter(p->rd.buf + p->rd.pos, p->rd.len - p->rd.pos);
    set_byte_classes(p);
    p->next_line = 1;
    int got;
    KILN_TRY(next_record(p, &got));
    if (!got)
        return KILN_ERROR(KILN_EINPUT, "%s: empty file (a header row is required)", p->path);
    return KILN_OK;
}

static kiln_status read_header(csv_parse *p, const kiln_csv_options *opt)
{
    kiln_intern names = {0};
    kiln_status s = KILN_OK;
    for (size_t j = 0; j < p->nf && s == KILN_OK; j++) {
        size_t len, tl;
        const char *name = field(p, j, &len);
        tl = len;
        kiln_trim(name, &tl);
        int32_t code;
        if (tl == 0)
            s = KILN_ERROR(KILN_EINPUT, "%s:%zu:%zu: empty column name in the header", p->path, p->fline[j], j + 1);
        else if ((s = kiln_intern_put(&names, name, len, &code)) == KILN_OK && (size_t)code != j)
            s = KILN_ERROR(KILN_EINPUT, "%s:%zu:%zu: duplicate column name '%s' (also column %d)", p->path,
                           p->fline[j], j + 1, name, code + 1);
    }
    for (const char *const *c = opt ? opt->categorical : NULL; c && *c && s == KILN_OK; c++)
        if (kiln_intern_get(&names, *c, strlen(*c)) < 0)
            s = KILN_ERROR(KILN_EINPUT, "%s: no column named '%s' (asked to read it as categorical)", p->path, *c);
    if (s == KILN_OK && !(p->cols = kiln_alloc(p->nf, sizeof *p->cols)))
        s = KILN_ENOMEM;
    if (s != KILN_OK) {
        kiln_intern_free(&names);
        return s;
    }
    p->ncols = p->nf;
    char **nm = kiln_intern_release(&names, &p->ncols);
    for (size_t j = 0; j < p->ncols; j++)
        p->cols[j].name = nm[j];
    free(nm);
    for (const char *const *c = opt ? opt->categorical : NULL; c && *c; c++)
        for (size_t j = 0; j < p->ncols; j++)
            if (strcmp(p->cols[j].name, *c) == 0)
                p->cols[j].state = COL_FORCED;
    return KILN_OK;
}

/* ---- data rows -------------------------------------------------------- */

static int is_missing(const char *t, size_t n)
{
    switch (n) {
    case 0:
        return 1;
    case 1:
        return t[0] == '?';
    case 2:
        return memcmp(t, "NA", 2) == 0;
    case 3:
        return !memcmp(t, "N/A", 3) || !memcmp(t, "NaN", 3) || !memcmp(t, "nan", 3);
    case 4:
        return !memcmp(t, "null", 4) || !memcmp(t, "NULL", 4) || !memcmp(t, "None", 4);
    default:
        return 0;
    }
}

/* Quote at most TOKEN_SHOWN bytes of a token, marking a cut with "...". */
static void shown_token(char *dst, const char *tok, size_t len)
{
    size_t n = len > TOKEN_SHOWN ? TOKEN_SHOWN : len;
    memcpy(dst, tok, n);
    strcpy(dst + n, len > n ? "..." : "");
}

static kiln_status grow_rows(csv_parse *p)
{
    size_t cap = p->cap ? 2 * p->cap : ROWS_FIRST;
    size_t *ln = kiln_realloc(p->row_line, cap, sizeof *ln);
    if (!ln)
        return KILN_ENOMEM;
    p->row_line = ln;
    for (size_t j = 0; j < p->ncols; j++) {
        csv_column *c = &p->cols[j];
        if (c->state == COL_NUMERIC) {
            double *v = kiln_realloc(c->num, cap, sizeof *v);
            if (!v)
                return KILN_ENOMEM;
            c->num = v;
        } else if (c->state != COL_SKIP) {
            int32_t *k = kiln_realloc(c->code, cap, sizeof *k);
            if (!k)
                return KILN_ENOMEM;
            c->code = k;
        }
    }
    p->cap = cap;
    return KILN_OK;
}

/* The first text token of a numeric-so-far column: from here on it holds codes. */
static kiln_status start_text(csv_parse *p, csv_column *c, size_t j, const char *tok, size_t len)
{
    int32_t *code = kiln_alloc(p->cap, sizeof *code);
    if (!code)
        return KILN_ENOMEM;
    for (size_t i = 0; i < p->nrows; i++)
        code[i] = -1; /* rebuilt by the second pass if numbers were among them */
    free(c->num);
    c->num = NULL;
    c->code = code;
    c->state = COL_TEXT;
    c->num_before_text = c->n_num;
    c->text_line = p->fline[j];
    shown_token(c->text_tok, tok, len);
    return KILN_OK;
}

static kiln_status put_token(csv_parse *p, size_t j)
{
    csv_column *c = &p->cols[j];
    size_t row = p->nrows, len, tl;
    const char *tok = field(p, j, &len);
    tl = len;
    const char *t = kiln_trim(tok, &tl);
    int missing = is_missing(t, tl);
    if (c->state != COL_FORCED && !missing) {
        double v = 0;
        kiln_numkind k = kiln_parse_number(t, tl, &v);
        if (k == KILN_NUM_INF) {
            char shown[TOKEN_SHOWN + 4];
            shown_token(shown, t, tl);
            return KILN_ERROR(KILN_EINPUT, "%s:%zu:%zu: infinite value '%s' in column '%s'", p->path, p->fline[j],
                              j + 1, shown, c->name);
        }
        if (k == KILN_NUM_OK) {
            c->n_num++;
        } else {
            if (c->state == COL_NUMERIC)
                KILN_TRY(start_text(p, c, j, tok, len));
            c->n_text++;
        }
        if (c->state == COL_NUMERIC) {
            c->num[row] = v;
            return KILN_OK;
        }
    }
    if (c->state == COL_NUMERIC)
        c->num[row] = NAN;
    else
        c->code[row] = -1;
    if (!missing)
        return kiln_intern_put(&c->dict, tok, len, &c->code[row]);
    return KILN_OK;
}

/* Read every data row into the columns that are not skipped. */
static kiln_status read_rows(csv_parse *p)
{
    p->nrows = 0;
    for (;;) {
        int got;
        KILN_TRY(next_record(p, &got));
        if (!got)
            return KILN_OK;
        if (p->nf != p->ncols)
            return KILN_ERROR(KILN_EINPUT, "%s:%zu: expected %zu fields (as in the header), got %zu", p->path,
                              p->line, p->ncols, p->nf);
        if (p->nrows == p->cap)
            KILN_TRY(grow_rows(p));
        p->row_line[p->nrows] = p->line;
        for (size_t j = 0; j < p->ncols; j++)
            if (p->cols[j].state != COL_SKIP)
                KILN_TRY(put_token(p, j));
        p->nrows++;
    }
}

/* ---- deciding the types ----------------------------------------------- */

static int is_typo_column(const csv_column *c)
{
    size_t n = c->n_num + c->n_text;
    return c->state == COL_TEXT && c->n_num >= TYPO_MIN_NUMBERS && c->n_num * 100 > TYPO_PERCENT * n;
}

/* Text in a column that is almost all numbers is taken for a typo; the error
 * names the earliest one in the file. */
static kiln_status check_typos(const csv_parse *p)
{
    const csv_column *worst = NULL;
    size_t wj = 0;
    for (size_t j = 0; j < p->ncols; j++)
        if (is_typo_column(&p->cols[j]) && (!worst || p->cols[j].text_line < worst->text_line)) {
            worst = &p->cols[j];
            wj = j;
        }
    if (!worst)
        return KILN_OK;
    return KILN_ERROR(KILN_EINPUT,
                      "%s:%zu:%zu: '%s' is not a number, but %zu of the %zu values in column '%s' are "
                      "(fix it, write it as NA, or read the column as categorical)",
                      p->path, worst->text_line, wj + 1, worst->text_tok, worst->n_num,
                      worst->n_num + worst->n_text, worst->name);
}

/* Columns that held numbers before their first text are read again, from
 * scratch, so that every level is its exact text in first-seen order. The
 * other columns are skipped: whether a column is numeric is now told by which
 * of num and code it holds. */
static kiln_status rebuild_mixed_columns(csv_parse *p, const kiln_csv_options *opt)
{
    int any = 0;
    for (size_t j = 0; j < p->ncols; j++) {
        csv_column *c = &p->cols[j];
        if (c->state == COL_TEXT && c->num_before_text) {
            kiln_intern_free(&c->dict);
            c->state = COL_FORCED;
            any = 1;
        } else {
            c->state = COL_SKIP;
        }
    }
    if (!any)
        return KILN_OK;
    size_t nrows = p->nrows;
    kiln_text_close(&p->rd);
    KILN_TRY(open_file(p, opt));
    KILN_TRY(read_rows(p));
    if (p->nrows != nrows)
        return KILN_ERROR(KILN_EINPUT, "%s: the file changed while it was read", p->path);
    return KILN_OK;
}

/* ---- the frame -------------------------------------------------------- */

/* p trimmed to n elements (kept as it is if the system declines). */
static void *shrink(void *p, size_t n, size_t size)
{
    void *q = realloc(p, n * size);
    return q ? q : p;
}

static kiln_status build_frame(csv_parse *p, kiln_frame **out)
{
    kiln_frame *f = kiln_frame_alloc(p->ncols, p->path);
    if (!f)
        return KILN_ENOMEM;
    f->nrows = p->nrows;
    f->line = shrink(p->row_line, p->nrows, sizeof *f->line);
    p->row_line = NULL;
    for (size_t j = 0; j < p->ncols; j++) {
        csv_column *c = &p->cols[j];
        kiln_column *d = &f->cols[j];
        d->name = c->name;
        c->name = NULL;
        if (c->code) {
            d->type = KILN_COL_CATEGORICAL;
            d->code = shrink(c->code, p->nrows, sizeof *d->code);
            d->levels = kiln_intern_release(&c->dict, &d->nlevels);
            c->code = NULL;
        } else {
            d->type = KILN_COL_NUMERIC;
            d->num = shrink(c->num, p->nrows, sizeof *d->num);
            c->num = NULL;
        }
    }
    *out = f;
    return KILN_OK;
}

kiln_status kiln_csv_read(const char *path, const kiln_csv_options *opt, kiln_frame **out)
{
    *out = NULL;
    char d = opt ? opt->delimiter : 0;
    if (d == '"' || d == '\n' || d == '\r')
        return KILN_ERROR(KILN_EINPUT, "%s: a quote or a line break cannot be the delimiter", path);
    csv_parse p;
    memset(&p, 0, sizeof p);
    p.path = path;
    kiln_status s = open_file(&p, opt);
    if (s == KILN_OK)
        s = read_header(&p, opt);
    if (s == KILN_OK)
        s = read_rows(&p);
    if (s == KILN_OK && p.nrows == 0)
        s = KILN_ERROR(KILN_EINPUT, "%s: no data rows after the header", path);
    if (s == KILN_OK)
        s = check_typos(&p);
    if (s == KILN_OK)
        s = rebuild_mixed_columns(&p, opt);
    if (s == KILN_OK)
        s = build_frame(&p, out);
    parse_free(&p);
    return s;
}
