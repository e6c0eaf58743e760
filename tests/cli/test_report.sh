#!/usr/bin/env bash
# End-to-end tests of `kiln report` and `kiln eval --report`: the page is
# written for a binary, a multiclass and a regression model, holds every chart,
# fetches nothing from elsewhere, and renders in headless Chromium to a
# screenshot that is not blank. Chromium is required (scripts/install-deps
# installs it): without it this test fails, it is never skipped.
# Usage: test_report.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
. "$SRC/tests/cli/lib/assert.sh"
PY=/usr/bin/python3

# split NAME: every third row of datasets/NAME.csv to $T/NAME_test.csv, the rest to _train.
split() {
  awk -v tr="$T/$1_train.csv" -v te="$T/$1_test.csv" \
    'NR == 1 { print > tr; print > te; next } NR % 3 == 0 { print > te; next } { print > tr }' "$SRC/datasets/$1.csv"
}

# screenshot_ok NAME HTML: render in headless Chromium; the PNG must show many
# colours and a good share of non-background pixels.
screenshot_ok() {
  local name=$1 html=$2 png="$T/$1.png"
  rm -f "$png"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$png" \
    --window-size=1200,3000 "file://$html" >"$T/chromium.log" 2>&1
  if [ ! -s "$png" ]; then bad "$name: no screenshot ($(tail -3 "$T/chromium.log"))"; return; fi
  if "$PY" - "$png" <<'PYEOF'; then ok; else bad "$name: screenshot is blank"; fi
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
colours = im.getcolors(maxcolors=w * h)
background = max(colours)[1]
ink = sum(n for n, c in colours if c != background) / (w * h)
print(f"{sys.argv[1]}: {w}x{h}, {len(colours)} colours, {ink:.1%} not background")
sys.exit(0 if len(colours) >= 50 and ink >= 0.05 else 1)
PYEOF
}

if ! command -v chromium >/dev/null 2>&1; then
  bad "chromium is not installed: run scripts/install-deps (the report test needs it)"
  finish
  exit 1
fi
"$PY" -c 'import PIL' 2>/dev/null || bad "python3-pil is not installed: run scripts/install-deps"

split breast_cancer
split iris
split diabetes

# ---- happy paths ---------------------------------------------------------------
expect_ok "train rf" "$KILN" train "$T/breast_cancer_train.csv" --target target --model rf --test-size 0 -o "$T/bc.kiln"
expect_ok "report binary" "$KILN" report "$T/bc.kiln" "$T/breast_cancer_test.csv" --train "$T/breast_cancer_train.csv" \
  --title "Breast cancer" -o "$T/bc.html"
[ ! -s "$T/out" ] && ok || bad "report prints nothing on success: $(cat "$T/out")"
for part in '<title>Breast cancer</title>' '>ROC<' '>Precision-recall<' '>Confusion matrix' \
  'Feature importance' '>Learning curve<' '<th>Accuracy</th>'; do
  grep -q -- "$part" "$T/bc.html" && ok || bad "binary report lacks $part"
done
[ "$(grep -c '<svg' "$T/bc.html")" -eq 5 ] && ok || bad "binary report has 5 charts"
grep -Eq '<script|https?:|src=|@import|url\(' "$T/bc.html" && bad "report refers to something outside the file" || ok
screenshot_ok binary "$T/bc.html"

expect_ok "train lr" "$KILN" train "$T/iris_train.csv" --target target --model lr --test-size 0 -o "$T/iris.kiln"
expect_ok "report multiclass" "$KILN" report "$T/iris.kiln" "$T/iris_test.csv" --train "$T/iris_train.csv" -o "$T/iris.html"
[ "$(grep -c '(AUC ' "$T/iris.html")" -eq 3 ] && ok || bad "multiclass report has a ROC curve per class"
screenshot_ok multiclass "$T/iris.html"

expect_ok "train ridge" "$KILN" train "$T/diabetes_train.csv" --target target --model ridge --test-size 0 -o "$T/dia.kiln"
expect_ok "report regression" "$KILN" report "$T/dia.kiln" "$T/diabetes_test.csv" --train "$T/diabetes_train.csv" -o "$T/dia.html"
for part in '>Predicted vs actual<' '>Residuals<' '>Learning curve<' '<th>R2</th>'; do
  grep -q -- "$part" "$T/dia.html" && ok || bad "regression report lacks $part"
done
grep -q '>ROC<' "$T/dia.html" && bad "regression report has no ROC curve" || ok
screenshot_ok regression "$T/dia.html"

expect_ok "train knn" "$KILN" train "$T/iris_train.csv" --target target --model knn --test-size 0 -o "$T/knn.kiln"
expect_ok "eval --report" "$KILN" eval "$T/knn.kiln" "$T/iris_test.csv" --report "$T/knn.html"
grep -q Accuracy "$T/out" && ok || bad "eval --report still prints the metrics"
grep -q 'Permutation importance' "$T/knn.html" && ok || bad "knn (no importance of its own) gets permutation importance"
grep -q 'No learning curve' "$T/knn.html" && ok || bad "without training rows the page says there is no learning curve"
expect_ok "report --help" "$KILN" report --help
grep -q -- '--train' "$T/out" && ok || bad "report --help lists --train"

# ---- bad input -----------------------------------------------------------------
expect_error "report without -o" "-o REPORT.html is required" "$KILN" report "$T/bc.kiln" "$T/breast_cancer_test.csv"
expect_error "report with one file" "expected MODEL and DATA" "$KILN" report "$T/bc.kiln" -o "$T/x.html"
expect_error "report missing data" "nope.csv" "$KILN" report "$T/bc.kiln" "$T/nope.csv" -o "$T/x.html"
no_file "$T/x.html" "report missing data"
cut -d, -f1-30 "$T/breast_cancer_test.csv" >"$T/unlabelled.csv"
expect_error "report without the target" "no column 'target'" "$KILN" report "$T/bc.kiln" "$T/unlabelled.csv" -o "$T/x.html"
no_file "$T/x.html" "report without the target"
expect_error "report into a missing directory" "cannot write" "$KILN" report "$T/bc.kiln" "$T/breast_cancer_test.csv" \
  -o "$T/no/such/dir/r.html"
expect_error "report bad --seed" "--seed" "$KILN" report "$T/bc.kiln" "$T/breast_cancer_test.csv" -o "$T/x.html" --seed x
expect_error "report unknown flag" "unknown option" "$KILN" report "$T/bc.kiln" "$T/breast_cancer_test.csv" --frob
ls "$T" | grep -q 'tmp-' && bad "a temporary file was left behind" || ok

finish
