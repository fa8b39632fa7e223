#!/usr/bin/env bash
# http_api.sh - black-box test of `tongdai serve`: imports a small knowledge
# base into a scratch data dir, starts the server on 127.0.0.1 on a random
# free port and checks the REST API, errors, limits, keep-alive, static files
# and /metrics with curl.  Env: TONGDAI (the binary), TD_SOURCE_DIR.
set -u

. "$(dirname "$0")/lib/common.bash"
FIXTURE=$SRC/tests/data/kb_small.json

# ---- set-up -----------------------------------------------------------------

check "kb import of the fixture" \
	"$TONGDAI" kb import --data-dir "$WORK/data" --format tongdai "$FIXTURE"

out=$("$TONGDAI" serve --help 2>&1)
check "serve --help exits 0" [ $? -eq 0 ]
check "serve --help prints usage" grep -q -- "--listen" <<<"$out"

if ! start_server main TONGDAI_HTTP_RATE_LIMIT=0; then
	nok "server starts"
	echo "$pass passed, $fail failed"
	exit 1
fi
ok "server starts and answers /healthz"
MAIN_PID=$PID
MAIN_BASE=$BASE
MAIN_PORT=$PORT
check "start logs one JSON line with the address" \
	grep -q "\"event\":\"http.listen\".*\"address\":\"http://127.0.0.1:$PORT/\"" "$WORK/main.log"

# ---- health and records -----------------------------------------------------

req GET /healthz
check "healthz 200" status_is 200
check "healthz JSON" json 'd["status"] == "ok" and d["procedures"] == 6 and d["version"]'
check "healthz content type" header_has '^Content-Type: application/json; charset=utf-8'

req HEAD /healthz
check "HEAD healthz 200" status_is 200
check "HEAD has no body" bash -c "! grep -q status '$WORK/body'"  # --head saves only headers

req GET /api/v1/procedures/1.001193
check "procedure 200" status_is 200
check "procedure JSON fields" json 'd["code"] == "1.001193" and d["name"] == "Đăng ký khai sinh" and len(d["channels"]) == 2 and d["as_of"] == "2025-10-01" and d["version"] >= 1'
check "procedure legal basis and dossier" json 'd["legal_basis"][0]["number"] == "60/2014/QH13" and len(d["dossier"]) == 3'

req GET /api/v1/procedures/1.004873.H87
check "procedure with local suffix 200" status_is 200
check "suffixed code in JSON" json 'd["code"] == "1.004873.H87"'

req GET /api/v1/procedures/1.999999
check "unknown code 404" status_is 404
check "unknown code JSON error" json 'd["error"]["code"] == "not_found" and "1.999999" in d["error"]["message"]'

req GET /api/v1/procedures/abc
check "malformed code 400" status_is 400
check "malformed code JSON error" json 'd["error"]["code"] == "invalid_code" and d["error"]["message"]'
req GET /api/v1/procedures/1.00161
check "short code 400" status_is 400

# ---- list, filters, q --------------------------------------------------------

req GET /api/v1/procedures
check "list 200" status_is 200
check "list total and items" json 'd["total"] == 6 and len(d["items"]) == 6 and set(d["items"][0]) == {"code","name","field","levels"}'
check "list ordered by code" json '[i["code"] for i in d["items"]] == sorted(i["code"] for i in d["items"])'

req GET "/api/v1/procedures?limit=2&offset=1"
check "list window" json 'd["total"] == 6 and len(d["items"]) == 2 and d["offset"] == 1'
req GET "/api/v1/procedures?limit=0"
check "list limit=0 counts only" json 'd["total"] == 6 and d["items"] == []'
req GET "/api/v1/procedures?limit=201"
check "limit over 200 is 400" status_is 400
req GET "/api/v1/procedures?offset=-1"
check "negative offset is 400" status_is 400

req GET /api/v1/procedures --get --data-urlencode "field=Hộ tịch"
check "field filter" json 'd["total"] == 3 and all(i["field"] == "Hộ tịch" for i in d["items"])'
req GET /api/v1/procedures --get --data-urlencode "level=Cấp tỉnh"
check "level filter" json 'd["total"] == 1 and d["items"][0]["code"] == "1.001612"'

req GET /api/v1/procedures --get --data-urlencode "q=giấy độc thân"
check "q matches an alias" json 'd["total"] == 1 and d["items"][0]["code"] == "1.004873.H87"'
req GET /api/v1/procedures --get --data-urlencode "q=GIAY DOC THAN"
check "q is case- and diacritic-insensitive" json 'd["total"] == 1 and d["items"][0]["code"] == "1.004873.H87"'
req GET /api/v1/procedures --get --data-urlencode "q=đăng ký"
check "q matches names (đ folded)" json 'd["total"] == 3'
req GET /api/v1/procedures --get --data-urlencode "q=dang ky" --data-urlencode "limit=1"
check "q with a window" json 'd["total"] == 3 and len(d["items"]) == 1'
req GET /api/v1/procedures --get --data-urlencode "q=không có thủ tục này"
check "q without match" json 'd["total"] == 0 and d["items"] == []'

# ---- errors ------------------------------------------------------------------

req GET /api/v1/nothing/here
check "unknown path 404" status_is 404
check "unknown path JSON error" json 'd["error"]["code"] == "not_found" and d["error"]["message"]'

req POST /healthz -d 'x=1'
check "wrong method 405" status_is 405
check "405 JSON error" json 'd["error"]["code"] == "method_not_allowed"'
check "405 Allow header" header_has '^Allow: GET'

head -c $((2 * 1024 * 1024)) /dev/zero >"$WORK/big.bin"
req POST /api/v1/procedures --data-binary "@$WORK/big.bin" -H 'Content-Type: application/octet-stream'
check "oversized body 413" status_is 413
check "413 JSON error" json 'd["error"]["code"] == "too_big"'
req POST /api/v1/procedures --data-binary "@$WORK/big.bin" -H 'Transfer-Encoding: chunked'
check "oversized chunked body 413" status_is 413
req GET /healthz
check "server alive after oversized bodies" status_is 200

# ---- keep-alive --------------------------------------------------------------

curl -sv --max-time 10 -o /dev/null -o /dev/null "$BASE/healthz" "$BASE/api/v1/procedures?limit=1" \
	>"$WORK/ka.log" 2>&1
check "keep-alive: second request reuses the connection" \
	grep -q "Re-using existing connection" "$WORK/ka.log"
check "keep-alive: no Connection: close" bash -c "! grep -qi '^< Connection: close' '$WORK/ka.log'"

# ---- static files ------------------------------------------------------------

req GET /
check "index 200" status_is 200
check "index is HTML" header_has '^Content-Type: text/html; charset=utf-8'
check "index is Vietnamese" body_has 'lang="vi"'
req GET /static/app.css
check "css 200 with type" bash -c "[ $STATUS = 200 ] && grep -qi '^Content-Type: text/css' '$WORK/hdr'"
req GET /static/app.js
check "js 200 with type" bash -c "[ $STATUS = 200 ] && grep -qi '^Content-Type: text/javascript' '$WORK/hdr'"
etag=$(grep -i '^ETag:' "$WORK/hdr" | cut -d' ' -f2- | tr -d '\r')
req GET /static/app.js -H "If-None-Match: $etag"
check "ETag revalidation 304" status_is 304
req GET /static/missing.css
check "missing static 404" status_is 404
req GET /static/../CMakeLists.txt
check "traversal refused" bash -c "[ $STATUS != 200 ] && ! grep -q cmake_minimum_required '$WORK/body'"
req GET /static/%2e%2e/%2e%2e/CMakeLists.txt
check "encoded traversal refused" bash -c "[ $STATUS != 200 ] && ! grep -q cmake_minimum_required '$WORK/body'"
req GET /static/.hidden
check "hidden file refused" bash -c "[ $STATUS != 200 ]"

# ---- metrics -----------------------------------------------------------------

req GET /metrics
check "metrics 200" status_is 200
check "metrics content type" header_has '^Content-Type: text/plain; version=0.0.4'
check "metrics counts healthz 2xx" \
	grep -qE '^tongdai_http_requests_total\{route="GET /healthz",class="2xx"\} [1-9]' "$WORK/body"
check "metrics counts 4xx by route" \
	grep -qE '^tongdai_http_requests_total\{route="GET /api/v1/procedures/\{code\}",class="4xx"\} [1-9]' "$WORK/body"
check "metrics latency histogram" \
	grep -qE '^tongdai_http_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]' "$WORK/body"
check "metrics procedures gauge" grep -qE '^tongdai_procedures 6$' "$WORK/body"
check "metrics process start time" grep -qE '^process_start_time_seconds [0-9]' "$WORK/body"

# ---- start-up errors -----------------------------------------------------------

"$TONGDAI" serve --data-dir "$WORK/data" --listen "127.0.0.1:$MAIN_PORT" >"$WORK/taken.log" 2>&1 &
taken_pid=$!
for i in $(seq 1 50); do kill -0 "$taken_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$taken_pid" 2>/dev/null; then
	kill "$taken_pid"; wait "$taken_pid" 2>/dev/null
	nok "port taken: exits"
else
	wait "$taken_pid"
	rc=$?
	check "port taken: non-zero exit" [ "$rc" -ne 0 ]
	check "port taken: clear message" grep -q "Address already in use" "$WORK/taken.log"
fi

touch "$WORK/not-a-dir"
"$TONGDAI" serve --data-dir "$WORK/not-a-dir/sub" --listen 127.0.0.1:0 >"$WORK/baddir.log" 2>&1 &
bad_pid=$!
for i in $(seq 1 50); do kill -0 "$bad_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$bad_pid" 2>/dev/null; then
	kill "$bad_pid"; wait "$bad_pid" 2>/dev/null
	nok "bad data dir: exits"
else
	wait "$bad_pid"
	rc=$?
	check "bad data dir: non-zero exit with message" \
		bash -c "[ $rc -ne 0 ] && grep -q 'data directory' '$WORK/baddir.log'"
fi

"$TONGDAI" serve --data-dir "$WORK/data" --listen nonsense >"$WORK/badlisten.log" 2>&1
rc=$?
check "bad --listen: usage error" bash -c "[ $rc -eq 2 ] && grep -q HOST:PORT '$WORK/badlisten.log'"

# ---- rate limit ----------------------------------------------------------------

if start_server limited TONGDAI_HTTP_RATE_LIMIT=2; then
	LIM_PID=$PID
	codes=""
	for i in $(seq 1 8); do
		req GET /healthz
		codes="$codes $STATUS"
		[ "$STATUS" = 429 ] && cp "$WORK/hdr" "$WORK/hdr429" && cp "$WORK/body" "$WORK/body429"
	done
	check "rate limit answers 429 ($codes)" grep -q 429 <<<"$codes"
	check "429 has Retry-After" grep -qi '^Retry-After: [1-9]' "$WORK/hdr429"
	check "429 JSON error" python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["error"]["code"] != "rate_limited")' "$WORK/body429"
	sleep 1.2
	req GET /healthz
	check "rate limit refills" status_is 200
	check "limited server stops cleanly" stop_server "$LIM_PID"
else
	nok "rate-limited server starts"
fi

# ---- IPv6 (skipped when the host has no ::1) -----------------------------------

v6port=$((20000 + RANDOM % 20000))
"$TONGDAI" serve --data-dir "$WORK/data" --listen "[::1]:$v6port" >"$WORK/v6.log" 2>&1 &
v6pid=$!
v6ok=""
for i in $(seq 1 50); do
	kill -0 "$v6pid" 2>/dev/null || break
	if curl -sfg --max-time 2 "http://[::1]:$v6port/healthz" >/dev/null 2>&1; then v6ok=1; break; fi
	sleep 0.1
done
if [ -n "$v6ok" ]; then
	ok "listens on [::1]"
	check "IPv6 server stops cleanly" stop_server "$v6pid"
else
	kill "$v6pid" 2>/dev/null; wait "$v6pid" 2>/dev/null
	echo "skip - IPv6 loopback not available ($(tail -1 "$WORK/v6.log"))"
fi

# ---- shutdown ------------------------------------------------------------------

check "SIGTERM stops the server with status 0" stop_server "$MAIN_PID"
check "stop is logged" grep -q '"event":"http.stop"' "$WORK/main.log"
check "no sanitizer report" bash -c "! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$WORK'/*.log"

finish
