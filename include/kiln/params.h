/* kiln/params.h — estimator hyperparameters, described by one table per estimator.
 *
 * The table (kiln_param_spec[], ended by a {NULL} row) is the single source of
 * truth for `kiln models`, for parsing `--param k=v`, for validation, for the
 * default search space of `kiln tune` and for the docs. A kiln_params holds one
 * value per table row, as a number and as the text it was given; it owns no
 * pointers, so it copies, prints and serialises trivially.
 *
 *     kiln_params p;
 *     kiln_params_defaults(&p, algo->params);
 *     if (kiln_params_set(&p, "C=0.5") != KILN_OK) ...;  // message names the flag
 *     double C = kiln_params_num(&p, "C");
 */
#ifndef KILN_PARAMS_H
#define KILN_PARAMS_H

#include <stddef.h>
#include "kiln/status.h"

typedef enum kiln_param_type {
    KILN_PARAM_INT = 0,    /* whole number in [min, max]                       */
    KILN_PARAM_REAL = 1,   /* real number in [min, max] (exclusive if flagged)  */
    KILN_PARAM_CHOICE = 2, /* one of the '|'-separated words in `choices`       */
    KILN_PARAM_BOOL = 3,   /* true|false                                       */
    KILN_PARAM_TEXT = 4    /* free text checked by the estimator (max_features) */
} kiln_param_type;

typedef struct kiln_param_spec {
    const char *name;
    kiln_param_type type;
    const char *def;     /* default, as text                                  */
    double min, max;     /* range for INT and REAL                             */
    int min_open;        /* 1: the lower bound itself is not allowed (C > 0)   */
    const char *choices; /* CHOICE: "l2|l1|none"                               */
    const char *grid;    /* default tuning values, comma-separated, or NULL    */
    const char *help;
} kiln_param_spec;

#define KILN_PARAMS_MAX 24
#define KILN_PARAM_TEXT_MAX 48

typedef struct kiln_param_value {
    double num;                    /* INT/REAL value, BOOL 0/1, CHOICE index */
    char text[KILN_PARAM_TEXT_MAX]; /* the value as text                     */
} kiln_param_value;

typedef struct kiln_params {
    const kiln_param_spec *spec;
    size_t n;
    kiln_param_value v[KILN_PARAMS_MAX];
} kiln_params;

/* Fill every value from the table's defaults. */
void kiln_params_defaults(kiln_params *p, const kiln_param_spec *spec);
/* Parse "name=value" and validate it against the table. */
kiln_status kiln_params_set(kiln_params *p, const char *assignment);
/* Set one value by name from text. */
kiln_status kiln_params_set_value(kiln_params *p, const char *name, const char *value);
/* The row index of `name`, or -1. */
int kiln_params_index(const kiln_params *p, const char *name);
/* The value of a row by name; the name must be in the table (an internal invariant). */
double kiln_params_num(const kiln_params *p, const char *name);
const char *kiln_params_text(const kiln_params *p, const char *name);

#endif
