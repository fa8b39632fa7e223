#!/usr/bin/env bash
# Benchmarks (not tests).  Usage: bench/run.sh BUILD_DIR
# Import: the 2,642 national records and a 10x synthetic set, tongdai vs the
# Python json+sqlite3 baseline, side by side; wall time and peak memory.
# Search: tongdai's index vs SQLite FTS5 on the development questions.
# Answer: the whole question path's latency.  HTTP: bench/bench_http.sh.
set -euo pipefail
B=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
NAT=${NAT:-$SRC/../shared/data/tthc/national_2642.jsonl}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
python3 "$SRC/bench/make_synthetic.py" "$NAT" "$W/x10.jsonl" 10

measure() { # label, command...
	local label=$1; shift
	/usr/bin/time -f "%e %M" -o "$W/time" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; exit 1; }
	read -r secs kb <"$W/time"
	printf '%-44s %8.2f s %8.1f MiB\n' "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
	echo "$secs" >"$W/last"
}

echo "== import (wall time, peak RSS) =="
for set in "national:$NAT" "x10:$W/x10.jsonl"; do
	name=${set%%:*}; file=${set#*:}
	n=$(wc -l <"$file")
	rm -rf "$W/db" "$W/base.db"*
	measure "tongdai kb import --format national ($name, $n)" "$B/tongdai" kb import --data-dir "$W/db" --format national --json "$file"
	t=$(cat "$W/last")
	measure "python json+sqlite3, raw rows ($name, $n)" python3 "$SRC/bench/baseline_import.py" "$file" "$W/base.db"
	b=$(cat "$W/last")
	echo "   records/s tongdai: $(echo "$n / $t" | bc)   ratio tongdai/python time: $(echo "scale=2; $t / $b" | bc)   database: tongdai $(du -sm "$W/db" | cut -f1) MB, python $(du -cm "$W"/base.db* | tail -1 | cut -f1) MB"
	measure "tongdai re-import, unchanged ($name)" "$B/tongdai" kb import --data-dir "$W/db" --format national --json "$file"
done

if [ -x "$B/bench_kb_parse" ]; then
	echo "== parse only, in process =="
	"$B/bench_kb_parse" "$NAT"
fi
echo "== search: tongdai vs SQLite FTS5 (accuracy, q/s, latency, memory) =="
"$B/bench_search" --queries 3000 --fts-queries 300
echo "== whole answer path, in process =="
rm -rf "$W/ans"
"$B/tongdai" kb import --data-dir "$W/ans" --format national --quiet "$NAT" >/dev/null 2>&1
"$B/bench_answer" "$W/ans" "$SRC/../shared/data/questions/dev.jsonl" 50
if [ -x "$B/bench_vn" ]; then
	echo "== Vietnamese folding =="
	"$B/bench_vn" "$NAT"
fi
