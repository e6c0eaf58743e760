#!/usr/bin/env bash
# datasets/generate: the same scenario, rows and seed give identical bytes, another
# seed gives other rows, every file has its header, the asked row count, the same
# field count on every line, and kiln reads it and trains on it (a tiny dt).
# Usage: test_datasets.sh KILN SOURCE_DIR
set -u
KILN=$1
SRC=$2
GEN=$SRC/datasets/generate
. "$SRC/tests/cli/lib/assert.sh"

# scenario, header it must start with, target column
check_scenario() {
  local s=$1 header=$2 target=$3
  if ! "$GEN" "$s" --rows 500 --seed 7 -o "$T/a.csv" || ! "$GEN" "$s" --rows 500 --seed 7 -o "$T/b.csv" ||
    ! "$GEN" "$s" --rows 500 --seed 8 -o "$T/c.csv"; then
    bad "$s: generate failed"
    return
  fi
  if cmp -s "$T/a.csv" "$T/b.csv"; then ok; else bad "$s: seed 7 twice gave different bytes"; fi
  if cmp -s "$T/a.csv" "$T/c.csv"; then bad "$s: seeds 7 and 8 gave the same file"; else ok; fi
  if [ "$(head -1 "$T/a.csv")" = "$header" ]; then ok; else bad "$s: header is '$(head -1 "$T/a.csv")'"; fi
  if [ "$(wc -l <"$T/a.csv")" -eq 501 ]; then ok; else bad "$s: $(wc -l <"$T/a.csv") lines, wanted 501"; fi
  local widths
  widths=$(awk -F, '{print NF}' "$T/a.csv" | sort -u | wc -l)
  if [ "$widths" -eq 1 ]; then ok; else bad "$s: lines have different field counts"; fi
  if "$KILN" train "$T/a.csv" --target "$target" --model dt --param max_depth=3 --threads 1 >"$T/out" 2>"$T/err"; then
    ok
  else
    bad "$s: kiln train failed: $(cat "$T/err")"
  fi
}

check_scenario runners "age,sex,time_5km_s,half_marathon_s" half_marathon_s
check_scenario courses "algebra_solved,algebra_mistakes,geometry_solved,geometry_mistakes,reading_solved,reading_mistakes,formulas_solved,formulas_mistakes,recommended_course" recommended_course
check_scenario songs "user_age,user_premium,favourite_genre,user_skip_rate,track_genre,track_duration_s,track_popularity,track_skip_rate,hour,skipped" skipped
check_scenario cars "make,model,year,mileage_km,engine_l,body,fuel,transmission,region,price" price
check_scenario shots "distance_ft,angle_deg,zone,period,time_remaining_s,shot_type,made" made
check_scenario shots_production "distance_ft,angle_deg,zone,period,time_remaining_s,shot_type,made" made

# Shape beyond the header: classes and levels the README promises.
"$GEN" courses --rows 3000 --seed 1 -o "$T/courses.csv"
classes=$(tail -n +2 "$T/courses.csv" | awk -F, '{print $NF}' | sort -u | tr '\n' ' ')
if [ "$classes" = "advanced algebra formulas geometry reading " ]; then ok; else bad "courses: classes '$classes'"; fi
"$GEN" cars --rows 20000 --seed 1 -o "$T/cars.csv"
models=$(tail -n +2 "$T/cars.csv" | cut -d, -f2 | sort -u | wc -l)
if [ "$models" -gt 200 ]; then ok; else bad "cars: only $models model levels, wanted > 200"; fi
"$GEN" songs --rows 20000 --seed 1 -o "$T/songs.csv"
skip=$(tail -n +2 "$T/songs.csv" | awk -F, '{s += $NF} END {printf "%d", 100 * s / NR}')
if [ "$skip" -ge 38 ] && [ "$skip" -le 48 ]; then ok; else bad "songs: $skip % skipped, wanted about 43"; fi
# The production shots are longer: the mean distance grows by more than 2 ft.
"$GEN" shots --rows 20000 --seed 1 -o "$T/s.csv"
"$GEN" shots_production --rows 20000 --seed 1 -o "$T/p.csv"
mean() { tail -n +2 "$1" | awk -F, '{s += $1} END {printf "%d", s / NR}'; }
if [ $(($(mean "$T/p.csv") - $(mean "$T/s.csv"))) -ge 2 ]; then ok; else bad "shots: production distance did not drift"; fi

if "$GEN" cars --rows 0 -o "$T/zero.csv" 2>/dev/null; then bad "--rows 0 accepted"; else ok; fi

finish
