#!/usr/bin/env bash
# End-to-end tests of `kiln drift`: a shifted numeric column and a shifted
# categorical column are flagged, unshifted ones are not; the JSON output; bad
# input (missing column, a model file without a training summary, bad flags).
# Usage: test_drift.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
. "$SRC/tests/cli/lib/assert.sh"
PY=/usr/bin/python3

# Training and new data: numeric a, b and categorical c; "shifted" moves a by
# one standard deviation and makes level z of c common.
"$PY" - "$T" <<'PYEOF'
import random, sys
d = sys.argv[1]
rng = random.Random(5)
def write(name, n, shift):
    with open(f"{d}/{name}.csv", "w") as f:
        f.write("a,b,c,y\n")
        for _ in range(n):
            a, b = rng.gauss(shift, 1), rng.gauss(0, 1)
            c = rng.choices("xyz", weights=(5, 4, 1 + 8 * (shift > 0)))[0]
            f.write(f"{a:.6f},{b:.6f},{c},{a + b + rng.gauss(0, 0.1):.6f}\n")
write("train", 2000, 0)
write("same", 500, 0)
write("shifted", 500, 1)
PYEOF

expect_ok "train" "$KILN" train "$T/train.csv" --target y --model ridge --test-size 0 -o "$T/m.kiln"
expect_ok "drift unshifted" "$KILN" drift "$T/m.kiln" "$T/same.csv"
grep -q '0 of 3 features drifted' "$T/out" && ok || bad "unshifted data flags nothing: $(cat "$T/out")"
expect_ok "drift shifted" "$KILN" drift "$T/m.kiln" "$T/shifted.csv"
grep -Eq '^a +numeric .* yes$' "$T/out" && ok || bad "shifted numeric a is flagged: $(cat "$T/out")"
grep -Eq '^b +numeric .* no$' "$T/out" && ok || bad "unshifted numeric b is not flagged: $(cat "$T/out")"
grep -Eq '^c +categorical .* yes$' "$T/out" && ok || bad "shifted categorical c is flagged: $(cat "$T/out")"
grep -q '2 of 3 features drifted' "$T/out" && ok || bad "the summary line counts 2 drifted features"

expect_ok "drift --json" "$KILN" drift "$T/m.kiln" "$T/shifted.csv" --json --alpha 0.01
"$PY" - "$T/out" <<'PYEOF' && ok || bad "drift --json: $(cat "$T/out")"
import json, sys
r = json.load(open(sys.argv[1]))
f = {c["name"]: c for c in r["features"]}
assert r["alpha"] == 0.01 and r["drifted"] == ["a", "c"], r["drifted"]
assert f["a"]["p_value"] < 1e-10 and f["a"]["ks"] > 0.3 and f["a"]["type"] == "numeric"
assert f["c"]["ks"] is None and f["c"]["psi"] > 0.2 and f["c"]["n_train"] == 2000
PYEOF
[ "$(wc -l <"$T/out")" -eq 1 ] && ok || bad "drift --json prints one line"
expect_ok "drift without the target column" "$KILN" drift "$T/m.kiln" <(cut -d, -f1-3 "$T/same.csv")

# ---- bad input -----------------------------------------------------------------
cut -d, -f2- "$T/same.csv" >"$T/no_a.csv"
expect_error "missing column" "no_a.csv: no column 'a'" "$KILN" drift "$T/m.kiln" "$T/no_a.csv"

# A model file from before the summary: the same file without its SUMM section
# (and a fresh CRC). It still predicts; drift refuses it.
"$PY" - "$T/m.kiln" "$T/old.kiln" <<'PYEOF'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()[:-4]
n = struct.unpack_from("<I", b, 12)[0]
out, pos = bytearray(b[:16 + n]), 16 + n
while pos < len(b):
    tag, size = b[pos:pos + 4], struct.unpack_from("<Q", b, pos + 4)[0]
    if tag != b"SUMM":
        out += b[pos:pos + 12 + size]
    pos += 12 + size
out += struct.pack("<I", zlib.crc32(bytes(out)))
open(sys.argv[2], "wb").write(out)
PYEOF
[ "$(stat -c %s "$T/old.kiln")" -lt "$(stat -c %s "$T/m.kiln")" ] && ok || bad "the old-format file is smaller"
expect_ok "old model still predicts" "$KILN" predict "$T/old.kiln" "$T/same.csv" -o "$T/pred.csv"
expect_error "model without summary" "no training-data summary" "$KILN" drift "$T/old.kiln" "$T/same.csv"
expect_error "bad --alpha" "--alpha 2" "$KILN" drift "$T/m.kiln" "$T/same.csv" --alpha 2
expect_error "bad --psi" "--psi" "$KILN" drift "$T/m.kiln" "$T/same.csv" --psi -1
expect_error "one file" "expected MODEL and DATA" "$KILN" drift "$T/m.kiln"
expect_error "missing data file" "nope.csv" "$KILN" drift "$T/m.kiln" "$T/nope.csv"
expect_error "data as model" "not a kiln model file" "$KILN" drift "$T/same.csv" "$T/same.csv"
expect_ok "drift --help" "$KILN" drift --help

finish
