/* The derived-object cache of a dataset and the default fit context (see kiln/dataset.h). */
#include "kiln/dataset.h"

#include <string.h>
#include "kiln/util.h"

void *kiln_dataset_cached(const kiln_dataset *d, const char *key)
{
    for (int i = 0; i < KILN_CACHE_MAX; i++)
        if (d->cache[i].key && strcmp(d->cache[i].key, key) == 0)
            return d->cache[i].value;
    return NULL;
}

kiln_status kiln_dataset_cache_put(kiln_dataset *d, const char *key, void *value, void (*free_fn)(void *))
{
    for (int i = 0; i < KILN_CACHE_MAX; i++) {
        if (!d->cache[i].key) {
            d->cache[i] = (kiln_cache_entry){key, value, free_fn};
            return KILN_OK;
        }
    }
    return KILN_ERROR(KILN_EINTERNAL, "dataset cache is full");
}

void kiln_dataset_clear_cache(kiln_dataset *d)
{
    for (int i = 0; i < KILN_CACHE_MAX; i++) {
        if (d->cache[i].key && d->cache[i].free)
            d->cache[i].free(d->cache[i].value);
        d->cache[i] = (kiln_cache_entry){0};
    }
}

kiln_ctx kiln_ctx_default(void)
{
    kiln_ctx c = {0};
    c.threads = kiln_cpu_count();
    return c;
}
