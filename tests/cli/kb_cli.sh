#!/usr/bin/env bash
# Black-box test of `tongdai kb`: import (both formats), show, list, validate,
# export -> re-import, history, and clear errors for bad input.
set -u
T=${TONGDAI:?path of the tongdai binary}
SRC=${TD_SOURCE_DIR:?}
SHARED=${TD_SHARED_DIR:-$SRC/../shared}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$2"; then ok; else no "$1"; fi; }
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

# --help everywhere, exit 0
for sub in import show list validate export history stats alias gaps; do
	"$T" kb "$sub" --help >/dev/null 2>&1; check "kb $sub --help" '[ $? -eq 0 ]'
done
"$T" kb --help | grep -q "import" ; check "kb --help lists import" '[ $? -eq 0 ]'
"$T" kb frobnicate >/dev/null 2>"$D/err"; check "unknown kb command exits 2" '[ $? -eq 2 ]'
grep -q "unknown command" "$D/err"; check "unknown kb command message" '[ $? -eq 0 ]'

# sample knowledge base: validates and imports cleanly
"$T" kb validate "$SRC"/data/kb/*.json >"$D/val" 2>&1; check "sample kb validates" '[ $? -eq 0 ]'
"$T" kb import --data-dir "$D/db" --json --by test "$SRC"/data/kb/*.json >"$D/imp" 2>"$D/imp.err"
check "sample kb imports" '[ $? -eq 0 ]'
check "sample kb has >= 60 procedures" "jq_py 'assert d[\"imported\"] >= 60 and d[\"rejected\"] == 0' < '$D/imp'"
"$T" kb import --data-dir "$D/db" --json "$SRC"/data/kb/*.json >"$D/imp2"
check "re-import is unchanged" "jq_py 'assert d[\"imported\"] == 0 and d[\"updated\"] == 0 and d[\"unchanged\"] >= 60' < '$D/imp2'"

# list / show
"$T" kb list --data-dir "$D/db" --json >"$D/list"
check "list --json" "jq_py 'assert len(d) >= 60 and all(\"code\" in x and \"name\" in x for x in d)' < '$D/list'"
code=$(python3 -c "import json; print(json.load(open('$D/list'))[0]['code'])")
"$T" kb show --data-dir "$D/db" --json "$code" >"$D/show"
check "show --json has the contract keys" "jq_py '
for k in [\"code\",\"name\",\"field\",\"levels\",\"agency\",\"channels\",\"dossier\",\"steps\",\"legal_basis\",\"conditions\",\"result\",\"source_url\",\"as_of\"]: assert k in d, k
for c in d[\"channels\"]:
    assert c[\"channel\"] in (\"direct\",\"online\",\"post\")
    assert set(c[\"duration\"]) >= {\"value\",\"unit\",\"text\"} and set(c[\"fee\"]) >= {\"amount_vnd\",\"free\",\"text\"}
' < '$D/show'"
"$T" kb list --data-dir "$D/db" --level "cap xa" --json >"$D/lx"
check "list --level filters (accent-insensitive)" "jq_py 'assert 0 < len(d) and all(any(\"xã\" in l for l in x[\"levels\"]) for x in d)' < '$D/lx'"
"$T" kb show --data-dir "$D/db" 9.999999 >/dev/null 2>"$D/err"; check "show unknown exits 1" '[ $? -eq 1 ]'
"$T" kb show --data-dir "$D/db" "x; drop" >/dev/null 2>&1; check "show bad code exits 2" '[ $? -eq 2 ]'

# export -> import into a fresh store gives the same records
"$T" kb export --data-dir "$D/db" --out "$D/export.json"; check "export" '[ $? -eq 0 ]'
"$T" kb import --data-dir "$D/db2" --json "$D/export.json" >"$D/imp3"
check "export re-imports" "jq_py 'assert d[\"imported\"] >= 60 and d[\"rejected\"] == 0' < '$D/imp3'"
"$T" kb show --data-dir "$D/db2" --json "$code" >"$D/show2"
check "round trip keeps the record" "python3 -c '
import json
a=json.load(open(\"$D/show\")); b=json.load(open(\"$D/show2\"))
for k in (\"version\",\"updated_at\",\"updated_by\"): a.pop(k); b.pop(k)
assert a==b'"

# history: change one record and see version 2
python3 - "$D/show" "$D/changed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("version", "updated_at", "updated_by", "warnings", "raw"): d.pop(k, None)
d["aliases"] = d.get("aliases", []) + ["tên gọi mới để thử"]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
"$T" kb import --data-dir "$D/db" --by "Sở Tư pháp" --json "$D/changed.json" >"$D/imp4"
check "changed record updates" "jq_py 'assert d[\"updated\"] == 1' < '$D/imp4'"
"$T" kb history --data-dir "$D/db" --json "$code" >"$D/hist"
check "history shows who and what" "jq_py 'assert d[0][\"version\"] == 2 and d[0][\"changed_by\"] == \"Sở Tư pháp\" and d[0][\"changed\"] == \"aliases\" and d[1][\"version\"] == 1' < '$D/hist'"
"$T" kb show --data-dir "$D/db" --json --version 1 "$code" >"$D/v1"
check "old version readable" "jq_py 'assert \"tên gọi mới để thử\" not in d[\"aliases\"]' < '$D/v1'"

# aliases edited by the owner make a new version
"$T" kb alias --data-dir "$D/db" --by owner --add "tên thứ hai" --remove "tên gọi mới để thử" "$code" >/dev/null
check "alias edit" '[ $? -eq 0 ]'
"$T" kb show --data-dir "$D/db" --json "$code" >"$D/al"
check "alias applied, new version" "jq_py 'assert \"tên thứ hai\" in d[\"aliases\"] and \"tên gọi mới để thử\" not in d[\"aliases\"] and d[\"version\"] == 3' < '$D/al'"
# bad input: clear errors, nothing stored, store intact
cat >"$D/bad.json" <<'JSON'
{"procedures": [
 {"code": "1.000001", "name": "Tốt", "as_of": "2020-01-01", "field": "X", "levels": ["Cấp xã"], "agency": "A",
  "channels": [{"channel": "direct", "duration": {"value": 1, "unit": "days", "text": "1 ngày"}, "fee": {"free": true, "text": "Miễn phí"}}],
  "legal_basis": [{"number": "1/2020/NĐ-CP"}]},
 {"code": "1.00002", "name": "Sai mã", "as_of": "2026-11-28"},
 {"code": "1.000003", "name": "Sai đơn vị", "as_of": "2026-11-28", "channels": [{"channel": "direct", "duration": {"value": 1, "unit": "tuần"}}]}
]}
JSON
"$T" kb validate --json "$D/bad.json" >"$D/valbad"; check "validate bad exits 1" '[ $? -eq 1 ]'
check "validate reports code+field" "jq_py '
p=d[\"files\"][0][\"problems\"]
assert any(x[\"code\"]==\"1.00002\" and x[\"field\"]==\"code\" and x[\"severity\"]==\"error\" for x in p)
assert any(x[\"code\"]==\"1.000003\" and x[\"field\"]==\"channels[0].duration.unit\" for x in p)
assert d[\"files\"][0][\"valid_records\"] == 1' < '$D/valbad'"
"$T" kb validate "$D/bad.json" >/dev/null 2>"$D/valtxt"
grep -q "không đúng dạng" "$D/valtxt"; check "validate speaks Vietnamese" '[ $? -eq 0 ]'
"$T" kb import --data-dir "$D/db" --json "$D/bad.json" >"$D/impbad"; check "import with rejects exits 1" '[ $? -eq 1 ]'
check "import counts rejects, keeps the good one" "jq_py 'assert d[\"imported\"] == 1 and d[\"rejected\"] == 2' < '$D/impbad'"
printf '{"procedures": [ {"code": ' >"$D/trunc.json"
"$T" kb import --data-dir "$D/db" "$D/trunc.json" >/dev/null 2>"$D/err"; check "truncated file exits 1" '[ $? -eq 1 ]'
grep -q "cú pháp" "$D/err"; check "truncated file message" '[ $? -eq 0 ]'
"$T" kb import --data-dir "$D/db" "$D/missing.json" >/dev/null 2>"$D/err"; check "missing file exits 1" '[ $? -eq 1 ]'
"$T" kb list --data-dir "$D/db" --json >"$D/list2"
check "store still intact" "jq_py 'assert len(d) >= 61' < '$D/list2'"
# staleness: only the record verified in 2020 is older than a year
"$T" kb list --data-dir "$D/db" --stale 365 --json >"$D/st"
check "stale filter" "jq_py 'assert [x[\"code\"] for x in d] == [\"1.000001\"], d' < '$D/st'"

# national export: every record imports
NAT="$SHARED/data/tthc/national_2642.jsonl"
if [ -f "$NAT" ]; then
	start=$(date +%s.%N)
	"$T" kb import --data-dir "$D/nat" --format national --json "$NAT" >"$D/nat.json" 2>/dev/null
	rc=$?
	end=$(date +%s.%N)
	check "national import succeeds" '[ $rc -eq 0 ]'
	check "national: all 2642 records" "jq_py 'assert d[\"imported\"] == 2642 and d[\"rejected\"] == 0, d' < '$D/nat.json'"
	echo "national import: $(python3 -c "print(round($end - $start, 2))") s"
	"$T" kb show --data-dir "$D/nat" --json 1.000771 >"$D/n1"
	check "national record 1.000771 parsed" "jq_py '
c=d[\"channels\"]; assert len(c)==3, c
assert all(x[\"duration\"][\"value\"]==5 and x[\"duration\"][\"unit\"]==\"working_days\" for x in c)
assert all(x[\"fee\"][\"currency\"]==\"USD\" and x[\"fee\"][\"amount\"]==10 and x[\"fee\"][\"amount_vnd\"] is None for x in c)
nums=[l[\"number\"] for l in d[\"legal_basis\"]]
assert \"47/2014/QH13\" in nums and \"82/2015/NĐ-CP\" in nums, nums
assert d[\"result\"].startswith(\"Gia hạn tạm trú\") and \"Chọn cơ quan\" not in d[\"result\"]
assert d[\"raw\"][\"channels\"].startswith(\"Hình thức nộp\")' < '$D/n1'"
	"$T" kb stats --data-dir "$D/nat" --json >"$D/stats.json"
	check "kb stats: completeness of the national records" "jq_py 'assert d[\"records\"] == 2642 and d[\"channels_complete\"] >= 0.84 * 2642 and d[\"legal_complete\"] >= 0.95 * 2642 and d[\"unusable_parts\"][\"duration.no_unit\"] > 0' < '$D/stats.json'"
	"$T" kb import --data-dir "$D/nat" --format national --json "$NAT" >"$D/nat2.json" 2>/dev/null
	check "national re-import unchanged" "jq_py 'assert d[\"unchanged\"] == 2642' < '$D/nat2.json'"
	"$T" kb export --data-dir "$D/nat" --out "$D/nat-export.jsonl"
	"$T" kb import --data-dir "$D/nat3" --json "$D/nat-export.jsonl" >"$D/nat3.json" 2>/dev/null
	check "national export re-imports whole" "jq_py 'assert d[\"imported\"] == 2642 and d[\"rejected\"] == 0' < '$D/nat3.json'"
	"$T" kb show --data-dir "$D/nat3" --json 1.000771 >"$D/n3"
	check "national round trip keeps the record" "python3 -c '
import json
a=json.load(open(\"$D/n1\")); b=json.load(open(\"$D/n3\"))
for k in (\"version\",\"updated_at\",\"updated_by\"): a.pop(k); b.pop(k)
assert a==b'"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
