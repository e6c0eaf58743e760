/* The typed data frame (see kiln/frame.h): freeing, lookup and row selection. */
#include "io/frame_impl.h"

#include <stdlib.h>
#include <string.h>
#include "kiln/util.h"

kiln_frame *kiln_frame_alloc(size_t ncols, const char *source)
{
    kiln_frame *f = kiln_alloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->ncols = ncols;
    f->cols = kiln_alloc(ncols, sizeof *f->cols);
    f->source = kiln_strdup(source);
    if (!f->cols || !f->source) {
        kiln_frame_free(f);
        return NULL;
    }
    return f;
}

static void column_free(kiln_column *c)
{
    free(c->name);
    free(c->num);
    free(c->code);
    kiln_free_strings(c->levels, c->nlevels);
}

void kiln_frame_free(kiln_frame *f)
{
    if (!f)
        return;
    if (f->cols)
        for (size_t j = 0; j < f->ncols; j++)
            column_free(&f->cols[j]);
    free(f->cols);
    free(f->line);
    free(f->source);
    free(f);
}

int kiln_frame_find(const kiln_frame *f, const char *name)
{
    for (size_t j = 0; j < f->ncols; j++)
        if (strcmp(f->cols[j].name, name) == 0)
            return (int)j;
    return -1;
}

int32_t kiln_column_level(const kiln_column *c, const char *level)
{
    for (size_t i = 0; i < c->nlevels; i++)
        if (strcmp(c->levels[i], level) == 0)
            return (int32_t)i;
    return -1;
}

/* dst gets src's name, type and dictionary, and the rows idx[0..n). */
static kiln_status column_take_rows(const kiln_column *src, const size_t *idx, size_t n, kiln_column *dst)
{
    dst->type = src->type;
    dst->name = kiln_strdup(src->name);
    if (!dst->name)
        return KILN_ENOMEM;
    if (src->type == KILN_COL_NUMERIC) {
        if (!(dst->num = kiln_alloc(n, sizeof *dst->num)))
            return KILN_ENOMEM;
        for (size_t i = 0; i < n; i++)
            dst->num[i] = src->num[idx[i]];
        return KILN_OK;
    }
    dst->code = kiln_alloc(n, sizeof *dst->code);
    dst->levels = kiln_alloc(src->nlevels, sizeof *dst->levels);
    if (!dst->code || !dst->levels)
        return KILN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        dst->code[i] = src->code[idx[i]];
    for (; dst->nlevels < src->nlevels; dst->nlevels++)
        if (!(dst->levels[dst->nlevels] = kiln_strdup(src->levels[dst->nlevels])))
            return KILN_ENOMEM;
    return KILN_OK;
}

kiln_status kiln_frame_take_rows(const kiln_frame *f, const size_t *idx, size_t n, kiln_frame **out)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= f->nrows)
            return KILN_ERROR(KILN_EINTERNAL, "take_rows: row %zu of a frame with %zu rows", idx[i], f->nrows);
    kiln_frame *t = kiln_frame_alloc(f->ncols, f->source);
    if (!t)
        return KILN_ENOMEM;
    t->nrows = n;
    t->line = kiln_alloc(n, sizeof *t->line);
    if (!t->line) {
        kiln_frame_free(t);
        return KILN_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        t->line[i] = f->line[idx[i]];
    for (size_t j = 0; j < f->ncols; j++) {
        kiln_status s = column_take_rows(&f->cols[j], idx, n, &t->cols[j]);
        if (s != KILN_OK) {
            kiln_frame_free(t);
            return s;
        }
    }
    *out = t;
    return KILN_OK;
}
