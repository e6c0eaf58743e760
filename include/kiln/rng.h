/* kiln/rng.h — a seeded random number generator with explicit state.
 *
 * xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64. No global
 * state: every random choice in kiln takes a kiln_rng argument. Independent
 * streams for parallel work are derived from (seed, index), so a result never
 * depends on which thread ran it:
 *
 *     kiln_rng r;
 *     kiln_rng_stream(&r, seed, tree_index);
 *     size_t j = kiln_rng_below(&r, n);
 */
#ifndef KILN_RNG_H
#define KILN_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct kiln_rng {
    uint64_t s[4];
} kiln_rng;

void kiln_rng_seed(kiln_rng *r, uint64_t seed);
/* The stream number `index` of `seed`: statistically independent of the others. */
void kiln_rng_stream(kiln_rng *r, uint64_t seed, uint64_t index);
uint64_t kiln_rng_next(kiln_rng *r);
/* Uniform in [0, 1), 53 bits. */
double kiln_rng_uniform(kiln_rng *r);
/* Uniform integer in [0, n), unbiased; n > 0. */
size_t kiln_rng_below(kiln_rng *r, size_t n);
/* Standard normal (Box-Muller, one value per call). */
double kiln_rng_normal(kiln_rng *r);
/* Fisher-Yates shuffle of idx[0..n). */
void kiln_rng_shuffle(kiln_rng *r, size_t *idx, size_t n);

#endif
