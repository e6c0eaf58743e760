/* Status codes and the last-error message (see kiln/status.h). The message is
 * process-wide, so a failure inside a parallel task is readable by the thread
 * that started the work; a mutex keeps concurrent writers from mixing. */
#include "kiln/status.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static char last_error[1024];
static pthread_mutex_t last_error_lock = PTHREAD_MUTEX_INITIALIZER;

kiln_status kiln_error_set(kiln_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&last_error_lock);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    pthread_mutex_unlock(&last_error_lock);
    va_end(ap);
    return code;
}

const char *kiln_last_error(void)
{
    return last_error;
}
