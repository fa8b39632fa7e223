#!/usr/bin/env bash
# bench_pakn_intake.sh - durable PAKN intake throughput (not a test).
#
# Starts `tongdai serve` on a fresh data dir, then wrk POSTs realistic,
# varied reports to /api/v1/pakn for DURATION seconds; prints durable cases/s
# (2xx answers / s: each 2xx is sent only after its group commit with
# synchronous=FULL), the latency, the writer's batch sizes, and finally the
# counts in the database, proving every acknowledged case is stored.
# Env: TONGDAI (default build/tongdai), DURATION (10), CONNS (64), THREADS
# (server worker threads, 16), WRK_THREADS (2).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
TONGDAI=${TONGDAI:-$SRC/build/tongdai}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-16}
WRK_THREADS=${WRK_THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
WORK=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

PORT=$((20000 + RANDOM % 20000))
TONGDAI_HTTP_RATE_LIMIT=0 "$TONGDAI" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" \
	--threads "$THREADS" --log-level warn >"$WORK/serve.log" 2>&1 &
PID=$!
for i in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

cat >"$WORK/post.lua" <<'LUA'
local texts = {
  "Rác thải tồn đọng ở ngõ %d phố Hàng Bông, phường Hoàn Kiếm từ sáng nay, bốc mùi hôi thối",
  "Ổ gà lớn trên đường Láng số %d, phường Láng, nguy hiểm cho xe máy từ tối qua",
  "Quán karaoke số %d hát to đến 2 giờ sáng hằng đêm ở phường Ô Chợ Dừa",
  "Đèn đường hỏng cả tuần ở ngõ %d phố Huế, phường Hai Bà Trưng, tối om",
  "Lấn chiếm vỉa hè bán hàng ở số %d Nguyễn Trãi, phường Thanh Xuân, người đi bộ phải xuống lòng đường",
  "Cống tắc gây ngập sau mưa ở ngõ %d Kim Mã, phường Giảng Võ",
  "Hồ sơ cấp giấy phép xây dựng số %d nộp từ tháng trước đến nay chưa có kết quả",
}
local n = 0
request = function()
  n = n + 1
  local t = string.format(texts[(n % #texts) + 1], n * 7 + math.random(1, 100000))
  local body = string.format('{"text":"%s (mã %d)","channel":"app","contact":{"name":"Người dân %d","phone":"09%08d"}}',
                             t, math.random(1, 1000000000), n, n % 100000000)
  return wrk.format("POST", "/api/v1/pakn", {["Content-Type"] = "application/json"}, body)
end
LUA
echo "wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, server --threads $THREADS, $(nproc) cores"
wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/post.lua" \
	"http://127.0.0.1:$PORT" | tee "$WORK/wrk.out"
kill -TERM "$PID"
wait "$PID" || true
PID=
python3 - "$WORK/wrk.out" "$WORK/data/tongdai.db" "$DURATION" <<'PY'
import re, sqlite3, sys
out = open(sys.argv[1]).read()
total = int(re.search(r"(\d+) requests in", out).group(1))
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
errs = re.search(r"Socket errors: (.*)", out)
ok = total - non2xx
db = sqlite3.connect(sys.argv[2])
stored, = db.execute("SELECT count(*) FROM pakn_case").fetchone()
contacts, = db.execute("SELECT count(*) FROM pakn_case_contact").fetchone()
events, = db.execute("SELECT count(*) FROM pakn_case_event").fetchone()
dups, = db.execute("SELECT count(*) FROM pakn_case WHERE duplicate_of IS NOT NULL").fetchone()
dur = float(sys.argv[3])
print(f"acknowledged (2xx): {ok}  non-2xx: {non2xx}  socket errors: {errs.group(1) if errs else 'none'}")
print(f"durable cases/s: {ok / dur:.0f}")
print(f"in the database: {stored} cases, {contacts} contacts, {events} history entries, {dups} duplicates linked")
print("every acknowledged case stored:", "yes" if stored >= ok else "NO")
sys.exit(0 if stored >= ok else 1)
PY
