/* libFuzzer target for the libsvm reader: any bytes must either be refused
 * with KILN_EINPUT or read into a frame of numeric columns ("target", f1..fd),
 * with no crash, leak or out-of-bounds access. */
#include "fuzz_input.h"
#include <stdint.h>
#include <stdlib.h>
#include "kiln/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_frame *f = NULL;
    kiln_status st = kiln_libsvm_read(fuzz_input_path(data, size), &f);
    if (st == KILN_OK) {
        for (size_t j = 0; j < f->ncols; j++)
            if (f->cols[j].type != KILN_COL_NUMERIC || !f->cols[j].num)
                abort();
    } else if (st != KILN_EINPUT || f) {
        abort();
    }
    kiln_frame_free(f);
    return 0;
}
