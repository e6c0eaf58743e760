/* Pieces of memory freed together (see core/arena.h). A chunk is one
 * kiln_realloc block: its first bytes link it to the previous chunk, its
 * usable part starts at the next 2 MB boundary, which kiln_realloc advises
 * for huge pages (the block is over 4 MB once the boundary's slack is in).
 * Under AddressSanitizer the unused part of a chunk is poisoned and every
 * piece is followed by a poisoned red zone, so writing past a piece is
 * reported as it would be past a malloc block. */
#include "core/arena.h"

#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include "kiln/util.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define ARENA_REDZONE ((size_t)64)
#else
#define ARENA_REDZONE ((size_t)0)
#endif

#define ARENA_PAGE ((size_t)2 << 20)       /* a transparent huge page      */
#define ARENA_FIRST ARENA_PAGE              /* the first chunk's usable size */
#define ARENA_LARGEST ((size_t)32 << 20)    /* chunks grow to this           */
#define ARENA_ALIGN ((size_t)64)

typedef struct arena_chunk {
    struct arena_chunk *prev;
    char *usable; /* the 2 MB aligned part pieces come from */
    size_t size;
} arena_chunk;

struct kiln_arena {
    arena_chunk *last; /* the newest chunk; each links to the one before  */
    char *at, *end;    /* the unused part of the newest chunk             */
    size_t next;       /* usable bytes of the next chunk                  */
};

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

kiln_arena *kiln_arena_new(void)
{
    kiln_arena *a = kiln_alloc(1, sizeof *a);
    if (a)
        a->next = ARENA_FIRST;
    return a;
}

/* A new chunk with at least `bytes` usable; 0 on success. */
static int arena_grow(kiln_arena *a, size_t bytes)
{
    size_t usable = bytes > a->next ? round_up(bytes, ARENA_PAGE) : a->next;
    if (usable > SIZE_MAX - 2 * ARENA_PAGE)
        return KILN_NOMEM(), -1;
    arena_chunk *c = kiln_realloc(NULL, usable + ARENA_PAGE + sizeof *c, 1);
    if (!c)
        return -1;
    c->prev = a->last;
    c->usable = (char *)round_up((uintptr_t)(c + 1), ARENA_PAGE);
    c->size = usable;
    ASAN_POISON_MEMORY_REGION(c->usable, usable);
    a->last = c;
    a->at = c->usable;
    a->end = a->at + usable;
    if (a->next < ARENA_LARGEST)
        a->next *= 2;
    return 0;
}

void *kiln_arena_alloc(kiln_arena *a, size_t bytes)
{
    if (bytes > SIZE_MAX - ARENA_PAGE) {
        KILN_NOMEM();
        return NULL;
    }
    size_t span = round_up((bytes ? bytes : 1) + ARENA_REDZONE, ARENA_ALIGN);
    if ((size_t)(a->end - a->at) < span && arena_grow(a, span) != 0)
        return NULL;
    void *p = a->at;
    ASAN_UNPOISON_MEMORY_REGION(p, bytes);
    a->at += span;
    return p;
}

void kiln_arena_free(kiln_arena *a)
{
    if (!a)
        return;
    for (arena_chunk *c = a->last, *prev; c; c = prev) {
        prev = c->prev;
        ASAN_UNPOISON_MEMORY_REGION(c->usable, c->size);
        free(c);
    }
    free(a);
}
