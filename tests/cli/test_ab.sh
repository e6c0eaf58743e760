#!/usr/bin/env bash
# End-to-end tests of `kiln ab`: the random assignment (its shares, its seed), each
# arm's metric with its normal-approximation 95 % interval, the difference B - A;
# regression arms (MAE); bad input (different targets, a classification and a
# regression model, a missing file, --split outside (0, 1), wrong arguments).
# Usage: test_ab.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
. "$SRC/tests/cli/lib/assert.sh"
D="$SRC/datasets"

expect_ok "train dummy" "$KILN" train "$D/breast_cancer.csv" --target target --model dummy -o "$T/dummy.kiln" --no-log
expect_ok "train lr" "$KILN" train "$D/breast_cancer.csv" --target target --model lr -o "$T/lr.kiln" --no-log
expect_ok "train ridge" "$KILN" train "$D/diabetes.csv" --target target --model ridge -o "$T/ridge.kiln" --no-log
expect_ok "train knn" "$KILN" train "$D/diabetes.csv" --target target --model knn -o "$T/knn.kiln" --no-log
# Same target name, other task: iris's target is a class, diabetes's a number.
expect_ok "train iris" "$KILN" train "$D/iris.csv" --target target --model lr -o "$T/iris.kiln" --no-log
sed '1s/target$/label/' "$D/iris.csv" > "$T/iris_label.csv"
expect_ok "train iris label" "$KILN" train "$T/iris_label.csv" --target label --model lr -o "$T/label.kiln" --no-log

expect_ok "ab" "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$D/breast_cancer.csv" --seed 3
cp "$T/out" "$T/ab1"
nA=$(awk '$1 == "A" && NF > 8 { print $(NF - 6) }' "$T/ab1")
nB=$(awk '$1 == "B" && $2 != "-" && NF > 8 { print $(NF - 6) }' "$T/ab1")
[ $((nA + nB)) -eq 569 ] && ok || bad "arms hold $nA + $nB rows, wanted 569"
[ "$nA" -gt 230 ] && [ "$nA" -lt 340 ] && ok || bad "a 50 % split sent $nA of 569 rows to A"
# Each interval is p +- 1.96 sqrt(p (1 - p) / n) around the arm's accuracy.
awk '($1 == "A" || ($1 == "B" && $2 != "-")) && NF > 8 {
       p = $(NF - 3); n = $(NF - 6); lo = $(NF - 1); hi = $NF; gsub(/[[,]/, "", lo); gsub(/]/, "", hi)
       h = 1.959964 * sqrt(p * (1 - p) / n)
       if ((lo - (p - h))^2 > 1e-8 || (hi - (p + h))^2 > 1e-8) bad = 1; rows++ }
     END { exit bad || rows != 2 }' "$T/ab1" && ok || bad "intervals are not p +- 1.96 sqrt(p(1-p)/n): $(cat "$T/ab1")"
grep -q "^B - A  Accuracy +0\.[0-9]*  95% CI \[+0\.[0-9]*, +0\.[0-9]*\]$" "$T/ab1" && ok \
  || bad "lr does not beat dummy significantly: $(grep '^B - A' "$T/ab1")"
grep -q "^arm A:" "$T/ab1" && grep -q "^arm B:" "$T/ab1" && ok || bad "the arms' metric tables are missing"

expect_ok "ab same seed" "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$D/breast_cancer.csv" --seed 3
cmp -s "$T/out" "$T/ab1" && ok || bad "the same seed gave another result"
expect_ok "ab other seed" "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$D/breast_cancer.csv" --seed 4
cmp -s "$T/out" "$T/ab1" && bad "another seed gave the same assignment" || ok
expect_ok "ab split 0.2" "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$D/breast_cancer.csv" --split 0.2
nA=$(awk '$1 == "A" && NF > 8 { print $(NF - 6) }' "$T/out")
[ "$nA" -gt 80 ] && [ "$nA" -lt 150 ] && ok || bad "a 20 % split sent $nA of 569 rows to A"

expect_ok "ab regression" "$KILN" ab "$T/ridge.kiln" "$T/knn.kiln" "$D/diabetes.csv"
grep -q "^A  .* MAE [0-9.]*  95% CI \[[0-9.]*, [0-9.]*\]$" "$T/out" && ok || bad "no MAE interval: $(cat "$T/out")"
grep -q "^B - A  MAE " "$T/out" && ok || bad "no MAE difference"

expect_error "different targets" "different targets: 'target' and 'label'" \
  "$KILN" ab "$T/iris.kiln" "$T/label.kiln" "$D/iris.csv"
expect_error "different tasks" "classification, the other for regression" \
  "$KILN" ab "$T/iris.kiln" "$T/ridge.kiln" "$D/iris.csv"
expect_error "missing data" "no-such.csv" "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$T/no-such.csv"
expect_error "missing model" "no-such.kiln" "$KILN" ab "$T/no-such.kiln" "$T/lr.kiln" "$D/breast_cancer.csv"
expect_error "split 0" "--split 0: expected a number strictly between 0 and 1" \
  "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$D/breast_cancer.csv" --split 0
expect_error "split 1" "--split 1: expected a number strictly between 0 and 1" \
  "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$D/breast_cancer.csv" --split 1
expect_error "split text" "--split x: expected a number" \
  "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$D/breast_cancer.csv" --split x
expect_error "too few rows" "too few rows for two arms" \
  "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" <(head -n 3 "$D/breast_cancer.csv")
expect_error "arguments" "expected MODEL_A, MODEL_B and DATA" "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln"
expect_error "unknown flag" "unknown option --nope" \
  "$KILN" ab "$T/dummy.kiln" "$T/lr.kiln" "$D/breast_cancer.csv" --nope

# eval --per-class: scikit-learn's classification_report per class, text and JSON.
expect_ok "eval per-class" "$KILN" eval "$T/iris.kiln" "$D/iris.csv" --per-class
awk '$1 == "class" && $2 == "precision" { h = 1; next } h && NF == 5 { n++; s += $5 } END { exit !(n == 3 && s == 150) }' \
  "$T/out" && ok || bad "per-class table: $(cat "$T/out")"
expect_ok "eval per-class json" "$KILN" eval "$T/iris.kiln" "$D/iris.csv" --per-class --json
grep -q '"per_class":\[{"class":"0","precision":' "$T/out" && ok || bad "JSON per_class: $(cat "$T/out")"
expect_error "per-class regression" "--per-class needs a classification model" \
  "$KILN" eval "$T/ridge.kiln" "$D/diabetes.csv" --per-class
finish
