#!/usr/bin/env bash
# chat_pakn.sh - black-box test of the PAKN report conversation: a report
# collected turn by turn through POST /api/v1/chat ends with a case number,
# GET /api/v1/pakn/{number} shows it without name or phone, a status
# question finds it; the same through `tongdai ask --jsonl` with a session.
set -u

. "$(dirname "$0")/lib/common.bash"

"$TONGDAI" kb import --data-dir "$WORK/data" --format tongdai "$SRC"/data/kb/*.json >/dev/null 2>&1
check "server starts" start_server s1

SID=""
turn() { # turn MESSAGE [CHANNEL]
	local ch=${2:-web} body
	body=$(python3 -c 'import json,sys; d={"message":sys.argv[1],"channel":sys.argv[2]}
if sys.argv[3]: d["session_id"]=sys.argv[3]
print(json.dumps(d, ensure_ascii=False))' "$1" "$ch" "$SID")
	chat "$body"
	SID=$(jget 'd["session_id"]')
}

turn "đường trước nhà tôi ở ngõ 5 phố Láng bị ngập sâu từ sáng"
check "report starts: asks for the place" eval 'status_is 200 && json "d[\"intent\"] == \"pakn_report\" and d[\"pakn\"][\"asking\"] == \"dia_diem\" and \"địa điểm\" in d[\"answer\"]"'
turn "số 12 ngõ 5 phố Láng, phường Láng"
check "then the name" json 'd["pakn"]["asking"] == "ho_ten" and d["session_status"] == "resumed"'
turn "tôi là Nguyễn Văn An"
check "then a phone or address" json 'd["pakn"]["asking"] == "lien_he"'
turn "0912 345 678"
check "summary with a masked phone" json 'd["pakn"]["state"] == "confirm" and "091****678" in d["answer"] and "(có/không)" in d["answer"]'
turn "có"
check "filed with a number" json 'd["pakn"]["state"] == "filed" and d["pakn"]["number"] and "Số phản ánh: " + d["pakn"]["number"] in d["answer"]'
N=$(jget 'd["pakn"]["number"]')
req GET "/api/v1/pakn/$N"
check "the case is public by its number" eval 'status_is 200 && json "d[\"number\"] == \"$N\" and d[\"status\"] == \"received\""'
check "the public view has no name or phone" eval '! grep -q -e 0912345678 -e "Văn An" -e "0912 345 678" "$WORK/body"'
SID=""
turn "cho hỏi phản ánh số $N đến đâu rồi"
check "status by number in the chat" json 'd["intent"] == "pakn_status" and d["pakn"]["state"] == "status" and "Đã tiếp nhận" in d["answer"]'
BAD=$(python3 -c "n='$N'; print(n[:-1] + str((int(n[-1])+1)%10))")
turn "cho hỏi phản ánh số $BAD đến đâu rồi"
check "a wrong check digit is refused" json 'd["pakn"]["state"] == "invalid_number"'
SID=""
turn "nhà bên cạnh đang cháy to, khói mù mịt" voice
check "emergency: numbers at once, no questions" json 'd["pakn"]["state"] == "emergency" and "114" in d["voice"]'
stop_server "$PID"
check "server stopped" true

# the same through tongdai ask --jsonl with a session id
cat >"$WORK/q.jsonl" <<'Q'
{"id":"1","session":"s1","question":"rác thải tồn đọng ở phường Láng từ sáng nay bốc mùi"}
{"id":"2","session":"s1","question":"tên tôi là Trần Thị Bình"}
{"id":"3","session":"s1","question":"0987654321"}
{"id":"4","session":"s1","question":"đồng ý"}
Q
"$TONGDAI" ask --data-dir "$WORK/data" --jsonl <"$WORK/q.jsonl" >"$WORK/out.jsonl" 2>"$WORK/ask.err"
tail -n 1 "$WORK/out.jsonl" >"$WORK/body"
check "ask --jsonl files the report" json 'd["pakn"]["state"] == "filed" and d["pakn"]["number"]'
N2=$(jget 'd["pakn"]["number"]')
echo "{\"id\":\"5\",\"question\":\"phản ánh $N2 đã xử lý chưa\"}" | "$TONGDAI" ask --data-dir "$WORK/data" --jsonl >"$WORK/body" 2>/dev/null
check "ask finds it by number" json 'd["pakn"]["state"] == "status" and d["pakn"]["number"] == "'"$N2"'"'

# an old ward that was split: the citizen's pick decides the agency
cat >"$WORK/q2.jsonl" <<'Q'
{"id":"1","session":"s2","question":"Rác thải đổ trộm đầy đầu ngõ ở phường Nhật Tân quận Tây Hồ từ hôm qua, bốc mùi"}
{"id":"2","session":"s2","question":"2"}
{"id":"3","session":"s2","question":"Lê Văn Cường"}
{"id":"4","session":"s2","question":"0977111222"}
{"id":"5","session":"s2","question":"có"}
Q
"$TONGDAI" ask --data-dir "$WORK/data" --jsonl <"$WORK/q2.jsonl" >"$WORK/out2.jsonl" 2>/dev/null
head -n 1 "$WORK/out2.jsonl" >"$WORK/body"
check "split old ward: options offered" json 'd["pakn"]["asking"] == "chon_phuong" and "2)" in d["answer"]'
tail -n 1 "$WORK/out2.jsonl" >"$WORK/body"
N3=$(jget 'd["pakn"]["number"]')
"$TONGDAI" pakn show --data-dir "$WORK/data" --json "$N3" >"$WORK/body" 2>/dev/null
check "the picked ward routes the case" json 'd["agency"] == "ubnd:00103" or d.get("case", {}).get("agency") == "ubnd:00103"'

finish
