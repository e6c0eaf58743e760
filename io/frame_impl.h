/* io/frame_impl.h — building frames inside the readers. */
#ifndef KILN_IO_FRAME_IMPL_H
#define KILN_IO_FRAME_IMPL_H

#include "kiln/frame.h"

/* A frame with ncols zeroed columns, no rows and a copy of `source`; NULL when
 * out of memory (recorded). */
kiln_frame *kiln_frame_alloc(size_t ncols, const char *source);

#endif
