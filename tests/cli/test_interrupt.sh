#!/usr/bin/env bash
# Interrupting kiln train: SIGINT stops it cleanly (exit 130, a message naming
# the interruption, no model file under the final name and no temporary file);
# SIGKILL leaves no model file under the final name either. The model is
# written only after the fit, to MODEL.tmp-PID-N in MODEL's directory and then
# renamed, so a SIGKILL during training leaves nothing; one during the write
# itself would leave that stale temporary name, never a partial MODEL.
# Usage: test_interrupt.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
. "$SRC/tests/cli/lib/assert.sh"

# 4000 rows, 8 features, a noisy binary label: with 100000 trees no fit ends
# before the signal, on any machine.
awk 'BEGIN { srand(1); printf "x1,x2,x3,x4,x5,x6,x7,x8,y\n";
  for (i = 0; i < 4000; i++) { s = 0;
    for (j = 1; j <= 8; j++) { v = rand() * 2 - 1; s += v * j; printf "%.6f,", v }
    printf "%d\n", (s + rand() * 4 - 2 > 0) } }' >"$T/data.csv"

# interrupt NAME SIGNAL WANTED_RC MODEL KILN-ARGS...: start kiln, signal it after
# a second, check its exit status and that nothing is left under MODEL*.
interrupt() {
  local name=$1 sig=$2 want=$3 model=$4
  shift 4
  "$KILN" "$@" >"$T/out" 2>"$T/err" &
  local pid=$!
  sleep 1
  kill -s "$sig" "$pid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt 300 ]; do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    bad "$name: still running 30 s after SIG$sig"
    kill -9 "$pid"
  fi
  wait "$pid" 2>/dev/null
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, wanted $want ($(cat "$T/err"))"; fi
  local left
  left=$(ls "$model"* 2>/dev/null)
  if [ -z "$left" ]; then ok; else bad "$name: left $left"; fi
}

TRAIN=(train "$T/data.csv" --target y --seed 1 --threads 2)
interrupt "rf SIGINT" INT 130 "$T/rf_int.kiln" "${TRAIN[@]}" -o "$T/rf_int.kiln" --model rf --param n_estimators=100000
if grep -q "^kiln: .*interrupted" "$T/err"; then
  ok
else
  bad "rf SIGINT: message '$(cat "$T/err")' does not say interrupted"
fi
if [ "$(wc -l <"$T/err")" -eq 1 ]; then ok; else bad "rf SIGINT: wanted one stderr line: $(cat "$T/err")"; fi
if [ -s "$T/out" ]; then bad "rf SIGINT: printed a report"; else ok; fi
interrupt "gbm SIGINT" INT 130 "$T/gbm_int.kiln" "${TRAIN[@]}" -o "$T/gbm_int.kiln" --model gbm --param n_estimators=100000 --param learning_rate=0.001
grep -q "^kiln: .*interrupted" "$T/err" && ok || bad "gbm SIGINT: message '$(cat "$T/err")'"
interrupt "rf SIGKILL" KILL 137 "$T/rf_kill.kiln" "${TRAIN[@]}" -o "$T/rf_kill.kiln" --model rf --param n_estimators=100000
# compare and tune: the cross-validation jobs stop, nothing is saved.
interrupt "compare SIGINT" INT 130 "$T/best.kiln" compare "$T/data.csv" --target y --threads 2 --no-log \
  --include lr,rf --param rf.n_estimators=100000 --save-best "$T/best.kiln" --json "$T/best.json"
grep -q "^kiln: .*interrupted" "$T/err" && ok || bad "compare SIGINT: message '$(cat "$T/err")'"
no_file "$T/best.json" "compare SIGINT"
interrupt "tune SIGINT" INT 130 "$T/tuned.kiln" tune "$T/data.csv" --target y --threads 2 --no-log --model gbm \
  --grid n_estimators=100000 --grid learning_rate=0.001 -o "$T/tuned.kiln"
grep -q "^kiln: .*interrupted" "$T/err" && ok || bad "tune SIGINT: message '$(cat "$T/err")'"

finish
