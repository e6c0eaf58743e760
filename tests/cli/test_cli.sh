#!/usr/bin/env bash
# End-to-end tests of the kiln command line: the happy paths of train, predict,
# eval, inspect and models, and every bad input of the foundation issue, each
# expected to fail with exit status 1, a one-line message naming the file/line/
# column or flag, and no output file left behind.
# Usage: test_cli.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
. "$SRC/tests/cli/lib/assert.sh"
cd "$T" || exit 1

BC=$SRC/datasets/breast_cancer.csv
IRIS=$SRC/datasets/iris.csv

# ---- happy paths ---------------------------------------------------------------
expect_ok "train --json" "$KILN" train "$BC" --target target --model lr --test-size 0.3 --seed 1 --json -o "$T/m.kiln"
for key in fit_seconds predict_seconds Accuracy AUC Recall '"Prec."' F1 Kappa MCC LogLoss; do
  grep -q "$key" "$T/out" && ok || bad "train --json lacks $key"
done
[ "$(wc -l <"$T/out")" -eq 1 ] && ok || bad "train --json prints one line"
acc=$(sed 's/.*"Accuracy":\([0-9.]*\).*/\1/' "$T/out")
awk -v a="$acc" 'BEGIN { exit !(a > 0.94) }' && ok || bad "breast_cancer lr accuracy $acc <= 0.94"
[ -s "$T/m.kiln" ] && ok || bad "model file written"
ls "$T" | grep -q tmp && bad "temporary file left" || ok

head -6 "$BC" | cut -d, -f1-30 >"$T/new.csv" # drop the target column
expect_ok "predict" "$KILN" predict "$T/m.kiln" "$T/new.csv" -o "$T/pred.csv"
head -1 "$T/pred.csv" | grep -q ',prediction_label,prediction_score$' && ok || bad "predict header: $(head -1 "$T/pred.csv")"
[ "$(wc -l <"$T/pred.csv")" -eq 6 ] && ok || bad "predict writes a row per input row"
expect_ok "predict --raw-score" "$KILN" predict "$T/m.kiln" "$T/new.csv" --raw-score
head -1 "$T/out" | grep -q 'prediction_score_0,prediction_score_1$' && ok || bad "raw-score columns"
# The predicted score of each row is the largest class probability.
awk -F, 'NR > 1 { s = $(NF-2); m = ($(NF-1) > $NF) ? $(NF-1) : $NF; if (s != m) exit 1 }' "$T/out" && ok || bad "prediction_score is the predicted class's probability"

expect_ok "eval" "$KILN" eval "$T/m.kiln" "$BC"
grep -q '^Accuracy' "$T/out" && ok || bad "eval prints Accuracy"
expect_ok "eval --json" "$KILN" eval "$T/m.kiln" "$BC" --json
grep -q '"MCC"' "$T/out" && ok || bad "eval --json has MCC"
expect_ok "inspect" "$KILN" inspect "$T/m.kiln"
grep -q 'mean radius' "$T/out" && grep -q 'intercept' "$T/out" && grep -q 'classes: 0 1' "$T/out" && ok || bad "inspect shows features, intercept, classes"
expect_ok "inspect --format json" "$KILN" inspect "$T/m.kiln" --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["estimator"]["model"]=="lr"; assert "learned" in d' "$T/out" 2>/dev/null && ok || bad "inspect json parses"
expect_ok "inspect --importance" "$KILN" inspect "$T/m.kiln" --importance builtin
expect_ok "inspect permutation" "$KILN" inspect "$T/m.kiln" --importance permutation --data "$BC" --repeats 1
expect_error "neighbors of lr" "--neighbors: the model is lr, not knn" "$KILN" inspect "$T/m.kiln" --neighbors 0

# knn: inspect --neighbors lists a row's nearest training rows, nearest first.
expect_ok "train knn" "$KILN" train "$IRIS" --target target --model knn --seed 1 -o "$T/knn.kiln"
expect_ok "neighbors of a training row" "$KILN" inspect "$T/knn.kiln" --neighbors 7
[ "$(wc -l <"$T/out")" -eq 6 ] && ok || bad "neighbors: a header and n_neighbors=5 rows"
awk 'NR == 2 { exit !($2 == 7 && $3 == 0) }' "$T/out" && ok || bad "a training row is its own nearest neighbour: $(sed -n 2p "$T/out")"
awk 'NR > 2 && $3 < prev { bad = 1 } NR > 1 { prev = $3 } END { exit bad }' "$T/out" && ok || bad "neighbours sorted by distance"
expect_ok "neighbors of a data row" "$KILN" inspect "$T/knn.kiln" --neighbors 149 --data "$IRIS" --k 3 --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==3 and all("distance" in r and "target" in r for r in d)' "$T/out" && ok || bad "neighbors json: 3 entries"
expect_error "neighbors row past the data" "--neighbors 150: .*iris.csv has 150 data rows" "$KILN" inspect "$T/knn.kiln" --neighbors 150 --data "$IRIS"
expect_error "neighbors row past training" "--neighbors 105: the model holds 105 training rows" "$KILN" inspect "$T/knn.kiln" --neighbors 105
expect_error "neighbors k too large" "--k 106: the model holds 105" "$KILN" inspect "$T/knn.kiln" --neighbors 0 --k 106
expect_error "neighbors negative" "--neighbors -1" "$KILN" inspect "$T/knn.kiln" --neighbors -1

# A solver stopped at max_iter: one warning line on stderr; inspect shows the
# iterations and that it did not converge (lr with l1 and svm); a converged one is quiet.
WINE=$SRC/datasets/wine.csv
for model in "lr --param penalty=l1" "svm"; do
  # shellcheck disable=SC2086
  expect_ok "train $model max_iter=1" "$KILN" train "$WINE" --target target --model $model --param max_iter=1 -o "$T/w.kiln"
  [ "$(grep -c 'warning:.*max_iter' "$T/err")" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "$model: one max_iter warning: $(cat "$T/err")"
  expect_ok "inspect $model" "$KILN" inspect "$T/w.kiln"
  grep -q 'iterations' "$T/out" && grep -Eqi 'not (converged|converge)' "$T/out" && ok || bad "$model: inspect shows iterations and no convergence"
done
expect_ok "train lr elasticnet" "$KILN" train "$WINE" --target target --model lr --param penalty=elasticnet --param l1_ratio=0.3 -o "$T/w.kiln"
[ -s "$T/err" ] && bad "a converged elasticnet fit warns: $(cat "$T/err")" || ok
expect_ok "inspect lr elasticnet json" "$KILN" inspect "$T/w.kiln" --format json
grep -q '"solver": "prox_newton"' "$T/out" && grep -q '"converged": true' "$T/out" && grep -q '"n_iter"' "$T/out" && ok || bad "inspect json has solver, n_iter, converged"
expect_ok "models" "$KILN" models
grep -q '^lr ' "$T/out" && grep -q 'max_iter' "$T/out" && ok || bad "models lists lr and its params"
for cmd in train predict eval inspect models; do
  expect_ok "$cmd --help" "$KILN" "$cmd" --help
  grep -q usage "$T/out" && ok || bad "$cmd --help prints usage"
done

# Multiclass with string labels, target not last, ';' delimiter, CRLF, BOM, quoted numbers, NA.
printf '\xef\xbb\xbfspecies;a;b\r\n' >"$T/str.csv"
for i in $(seq 1 30); do
  printf 'cat;"%d.5";%d\r\ndog;%d;NA\r\nemu;%d;%d\r\n' $((i % 7)) $((i % 5)) $((i % 3 + 10)) $((i % 4 + 20)) $((i % 6 + 30)) >>"$T/str.csv"
done
expect_ok "string labels" "$KILN" train "$T/str.csv" --target species --model lr --seed 3 -o "$T/s.kiln"
expect_ok "predict string labels" "$KILN" predict "$T/s.kiln" "$T/str.csv"
grep -Eq ',(cat|dog|emu),' "$T/out" && ok || bad "labels are the class names"
# An unseen category at predict is not an error.
printf 'x,c,y\n1,red,0\n2,blue,1\n3,red,0\n4,blue,1\n5,green,0\n6,green,1\n7,red,0\n8,blue,1\n' >"$T/cat.csv"
expect_ok "categorical train" "$KILN" train "$T/cat.csv" --target y --model lr --test-size 0 -o "$T/c.kiln"
printf 'x,c\n1,purple\n' >"$T/unseen.csv"
expect_ok "unseen category" "$KILN" predict "$T/c.kiln" "$T/unseen.csv"
# Regression.
expect_ok "regression" "$KILN" train "$SRC/datasets/diabetes.csv" --target target --model lr --json
grep -q '"R2"' "$T/out" && grep -q '"RMSLE"' "$T/out" && ok || bad "regression metrics"
expect_ok "--test FILE" "$KILN" train "$IRIS" --target target --model lr --test "$IRIS" --json
grep -q '"test_rows":150' "$T/out" && ok || bad "--test uses the other file"

# ---- bad input -----------------------------------------------------------------
: >"$T/empty.csv"
expect_error "empty file" "empty.csv" "$KILN" train "$T/empty.csv" --target y --model lr -o "$T/x.kiln"
no_file "$T/x.kiln" "empty file"
echo "a,b,y" >"$T/header.csv"
expect_error "header only" "header.csv" "$KILN" train "$T/header.csv" --target y --model lr -o "$T/x.kiln"
printf 'a,b,y\n1,2,0\n3,4\n' >"$T/ragged.csv"
expect_error "ragged row" "ragged.csv:3" "$KILN" train "$T/ragged.csv" --target y --model lr -o "$T/x.kiln"
printf 'a,b,y\n1,"2,0\n3,4,1\n' >"$T/quote.csv"
expect_error "unterminated quote" "quote.csv:2" "$KILN" train "$T/quote.csv" --target y --model lr -o "$T/x.kiln"
head -c 3000 /bin/sh >"$T/garbage.csv"
expect_error "binary garbage" "garbage.csv" "$KILN" train "$T/garbage.csv" --target y --model lr -o "$T/x.kiln"
expect_error "missing target column" "no target column 'nope'" "$KILN" train "$BC" --target nope --model lr -o "$T/x.kiln"
expect_error "unknown model" "--model zzz" "$KILN" train "$BC" --target target --model zzz -o "$T/x.kiln"
expect_error "unknown parameter" "--param gamma" "$KILN" train "$BC" --target target --model lr --param gamma=1 -o "$T/x.kiln"
expect_error "out-of-range parameter" "--param C=-1" "$KILN" train "$BC" --target target --model lr --param C=-1 -o "$T/x.kiln"
expect_error "bad class_weight" "class_weight" "$KILN" train "$BC" --target target --model lr --param class_weight=heavy -o "$T/x.kiln"
printf 'a,y\n1,0\n2,0\n3,0\n4,0\n' >"$T/oneclass.csv"
expect_error "one class" "only one class" "$KILN" train "$T/oneclass.csv" --target y --model lr --task classification --test-size 0 -o "$T/x.kiln"
expect_error "file not found" "nothere.csv" "$KILN" train "$T/nothere.csv" --target y --model lr -o "$T/x.kiln"
expect_error "directory as file" "$T" "$KILN" train "$T" --target y --model lr -o "$T/x.kiln"
no_file "$T/x.kiln" "bad inputs"
expect_error "bad --test-size" "--test-size" "$KILN" train "$BC" --target target --model lr --test-size 1.5
expect_error "bad --threads" "--threads" "$KILN" train "$BC" --target target --model lr --threads 0
expect_error "unknown flag" "unknown option" "$KILN" train "$BC" --target target --model lr --frobnicate
head -c 200 "$T/m.kiln" >"$T/trunc.kiln"
expect_error "truncated model" "trunc.kiln" "$KILN" predict "$T/trunc.kiln" "$T/new.csv" -o "$T/p2.csv"
cp "$T/m.kiln" "$T/corrupt.kiln"
printf '\x55' | dd of="$T/corrupt.kiln" bs=1 seek=300 conv=notrunc 2>/dev/null
expect_error "corrupted model" "corrupt" "$KILN" eval "$T/corrupt.kiln" "$BC"
expect_error "csv as model" "not a kiln model" "$KILN" inspect "$BC"
no_file "$T/p2.csv" "bad model"
cut -d, -f2-31 "$BC" | head -5 >"$T/lacking.csv"
expect_error "predict lacks a column" "no column 'mean radius'" "$KILN" predict "$T/m.kiln" "$T/lacking.csv" -o "$T/p3.csv"
no_file "$T/p3.csv" "lacking column"
{ head -1 "$BC"; sed -n 2,4p "$BC"; echo "abc,$(sed -n 5p "$BC" | cut -d, -f2-)"; } >"$T/text.csv"
expect_error "text in numeric column at predict" "text.csv:5:1" "$KILN" predict "$T/m.kiln" "$T/text.csv" -o "$T/p4.csv"
no_file "$T/p4.csv" "text in numeric column"
expect_error "predict into a directory" "directory" "$KILN" predict "$T/m.kiln" "$T/new.csv" -o "$T"
expect_error "unknown command" "unknown command" "$KILN" frobnicate
expect_error "train -o into a missing folder" "nodir/m.kiln: cannot write" "$KILN" train "$IRIS" --target target --model lr -o "$T/nodir/m.kiln"
expect_error "l1_ratio above 1" "l1_ratio" "$KILN" train "$BC" --target target --model lr --param penalty=elasticnet --param l1_ratio=1.5 -o "$T/bad.kiln"
no_file "$T/bad.kiln" "l1_ratio above 1"
expect_error "inspect dot for lr" "--format dot" "$KILN" inspect "$T/m.kiln" --format dot
expect_error "permutation without data" "--data" "$KILN" inspect "$T/m.kiln" --importance permutation

finish
