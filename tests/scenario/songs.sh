# Scenario 3, song sessions (docs/scenarios.md): a dummy baseline against a linear SVM
# with balanced class weights; the per-class report; importances; an A/B test of the
# two saved models on new sessions, where the SVM's arm wins significantly.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
"$GEN" songs --rows "$(rows 20000 2000)" --seed 1 -o songs.csv
"$GEN" songs --rows "$(rows 6000 1000)" --seed 2 -o songs_new.csv
expect_ok "train dummy" "$KILN" train songs.csv --target skipped --model dummy -o dummy.kiln --no-log
expect_ok "train svm" "$KILN" train songs.csv --target skipped --model svm --param class_weight=balanced -o svm.kiln --no-log
cat "$T/out"
f1=$(field F1 "$T/out")
check "svm F1 $f1 on the skipped class" "$f1 > 0.55"

expect_ok "eval --per-class" "$KILN" eval svm.kiln songs.csv --per-class
cat "$T/out"
awk '$1 == "class" { h = 1; next } h && ($1 == "0" || $1 == "1") { n++ } END { exit n != 2 }' "$T/out" \
  && ok || bad "per-class report lacks a row per class"
f1_1=$(awk '$1 == "1" && NF == 5 { print $4 }' "$T/out")
f1_0=$(awk '$1 == "0" && NF == 5 { print $4 }' "$T/out")
check "per-class F1 of played $f1_0 and skipped $f1_1" "$f1_0 > 0.6 && $f1_1 > 0.55"

expect_ok "importance" "$KILN" inspect svm.kiln --importance permutation --data songs_new.csv --repeats 3
cat "$T/out"
top=$(awk 'NR == 1 { print $1 }' "$T/out")
case "$top" in user_skip_rate | track_skip_rate) ok ;; *) bad "top permutation importance is $top" ;; esac

expect_ok "ab" "$KILN" ab dummy.kiln svm.kiln songs_new.csv --seed 7
cat "$T/out"
# B - A  Accuracy +0.1187  95% CI [+0.0893, +0.1481]: the lower bound is above 0.
lo=$(awk '$1 == "B" && $2 == "-" { gsub(/[[,]/, "", $8); print $8 }' "$T/out")
check "A/B: lower bound $lo of svm's gain over dummy" "$lo > 0.05"
finish
