/* AddressSanitizer defaults for every fuzz target (ASAN_OPTIONS still wins).
 *
 * ASan keeps freed memory in a quarantine (256 MB by default) so that a use
 * after free hits poisoned bytes; every allocation then lands on fresh pages,
 * and the page faults were most of the time a small CSV or libsvm input took.
 * One input allocates far less than 16 MB, so a 16 MB quarantine still
 * catches a use after free within an input or the next few. */
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
    return "quarantine_size_mb=16";
}
