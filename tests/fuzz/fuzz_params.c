/* libFuzzer target for the --param parser (kiln_params_set): any text must
 * either be refused with KILN_EINPUT, leaving every value as it was, or set
 * exactly one value, with no crash or out-of-bounds access.
 *
 * The first byte picks the estimator whose table is used; the rest, cut at
 * the first NUL, is the "name=value" text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/algo.h"
#include "kiln/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const kiln_algo *a = kiln_algo_at(data[0] % kiln_algo_count());
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    kiln_params p, before;
    kiln_params_defaults(&p, a->params);
    before = p;
    kiln_status st = kiln_params_set(&p, text);
    size_t changed = 0;
    for (size_t i = 0; i < p.n; i++)
        changed += memcmp(&p.v[i], &before.v[i], sizeof p.v[i]) != 0;
    if (st == KILN_OK ? changed > 1 : st != KILN_EINPUT || changed != 0)
        abort();
    free(text);
    return 0;
}
