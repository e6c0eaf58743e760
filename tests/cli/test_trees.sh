#!/usr/bin/env bash
# End-to-end tests of the tree models on the command line (dt, rf, et, gbm):
# train / predict / eval / inspect in every format, gbm's losses, importances,
# trace and early stopping, leaf-wise growth, byte-identical model files at 1
# and 2 threads, and the bad inputs of the trees and boosting issues (exit 1,
# one line naming the parameter, no model file left behind).
# Usage: test_trees.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
. "$SRC/tests/cli/lib/assert.sh"

# json_check NAME FILE PYTHON-EXPRESSION-ON-d: the JSON in FILE satisfies it.
json_check() {
  if /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$2" 2>/dev/null; then
    ok
  else
    bad "$1"
  fi
}

BC=$SRC/datasets/breast_cancer.csv
IRIS=$SRC/datasets/iris.csv
DIAB=$SRC/datasets/diabetes.csv
DIGITS=$SRC/datasets/digits.csv

# ---- every tree model, classification and regression ------------------------------
for m in dt rf et gbm; do
  expect_ok "$m train" "$KILN" train "$BC" --target target --model "$m" --seed 2 --json -o "$T/$m.kiln"
  acc=$(sed 's/.*"Accuracy":\([0-9.]*\).*/\1/' "$T/out")
  awk -v a="$acc" 'BEGIN { exit !(a > 0.88) }' && ok || bad "$m breast_cancer accuracy $acc <= 0.88"
  expect_ok "$m predict" "$KILN" predict "$T/$m.kiln" "$BC" -o "$T/p.csv"
  [ "$(wc -l <"$T/p.csv")" -eq "$(wc -l <"$BC")" ] && ok || bad "$m predict writes a row per input row"
  expect_ok "$m eval" "$KILN" eval "$T/$m.kiln" "$BC"
  grep -q '^Accuracy' "$T/out" && ok || bad "$m eval prints Accuracy"
  expect_ok "$m inspect" "$KILN" inspect "$T/$m.kiln"
  grep -q -- '|--- ' "$T/out" && ok || bad "$m inspect shows the trees as text"
  expect_ok "$m inspect json" "$KILN" inspect "$T/$m.kiln" --format json
  json_check "$m inspect json parses with trees" "$T/out" '"learned" in d'
  expect_ok "$m inspect dot" "$KILN" inspect "$T/$m.kiln" --format dot --tree 0
  head -1 "$T/out" | grep -q '^digraph' && ok || bad "$m inspect dot is a digraph"
  expect_ok "$m regression" "$KILN" train "$DIAB" --target target --model "$m" --param max_depth=4 --seed 2 --json
  r2=$(sed 's/.*"R2":\(-*[0-9.]*\).*/\1/' "$T/out")
  awk -v a="$r2" 'BEGIN { exit !(a > 0.05) }' && ok || bad "$m diabetes R2 $r2 <= 0.05"
done

# ---- gbm: losses, importances, trace, early stopping --------------------------------
expect_ok "gbm multiclass" "$KILN" train "$IRIS" --target target --model gbm --param n_estimators=20 --json -o "$T/iris.kiln"
grep -q '"LogLoss"' "$T/out" && ok || bad "gbm multiclass reports LogLoss"
expect_ok "gbm inspect json" "$KILN" inspect "$T/iris.kiln" --format json
json_check "gbm: one tree per class per round" "$T/out" 'len(d["learned"]["trees"]) == 60'
json_check "gbm: importances by gain, split count and cover" "$T/out" \
  'all(len(d["learned"]["importance"][k]) == 4 for k in ("gain", "split", "cover"))'
json_check "gbm: 20 training losses, decreasing" "$T/out" \
  'len(d["learned"]["train_loss"]) == 20 and all(a >= b for a, b in zip(d["learned"]["train_loss"], d["learned"]["train_loss"][1:]))'

expect_ok "gbm --trace" "$KILN" train "$BC" --target target --model gbm --param n_estimators=15 --trace -o "$T/t.kiln"
[ "$(grep -c '^iter [0-9]*  train_loss' "$T/err")" -eq 15 ] && ok || bad "--trace prints a loss line per round: $(head -2 "$T/err")"
expect_ok "no --trace" "$KILN" train "$BC" --target target --model gbm --param n_estimators=15 -o "$T/t.kiln"
[ -s "$T/err" ] && bad "no progress or trace on stderr when it is not a terminal: $(cat "$T/err")" || ok

expect_ok "gbm early stopping" "$KILN" train "$BC" --target target --model gbm --param n_estimators=500 \
  --param validation_fraction=0.2 --param n_iter_no_change=5 --param learning_rate=0.3 --trace -o "$T/es.kiln"
grep -Eq '^best iteration [0-9]+ of [0-9]+' "$T/err" && ok || bad "early stopping says the best iteration: $(tail -1 "$T/err")"
grown=$(grep -c '^iter ' "$T/err")
[ "$grown" -lt 500 ] && ok || bad "early stopping stopped before 500 rounds ($grown)"
expect_ok "early-stopped inspect" "$KILN" inspect "$T/es.kiln" --format json
json_check "the model keeps the best iteration" "$T/out" \
  'd["learned"]["best_iteration"] == len(d["learned"]["trees"]) and d["learned"]["best_iteration"] < d["learned"]["rounds"]'
json_check "validation losses recorded, lowest at the best iteration" "$T/out" \
  'min(d["learned"]["valid_loss"]) == d["learned"]["valid_loss"][d["learned"]["best_iteration"] - 1]'
expect_ok "inspect text names the best round" "$KILN" inspect "$T/es.kiln"
grep -q '<- best' "$T/out" && grep -q 'valid_loss' "$T/out" && ok || bad "inspect text shows the loss table and the best round"

head -400 "$BC" >"$T/fit.csv"
{ head -1 "$BC"; tail -n +401 "$BC"; } >"$T/valid.csv"
expect_ok "gbm --valid FILE" "$KILN" train "$T/fit.csv" --target target --model gbm --valid "$T/valid.csv" \
  --param n_iter_no_change=5 --param n_estimators=300 --param learning_rate=0.3 --test-size 0 -o "$T/v.kiln"
expect_ok "--valid inspect" "$KILN" inspect "$T/v.kiln" --format json
json_check "--valid FILE stops early" "$T/out" 'd["learned"]["best_iteration"] < 300 and d["learned"]["valid_loss"][0] == d["learned"]["valid_loss"][0]'

# Leaf-wise growth: max_depth=-1 with max_leaf_nodes bounds the leaves of every tree.
expect_ok "gbm leaf-wise" "$KILN" train "$BC" --target target --model gbm --param max_depth=-1 --param max_leaf_nodes=5 \
  --param n_estimators=10 -o "$T/lw.kiln"
expect_ok "leaf-wise inspect" "$KILN" inspect "$T/lw.kiln" --format json
json_check "leaf-wise trees have at most 5 leaves, some exactly 5" "$T/out" \
  'max(sum(1 for n in t["nodes"] if "feature" not in n) for t in d["learned"]["trees"]) == 5'
# colsample_bytree: each tree splits on at most that fraction of the features.
expect_ok "gbm colsample_bytree" "$KILN" train "$BC" --target target --model gbm --param colsample_bytree=0.1 \
  --param n_estimators=10 -o "$T/cs.kiln"
expect_ok "colsample inspect" "$KILN" inspect "$T/cs.kiln" --format json
json_check "colsample_bytree=0.1 of 30 features: at most 3 per tree" "$T/out" \
  'max(len({n["feature"] for n in t["nodes"] if "feature" in n}) for t in d["learned"]["trees"]) <= 3'
# class_weight=balanced moves the scores.
expect_ok "gbm class_weight" "$KILN" train "$BC" --target target --model gbm --param class_weight=balanced \
  --param n_estimators=10 -o "$T/cw.kiln"
"$KILN" predict "$T/cw.kiln" "$BC" -o "$T/cw.csv" && "$KILN" predict "$T/t.kiln" "$BC" -o "$T/nw.csv" 2>/dev/null
cmp -s "$T/cw.csv" "$T/nw.csv" && bad "class_weight=balanced changes the predictions" || ok

# ---- determinism: 1 and 2 threads write the same file ---------------------------------
for m in rf et gbm dt; do
  "$KILN" train "$DIGITS" --target target --model "$m" --param n_estimators=12 --seed 5 --threads 1 -o "$T/a.kiln" >/dev/null 2>&1
  "$KILN" train "$DIGITS" --target target --model "$m" --param n_estimators=12 --seed 5 --threads 2 -o "$T/b.kiln" >/dev/null 2>&1
  if [ "$m" = dt ]; then
    "$KILN" train "$DIGITS" --target target --model dt --seed 5 --threads 1 -o "$T/a.kiln" >/dev/null 2>&1
    "$KILN" train "$DIGITS" --target target --model dt --seed 5 --threads 2 -o "$T/b.kiln" >/dev/null 2>&1
  fi
  [ -s "$T/a.kiln" ] && cmp -s "$T/a.kiln" "$T/b.kiln" && ok || bad "$m: --threads 1 and --threads 2 model files differ"
  rm -f "$T/a.kiln" "$T/b.kiln"
done

# One-hot encoded categories: their columns are histogrammed as bundles (docs/trees.md);
# the regression trees of gbm and dt are still the same at 1 and 2 threads.
awk 'BEGIN { srand(3); print "colour,size,x,y";
  for (i = 0; i < 3000; i++) { c = int(rand() * 5); s = int(rand() * 3); x = rand();
    printf "c%d,s%d,%.4f,%.4f\n", c, s, x, c * 0.7 - s + 2 * x + rand() } }' >"$T/cat.csv"
for m in gbm dt; do
  "$KILN" train "$T/cat.csv" --target y --model "$m" --seed 5 --threads 1 -o "$T/a.kiln" >/dev/null 2>&1
  "$KILN" train "$T/cat.csv" --target y --model "$m" --seed 5 --threads 2 -o "$T/b.kiln" >/dev/null 2>&1
  [ -s "$T/a.kiln" ] && cmp -s "$T/a.kiln" "$T/b.kiln" && ok || bad "$m on one-hot columns: --threads 1 and 2 differ"
  rm -f "$T/a.kiln" "$T/b.kiln"
done

# ---- odd data ------------------------------------------------------------------------
printf 'a,b,y\n1,2,3\n2,3,3\n3,4,3\n4,5,3\n5,6,3\n6,1,3\n' >"$T/const.csv"
printf 'a,b\n100,-7\n' >"$T/new.csv"
for m in dt rf et gbm; do
  expect_ok "$m constant target" "$KILN" train "$T/const.csv" --target y --model "$m" --task regression --test-size 0 -o "$T/c.kiln"
  expect_ok "$m predicts the constant" "$KILN" predict "$T/c.kiln" "$T/new.csv"
  [ "$(tail -1 "$T/out")" = "100,-7,3" ] && ok || bad "$m constant target predicts $(tail -1 "$T/out")"
done

# ---- bad input -----------------------------------------------------------------------
for m in dt rf et gbm; do
  expect_error "$m max_depth=0" "max_depth=0" "$KILN" train "$BC" --target target --model "$m" --param max_depth=0 -o "$T/x.kiln"
done
for m in rf et gbm; do
  expect_error "$m n_estimators=0" "n_estimators=0" "$KILN" train "$BC" --target target --model "$m" --param n_estimators=0 -o "$T/x.kiln"
done
for m in dt rf et; do
  expect_error "$m max_features too large" "max_features=31" "$KILN" train "$BC" --target target --model "$m" --param max_features=31 -o "$T/x.kiln"
  expect_error "$m max_features unparsable" "max_features=lots" "$KILN" train "$BC" --target target --model "$m" --param max_features=lots -o "$T/x.kiln"
  expect_error "$m min_samples_leaf > rows" "min_samples_leaf=100000" "$KILN" train "$BC" --target target --model "$m" --param min_samples_leaf=100000 -o "$T/x.kiln"
done
expect_error "learning_rate=0" "learning_rate=0" "$KILN" train "$BC" --target target --model gbm --param learning_rate=0 -o "$T/x.kiln"
expect_error "learning_rate<0" "learning_rate=-0.1" "$KILN" train "$BC" --target target --model gbm --param learning_rate=-0.1 -o "$T/x.kiln"
expect_error "subsample=0" "subsample=0" "$KILN" train "$BC" --target target --model gbm --param subsample=0 -o "$T/x.kiln"
expect_error "subsample>1" "subsample=1.5" "$KILN" train "$BC" --target target --model gbm --param subsample=1.5 -o "$T/x.kiln"
expect_error "validation_fraction leaves no training rows" "validation_fraction=0.999" \
  "$KILN" train "$BC" --target target --model gbm --param validation_fraction=0.999 -o "$T/x.kiln"
expect_error "validation_fraction leaves no validation rows" "validation_fraction=0.0001" \
  "$KILN" train "$BC" --target target --model gbm --param validation_fraction=0.0001 -o "$T/x.kiln"
printf 'a,b,y\n1,2,3\n2,3,NaN\n3,4,5\n4,5,6\n' >"$T/nan.csv"
for m in dt rf et gbm; do
  expect_error "$m NaN target" "nan.csv:3:3: missing target" "$KILN" train "$T/nan.csv" --target y --model "$m" --task regression --test-size 0 -o "$T/x.kiln"
done
no_file "$T/x.kiln" "bad inputs"

finish
