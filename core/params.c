/* Hyperparameter tables: defaults, parsing and validation (see kiln/params.h). */
#include "kiln/params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void kiln_params_defaults(kiln_params *p, const kiln_param_spec *spec)
{
    memset(p, 0, sizeof *p);
    p->spec = spec;
    for (size_t i = 0; spec && spec[i].name && i < KILN_PARAMS_MAX; i++) {
        p->n = i + 1;
        /* Defaults are written by us; a failure here is a bug in a table. */
        if (kiln_params_set_value(p, spec[i].name, spec[i].def) != KILN_OK)
            abort();
    }
}

int kiln_params_index(const kiln_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->spec[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Position of `word` among the '|'-separated choices, or -1. */
static int choice_index(const char *choices, const char *word)
{
    size_t len = strlen(word);
    int k = 0;
    for (const char *c = choices; *c; k++) {
        const char *end = strchr(c, '|');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        if (n == len && strncmp(c, word, n) == 0)
            return k;
        if (!end)
            break;
        c = end + 1;
    }
    return -1;
}

static kiln_status parse_number(const kiln_param_spec *s, const char *value, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (end == value || *end != '\0' || errno == ERANGE || !isfinite(v))
        return KILN_ERROR(KILN_EINPUT, "--param %s=%s: not a number", s->name, value);
    if (s->type == KILN_PARAM_INT && v != floor(v))
        return KILN_ERROR(KILN_EINPUT, "--param %s=%s: must be a whole number", s->name, value);
    int below = s->min_open ? v <= s->min : v < s->min;
    if (below || v > s->max)
        return KILN_ERROR(KILN_EINPUT, "--param %s=%s: must be %s %g and <= %g", s->name, value,
                          s->min_open ? ">" : ">=", s->min, s->max);
    *out = v;
    return KILN_OK;
}

kiln_status kiln_params_set_value(kiln_params *p, const char *name, const char *value)
{
    int i = kiln_params_index(p, name);
    if (i < 0)
        return KILN_ERROR(KILN_EINPUT, "--param %s: unknown parameter", name);
    const kiln_param_spec *s = &p->spec[i];
    if (strlen(value) >= KILN_PARAM_TEXT_MAX)
        return KILN_ERROR(KILN_EINPUT, "--param %s: value too long", name);
    double num = 0;
    switch (s->type) {
    case KILN_PARAM_INT:
    case KILN_PARAM_REAL:
        KILN_TRY(parse_number(s, value, &num));
        break;
    case KILN_PARAM_CHOICE:
        num = choice_index(s->choices, value);
        if (num < 0)
            return KILN_ERROR(KILN_EINPUT, "--param %s=%s: must be one of %s", name, value, s->choices);
        break;
    case KILN_PARAM_BOOL: /* any case, as Python's True and False; kept as true / false */
        if (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
            num = 1;
        else if (strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0)
            num = 0;
        else
            return KILN_ERROR(KILN_EINPUT, "--param %s=%s: must be true or false", name, value);
        value = num ? "true" : "false";
        break;
    case KILN_PARAM_TEXT:
        if (value[0] == '\0')
            return KILN_ERROR(KILN_EINPUT, "--param %s: empty value", name);
        break;
    }
    p->v[i].num = num;
    snprintf(p->v[i].text, sizeof p->v[i].text, "%s", value);
    return KILN_OK;
}

kiln_status kiln_params_set(kiln_params *p, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return KILN_ERROR(KILN_EINPUT, "--param %s: expected name=value", assignment);
    char name[64];
    size_t n = (size_t)(eq - assignment);
    if (n >= sizeof name)
        return KILN_ERROR(KILN_EINPUT, "--param %s: name too long", assignment);
    memcpy(name, assignment, n);
    name[n] = '\0';
    return kiln_params_set_value(p, name, eq + 1);
}

double kiln_params_num(const kiln_params *p, const char *name)
{
    int i = kiln_params_index(p, name);
    if (i < 0)
        abort(); /* an estimator asked for a name its own table lacks */
    return p->v[i].num;
}

const char *kiln_params_text(const kiln_params *p, const char *name)
{
    int i = kiln_params_index(p, name);
    if (i < 0)
        abort();
    return p->v[i].text;
}
