# Scenario 5, basketball shots (docs/scenarios.md): lr and dt on an 80/20 stratified
# split, log loss and F1 of each, the better (lower log loss) saved; drift on the
# production file flags distance_ft, zone and shot_type and none of the others.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
"$GEN" shots --rows "$(rows 20000 3000)" --seed 1 -o shots.csv
"$GEN" shots_production --rows "$(rows 5000 2000)" --seed 1 -o production.csv
best= best_ll=
for model in lr dt; do
  expect_ok "train $model" "$KILN" train shots.csv --target made --model $model --test-size 0.2 --json -o "$model.kiln" --no-log
  ll=$(json_num LogLoss "$T/out")
  f1=$(json_num F1 "$T/out")
  echo "$model: LogLoss $ll F1 $f1"
  check "$model F1 $f1" "$f1 > 0.55"
  if [ -z "$best" ] || awk "BEGIN { exit !($ll < $best_ll) }"; then best=$model best_ll=$ll; fi
done
mv "$best.kiln" shots.kiln
echo "saved shots.kiln: $best"
[ "$best" = lr ] && ok || bad "the better model is $best, wanted lr (calibrated probabilities)"
check "best LogLoss $best_ll" "$best_ll < 0.65"

expect_ok "drift" "$KILN" drift shots.kiln production.csv --psi 0.1
cat "$T/out"
flagged=$(awk '$NF == "yes" { print $1 }' "$T/out" | sort | tr '\n' ' ')
[ "$flagged" = "distance_ft shot_type zone " ] && ok || bad "flagged '$flagged', wanted distance_ft shot_type zone"
finish
