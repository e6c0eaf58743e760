# Shared by the CLI test scripts (sourced, not run: ctest runs tests/cli/*.sh).
# Sets T (a temporary directory removed on exit) and the pass/fail counters;
# expect_error, expect_ok, no_file record results; finish prints the tally and
# gives the script's exit status.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_error NAME PATTERN CMD...: exit 1, one stderr line matching PATTERN, nothing on stdout.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$T/err")
  if [ "$rc" -ne 1 ]; then bad "$name: exit $rc, wanted 1 ($(cat "$T/err"))"; return; fi
  if [ "$lines" -ne 1 ]; then bad "$name: $lines stderr lines, wanted 1: $(cat "$T/err")"; return; fi
  if ! grep -Eq -- "$pattern" "$T/err"; then bad "$name: message '$(cat "$T/err")' lacks /$pattern/"; return; fi
  if [ -s "$T/out" ]; then bad "$name: wrote to stdout"; return; fi
  ok
}

# expect_ok NAME CMD...: exit 0.
expect_ok() {
  local name=$1
  shift
  if "$@" >"$T/out" 2>"$T/err"; then ok; else bad "$name: exit $? ($(cat "$T/err"))"; fi
}

no_file() { if [ -e "$1" ]; then bad "$2: left $1 behind"; else ok; fi; }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
