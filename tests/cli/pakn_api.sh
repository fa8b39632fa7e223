#!/usr/bin/env bash
# pakn_api.sh - black-box test of the PAKN REST intake: POST /api/v1/pakn
# (201 with a number, validation errors), GET /api/v1/pakn/{number} (public
# view without personal data, check digit verified), complaints, emergencies,
# missing parts, duplicates linked (also after a restart, when the index is
# rebuilt from the store), and the CLI commands when they are wired.
. "$(dirname "$0")/lib/pakn_common.bash"

post() { printf '%s' "$1" >"$WORK/req.json"; req POST /api/v1/pakn -H 'Content-Type: application/json' --data-binary "@$WORK/req.json"; }

check "server starts" start_server s1

post '{"text":"Rác thải tồn đọng ở ngõ 12 phố Hàng Bông, phường Hoàn Kiếm từ sáng nay, bốc mùi hôi thối","channel":"chat","contact":{"name":"Nguyễn Văn An","phone":"0912345678","email":"an@example.org","address":"Số 3 ngõ 12 Hàng Bông"},"lat":21.03,"long":105.85,"attachments":[{"url":"https://example.org/rac.jpg","media_type":"image/jpeg","size":120000}]}'
check "POST 201 with a number" eval 'status_is 201 && json "d[\"number\"] and d[\"status\"] == \"received\" and d[\"category\"] == \"ve-sinh-moi-truong\" and d[\"agency\"] == \"ubnd:00070\" and d[\"missing\"] == [] and d[\"duplicate_of\"] is None"'
check "Location header" hdr_has "^Location: /api/v1/pakn/"
N1=$(jget 'd["number"]')
check "messages in Vietnamese with the number" json "'$N1' in d['messages'][0] and 'ghi nhận' in d['messages'][0]"
check "number has a valid check digit" python3 -c "
t = [[0,3,1,7,5,9,8,6,4,2],[7,0,9,2,1,5,4,8,6,3],[4,2,0,6,8,7,1,3,5,9],[1,7,5,0,9,8,3,4,2,6],[6,1,2,3,0,4,5,9,7,8],[3,6,7,4,2,0,9,5,8,1],[5,8,6,9,7,2,0,1,3,4],[8,9,4,5,3,6,2,0,1,7],[9,4,3,8,6,1,7,2,0,5],[2,5,8,1,4,3,6,7,9,0]]
i = 0
for c in '$N1'.replace('-', ''): i = t[i][int(c)]
raise SystemExit(i)"

req GET "/api/v1/pakn/$N1"
check "public view 200" eval 'status_is 200 && json "d[\"number\"] == \"$N1\" and d[\"history\"][0][\"status\"] == \"received\""'
check "public view has no personal data or text" eval '! grep -q -e 0912345678 -e "Văn An" -e "an@example.org" -e "Hàng Bông" "$WORK/body"'
D1=$(echo "$N1" | tr -d '-')
req GET "/api/v1/pakn/$D1"
check "digits without dashes work" status_is 200
BAD=$(python3 -c "n='$N1'; i=n.index('-')+1; print(n[:i] + str((int(n[i])+1)%10) + n[i+1:])")
req GET "/api/v1/pakn/$BAD"
check "one wrong digit is 400, not someone else's case" eval 'status_is 400 && json "d[\"error\"][\"code\"] == \"invalid_number\""'
req GET "/api/v1/pakn/000000-0000-0"
check "unknown number 404" status_is 404

# duplicate: same ward, same category, similar text
post '{"text":"Rác thải tồn đọng ở ngõ 12 phố Hàng Bông phường Hoàn Kiếm từ sáng nay bốc mùi","contact":{"name":"Lê Thị Bình","phone":"0987654321"}}'
check "duplicate linked to the first case" eval 'status_is 201 && json "d[\"duplicate_of\"] == \"$N1\" and d[\"status\"] == \"closed\" and \"$N1\" in d[\"messages\"][0]"'
N2=$(jget 'd["number"]')
req GET "/api/v1/pakn/$N1"
check "primary counts two reporters and notes the link" json "d['reporters'] == 2 and any('$N2' in h['note'] for h in d['history'])"
post '{"text":"Karaoke hát to đến 2 giờ sáng hằng đêm ở phường Hoàn Kiếm","contact":{"name":"Trần Văn C","phone":"0911111111"}}'
check "unrelated report is not a duplicate" eval 'status_is 201 && json "d[\"duplicate_of\"] is None"'

# complaint, emergency, missing parts
post '{"text":"Tôi khiếu nại quyết định xử phạt hành chính của chủ tịch UBND phường, đề nghị hủy bỏ quyết định","contact":{"name":"Lê Văn D","phone":"0922222222"}}'
check "complaint not_accepted with guidance" eval 'status_is 201 && json "d[\"status\"] == \"not_accepted\" and d[\"category\"] == \"khieu-nai-to-cao\" and d[\"status_reason\"]"'
post '{"text":"Cháy lớn ở nhà bên cạnh ngõ 5 phố Huế, lửa đang bốc cao, có người mắc kẹt","contact":{"name":"Phạm E","phone":"0933333333"}}'
check "emergency: call 114 and still recorded" eval 'status_is 201 && json "d[\"emergency\"] and \"114\" in \" \".join(d[\"messages\"]) and d[\"number\"]"'
post '{"text":"Đèn đường hỏng tối om"}'
check "missing parts listed, still received" eval 'status_is 201 && json "d[\"status\"] == \"received\" and \"ho_ten\" in d[\"missing\"] and \"dia_diem\" in d[\"missing\"] and any(\"bổ sung\" in m for m in d[\"messages\"])"'

# validation errors
post '{"text":'
check "bad JSON 400" eval 'status_is 400 && json "d[\"error\"][\"code\"] == \"invalid_json\""'
post '{"channel":"web"}'
check "missing text 400" status_is 400
post '{"text":"   "}'
check "blank text 400" status_is 400
post "{\"text\":\"$(head -c 5000 /dev/zero | tr '\0' 'a')\"}"
check "text over 4000 characters 400" eval 'status_is 400 && json "d[\"error\"][\"code\"] == \"text_too_long\""'
post '{"text":"Ổ gà","channel":"fax"}'
check "unknown channel 400" status_is 400
post '{"text":"Ổ gà","lat":200,"long":1}'
check "bad coordinates 400" status_is 400
post '{"text":"Ổ gà","attachments":[{"url":"ftp://x"}]}'
check "bad attachment url 400" status_is 400
post '{"text":"Ổ gà","attachments":[{"url":"https://a"},{"url":"https://a"},{"url":"https://a"},{"url":"https://a"},{"url":"https://a"},{"url":"https://a"}]}'
check "too many attachments 400" status_is 400
post '{"text":"Ổ gà","contact":{"phone":12}}'
check "contact field of the wrong type 400" status_is 400
req POST /api/v1/pakn -H 'Content-Type: text/plain' --data-binary 'x'
check "wrong content type 415" status_is 415

# the contact is stored apart and raw; the case row has no phone
check "contact stored apart" python3 - "$WORK/data/tongdai.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("SELECT count(*) FROM pakn_case WHERE public_text LIKE '%0912345678%'").fetchone()[0] == 0
assert db.execute("SELECT count(*) FROM pakn_case_contact WHERE phone = '0912345678'").fetchone()[0] == 1
PY
check "no personal data in the server log" eval '! grep -q -e 0912345678 -e "Văn An" "$WORK/s1.log"'

# restart: the duplicate index comes back from the store
check "server stops" stop_server "$PID"
check "server restarts" start_server s2
post '{"text":"Rác thải tồn đọng ở ngõ 12 phố Hàng Bông, phường Hoàn Kiếm bốc mùi hôi thối từ sáng nay","contact":{"name":"Đỗ F","phone":"0944444444"}}'
check "duplicate after restart still linked" eval 'status_is 201 && json "d[\"duplicate_of\"] == \"$N1\""'
req GET /metrics
check "metrics count intake" eval 'status_is 200 && grep -q "^tongdai_pakn_duplicates_total [1-9]" "$WORK/body" && grep -q "^tongdai_pakn_commit_batches_total [1-9]" "$WORK/body"'

if pakn_cmd_wired submit; then
	check "pakn show masks the contact" eval '"$TONGDAI" pakn show --data-dir "$WORK/data" "$N1" >"$WORK/show.txt" && grep -q "N\*\*\*" "$WORK/show.txt" && ! grep -q 0912345678 "$WORK/show.txt"'
	check "pakn show --reveal-contact" eval '"$TONGDAI" pakn show --data-dir "$WORK/data" --reveal-contact --json "$N1" | grep -q 0912345678'
	check "pakn list --json" eval '"$TONGDAI" pakn list --data-dir "$WORK/data" --ward 00070 --json | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"total\"] >= 3; assert \"0912345678\" not in json.dumps(d)"'
	check "pakn submit prints a number" eval '"$TONGDAI" pakn submit --data-dir "$WORK/data" --name "Ngô G" --phone 0955555555 "Cây đổ chắn ngang đường ở phường Láng sáng nay" | grep -q "Số phản ánh"'
else
	echo "skip - pakn submit/show/list: not wired into 'tongdai pakn' yet (src/cmd/cmd_pakn_cases.h)"
fi

check "server stops cleanly" stop_server "$PID"
finish
