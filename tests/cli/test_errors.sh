#!/usr/bin/env bash
# The input of each entry of docs/errors.md, run through the command line: each
# row names the case (the "test" column of docs/errors.md), the exit status, a
# pattern the one-line message must match, and the command.
# Usage: test_errors.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
. "$SRC/tests/cli/lib/assert.sh"
CSV=$SRC/tests/data/csv

# err NAME STATUS PATTERN CMD...: exit STATUS, one stderr line matching PATTERN, no file $T/out.*.
err() {
  expect_status "$@" || return
  if ls "$T"/out.* >/dev/null 2>&1; then
    pass=$((pass - 1)); bad "$1: left an output file"; rm -f "$T"/out.*
  fi
}

# Inputs.
{
  echo "x1,x2,color,label,value"
  for i in $(seq 1 30); do echo "$((i % 7)).5,$((i % 5)),c$((i % 3)),$([ $((i % 2)) -eq 0 ] && echo yes || echo no),$i.25"; done
} >"$T/good.csv"
printf 'x,y\n1,a\n2,a\n3,a\n' >"$T/oneclass.csv"
printf 'x,y\n1,a\n2,\n3,b\n' >"$T/notarget.csv"
printf 'y\n1\n2\n' >"$T/onlytarget.csv"
printf 'x,y\n1,a\n2,b\n3,a\n4,b\n' >"$T/textlabel.csv"
printf 'x1,color,label,value\n1,c1,yes,1\n' >"$T/lacking.csv"
"$KILN" train "$T/good.csv" --target label --model lr --test-size 0 -o "$T/m.kiln" >/dev/null
"$KILN" train "$T/good.csv" --target label --model knn --test-size 0 -o "$T/knn.kiln" >/dev/null
head -c 40 "$T/m.kiln" >"$T/trunc.kiln"
: >"$T/empty.kiln"
cp "$T/m.kiln" "$T/flipped.kiln"
printf '\x55' | dd of="$T/flipped.kiln" bs=1 seek=60 conv=notrunc 2>/dev/null
"$KILN" train "$T/good.csv" --target x2 --task classification --model lr --test-size 0 -o "$T/x2_class.kiln" >/dev/null
"$KILN" train "$T/good.csv" --target x2 --task regression --model ridge --test-size 0 -o "$T/x2_reg.kiln" >/dev/null
"$KILN" train "$T/good.csv" --target value --model ridge --test-size 0 -o "$T/value.kiln" >/dev/null
printf 'not json\n' >"$T/runs.jsonl"
sed 's/^1\.5,/abc,/' "$T/good.csv" >"$T/textnum.csv"
sed 's/,yes,/,maybe,/' "$T/good.csv" >"$T/newclass.csv"
mkdir "$T/dir"
many=()
for i in $(seq 1 49); do many+=(--param "C=1"); done
grids=()
for i in $(seq 1 40); do grids+=(--grid "C=1,2"); done
tr() { "$KILN" train "$T/good.csv" --target label --model lr -o "$T/out.kiln" "$@"; }
# Runs whose banner goes to stdout before the failure; and a stdout that is full.
quiet() { "$@" >/dev/null; }
full() { "$@" >/dev/full; }

# CSV reader (io/csv.c, io/text.c)
err csv_control 1 "control.csv:[0-9]+:[0-9]+: not a text file" "$KILN" train "$CSV/control.csv" --target a --model lr -o "$T/out.kiln"
err csv_unterminated 1 "unterminated quoted field \(its quote opens here\)" "$KILN" train "$CSV/unterminated.csv" --target a --model lr -o "$T/out.kiln"
err csv_empty 1 "empty file \(a header row is required\)" "$KILN" train "$CSV/empty.csv" --target a --model lr -o "$T/out.kiln"
err csv_empty_name 1 "empty column name in the header" "$KILN" train "$CSV/empty_name.csv" --target a --model lr -o "$T/out.kiln"
err csv_dup_name 1 "duplicate column name" "$KILN" train "$CSV/dup_name.csv" --target a --model lr -o "$T/out.kiln"
err csv_inf 1 "inf.csv:3:2: infinite value '-Infinity' in column 'b'" "$KILN" train "$CSV/inf.csv" --target a --model lr -o "$T/out.kiln"
err csv_ragged 1 "ragged.csv:[0-9]+: expected [0-9]+ fields \(as in the header\), got [0-9]+" "$KILN" train "$CSV/ragged.csv" --target a --model lr -o "$T/out.kiln"
err csv_typo 1 "is not a number, but [0-9]+ of the [0-9]+ values in column" "$KILN" train "$CSV/typo.csv" --target a --model lr -o "$T/out.kiln"
err csv_header_only 1 "no data rows after the header" "$KILN" train "$CSV/header_only.csv" --target a --model lr -o "$T/out.kiln"
err csv_missing_file 1 "nothere.csv: cannot open: No such file" "$KILN" train "$T/nothere.csv" --target a --model lr -o "$T/out.kiln"
err csv_directory 1 "is a directory, not a file" "$KILN" train "$T/dir" --target a --model lr -o "$T/out.kiln"
# Pipeline (algos/select/pipeline.c) and registry
err target_missing 1 "no target column 'nope'" "$KILN" train "$T/good.csv" --target nope --model lr -o "$T/out.kiln"
err target_only 1 "no feature columns besides the target 'y'" "$KILN" train "$T/onlytarget.csv" --target y --model lr --test-size 0 -o "$T/out.kiln"
err target_one_class 1 "target 'y' has only one class; classification needs two or more" "$KILN" train "$T/oneclass.csv" --target y --model lr --test-size 0 -o "$T/out.kiln"
err target_value_missing 1 "notarget.csv:3:2: missing target value" "$KILN" train "$T/notarget.csv" --target y --model lr --test-size 0 -o "$T/out.kiln"
err target_not_numeric 1 "target 'y' is not numeric \('a'\); use --task classification" "$KILN" train "$T/textlabel.csv" --target y --model lr --task regression --test-size 0 -o "$T/out.kiln"
err model_wrong_task 1 "model 'nb' \(.*\) does not do regression" "$KILN" train "$T/good.csv" --target value --model nb --test-size 0 -o "$T/out.kiln"
err predict_lacks_column 1 "no column 'x2', which the model needs" "$KILN" predict "$T/m.kiln" "$T/lacking.csv" -o "$T/out.csv"
err predict_text_in_number 1 "textnum.csv:[0-9]+:1: text 'abc' in numeric column 'x1'" "$KILN" predict "$T/m.kiln" "$T/textnum.csv" -o "$T/out.csv"
err eval_unseen_class 1 "class 'maybe' was not seen in training" "$KILN" eval "$T/m.kiln" "$T/newclass.csv"
# --param (core/params.c)
err param_not_number 1 "--param C=abc: not a number" tr --param C=abc
err param_not_whole 1 "--param max_iter=2.5: must be a whole number" tr --param max_iter=2.5
err param_range 1 "--param C=0: must be > 0 and <= " tr --param C=0
err param_unknown 1 "--param gamma: unknown parameter" tr --param gamma=1
err param_too_long 1 "--param C: value too long" tr --param "C=$(printf '1%.0s' $(seq 1 60))"
err param_choice 1 "--param penalty=l3: must be one of" tr --param penalty=l3
err param_bool 1 "--param fit_intercept=yes: must be true or false" tr --param fit_intercept=yes
err param_empty 1 "--param class_weight: empty value" tr --param class_weight=
err param_no_equals 1 "--param C: expected name=value" tr --param C
err param_name_too_long 1 "name too long" tr --param "$(printf 'a%.0s' $(seq 1 80))=1"
err param_too_many 1 "too many --param flags" tr "${many[@]}"
# Flags (cli/)
err flag_target_required 1 "--target is required" "$KILN" train "$T/good.csv" --model lr -o "$T/out.kiln"
err flag_model_required 1 "--model is required" "$KILN" train "$T/good.csv" --target label -o "$T/out.kiln"
err flag_unknown_model 1 "--model zzz: unknown model \(kiln models lists them\)" tr --model zzz
err flag_unknown_option 1 "unknown option --frobnicate" tr --frobnicate
err flag_needs_value 1 "--seed needs a value" tr --seed
err flag_whole_number 1 "--threads 0: expected a whole number from 1 to" tr --threads 0
err flag_seed 1 "--seed -3: expected a non-negative whole number" tr --seed -3
err flag_fraction 1 "--test-size 1.5: expected a number strictly between 0 and 1" tr --test-size 1.5
err flag_task 1 "--task clustering: expected classification or regression" tr --task clustering
err flag_normalize 1 "--normalize unit: expected auto, none, zscore or minmax" tr --normalize unit
err predict_args 1 "expected MODEL and DATA" "$KILN" predict "$T/m.kiln"
err eval_args 1 "expected MODEL and DATA" "$KILN" eval "$T/m.kiln"
err inspect_args 1 "expected one MODEL file" "$KILN" inspect
err inspect_format 1 "--format svg: expected text, json or dot" "$KILN" inspect "$T/m.kiln" --format svg
err inspect_importance 1 "--importance gini: expected builtin or permutation" "$KILN" inspect "$T/m.kiln" --importance gini
err inspect_builtin 1 "--importance builtin: .* has none" "$KILN" inspect "$T/knn.kiln" --importance builtin
err inspect_permutation 1 "--importance permutation needs --data FILE \(labelled rows\)" "$KILN" inspect "$T/m.kiln" --importance permutation
err models_argument 1 "unexpected argument extra" "$KILN" models extra
err command_unknown 1 "unknown command 'frobnicate'" "$KILN" frobnicate
# Model files (io/serial.c) and output files (io/outfile.c)
err model_not_model 1 "good.csv: not a kiln model file" "$KILN" predict "$T/good.csv" "$T/good.csv" -o "$T/out.csv"
err model_empty 1 "empty.kiln: empty file, not a kiln model file" "$KILN" predict "$T/empty.kiln" "$T/good.csv" -o "$T/out.csv"
err model_truncated 1 "trunc.kiln: truncated" "$KILN" predict "$T/trunc.kiln" "$T/good.csv" -o "$T/out.csv"
err model_checksum 1 "flipped.kiln: corrupted \(checksum mismatch\)" "$KILN" predict "$T/flipped.kiln" "$T/good.csv" -o "$T/out.csv"
err model_newer 1 "written by model format version 2; this kiln reads version 1" "$KILN" predict "$SRC/tests/data/models/future_v2.kiln" "$T/good.csv" -o "$T/out.csv"
err model_directory 1 "is a directory, not a kiln model file" "$KILN" predict "$T/dir" "$T/good.csv" -o "$T/out.csv"
err model_write_directory 1 "dir: is a directory, not an output file" tr -o "$T/dir"
err output_directory 1 "is a directory, not an output file" "$KILN" predict "$T/m.kiln" "$T/good.csv" -o "$T/dir"
err output_no_directory 1 "nodir/out.csv: cannot write: No such file or directory" "$KILN" predict "$T/m.kiln" "$T/good.csv" -o "$T/nodir/out.csv"

# Estimator parameters checked against the data (algos/)
m() { local id=$1; shift; "$KILN" train "$T/good.csv" --target label --model "$id" -o "$T/out.kiln" "$@"; }
err cw_syntax 1 "--param class_weight=heavy: expected none, balanced or class:weight" m lr --param class_weight=heavy
err cw_positive 1 "--param class_weight=0:-1: weights must be positive numbers" m lr --param class_weight=0:-1
err cw_class 1 "--param class_weight=7:1: class index 7 out of range" m lr --param class_weight=7:1
err svm_l1_hinge 1 "svm: penalty=l1 with loss=hinge is not supported" m svm --param penalty=l1 --param loss=hinge
err svm_l1_dual 1 "svm: penalty=l1 has no dual solver" m svm --param penalty=l1 --param dual=true
err svm_hinge_primal 1 "svm: loss=hinge has no primal solver" m svm --param loss=hinge --param dual=false
err knn_k_rows 1 "--param n_neighbors=100: larger than the [0-9]+ training rows" m knn --param n_neighbors=100
err knn_kd_cosine 1 "--param algorithm=kd_tree: the kd-tree does not support metric=cosine" m knn --param algorithm=kd_tree --param metric=cosine
err tree_max_features_word 1 "--param max_features=most: expected sqrt, log2" m rf --param max_features=most
err tree_max_features_wide 1 "--param max_features=50: the data has only [0-9]+ features" m rf --param max_features=50
err tree_max_samples 1 "--param max_samples=many: expected none, a fraction" m rf --param max_samples=many
err tree_criterion 1 "--param criterion=squared_error does not fit classification" m rf --param criterion=squared_error
err tree_min_leaf 1 "--param min_samples_leaf=1000: larger than the [0-9]+ training rows" m dt --param min_samples_leaf=1000
err tree_oob_bootstrap 1 "--param oob_score=true needs bootstrap=true" m rf --param oob_score=true --param bootstrap=false
err tree_max_samples_bootstrap 1 "--param max_samples needs bootstrap=true" m rf --param max_samples=0.5 --param bootstrap=false
err gbm_depth 1 "--param max_depth=0: must be >= 1, or -1" m gbm --param max_depth=0
err gbm_loss_task 1 "--param loss=huber: a regression loss; classification uses log_loss" m gbm --param loss=huber
err gbm_log_loss_regression 1 "--param loss=log_loss: a classification loss; regression takes" "$KILN" train "$T/good.csv" --target value --model gbm --param loss=log_loss --test-size 0 -o "$T/out.kiln"
err split_empty_part 1 "split: a test fraction of 0.99 of 30 rows leaves an empty train part" m lr --test-size 0.99
err split_class_lost 1 "stratified split: a test part of [0-9]+ rows would leave a class with no training row" m lr --test-size 0.95
err inspect_dot_linear 1 "--format dot: lr has no tree to draw; use text or json" "$KILN" inspect "$T/m.kiln" --format dot
err inspect_dot_knn 1 "knn: no DOT form \(it has no tree to draw\); use text or json" "$KILN" inspect "$T/knn.kiln" --format dot

err inspect_dot_dummy 1 "--format dot: dummy has no tree to draw" "$KILN" inspect "$SRC/tests/data/models/v1/dummy.kiln" --format dot
err inspect_dot_nb 1 "nb: naive Bayes has no DOT view" "$KILN" inspect "$SRC/tests/data/models/v1/nb.kiln" --format dot
err inspect_dot_lasso 1 "lasso: a linear model has no DOT view" "$KILN" inspect "$SRC/tests/data/models/v1/lasso.kiln" --format dot
err eval_per_class_regression 1 "--per-class needs a classification model \(ridge is regression\)" "$KILN" eval "$T/value.kiln" "$T/good.csv" --per-class
err drift_text_in_number 1 "textnum.csv: column 'x1' holds text; the model saw numbers there" "$KILN" drift "$T/m.kiln" "$T/textnum.csv"
err runs_bad_line 1 "runs.jsonl:1: not a run log line" "$KILN" runs --log "$T/runs.jsonl"
# A/B, compare and tune (cli/ab.c, cli/compare.c, cli/tune.c, algos/select/)
err ab_targets 1 "the models predict different targets: 'label' and 'value'" "$KILN" ab "$T/m.kiln" "$T/value.kiln" "$T/good.csv"
err ab_tasks 1 "one model is for classification, the other for regression" "$KILN" ab "$T/x2_class.kiln" "$T/x2_reg.kiln" "$T/good.csv"
cmp() { "$KILN" compare "$T/good.csv" --no-log "$@"; }
err compare_errors 1 "--errors zzz: expected ignore or raise" cmp --target label --errors zzz
err compare_imbalance 1 "--fix-imbalance zzz: expected undersample, oversample or none" cmp --target label --fix-imbalance zzz
err inspect_neighbors_data 1 "--neighbors 999: .*good.csv has 30 data rows \(0..29\)" "$KILN" inspect "$T/knn.kiln" --neighbors 999 --data "$T/good.csv"
err compare_sort_metric 1 "--sort zzz: unknown metric 'zzz' for classification" cmp --target label --sort zzz
err compare_train_size 1 "--train-size 0.01 of 30 rows leaves an empty training part" cmp --target label --train-size 0.01
err compare_all_failed 1 "good.csv: every model failed; the first: fold 1: --param n_neighbors=500" quiet cmp --target label --include knn --param knn.n_neighbors=500
err compare_no_target 1 "--target nope: .*good.csv has no such column" cmp --target nope
err inspect_k_rows 1 "--k 999: the model holds 30 training rows" "$KILN" inspect "$T/knn.kiln" --neighbors 0 --k 999
err runs_missing_log 1 "nolog.jsonl: No such file or directory" "$KILN" runs --log "$T/nolog.jsonl"
err stdout_full 2 "cannot write to standard output" full "$KILN" predict "$T/m.kiln" "$T/good.csv"
err tree_depth_word 1 "--param max_depth=abc: must be none or a whole number >= 1" m dt --param max_depth=abc
err tree_max_features_fraction 1 "--param max_features=1.5: a fraction must be in \(0, 1\]" m rf --param max_features=1.5
err tree_max_samples_fraction 1 "--param max_samples=1.5: a fraction must be in \(0, 1\]" m rf --param max_samples=1.5
err gbm_validation_rows 1 "--param validation_fraction=0.01 leaves 0 validation and 21 training rows of 21" m gbm --param validation_fraction=0.01
err compare_exclude_all 1 "--exclude .*: no model left to compare" cmp --target label --exclude dummy,nb,lr,knn,dt,rf,et,gbm,svm,ridge,lasso,en
err compare_param_form 1 "--param C=1: expected MODEL.NAME=VALUE with a known model id" cmp --target label --param C=1
err compare_class_weight 1 "--class-weight heavy: model '[a-z]+': --param class_weight=heavy" cmp --target label --class-weight heavy
err compare_include_task 1 "--include nb: model 'nb' \(Naive Bayes\) does not do regression" cmp --target value --include nb
err compare_folds_rows 1 "--folds 100: more folds than the 21 training rows" cmp --target label --folds 100
err compare_folds_class 1 "--folds 15: the smallest class has 10 rows in the training part; stratified folds need at least one per fold" cmp --target label --folds 15
tn() { "$KILN" tune "$T/good.csv" --target label --no-log "$@"; }
err tune_search 1 "--search zzz: expected random or grid" tn --model lr --search zzz
err tune_grid_form 1 "--grid C: expected NAME=V1,V2,..." tn --model lr --grid C
err tune_grid_name 1 "--grid zz=1,2: model 'lr' has no parameter 'zz' \(kiln models lists them\)" tn --model lr --grid zz=1,2
err tune_grid_values 1 "--grid C=1,,2: give 1 to 32 non-empty values" tn --model lr --grid C=1,,2
err tune_grid_value 1 "--grid C=abc,1: --param C=abc: not a number" tn --model lr --grid C=abc,1
err tune_grid_size 1 "--search grid: [0-9]+ points is too many; narrow the grid with --grid" quiet tn --model gbm --search grid --grid n_estimators=$(seq -s, 1 32) --grid max_leaf_nodes=$(seq -s, 2 33) --grid max_bins=$(seq -s, 2 33) --grid min_child_weight=$(seq -s, 1 32)
err tune_nothing 1 "--model dummy: nothing to tune; give a space with --grid NAME=V1,V2" tn --model dummy
err tune_task 1 "--model nb: Naive Bayes does not do regression" "$KILN" tune "$T/good.csv" --target value --model nb --no-log
err tune_unknown_model 1 "--model zzz: unknown model \(kiln models lists them\)" tn --model zzz
err tune_model_required 1 "--model is required" tn
err tune_start_failed 1 "--model knn: the starting parameters failed and no point did better: fold 1" quiet tn --model knn --param n_neighbors=500 --grid n_neighbors=400,500
err tune_too_many_grids 1 "too many --grid flags" tn --model lr "${grids[@]}"

finish
