/* libFuzzer target for the model file reader: any bytes must either be refused
 * with KILN_EINPUT or read without a crash, leak or out-of-bounds access.
 *
 * The bytes are opened as a model file; if they pass the checks, every section
 * tag listed below is read with a sequence of typed reads chosen by the
 * section's own bytes, until a read fails (which must be KILN_EINPUT). Build
 * with clang: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKILN_FUZZ=ON
 * then run build-fuzz/tests/fuzz/fuzz_model tests/fuzz/corpus/model. */
#include <stdint.h>
#include <stdlib.h>
#include "kiln/serial.h"

static const char *const tags[] = {"SCHM", "PREP", "ESTM", "FUZZ"};

/* One typed read picked by `op`; returns its status. */
static kiln_status read_one(kiln_reader *r, uint8_t op)
{
    double d[4];
    float f[4];
    int32_t i[4];
    unsigned char b[4];
    uint64_t u64;
    uint32_t u32;
    size_t n;
    char *s = NULL;
    kiln_status st;
    switch (op % 8) {
    case 0: return kiln_r_u32(r, &u32);
    case 1: return kiln_r_u64(r, &u64);
    case 2: return kiln_r_f64s(r, d, 1 + op / 8 % 4);
    case 3: return kiln_r_f32s(r, f, 1 + op / 8 % 4);
    case 4: return kiln_r_i32s(r, i, 1 + op / 8 % 4);
    case 5: return kiln_r_bytes(r, b, 1 + op / 8 % 4);
    case 6:
        st = kiln_r_str(r, &s);
        free(s);
        return st;
    default:
        st = kiln_r_count(r, 1000, &n);
        if (st != KILN_OK)
            return st;
        double *v = malloc((n ? n : 1) * sizeof *v);
        st = v ? kiln_r_f64s(r, v, n) : KILN_ENOMEM;
        free(v);
        return st;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_reader *r;
    kiln_status st = kiln_reader_open_mem(data, size, "fuzz", &r);
    if (st != KILN_OK) {
        if (st != KILN_EINPUT)
            abort();
        return 0;
    }
    for (size_t t = 0; t < sizeof tags / sizeof *tags; t++) {
        if (kiln_reader_section(r, tags[t]) != KILN_OK)
            continue;
        uint8_t op;
        while (kiln_r_u8(r, &op) == KILN_OK && (st = read_one(r, op)) == KILN_OK)
            ;
        if (st != KILN_OK && st != KILN_EINPUT)
            abort();
    }
    kiln_reader_free(r);
    return 0;
}
