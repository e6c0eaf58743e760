/* core/alloc_hook.h — fault injection for kiln_alloc and kiln_realloc (tests only).
 *
 *     kiln_alloc_fail_after(LONG_MAX);              // count, fail nothing
 *     run();
 *     long used = LONG_MAX - kiln_alloc_fail_after(0);
 *     for (long n = 1; n <= used; n++) {
 *         kiln_alloc_fail_after(n);                 // the n-th allocation fails
 *         expect(run() == KILN_ENOMEM);
 *     }
 *     kiln_alloc_fail_after(0);                     // off again
 *
 * Every allocation of the library goes through kiln_alloc/kiln_realloc, except
 * the three whose failure costs nothing and reports nothing: kiln_argsort's
 * scratch (it falls back to an insertion sort) and the two reallocs that
 * shrink a finished buffer (they keep the old one). The count is
 * process-wide; run single-threaded (ctx.threads = 1).
 */
#ifndef KILN_CORE_ALLOC_HOOK_H
#define KILN_CORE_ALLOC_HOOK_H

/* From now, the n-th call of kiln_alloc/kiln_realloc fails (once); 0 turns it
 * off. Returns the previous countdown: how many calls were still to go before
 * the failure (0 once the failure has happened, or when off). */
long kiln_alloc_fail_after(long n);

#endif
