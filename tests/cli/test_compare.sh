#!/usr/bin/env bash
# End-to-end tests of kiln compare, kiln tune and kiln runs: the happy paths
# (leaderboard, JSON/CSV, saved model, run log) and every bad input of the
# compare issue, each expected to fail with exit status 1, a one-line message
# naming the flag, nothing on stdout and no output file left behind.
# Usage: test_compare.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
. "$SRC/tests/cli/lib/assert.sh"
cd "$T" || exit 1

IRIS=$SRC/datasets/iris.csv
DIAB=$SRC/datasets/diabetes.csv
FAST="--include lr,knn,nb,dt --folds 5"

# ---- compare ----------------------------------------------------------------------
expect_ok "compare iris" "$KILN" compare "$IRIS" --target target $FAST --seed 7 \
  --json c.json --csv c.csv --save-best best.kiln --log runs.jsonl
head -1 out | grep -q '^classification (inferred.*seed 7$' && ok || bad "first line names the task and seed: $(head -1 out)"
grep -q '^Model .*Accuracy .*AUC .*Recall .*Prec\. .*F1 .*Kappa .*MCC .*TT (Sec)$' out && ok ||
  bad "leaderboard header has PyCaret's columns: $(sed -n 2p out)"
[ "$(grep -cE '^(Logistic|K Neighbors|Naive|Decision)' out)" -eq 4 ] && ok || bad "one row per included model"
grep -q '^best: .* held-out rows' out && ok || bad "the winner's held-out score is printed"
for key in '"task"' '"seed": 7' '"folds": 5' '"leaderboard"' '"Model"' '"TT (Sec)"' '"holdout"' '"best"' '"total_seconds"'; do
  grep -q "$key" c.json && ok || bad "compare --json lacks $key"
done
head -1 c.csv | grep -q '^Model,ID,Accuracy,AUC,Recall,Prec\.,F1,Kappa,MCC,TT (Sec),Error$' && ok || bad "csv header: $(head -1 c.csv)"
[ "$(wc -l <c.csv)" -eq 5 ] && ok || bad "csv has a row per model"
[ -s best.kiln ] && ok || bad "--save-best writes the model"
expect_ok "compare --report" "$KILN" compare "$IRIS" --target target $FAST --seed 7 --report r.html --no-log
for m in "Logistic Regression" "K Neighbors Classifier" "Naive Bayes" "Decision Tree Classifier" Leaderboard "Learning curve" "<svg"; do
  grep -q "$m" r.html && ok || bad "compare report lacks $m"
done
expect_error "--report into a missing folder" "nodir/r.html" "$KILN" compare "$IRIS" --target target $FAST --report nodir/r.html --no-log
head -3 "$IRIS" | cut -d, -f1-4 >new.csv
expect_ok "predict with the best model" "$KILN" predict best.kiln new.csv
grep -q '"command":"compare"' runs.jsonl && grep -q '"output_fnv1a"' runs.jsonl && ok || bad "compare appends to the run log"

# the same leaderboard at 1 and 2 threads
"$KILN" compare "$IRIS" --target target $FAST --threads 1 --no-log --json t1.json >/dev/null 2>&1
"$KILN" compare "$IRIS" --target target $FAST --threads 2 --no-log --json t2.json >/dev/null 2>&1
strip() { grep -v -e 'TT (Sec)' -e total_seconds "$1"; }
[ "$(strip t1.json)" = "$(strip t2.json)" ] && ok || bad "the leaderboard is the same at 1 and 2 threads"

expect_ok "compare regression --std --n-select" "$KILN" compare "$DIAB" --target target \
  --include lr,ridge,dt,knn --folds 3 --std --n-select 2 --sort MAE --no-log
head -1 out | grep -q '^regression' && ok || bad "diabetes is regression"
grep -q '^Model .*MAE .*MSE .*RMSE .*R2 .*RMSLE .*MAPE .*TT (Sec)$' out && ok || bad "regression columns"
[ "$(grep -cE '^(Linear|Ridge|Decision|K Neighbors)' out)" -eq 2 ] && ok || bad "--n-select 2 keeps two rows"
grep -q '([0-9.]*)' out && ok || bad "--std prints the deviation"

# a failing model is reported and the run goes on; --errors raise stops
expect_ok "a failing model" "$KILN" compare "$IRIS" --target target --include lr,knn --folds 3 \
  --param knn.n_neighbors=500 --no-log
grep -q 'Error' out && grep -q 'fold 1' out && ok || bad "the failure is in the Error column: $(cat out)"
# (the first line, task and seed, is already out when a model fails)
"$KILN" compare "$IRIS" --target target --include lr,knn --folds 3 --param knn.n_neighbors=500 --errors raise \
  --no-log --json raise.json >out 2>err
[ $? -eq 1 ] && [ "$(wc -l <err)" -eq 1 ] && grep -q "model 'knn', fold 1" err && ok ||
  bad "--errors raise stops with one line naming the model: $(cat err)"
no_file raise.json "--errors raise"

expect_ok "--fix-imbalance and --class-weight" "$KILN" compare "$IRIS" --target target --include lr,rf,svm --folds 3 \
  --fix-imbalance oversample --class-weight balanced --no-log

expect_ok "--budget-time" "$KILN" compare "$IRIS" --target target --folds 3 --budget-time 0.000001 --no-log
grep -q '^Logistic Regression  *0\.[0-9]' out && grep -q 'not started' out && ok ||
  bad "past the budget the first model runs and the rest are not started: $(cat out)"

# ---- compare: bad input -------------------------------------------------------------
expect_error "more folds than the smallest class" "--folds 40" \
  "$KILN" compare "$IRIS" --target target --folds 40 --json e.json --no-log
no_file e.json "more folds than the smallest class"
expect_error "--folds 1" "--folds" "$KILN" compare "$IRIS" --target target --folds 1 --no-log
expect_error "--train-size 1" "--train-size" "$KILN" compare "$IRIS" --target target --train-size 1 --no-log
expect_error "--train-size 0" "--train-size" "$KILN" compare "$IRIS" --target target --train-size 0 --no-log
expect_error "--train-size -0.5" "--train-size" "$KILN" compare "$IRIS" --target target --train-size -0.5 --no-log
printf 'x,y\n1,a\n2,a\n3,a\n4,a\n5,a\n6,a\n' >one.csv
expect_error "one class" "one class" "$KILN" compare one.csv --target y --json e.json --no-log
no_file e.json "one class"
expect_error "--sort unknown" "--sort Bogus" "$KILN" compare "$IRIS" --target target --sort Bogus --no-log
expect_error "--sort wrong task" "--sort R2" "$KILN" compare "$IRIS" --target target --sort R2 --no-log
expect_error "--include unknown" "--include lr,nope" "$KILN" compare "$IRIS" --target target --include lr,nope --no-log
expect_error "--include wrong task" "--include nb" "$KILN" compare "$DIAB" --target target --include nb --no-log
expect_error "--target missing" "--target nope" "$KILN" compare "$IRIS" --target nope --no-log
expect_error "no --target" "--target" "$KILN" compare "$IRIS"
expect_error "--param bad" "--param" "$KILN" compare "$IRIS" --target target --param nope --no-log
expect_error "--fix-imbalance bad" "--fix-imbalance" "$KILN" compare "$IRIS" --target target --fix-imbalance smote
[ ! -e kiln-runs.jsonl ] && ok || bad "failed runs append nothing to the run log"

# ---- tune -------------------------------------------------------------------------------
expect_ok "tune knn" "$KILN" tune "$IRIS" --target target --model knn --folds 5 --n-iter 4 --optimize F1 \
  -o tuned.kiln --json tune.json --log runs.jsonl
grep -q '^kept: \(tuned\|starting parameters\)' out && ok || bad "tune says which won: $(cat out)"
grep -q 'random search, 4 of' out && ok || bad "random search of 4 points: $(sed -n 2p out)"
[ -s tuned.kiln ] && ok || bad "tune -o saves the model"
grep -q '"kept"' tune.json && ok || bad "tune --json has kept"
expect_ok "tune --grid makes a grid search" "$KILN" tune "$IRIS" --target target --model knn --folds 3 \
  --grid n_neighbors=3,5 --grid weights=uniform --grid metric=euclidean --no-log
grep -q 'grid search, 2 of 2' out && ok || bad "a 2-point grid is searched whole: $(sed -n 2p out)"
expect_error "--optimize unknown" "--optimize Bogus" "$KILN" tune "$IRIS" --target target --model lr --optimize Bogus --no-log
expect_error "--grid bad value" "--grid" "$KILN" tune "$IRIS" --target target --model knn --grid n_neighbors=0 --no-log
expect_error "tune wrong task" "--model nb" "$KILN" tune "$DIAB" --target target --model nb --no-log
expect_error "tune no model" "--model" "$KILN" tune "$IRIS" --target target

# ---- train logs, runs lists ---------------------------------------------------------------
expect_ok "train" "$KILN" train "$IRIS" --target target --model dt -o "$T/dt.kiln"
grep -q '"command":"train"' kiln-runs.jsonl && ok || bad "train appends to kiln-runs.jsonl beside its output"
expect_ok "runs" "$KILN" runs --log runs.jsonl
[ "$(grep -c 'iris.csv' out)" -eq 2 ] && ok || bad "runs lists the compare and the tune: $(cat out)"
grep -q 'compare' out && grep -q 'tune' out && ok || bad "runs names the commands"
expect_error "runs missing log" "nope.jsonl" "$KILN" runs --log nope.jsonl

finish
