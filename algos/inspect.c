/* Feature and class names for the estimators' inspect views. */
#include <stdio.h>
#include "kiln/algo.h"

const char *kiln_inspect_feature(const kiln_inspect_args *a, size_t j, char *buf, size_t len)
{
    if (a->feature_names && j < a->n_features)
        return a->feature_names[j];
    snprintf(buf, len, "x%zu", j);
    return buf;
}

const char *kiln_inspect_class(const kiln_inspect_args *a, size_t c, char *buf, size_t len)
{
    if (a->class_names && c < a->n_classes)
        return a->class_names[c];
    snprintf(buf, len, "%zu", c);
    return buf;
}
