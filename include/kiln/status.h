/* kiln/status.h — status codes and the last-error message.
 *
 * Every function that can fail returns a kiln_status. On failure the message
 * is recorded once, through KILN_ERROR, and read with kiln_last_error():
 *
 *     if (kiln_csv_read("x.csv", &opts, &frame) != KILN_OK)
 *         fprintf(stderr, "kiln: %s\n", kiln_last_error());
 *
 * The message is process-wide. KILN_EINPUT means the user gave bad input (the
 * CLI exits 1); anything else is an internal or system failure (exit 2).
 */
#ifndef KILN_STATUS_H
#define KILN_STATUS_H

typedef enum kiln_status {
    KILN_OK = 0,
    KILN_EINPUT = 1,    /* bad data, bad flag, bad parameter, bad model file */
    KILN_ENOMEM = 2,    /* an allocation failed                              */
    KILN_EIO = 3,       /* the operating system refused a read or write      */
    KILN_EINTERNAL = 4, /* a numerical routine failed or an invariant broke  */
    KILN_ECANCEL = 5    /* the user interrupted the run                      */
} kiln_status;

/* Record a message for `code` (printf-style) and return `code`. */
kiln_status kiln_error_set(kiln_status code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One path records every error, so one breakpoint catches them all. */
#define KILN_ERROR(code, ...) kiln_error_set((code), __VA_ARGS__)

/* Shorthand for the commonest failure. */
#define KILN_NOMEM() kiln_error_set(KILN_ENOMEM, "out of memory")

/* Propagate a failing status from an expression. */
#define KILN_TRY(expr)                  \
    do {                                \
        kiln_status kiln_try_s_ = (expr); \
        if (kiln_try_s_ != KILN_OK)     \
            return kiln_try_s_;         \
    } while (0)

/* The message of the last error recorded on this thread ("" if none). */
const char *kiln_last_error(void);

#endif
