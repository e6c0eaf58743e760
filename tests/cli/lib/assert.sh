# Shared assertions of the CLI tests, sourced by tests/cli/*.sh after they set KILN and SRC.
# Each check adds to the pass/fail counts; `finish` prints them ("N passed, N failed") and
# sets the exit status. T is a scratch directory removed on exit.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_status NAME STATUS PATTERN CMD...: exit STATUS, one stderr line matching PATTERN, nothing on stdout.
expect_status() {
  local name=$1 want=$2 pattern=$3
  shift 3
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$T/err")
  if [ "$rc" -ne "$want" ]; then bad "$name: exit $rc, wanted $want ($(cat "$T/err"))"; return 1; fi
  if [ "$lines" -ne 1 ]; then bad "$name: $lines stderr lines, wanted 1: $(cat "$T/err")"; return 1; fi
  if ! grep -Eq -- "$pattern" "$T/err"; then bad "$name: message '$(cat "$T/err")' lacks /$pattern/"; return 1; fi
  if [ -s "$T/out" ]; then bad "$name: wrote to stdout"; return 1; fi
  ok
}

# expect_error NAME PATTERN CMD...: a bad input: exit 1 (see expect_status).
expect_error() {
  local name=$1 pattern=$2
  shift 2
  expect_status "$name" 1 "$pattern" "$@"
}

# expect_ok NAME CMD...: exit 0; stdout in $T/out, stderr in $T/err.
expect_ok() {
  local name=$1
  shift
  if "$@" >"$T/out" 2>"$T/err"; then ok; else bad "$name: exit $? ($(cat "$T/err"))"; fi
}

# no_file PATH NAME: PATH does not exist.
no_file() { if [ -e "$1" ]; then bad "$2: left $1 behind"; else ok; fi; }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
