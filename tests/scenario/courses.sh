# Scenario 2, course recommendation (docs/scenarios.md): tune rf, gbm, lr and knn by
# grid search with z-scores and random undersampling; the best held-out accuracy
# beats the class prior (the share of the most common course) by at least 0.15.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
"$GEN" courses --rows "$(rows 3000 600)" --seed 1 -o courses.csv
common="--target recommended_course --search grid --normalize zscore --fix-imbalance undersample --folds 5 --no-log"
best=0 best_model=
for model in rf gbm lr knn; do
  case $model in
    rf) grid="--grid n_estimators=100 --grid max_depth=6,10,none --grid min_samples_split=2,10 --grid min_samples_leaf=1 --grid max_features=sqrt,1.0" ;;
    gbm) grid="--grid n_estimators=100 --grid learning_rate=0.03,0.1 --grid max_depth=3,6 --grid reg_lambda=1 --grid min_child_weight=1 --grid subsample=1.0 --grid colsample_bytree=1.0" ;;
    lr) grid="" ;;
    knn) grid="--grid n_neighbors=5,15,31 --grid weights=uniform,distance --grid metric=minkowski" ;;
  esac
  # shellcheck disable=SC2086
  expect_ok "tune $model" "$KILN" tune courses.csv --model $model $common $grid -o "courses_$model.kiln"
  grep -E "^(tune|kept|parameters|Accuracy)" "$T/out"
  grep -q "grid search" "$T/out" && ok || bad "tune $model did not run a grid search"
  acc=$(field Accuracy "$T/out")
  if awk "BEGIN { exit !($acc > $best) }"; then best=$acc best_model=$model; fi
done
prior=$(awk -F, 'NR > 1 { n[$NF]++; t++ } END { for (c in n) if (n[c] > m) m = n[c]; print m / t }' courses.csv)
echo "best: $best_model, held-out accuracy $best; class prior $prior"
check "best accuracy $best against the prior $prior" "$best > $prior + 0.15"
finish
