/* String interning for categorical levels and header names (see intern_impl.h).
 * Hash: FNV-1a, 32 bits (Fowler, Noll, Vo). */
#include "io/intern_impl.h"

#include <stdlib.h>
#include <string.h>
#include "kiln/status.h"
#include "kiln/util.h"

static uint32_t fnv1a(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The slot holding s, or the empty slot where it would go. */
static kiln_intern_slot *find_slot(const kiln_intern *d, const char *s, uint32_t h)
{
    size_t mask = d->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        kiln_intern_slot *sl = &d->slots[i];
        if (sl->code < 0 || (sl->hash == h && strcmp(d->levels[sl->code], s) == 0))
            return sl;
    }
}

static int grow_table(kiln_intern *d)
{
    size_t ns = d->nslots ? 2 * d->nslots : 64;
    kiln_intern_slot *slots = kiln_alloc(ns, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < ns; i++)
        slots[i].code = -1;
    kiln_intern_slot *old = d->slots;
    size_t nold = d->nslots;
    d->slots = slots;
    d->nslots = ns;
    for (size_t i = 0; i < nold; i++)
        if (old[i].code >= 0)
            *find_slot(d, d->levels[old[i].code], old[i].hash) = old[i];
    free(old);
    return 0;
}

int32_t kiln_intern_get(const kiln_intern *d, const char *s, size_t len)
{
    if (!d->nslots)
        return -1;
    return find_slot(d, s, fnv1a(s, len))->code;
}

kiln_status kiln_intern_put(kiln_intern *d, const char *s, size_t len, int32_t *code)
{
    if (2 * (d->n + 1) > d->nslots && grow_table(d) < 0)
        return KILN_ENOMEM;
    uint32_t h = fnv1a(s, len);
    kiln_intern_slot *sl = find_slot(d, s, h);
    if (sl->code < 0) {
        if (d->n >= INT32_MAX)
            return KILN_ERROR(KILN_EINPUT, "more than %d distinct values in a column", INT32_MAX);
        if (d->n == d->cap) {
            size_t cap = d->cap ? 2 * d->cap : 16;
            char **lv = kiln_realloc(d->levels, cap, sizeof *lv);
            if (!lv)
                return KILN_ENOMEM;
            d->levels = lv;
            d->cap = cap;
        }
        char *copy = kiln_alloc(len + 1, 1);
        if (!copy)
            return KILN_ENOMEM;
        memcpy(copy, s, len + 1);
        d->levels[d->n] = copy;
        sl->hash = h;
        sl->code = (int32_t)d->n++;
    }
    *code = sl->code;
    return KILN_OK;
}

char **kiln_intern_release(kiln_intern *d, size_t *n)
{
    char **lv = d->levels;
    *n = d->n;
    if (d->n && d->n < d->cap) {
        char **t = realloc(lv, d->n * sizeof *lv);
        if (t)
            lv = t;
    }
    free(d->slots);
    memset(d, 0, sizeof *d);
    return lv;
}

void kiln_intern_free(kiln_intern *d)
{
    kiln_free_strings(d->levels, d->n);
    free(d->slots);
    memset(d, 0, sizeof *d);
}
