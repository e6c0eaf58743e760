/* libFuzzer target for the libsvm reader: any bytes must either be refused
 * with KILN_EINPUT or read into a frame of numeric columns ("target", f1..fd),
 * with no crash, leak or out-of-bounds access.
 *
 * An input naming a feature index above FUZZ_MAX_WIDTH (but not above the
 * reader's limit of 10,000,000, which is refused at once) is skipped and kept
 * out of the corpus: it reads into a dense frame that wide, one column
 * allocated per index, about 1 ms per thousand columns under ASan, and the
 * fuzzer, rewarded by the longer loops, would spend most of its time there.
 * tests/unit/test_csv.c reads such a wide file. */
#include "fuzz_input.h"
#include <stdint.h>
#include <stdlib.h>
#include "kiln/frame.h"

enum { FUZZ_MAX_WIDTH = 1000, READER_MAX_INDEX = 10000000 };

/* Whether some run of digits followed by ':' (a feature index, or text the
 * reader refuses before reaching it) lies in (FUZZ_MAX_WIDTH, READER_MAX_INDEX]. */
static int names_wide_index(const uint8_t *data, size_t size)
{
    uint64_t x = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] >= '0' && data[i] <= '9') {
            if (x <= READER_MAX_INDEX)
                x = x * 10 + (uint64_t)(data[i] - '0');
            continue;
        }
        if (data[i] == ':' && x > FUZZ_MAX_WIDTH && x <= READER_MAX_INDEX)
            return 1;
        x = 0;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (names_wide_index(data, size))
        return -1;
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
