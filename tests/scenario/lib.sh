# Shared setup of the scenario tests (tests/scenario/*.sh): KILN, SRC, the
# generator GEN, the CLI assertions of tests/cli/lib/assert.sh, and the scale
# of the row counts. KILN_SCENARIO_SCALE (set by tests/CMakeLists.txt: 1 for
# optimised builds, smaller for the sanitizer build) multiplies every row count;
# rows N prints N scaled, at least MIN.
KILN=$1
SRC=$2
GEN="$SRC/datasets/generate"
. "$SRC/tests/cli/lib/assert.sh"
SCALE=${KILN_SCENARIO_SCALE:-1}

rows() { awk -v n="$1" -v s="$SCALE" -v min="${2:-200}" 'BEGIN { r = int(n * s); print (r < min ? min : r) }'; }

# field NAME FILE: the value of "NAME  value" in a metrics table.
field() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

# json_num KEY FILE: a number of a one-line JSON object.
json_num() { grep -o "\"$1\":[-0-9.eE+]*" "$2" | head -1 | cut -d: -f2; }

# check NAME CONDITION: CONDITION is an awk expression; fails with NAME and the condition.
check() { if awk "BEGIN { exit !($2) }"; then ok; else bad "$1 ($2)"; fi; }
