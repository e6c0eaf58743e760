/* libFuzzer target for the CSV reader: any bytes must either be refused with
 * KILN_EINPUT or read into a frame whose every categorical code lies inside
 * its dictionary, with no crash, leak or out-of-bounds access.
 *
 * The first byte picks the delimiter option (0: sniff, else one of , ; \t |)
 * and whether the first column is forced categorical; the rest is the file. */
#include "fuzz_input.h"
#include <stdint.h>
#include <stdlib.h>
#include "kiln/frame.h"

/* Abort unless every code of every categorical column is -1 or a level index. */
static void check_frame(const kiln_frame *f)
{
    for (size_t j = 0; j < f->ncols; j++) {
        const kiln_column *c = &f->cols[j];
        if (!c->name || (c->type == KILN_COL_NUMERIC) != (c->num != NULL))
            abort();
        for (size_t i = 0; c->type == KILN_COL_CATEGORICAL && i < f->nrows; i++)
            if (c->code[i] < -1 || c->code[i] >= (int32_t)c->nlevels)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = {0, ',', ';', '\t', '|'};
    static const char *const first[] = {"a", NULL};
    if (size == 0)
        return 0;
    kiln_csv_options opt = {delims[data[0] % 5], data[0] & 0x80 ? first : NULL};
    kiln_frame *f = NULL;
    kiln_status st = kiln_csv_read(fuzz_input_path(data + 1, size - 1), &opt, &f);
    if (st == KILN_OK)
        check_frame(f);
    else if (st != KILN_EINPUT || f)
        abort();
    kiln_frame_free(f);
    return 0;
}
