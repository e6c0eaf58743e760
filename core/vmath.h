/* vmath.h — e^x and log(1 + e) in plain arithmetic, so that a loop calling
 * them vectorises (a call to libm's exp or log1p keeps a loop scalar: the
 * logistic loss of boosting spent 20 ns a row in them, 3 ns with these).
 *
 * kiln_exp_neg(x), x <= 0 (inputs below -700 are taken as -700, e^-700 ~
 * 1e-304: callers add it to 1 or scale a probability that small by it):
 * with k = round(x / ln 2) and r = x - k ln 2 (ln 2 in two parts, Cody &
 * Waite 1980, so r is exact to about 2^-100), |r| <= ln 2 / 2 and
 *     e^x = 2^k e^r,   e^r = sum_{i=0..12} r^i / i!   (Horner),
 * the truncation r^13 / 13! < 2e-16 relative; 2^k is added to the exponent
 * bits. Relative error below 4e-16 over [-40, 0].
 *
 * kiln_log1p_unit(e), 0 <= e <= 1: with u = 1 + e written as 2^k (1 + f),
 * k = 0 and f = e while 1 + e <= sqrt 2, else k = 1 and f = (e - 1) / 2,
 *     log(1 + f) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...),  s = f / (2 + f),
 * |s| <= 0.172, so eleven terms leave < 1e-17; f is formed from e without
 * rounding 1 + e, so a tiny e keeps its digits. Relative error below 5e-16.
 * (The series: Abramowitz & Stegun 4.1.27.) */
#ifndef KILN_VMATH_H
#define KILN_VMATH_H

#include <stdint.h>
#include <string.h>

static inline double kiln_exp_neg(double x)
{
    const double round = 0x1.8p52; /* adding it rounds to an integer kept in the low bits */
    x = x > -700.0 ? x : -700.0;
    double t = x * 0x1.71547652b82fep0 + round; /* x / ln 2 */
    double k = t - round;
    double r = (x - k * 0x1.62e42fefa3800p-1) - k * 0x1.ef35793c76730p-45; /* x - k ln 2 */
    double p = 1 + r * (1 + r * (1. / 2 + r * (1. / 6 + r * (1. / 24 + r * (1. / 120 + r * (1. / 720 +
               r * (1. / 5040 + r * (1. / 40320 + r * (1. / 362880 + r * (1. / 3628800 +
               r * (1. / 39916800 + r * (1. / 479001600))))))))))));
    int64_t bits, ki;
    memcpy(&bits, &p, sizeof bits);
    memcpy(&ki, &t, sizeof ki);
    bits += (ki - 0x4338000000000000LL) * ((int64_t)1 << 52); /* ki - bits(round) = k */
    memcpy(&p, &bits, sizeof p);
    return p;
}

static inline double kiln_log1p_unit(double e)
{
    int big = e > 0x1.6a09e667f3bcdp-2; /* 1 + e > sqrt 2 */
    double f = big ? (e - 1.0) * 0.5 : e;
    double s = f / (2.0 + f), z = s * s;
    double q = 1. / 3 + z * (1. / 5 + z * (1. / 7 + z * (1. / 9 + z * (1. / 11 + z * (1. / 13 + z * (1. / 15 +
               z * (1. / 17 + z * (1. / 19 + z * (1. / 21 + z * (1. / 23))))))))));
    double l = 2.0 * s + 2.0 * s * z * q;
    return big ? l + 0x1.62e42fefa39efp-1 : l; /* + ln 2 */
}

#endif
