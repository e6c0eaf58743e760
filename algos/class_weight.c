/* class_weight: the per-class weights several estimators share (see kiln/algo.h).
 * "balanced" is scikit-learn's n_samples / (n_classes * bincount(y)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"

static kiln_status parse_pairs(const char *spec, size_t n_classes, double *w)
{
    const char *s = spec;
    while (*s) {
        char *end;
        long k = strtol(s, &end, 10);
        if (end == s || *end != ':')
            return KILN_ERROR(KILN_EINPUT, "--param class_weight=%s: expected none, balanced or class:weight,...", spec);
        s = end + 1;
        double v = strtod(s, &end);
        if (end == s || (*end != ',' && *end != '\0') || !(v > 0))
            return KILN_ERROR(KILN_EINPUT, "--param class_weight=%s: weights must be positive numbers", spec);
        if (k < 0 || (n_classes && (size_t)k >= n_classes))
            return KILN_ERROR(KILN_EINPUT, "--param class_weight=%s: class index %ld out of range", spec, k);
        if (w)
            w[k] = v;
        s = *end ? end + 1 : end;
    }
    return KILN_OK;
}

kiln_status kiln_class_weights(const char *spec, const double *y, size_t n, size_t n_classes, double *w)
{
    if (w)
        for (size_t k = 0; k < n_classes; k++)
            w[k] = 1.0;
    if (strcmp(spec, "none") == 0)
        return KILN_OK;
    if (strcmp(spec, "balanced") == 0) {
        if (!y || !w)
            return KILN_OK;
        for (size_t k = 0; k < n_classes; k++)
            w[k] = 0;
        for (size_t i = 0; i < n; i++)
            w[(size_t)y[i]] += 1;
        for (size_t k = 0; k < n_classes; k++)
            w[k] = w[k] > 0 ? (double)n / ((double)n_classes * w[k]) : 1.0;
        return KILN_OK;
    }
    return parse_pairs(spec, y ? n_classes : 0, w);
}
