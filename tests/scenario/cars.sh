# Scenario 4, car listings (docs/scenarios.md): gbm on the listings (peak memory
# reported), a batch predict that appends the price column to new listings, and
# the MAPE of those predictions below 0.2. The test trains on 50000 rows (scaled
# by KILN_SCENARIO_SCALE); KILN_SCENARIO_CARS_ROWS=333000 runs the full size.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
n=${KILN_SCENARIO_CARS_ROWS:-$(rows 50000 5000)}
new=2000
# One generator world: the last rows are the new listings (their price kept aside).
"$GEN" cars --rows $((n + new)) --seed 1 -o all.csv
head -n $((n + 1)) all.csv > cars.csv
{ head -n 1 all.csv | cut -d, -f1-9; tail -n $new all.csv | cut -d, -f1-9; } > listings.csv
tail -n $new all.csv | cut -d, -f10 > prices.txt

expect_ok "train gbm" "$KILN" train cars.csv --target price --model gbm --test-size 0.2 --json -o cars.kiln --no-log
cat "$T/out"
rss=$(json_num peak_rss_mb "$T/out")
mape=$(json_num MAPE "$T/out")
echo "$n rows: peak RSS $rss MB, held-out MAPE $mape"
check "peak RSS $rss MB reported" "$rss > 0"
check "held-out MAPE $mape" "$mape < 0.2"

expect_ok "predict listings" "$KILN" predict cars.kiln listings.csv -o scored.csv
head -n 3 scored.csv
[ "$(head -n 1 scored.csv)" = "$(head -n 1 listings.csv),prediction_label" ] && ok || bad "scored header: $(head -n 1 scored.csv)"
[ "$(wc -l < scored.csv)" -eq $((new + 1)) ] && ok || bad "scored.csv has $(wc -l < scored.csv) lines"
# The input columns come back unchanged (numbers may be respelled: 2.0 as 2).
paste -d, <(cut -d, -f1-9 scored.csv) listings.csv |
  awk -F, '{ for (i = 1; i <= 9; i++) if ($i != $(i + 9) && $i + 0 != $(i + 9) + 0) exit 1 }' \
  && ok || bad "predict changed the input columns"
batch_mape=$(paste -d, <(tail -n +2 scored.csv | awk -F, '{ print $NF }') prices.txt |
  awk -F, '{ s += ($1 - $2) / $2; if ($1 < $2) s -= 2 * ($1 - $2) / $2 } END { print s / NR }')
echo "batch MAPE on $new new listings: $batch_mape"
check "batch MAPE $batch_mape" "$batch_mape < 0.2"
finish
