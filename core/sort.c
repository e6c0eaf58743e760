/* Radix sort of doubles (see kiln/util.h).
 *
 * A double's bits, with the sign bit flipped for positives and every bit
 * flipped for negatives, read as an unsigned integer, order as the doubles do
 * (Herf 2001, "Radix tricks"). Keys are then sorted by LSD radix sort on 16-bit
 * digits (8-bit below 65536 keys, where a 65536-entry count table would cost
 * more than the keys), skipping the digits that are the same for every key
 * (one pass finds the bits where keys differ): O(n) per pass, at most four
 * passes (eight with 8-bit digits), stable. */
#include "kiln/util.h"

#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 16
#define RADIX (1u << RADIX_BITS)

kiln_status kiln_radix_init(kiln_radix *b, size_t n, int with_rows)
{
    size_t m = n ? n : 1;
    *b = (kiln_radix){kiln_alloc(m, sizeof *b->key), kiln_alloc(m, sizeof *b->key2), NULL, NULL,
                      kiln_alloc(n < RADIX ? 256 : RADIX, sizeof *b->count)};
    if (with_rows) {
        b->row = kiln_alloc(m, sizeof *b->row);
        b->row2 = kiln_alloc(m, sizeof *b->row2);
    }
    if (!b->key || !b->key2 || !b->count || (with_rows && (!b->row || !b->row2))) {
        kiln_radix_free(b);
        return KILN_ENOMEM;
    }
    return KILN_OK;
}

void kiln_radix_free(kiln_radix *b)
{
    free(b->key);
    free(b->key2);
    free(b->row);
    free(b->row2);
    free(b->count);
    *b = (kiln_radix){0};
}

void kiln_radix_sort(kiln_radix *b, size_t n)
{
    unsigned bits = n < RADIX ? 8 : RADIX_BITS;
    uint64_t mask = (UINT64_C(1) << bits) - 1, differ = 0; /* the bits where some keys differ */
    for (size_t i = 1; i < n; i++)
        differ |= b->key[i] ^ b->key[0];
    for (unsigned shift = 0; shift < 64; shift += bits) {
        if (((differ >> shift) & mask) == 0)
            continue;
        memset(b->count, 0, ((size_t)mask + 1) * sizeof *b->count);
        for (size_t i = 0; i < n; i++)
            b->count[(b->key[i] >> shift) & mask]++;
        uint32_t sum = 0;
        for (size_t d = 0; d <= mask; d++) {
            uint32_t c = b->count[d];
            b->count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t to = b->count[(b->key[i] >> shift) & mask]++;
            b->key2[to] = b->key[i];
            if (b->row)
                b->row2[to] = b->row[i];
        }
        uint64_t *tk = b->key;
        b->key = b->key2;
        b->key2 = tk;
        uint32_t *tr = b->row;
        b->row = b->row2;
        b->row2 = tr;
    }
}
