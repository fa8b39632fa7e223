#!/usr/bin/env bash
# ask_cli.sh - black-box test of `tongdai ask`: the JSON contract, --jsonl
# order and ids, and the editable decision thresholds (data/answer/
# thresholds.tsv): a stricter file changes the decision, a bad file is a
# clear error.
. "$(dirname "$0")/lib/common.bash"

"$TONGDAI" kb import --data-dir "$WORK/data" --format tongdai "$SRC"/data/kb/*.json >/dev/null 2>&1
check "sample knowledge base imported" test -f "$WORK/data/tongdai.db"

"$TONGDAI" ask --data-dir "$WORK/data" --json "Đăng ký khai sinh cần những giấy tờ gì?" >"$WORK/body" 2>/dev/null
check "ask --json: the contract keys" json '(
all(k in d for k in ("id","intent","aspect","status","procedure","candidates","confidence","answer","voice","sources"))
and d["intent"] == "procedure_info" and d["aspect"] == "documents" and d["status"] == "answered"
and d["procedure"]["code"] and 0 <= d["confidence"] <= 1 and d["sources"][0]["url"])'

printf '%s\n' '{"id":"a","question":"làm hộ chiếu mất bao lâu"}' 'cảm ơn nhé' \
	'{"id":"c","question":"thời tiết hôm nay thế nào"}' |
	"$TONGDAI" ask --data-dir "$WORK/data" --jsonl >"$WORK/out.jsonl" 2>/dev/null
check "ask --jsonl: one object per line, in order, with ids" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["id"] for r in rows] == ["a", "line-2", "c"], rows
assert rows[0]["intent"] == "procedure_info" and rows[1]["intent"] == "thanks"
assert rows[2]["intent"] == "out_of_scope" and rows[2]["procedure"] is None' "$WORK/out.jsonl"

# A copy of the resources with stricter thresholds: a question the default
# thresholds answer is now only confirmed.
mkdir -p "$WORK/res/data"
cp -r "$SRC/data/text" "$SRC/data/answer" "$SRC/data/pakn" "$SRC/data/hanoi" "$WORK/res/data/"
printf '# stricter\nanswer_query_cover\t0.99\n' >"$WORK/res/data/answer/thresholds.tsv"
"$TONGDAI" ask --data-dir "$WORK/data" --json "làm hộ chiếu mất bao lâu" >"$WORK/body" 2>/dev/null
check "default thresholds answer it" json 'd["status"] == "answered"'
"$TONGDAI" ask --data-dir "$WORK/data" --resources "$WORK/res" --json \
	"làm hộ chiếu mất bao lâu" >"$WORK/body" 2>/dev/null
check "stricter thresholds: confirm instead of answer" json 'd["status"] == "clarify" and d["procedure"] is None'
printf 'answer_conf\t1.5\n' >"$WORK/res/data/answer/thresholds.tsv"
"$TONGDAI" ask --data-dir "$WORK/data" --resources "$WORK/res" --json "khai sinh" >/dev/null 2>"$WORK/err"
check "a bad thresholds file is refused" test $? -ne 0
check "... with the file and line" grep -q "thresholds.tsv:1:" "$WORK/err"

finish
