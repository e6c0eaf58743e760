/* io/intern_impl.h — a string dictionary that hands out codes in first-seen order.
 *
 *     kiln_intern d = {0};
 *     kiln_intern_put(&d, "red", 3, &c);           // c = 0, then 0 again for "red"
 *     char **levels = kiln_intern_release(&d, &n); // the frame takes the strings
 *     kiln_intern_free(&d);
 *
 * Open addressing with linear probing over a power-of-two table kept at most
 * half full; each slot holds a level's hash and its code.
 */
#ifndef KILN_IO_INTERN_IMPL_H
#define KILN_IO_INTERN_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include "kiln/status.h"

typedef struct kiln_intern_slot {
    uint32_t hash;
    int32_t code; /* -1: empty */
} kiln_intern_slot;

typedef struct kiln_intern {
    char **levels;
    size_t n, cap;
    kiln_intern_slot *slots;
    size_t nslots;
} kiln_intern;

/* *code = the code of s[0..len) (s[len] == '\0'), adding it when new. */
kiln_status kiln_intern_put(kiln_intern *d, const char *s, size_t len, int32_t *code);

/* The code of s, or -1. */
int32_t kiln_intern_get(const kiln_intern *d, const char *s, size_t len);

/* Hand the level strings (trimmed to n) to the caller and empty d. */
char **kiln_intern_release(kiln_intern *d, size_t *n);

void kiln_intern_free(kiln_intern *d);

#endif
