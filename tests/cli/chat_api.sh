#!/usr/bin/env bash
# chat_api.sh - black-box test of the chat API and knowledge-base gaps:
# imports the sample knowledge base (data/kb/*.json) into a scratch data dir,
# starts `tongdai serve` on 127.0.0.1 on a random free port and checks with
# curl: answers in a session, follow-ups, unknown and expired sessions, every
# validation error, gaps (masked) over HTTP and `kb gaps`, sessions surviving
# a restart, the ranked q= search and the chat metrics.
# Env: TONGDAI (the binary), TD_SOURCE_DIR.
set -u

. "$(dirname "$0")/lib/common.bash"

# ---- set-up -----------------------------------------------------------------

check "kb import of the sample knowledge base" \
	"$TONGDAI" kb import --data-dir "$WORK/data" --format tongdai "$SRC"/data/kb/*.json

if ! start_server main; then
	nok "server starts"
	finish
fi
ok "server starts and answers /healthz"
MAIN_PID=$PID
check "engine built at start-up (log line)" \
	grep -q '"event":"http.engine","status":"ok","procedures":"78"' "$WORK/main.log"

req GET /healthz
check "healthz reports the knowledge base as-of date" json 'len(d["kb_as_of"]) == 10'

# ---- a question, a follow-up ------------------------------------------------

chat '{"message":"Đăng ký khai sinh cần những giấy tờ gì?","channel":"web"}'
check "good question: 200" status_is 200
check "good question: answered about khai sinh (1.001193)" \
	json 'd["status"] == "answered" and d["procedure"]["code"] == "1.001193" and d["intent"] == "procedure_info"'
check "good question: the answer names the procedure and its source" \
	json '"khai sinh" in d["answer"] and d["sources"][0]["url"].startswith("http") and d["voice"]'
check "good question: a new session with a 24-character id" \
	json 'd["session_status"] == "new" and len(d["session_id"]) == 24 and d["channel"] == "web"'
check "good question: same fields as ask --json" \
	json 'all(k in d for k in ("id","intent","aspect","status","procedure","candidates","confidence","answer","voice","sources"))'
check "content type is JSON" grep -qi '^Content-Type: application/json; charset=utf-8' "$WORK/hdr"
SID=$(jget 'd["session_id"]')

chat "{\"session_id\":\"$SID\",\"message\":\"thế còn lệ phí?\"}"
check "follow-up: 200" status_is 200
check "follow-up: same procedure, fee aspect" \
	json 'd["status"] == "answered" and d["procedure"]["code"] == "1.001193" and d["aspect"] == "fee"'
check "follow-up: session resumed, same id" \
	json "d['session_status'] == 'resumed' and d['session_id'] == '$SID'"

chat '{"session_id":"AAAAAAAAAAAAAAAAAAAAAA","message":"thế còn lệ phí?"}'
check "unknown session id: 200" status_is 200
check "unknown session id: a new session" \
	json 'd["session_status"] == "new" and d["session_id"] != "AAAAAAAAAAAAAAAAAAAAAA"'
check "unknown session id: the follow-up has no context to use" \
	json 'd["procedure"] is None or d["procedure"]["code"] != "1.001193"'
NEWSID=$(jget 'd["session_id"]')
# Ids start with the creation time in milliseconds, written so that they sort
# as text by time (the turn writer appends instead of dirtying random pages).
check "session ids: 24 base64url characters, a later id sorts after an earlier one" \
	python3 -c 'import re, sys; a, b = sys.argv[1:3]; sys.exit(not (re.fullmatch(r"[-0-9A-Za-z_]{24}", b) and a < b))' "$SID" "$NEWSID"

chat "{\"session_id\":\"$(printf 'A%.0s' $(seq 65))\",\"message\":\"xin chào\"}"
check "session id over 64 characters: treated as unknown" \
	json 'd["session_status"] == "new" and len(d["session_id"]) == 24'

chat '{"session_id":"../../etc/passwd","message":"xin chào"}'
check "malformed session id string: treated as unknown" \
	json 'd["session_status"] == "new" and len(d["session_id"]) >= 22'

chat '{"message":"Làm căn cước cho con 10 tuổi nộp ở đâu?","channel":"voice"}'
check "voice channel: 200 with a spoken answer" \
	json 'd["channel"] == "voice" and d["voice"] and d["status"] in ("answered","clarify")'

# ---- validation -------------------------------------------------------------

chat '{"message": "khai sinh"'
check "malformed JSON: 400 parse" err_is 400 parse
chat '["khai sinh"]'
check "JSON that is not an object: 400 invalid" err_is 400 invalid
chat '{"channel":"web"}'
check "missing message: 400 missing_message" err_is 400 missing_message
chat '{"message":"   "}'
check "blank message: 400 missing_message" err_is 400 missing_message
chat '{"message":42}'
check "message of the wrong type: 400 invalid_message" err_is 400 invalid_message
chat '{"message":"a\u0000b"}'
check "message with a NUL: 400 (jansson refuses \\u0000 while parsing)" \
	json 'd["error"]["code"] in ("parse", "invalid_message")' 
chat '{"message":"khai sinh","channel":"fax"}'
check "unknown channel: 400 invalid_channel" err_is 400 invalid_channel
chat '{"message":"khai sinh","channel":7}'
check "channel of the wrong type: 400 invalid_channel" err_is 400 invalid_channel
chat '{"message":"khai sinh","session_id":12}'
check "session id of the wrong type: 400 invalid_session" err_is 400 invalid_session

long=$(python3 -c 'print("ă" * 2001)')
chat "{\"message\":\"$long\"}"
check "message of 2001 characters: 400 message_too_long" err_is 400 message_too_long
long=$(python3 -c 'print("khai sinh " * 200)')
chat "{\"message\":\"$long\"}"
check "message of exactly 2000 characters: 200" status_is 200

req POST /api/v1/chat -H 'Content-Type: text/plain' --data-binary '{"message":"khai sinh"}'
check "wrong content type: 415" err_is 415 unsupported_media_type
req POST /api/v1/chat --data-binary '{"message":"khai sinh"}'
check "form content type (curl default): 415" err_is 415 unsupported_media_type
req POST /api/v1/chat -H 'Content-Type: application/json; charset=utf-8' \
	--data-binary '{"message":"khai sinh"}'
check "content type with charset: 200" status_is 200

python3 -c 'import json; print(json.dumps({"message": "khai sinh", "pad": "x" * 40000}))' \
	>"$WORK/mid.json"
req POST /api/v1/chat -H 'Content-Type: application/json' --data-binary "@$WORK/mid.json"
check "body over the chat cap (40 KB): 413 too_big" err_is 413 too_big
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$WORK/big.json"
req POST /api/v1/chat -H 'Content-Type: application/json' --data-binary "@$WORK/big.json"
check "body over http_max_body (2 MiB): 413 too_big" err_is 413 too_big
req GET /api/v1/chat
check "GET /api/v1/chat: 405" err_is 405 method_not_allowed

# ---- clarification picked: its gap is resolved -------------------------------

chat '{"message":"giấy phép"}'
if json 'd["status"] == "clarify"'; then
	CSID=$(jget 'd["session_id"]')
	FIRST=$(jget 'd["candidates"][0]["code"]')
	check "clarification lists numbered options" json '"1)" in d["answer"] or "1." in d["answer"]'
	chat "{\"session_id\":\"$CSID\",\"message\":\"1\"}"
	check "picking option 1 answers about an offered procedure" \
		json 'd["status"] == "answered" and d["session_status"] == "resumed"'
	req GET /api/v1/kb/gaps
	check "a resolved clarification is not listed as a gap" \
		json 'all(i["question"] != "giấy phép" for i in d["items"])'
else
	ok "clarification (skipped: the engine answered 'giấy phép' directly)"
fi

# ---- gaps ---------------------------------------------------------------------

chat '{"message":"Cho hỏi thủ tục đăng ký nuôi chó mèo cảnh, gọi lại cho tôi số 0912 345 678 nhé"}'
check "unanswerable question: 200, not answered" \
	json 'd["status"] in ("no_match", "clarify") and d["procedure"] is None'
GAP_STATUS=$(jget 'd["status"]')

req GET /api/v1/kb/gaps
check "gaps: 200" status_is 200
check "gaps: the question is listed" \
	json 'any("chó mèo" in i["question"] for i in d["items"]) and d["total"] >= 1'
check "gaps: the phone number is masked" \
	json 'all("345" not in i["question"] and "0912 345 678" not in i["question"] for i in d["items"]) and any("09" in i["question"] and "*" in i["question"] for i in d["items"])'
check "gaps: item shape" \
	json "[(i['status'] == '$GAP_STATUS' and i['channel'] == 'web' and i['time'].endswith('Z') and isinstance(i['candidates'], list) and 'field' in i and 'agency' in i) for i in d['items'] if 'chó mèo' in i['question']] == [True]"
FIELD=$(jget '[i["field"] for i in d["items"] if "chó mèo" in i["question"]][0]')

if [ -n "$FIELD" ] && [ "$FIELD" != "None" ]; then
	FOLDED=$(python3 -c 'import sys,unicodedata
s = sys.argv[1].replace("đ", "d").replace("Đ", "D")
print("".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn").upper())' "$FIELD")
	req GET /api/v1/kb/gaps --get --data-urlencode "field=$FOLDED"
	check "gaps: field filter ignores case and diacritics" \
		json "d['total'] >= 1 and all(i['field'] == '$FIELD' for i in d['items'])"
else
	ok "gaps: field filter (skipped: no field guessed)"
fi
req GET /api/v1/kb/gaps --get --data-urlencode "field=không có lĩnh vực này"
check "gaps: unknown field gives none" json 'd["total"] == 0 and d["items"] == []'
req GET /api/v1/kb/gaps --get --data-urlencode "since=2000-01-01" --data-urlencode "limit=1"
check "gaps: since in the past, limit 1" json 'd["total"] >= 1 and len(d["items"]) == 1'
req GET /api/v1/kb/gaps --get --data-urlencode "since=2999-01-01"
check "gaps: since in the future gives none" json 'd["total"] == 0'
req GET /api/v1/kb/gaps --get --data-urlencode "since=01/11/2026"
check "gaps: malformed since is 400" err_is 400 invalid_filter
req GET /api/v1/kb/gaps --get --data-urlencode "limit=100000"
check "gaps: limit over 500 is 400" err_is 400 invalid_limit

out=$("$TONGDAI" kb gaps --data-dir "$WORK/data" --json)
check "kb gaps --json lists the question, masked" \
	python3 -c 'import json,sys
d = json.loads(sys.argv[1])
items = [i for i in d["items"] if "chó mèo" in i["question"]]
sys.exit(0 if items and "345" not in items[0]["question"] and d["total"] >= 1 else 1)' "$out"
out=$("$TONGDAI" kb gaps --data-dir "$WORK/data")
check "kb gaps prints a line per gap" grep -q "chó mèo" <<<"$out"
out=$("$TONGDAI" kb gaps --data-dir "$WORK/data" --json --since 2999-01-01)
check "kb gaps --since in the future gives none" grep -q '"total": 0' <<<"$out"
"$TONGDAI" kb gaps --data-dir "$WORK/data" --since yesterday >/dev/null 2>&1
check "kb gaps --since malformed is a usage error (2)" [ $? -eq 2 ]
out=$("$TONGDAI" kb --help)
check "kb --help documents gaps" grep -q "gaps \[--since" <<<"$out"

# ---- search, metrics ----------------------------------------------------------

req GET /api/v1/procedures --get --data-urlencode "q=khai sinh cho con" --data-urlencode "limit=3"
check "q= is ranked with scores" \
	json 'len(d["items"]) >= 1 and "khai sinh" in d["items"][0]["name"].lower() and all("score" in i for i in d["items"]) and d["items"][0]["score"] >= d["items"][-1]["score"]'
req GET /api/v1/procedures --get --data-urlencode "q=lam lai bang lai xe bi mat"
check "q= understands unaccented everyday words" \
	json 'd["total"] >= 1 and "lái xe" in d["items"][0]["name"]'

req GET /metrics
check "metrics count chat answers by status" \
	grep -q '^tongdai_chat_answers_total{status="answered"} [1-9]' "$WORK/body"
check "metrics count no_match" grep -q '^tongdai_chat_answers_total{status="no_match"}' "$WORK/body"

# ---- restart: sessions are in SQLite; expiry ----------------------------------

check "server stops on SIGTERM" stop_server "$MAIN_PID"
if ! start_server again TONGDAI_SESSION_TTL_SECONDS=3; then
	nok "server restarts"
	finish
fi
chat "{\"session_id\":\"$SID\",\"message\":\"nộp hồ sơ ở đâu?\"}"
check "after a restart the session resumes with its dialog" \
	json "d['session_status'] == 'resumed' and d['session_id'] == '$SID' and d['status'] == 'answered' and d['procedure']['code'] == '1.001193' and d['aspect'] == 'place'"
sleep 4
chat "{\"session_id\":\"$SID\",\"message\":\"thế còn lệ phí?\"}"
check "an expired session is not resumed: new id, status expired" \
	json "d['session_status'] == 'expired' and d['session_id'] != '$SID'"

"$TONGDAI" kb gaps --data-dir "$WORK/data" --json >/dev/null
check "kb gaps works while the server runs" [ $? -eq 0 ]
kill -HUP "$PID"
sleep 2
check "SIGHUP reloads the engine" grep -q '"event":"http.reload","status":"ok"' "$WORK/again.log"
chat '{"message":"đăng ký kết hôn cần gì"}'
check "answers after a reload" json 'd["status"] == "answered"'
check "server stops cleanly after a reload" stop_server "$PID"

finish
