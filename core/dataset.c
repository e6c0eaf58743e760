/* The derived-object cache of a dataset and the default fit context (see kiln/dataset.h).
 *
 * One process-wide lock serialises every cache access, the build included:
 * fits that share a dataset wait for the one that builds (building twice
 * would cost the time and the memory the cache is there to save), and the
 * builds themselves are parallel inside. */
#include "kiln/dataset.h"

#include <pthread.h>
#include <string.h>
#include "kiln/util.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static kiln_cache_entry *cache_find(kiln_dataset *d, const char *key)
{
    for (int i = 0; i < KILN_CACHE_MAX; i++)
        if (d->cache[i].key[0] && strcmp(d->cache[i].key, key) == 0)
            return &d->cache[i];
    return NULL;
}

static kiln_cache_entry *cache_free_slot(kiln_dataset *d)
{
    for (int i = 0; i < KILN_CACHE_MAX; i++)
        if (!d->cache[i].key[0])
            return &d->cache[i];
    return NULL;
}

kiln_status kiln_dataset_cache_get(const kiln_dataset *d, const char *key, kiln_cache_build build, void *arg,
                                   void **out)
{
    *out = NULL;
    if (strlen(key) >= sizeof d->cache[0].key)
        return KILN_ERROR(KILN_EINTERNAL, "dataset cache key '%s' is too long", key);
    /* The cast is the documented exception: the cache is mutable, under the lock. */
    kiln_dataset *md = (kiln_dataset *)d;
    pthread_mutex_lock(&cache_lock);
    kiln_cache_entry *e = cache_find(md, key);
    kiln_status s = KILN_OK;
    if (!e) {
        e = cache_free_slot(md);
        void *value = NULL;
        void (*free_fn)(void *) = NULL;
        if (!e)
            s = KILN_ERROR(KILN_EINTERNAL, "dataset cache is full");
        else
            s = build(d, arg, &value, &free_fn);
        if (s == KILN_OK) {
            snprintf(e->key, sizeof e->key, "%s", key);
            e->value = value;
            e->free = free_fn;
        }
    }
    if (s == KILN_OK)
        *out = e->value;
    pthread_mutex_unlock(&cache_lock);
    return s;
}

void kiln_dataset_clear_cache(kiln_dataset *d)
{
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < KILN_CACHE_MAX; i++) {
        if (d->cache[i].key[0] && d->cache[i].free)
            d->cache[i].free(d->cache[i].value);
        d->cache[i] = (kiln_cache_entry){0};
    }
    pthread_mutex_unlock(&cache_lock);
}

kiln_ctx kiln_ctx_default(void)
{
    kiln_ctx c = {0};
    c.threads = kiln_cpu_count();
    return c;
}
