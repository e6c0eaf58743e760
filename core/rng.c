/* xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2018), seeded through splitmix64 as its authors recommend.
 * Streams: the state of stream i of seed s is splitmix64 seeded with
 * s ^ (golden * (i + 1)) mixed once more, so nearby (seed, index) pairs give
 * unrelated states. */
#include "kiln/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void kiln_rng_seed(kiln_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

void kiln_rng_stream(kiln_rng *r, uint64_t seed, uint64_t index)
{
    uint64_t x = seed ^ (0xd1b54a32d192ed03ULL * (index + 1));
    kiln_rng_seed(r, splitmix64(&x));
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t kiln_rng_next(kiln_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double kiln_rng_uniform(kiln_rng *r)
{
    return (double)(kiln_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Lemire's nearly-divisionless bounded integers (Lemire 2019), with
 * rejection for exactness: a draw whose low word l is below the threshold
 * 2^64 mod n is redrawn. That threshold is below n, so a draw with l >= n
 * is kept without dividing to find it (all but about n / 2^64 of them). */
size_t kiln_rng_below(kiln_rng *r, size_t n)
{
    uint64_t bound = (uint64_t)n;
    __uint128_t m = (__uint128_t)kiln_rng_next(r) * bound;
    if ((uint64_t)m < bound) {
        uint64_t threshold = -bound % bound;
        while ((uint64_t)m < threshold)
            m = (__uint128_t)kiln_rng_next(r) * bound;
    }
    return (size_t)(m >> 64);
}

double kiln_rng_normal(kiln_rng *r)
{
    double u1 = 1.0 - kiln_rng_uniform(r); /* (0, 1] */
    double u2 = kiln_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void kiln_rng_shuffle(kiln_rng *r, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = kiln_rng_below(r, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
