#!/usr/bin/env bash
# pakn_crash.sh - "acknowledged means on disk": fire N concurrent reports at
# POST /api/v1/pakn, kill -9 the server in the middle, restart it, and check
# that every case whose submission got a 2xx with a number is there (by the
# API and in the database), and that nothing is half-written: every case has
# its contact row and its first history entry, and SQLite's integrity check
# passes.  Env: PAKN_CRASH_N (default 300), PAKN_CRASH_ROUNDS (default 2).
. "$(dirname "$0")/lib/pakn_common.bash"

N=${PAKN_CRASH_N:-300}
ROUNDS=${PAKN_CRASH_ROUNDS:-2}

for round in $(seq 1 "$ROUNDS"); do
	check "round $round: server starts" start_server "r$round" --threads 16
	# the client kills the server itself once a third of the requests are acknowledged
	python3 - "$BASE" "$N" "$PID" "$WORK/acked.$round" <<'PY' >"$WORK/client.$round" 2>&1
import http.client, json, os, signal, sys, threading
base, n, pid, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
host, port = base[len("http://"):].split(":")
texts = ["Rác thải tồn đọng ở ngõ %d phố Hàng Bông, phường Hoàn Kiếm từ sáng nay",
         "Ổ gà lớn trên đường Láng số %d, phường Láng, nguy hiểm cho xe máy tối qua",
         "Karaoke hát to đến %d giờ sáng hằng đêm ở phường Hoàn Kiếm",
         "Đèn đường hỏng cả tuần ở ngõ %d phố Huế, phường Hai Bà Trưng"]
acked, lock, killed = [], threading.Lock(), threading.Event()
def worker(k):
    for i in range(k, n, 32):
        body = json.dumps({"text": texts[i % 4] % (i + 7) + " (báo cáo %d)" % i,
                           "contact": {"name": "Người %d" % i, "phone": "09%08d" % i}})
        try:
            c = http.client.HTTPConnection(host, int(port), timeout=30)
            c.request("POST", "/api/v1/pakn", body, {"Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            if 200 <= r.status < 300:
                num = json.loads(data)["number"]
                with lock:
                    acked.append(num)
                    if len(acked) >= n // 3 and not killed.is_set():
                        killed.set()
                        os.kill(pid, signal.SIGKILL)
        except Exception:
            pass  # refused or cut by the kill: not acknowledged, may or may not be stored
threads = [threading.Thread(target=worker, args=(k,)) for k in range(32)]
for t in threads: t.start()
for t in threads: t.join()
if not killed.is_set():
    os.kill(pid, signal.SIGKILL)
open(out, "w").write("\n".join(acked) + "\n")
print("acknowledged", len(acked))
PY
	wait "$PID" 2>/dev/null
	ACKED=$(grep -c . "$WORK/acked.$round")
	echo "# round $round: $ACKED of $N acknowledged before kill -9"
	check "round $round: some requests were acknowledged before the kill" [ "$ACKED" -gt 0 ]
	check "round $round: the kill came before all requests were answered" [ "$ACKED" -lt "$N" ]
	check "round $round: server restarts after kill -9" start_server "r${round}b"
	check "round $round: every acknowledged case is in the database" python3 - "$WORK/data/tongdai.db" "$WORK/acked.$round" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
have = {r[0] for r in db.execute("SELECT number FROM pakn_case")}
acked = [l.strip().replace("-", "") for l in open(sys.argv[2]) if l.strip()]
missing = [a for a in acked if a not in have]
if missing:
    print("missing:", missing[:10], len(missing)); sys.exit(1)
PY
	check "round $round: acknowledged cases answer over the API" python3 - "$BASE" "$WORK/acked.$round" <<'PY'
import http.client, sys
host, port = sys.argv[1][len("http://"):].split(":")
c = http.client.HTTPConnection(host, int(port), timeout=10)
nums = [l.strip() for l in open(sys.argv[2]) if l.strip()]
for num in nums[:: max(1, len(nums) // 40)]:
    c.request("GET", "/api/v1/pakn/" + num)
    r = c.getresponse(); r.read()
    if r.status != 200:
        print(num, r.status); sys.exit(1)
PY
	check "round $round: nothing half-written" python3 - "$WORK/data/tongdai.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
assert db.execute("SELECT count(*) FROM pakn_case c WHERE NOT EXISTS (SELECT 1 FROM pakn_case_contact k WHERE k.case_id = c.id)").fetchone()[0] == 0
assert db.execute("SELECT count(*) FROM pakn_case c WHERE NOT EXISTS (SELECT 1 FROM pakn_case_event e WHERE e.case_id = c.id)").fetchone()[0] == 0
n, mx = db.execute("SELECT count(*), max(number) FROM pakn_case").fetchone()
PY
	check "round $round: server stops" stop_server "$PID"
done
finish
