#!/usr/bin/env bash
# eval.sh BUILD_DIR - question-answering figures on the development set.
#
# Imports the national procedure export into a scratch data dir, runs the
# labelled questions through `tongdai ask --jsonl` in one process and prints
# top-1/top-3, abstention, wrong-answer rate, intent and aspect accuracy
# (scripts/eval_questions.py), then how many of the PAKN development messages
# typed into the chat are understood as reports.  Environment:
#   TD_SHARED_DIR   shared data (default: ../shared next to the source tree)
#   EVAL_QUESTIONS  question file (default: $TD_SHARED_DIR/data/questions/dev.jsonl)
#   EVAL_KEEP=1     keep the scratch directory (printed)
#   EVAL_ERRORS=1   list every miss
#   TONGDAI         the program (default: BUILD_DIR/tongdai)
#   TONGDAI_ASK     the program that answers (default: $TONGDAI, i.e. `tongdai ask`)
set -euo pipefail
build="${1:-build}"
src="$(cd "$(dirname "$0")/.." && pwd)"
shared="${TD_SHARED_DIR:-$src/../shared}"
questions="${EVAL_QUESTIONS:-$shared/data/questions/dev.jsonl}"
kb="$shared/data/tthc/national_2642.jsonl"
tongdai="${TONGDAI:-$build/tongdai}"
[ -x "$tongdai" ] || { echo "eval.sh: no program at $tongdai (build first)" >&2; exit 1; }
ask="${TONGDAI_ASK:-$tongdai ask}"
$ask --help >/dev/null 2>&1 || { echo "eval.sh: '$ask --help' failed (is the ask command registered?)" >&2; exit 1; }
[ -f "$questions" ] || { echo "eval.sh: no question file $questions" >&2; exit 1; }
scratch="$(mktemp -d "${TMPDIR:-/tmp}/tongdai-eval.XXXXXX")"
if [ "${EVAL_KEEP:-0}" = 1 ]; then echo "scratch: $scratch"; else trap 'rm -rf "$scratch"' EXIT; fi

"$tongdai" kb import --data-dir "$scratch/data" --format national "$kb" >"$scratch/import.log" 2>&1 ||
	{ cat "$scratch/import.log" >&2; exit 1; }
# as_questions FILE FIELD: the {"id","question"} lines `tongdai ask --jsonl`
# reads, the question taken from FIELD of each JSON line of FILE.
as_questions() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if line:
        r = json.loads(line)
        print(json.dumps({"id": r["id"], "question": r[sys.argv[2]]}, ensure_ascii=False))
' "$1" "$2"
}
as_questions "$questions" question >"$scratch/in.jsonl"
start=$(date +%s.%N)
$ask --data-dir "$scratch/data" --resources "$src" --jsonl <"$scratch/in.jsonl" >"$scratch/out.jsonl"
end=$(date +%s.%N)
n=$(wc -l <"$scratch/in.jsonl")
echo "answered $n questions in $(python3 -c "print(round($end - $start, 2))") s (including loading)"
args=()
[ "${EVAL_ERRORS:-0}" = 1 ] && args+=(--errors)
python3 "$src/scripts/eval_questions.py" "$questions" "$scratch/out.jsonl" "${args[@]}"

# Reports typed into the chat: the PAKN development messages through the
# same `tongdai ask`; each should be understood as a report (pakn_report).
pakn_dev="$shared/data/pakn/dev.jsonl"
if [ -f "$pakn_dev" ]; then
	as_questions "$pakn_dev" text >"$scratch/reports.jsonl"
	$ask --data-dir "$scratch/data" --resources "$src" --jsonl <"$scratch/reports.jsonl" >"$scratch/reports_out.jsonl"
	python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
ok = [r for r in rows if r["intent"] == "pakn_report"]
print("reports typed into the chat, understood as reports: %.1f%% (%d/%d)" % (100.0 * len(ok) / max(len(rows), 1), len(ok), len(rows)))
' "$scratch/reports_out.jsonl"
fi
