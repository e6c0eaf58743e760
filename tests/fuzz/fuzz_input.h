/* The fuzz input as a file the readers can open by name: one in-memory file
 * (memfd) per process, rewritten for every input, named /proc/self/fd/N.
 * Shared by the targets whose reader takes a path (fuzz_csv, fuzz_libsvm). */
#ifndef KILN_FUZZ_INPUT_H
#define KILN_FUZZ_INPUT_H

#define _GNU_SOURCE /* memfd_create; include this header first */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *fuzz_input_path(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("kiln-fuzz", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
        abort();
    return path;
}

#endif
