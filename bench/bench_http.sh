#!/usr/bin/env bash
# bench_http.sh - chat throughput: `tongdai serve` answering POST
# /api/v1/chat versus nginx serving a static file of the same size as the
# chat response, both on loopback, both with 2 workers, measured by wrk with
# the same connection counts.  Not a test: for each connection count it
# prints requests/s, p50/p99 latency and the ratio (target: tongdai within
# 2x of nginx), the number of connections open half-way through the run
# (equal to the wrk connection count when keep-alive works; STACK.md
# pitfall 1), and each server's CPU time per request (user + system, all
# threads and workers, from /proc): on a shared machine a busy neighbour
# moves requests/s by +-30 % between two runs, the CPU per request much
# less.  Bounded (2 wrk runs of DURATION per connection count and round),
# loopback only, stops everything it started by PID.
#
#   bench/bench_http.sh [BUILD_DIR]      (default: build)
# Env: DURATION (10s), CONNECTIONS ("32 8"), THREADS (2), MESSAGE (the
# question), ROUNDS (1: with more, tongdai and nginx alternate ROUNDS times
# per connection count and the median ratio is printed too).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
TONGDAI=${TONGDAI:-$BUILD/tongdai}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32 8}
THREADS=${THREADS:-2}
MESSAGE=${MESSAGE:-Đăng ký khai sinh cần những giấy tờ gì?}
ROUNDS=${ROUNDS:-1}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

for tool in wrk curl python3 ss; do
	command -v "$tool" >/dev/null || { echo "bench_http: $tool is missing (apt-get install $tool)"; exit 2; }
done
[ -x "$NGINX" ] || { echo "bench_http: nginx is missing (apt-get install nginx-light)"; exit 2; }
[ -x "$TONGDAI" ] || { echo "bench_http: $TONGDAI not built (cmake --build build)"; exit 2; }

WORK=$(mktemp -d)
TD_PID=
NG_PID=
cleanup() {
	[ -n "$TD_PID" ] && kill "$TD_PID" 2>/dev/null && wait "$TD_PID" 2>/dev/null
	[ -n "$NG_PID" ] && kill -QUIT "$NG_PID" 2>/dev/null && wait "$NG_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- tongdai ---------------------------------------------------------------
"$TONGDAI" kb import --data-dir "$WORK/data" "$SRC"/data/kb/*.json >/dev/null 2>&1
TD_PORT=$(free_port)
TONGDAI_HTTP_RATE_LIMIT=0 "$TONGDAI" serve --data-dir "$WORK/data" --threads 2 \
	--listen "127.0.0.1:$TD_PORT" --log-level warn >"$WORK/serve.log" 2>&1 &
TD_PID=$!
for i in $(seq 1 300); do
	curl -sf "http://127.0.0.1:$TD_PORT/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done

BODY=$(python3 -c 'import json,sys; print(json.dumps({"message": sys.argv[1], "channel": "web"}, ensure_ascii=False))' "$MESSAGE")
curl -s -X POST -H 'Content-Type: application/json' --data-binary "$BODY" \
	"http://127.0.0.1:$TD_PORT/api/v1/chat" >"$WORK/answer.json"
SIZE=$(stat -c %s "$WORK/answer.json")
STATUS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$WORK/answer.json")

# wrk's Lua: one realistic chat message per request, no session (each
# request is a first turn, so every one writes a session and a turn).
python3 - "$BODY" >"$WORK/chat.lua" <<'EOF'
import json, sys
body = sys.argv[1]
print('wrk.method = "POST"')
print('wrk.headers["Content-Type"] = "application/json"')
# Lua 5.1 has no \u escapes: keep the UTF-8 bytes, escape only \\ and ".
print('wrk.body = "' + body.replace('\\', '\\\\').replace('"', '\\"') + '"')
EOF

# ---- nginx -----------------------------------------------------------------
NG_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/html"
cp "$WORK/answer.json" "$WORK/nginx/html/answer.json"
# nginx's workers run as an unprivileged user when started as root.
chmod 755 "$WORK" "$WORK/nginx" "$WORK/nginx/html"
chmod 644 "$WORK/nginx/html/answer.json"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	default_type application/json;
	sendfile on;
	tcp_nodelay on;
	keepalive_requests 100000;
	client_body_temp_path $WORK/nginx/tmp;
	proxy_temp_path $WORK/nginx/tmp;
	fastcgi_temp_path $WORK/nginx/tmp;
	uwsgi_temp_path $WORK/nginx/tmp;
	scgi_temp_path $WORK/nginx/tmp;
	server {
		listen 127.0.0.1:$NG_PORT;
		root $WORK/nginx/html;
	}
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/stderr" &
NG_PID=$!
for i in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$NG_PORT/answer.json" >/dev/null 2>&1 && break
	sleep 0.1
done

# ---- runs ------------------------------------------------------------------
# cpu_ticks PID...: user + system clock ticks of these processes (all their
# threads) so far.
cpu_ticks() {
	local p t=0
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		# utime and stime are fields 14 and 15, i.e. 12 and 13 after
		# the ") " that ends the command name
		t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
	done
	echo "$t"
}
# run NAME URL CONNS PIDS [wrk args...]: wrk into $WORK/wrk_NAME_CONNS.txt;
# counts the established connections to the port half-way through the run;
# the CPU ticks PIDS used during the run into $WORK/cpu_NAME_CONNS.txt.
run() {
	local name=$1 url=$2 conns=$3 pids=$4 port t0
	shift 4
	port=${url#http://127.0.0.1:}
	port=${port%%/*}
	# shellcheck disable=SC2086 # pids is a list
	t0=$(cpu_ticks $pids)
	wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency "$@" "$url" >"$WORK/wrk_${name}_$conns.txt" &
	local wpid=$!
	sleep "$(python3 -c 'import sys; print(float(sys.argv[1].rstrip("s")) / 2)' "$DURATION")"
	ss -Htn state established "( sport = :$port )" | wc -l >"$WORK/estab_${name}_$conns.txt"
	wait "$wpid"
	# shellcheck disable=SC2086
	echo $(($(cpu_ticks $pids) - t0)) >"$WORK/cpu_${name}_$conns.txt"
}
# nginx: the master and its workers (children of the PID we started).
NG_PIDS="$NG_PID $(pgrep -P "$NG_PID" | tr '\n' ' ')"
echo "chat response: $SIZE bytes (status $STATUS); wrk -t$THREADS -d$DURATION --latency"
for c in $CONNECTIONS; do
	: >"$WORK/ratios_$c.txt"
	for round in $(seq 1 "$ROUNDS"); do
		run td "http://127.0.0.1:$TD_PORT/api/v1/chat" "$c" "$TD_PID" -s "$WORK/chat.lua"
		run ng "http://127.0.0.1:$NG_PORT/answer.json" "$c" "$NG_PIDS"
		python3 - "$c" "$WORK/wrk_td_$c.txt" "$WORK/wrk_ng_$c.txt" \
			"$(cat "$WORK/estab_td_$c.txt")" "$(cat "$WORK/estab_ng_$c.txt")" \
			"$(cat "$WORK/cpu_td_$c.txt")" "$(cat "$WORK/cpu_ng_$c.txt")" "$(getconf CLK_TCK)" \
			"$round" "$ROUNDS" "$WORK/ratios_$c.txt" <<'EOF'
import re, statistics, sys
conns, td_file, ng_file, td_est, ng_est = sys.argv[1:6]
td_ticks, ng_ticks, hz = (int(x) for x in sys.argv[6:9])
rnd, rounds, ratios_file = int(sys.argv[9]), int(sys.argv[10]), sys.argv[11]

def parse(path):
    t = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    err = re.search(r"Socket errors: (.*)", t)
    return (rps, lat.get("50", "?"), lat.get("99", "?"), bad.group(1) if bad else "0",
            err.group(1) if err else "none")

def requests(path):
    return int(re.search(r"(\d+) requests in", open(path).read()).group(1))

td, ng = parse(td_file), parse(ng_file)
print("-c%s%s" % (conns, "  (round %d of %d)" % (rnd, rounds) if rounds > 1 else ""))
for name, r, est in (("tongdai POST /api/v1/chat", td, td_est),
                     ("nginx static, same size", ng, ng_est)):
    print("  %-26s %7.0f req/s  p50 %-8s p99 %-8s non-2xx %s, socket errors: %s, "
          "connections open mid-run: %s" % (name, r[0], r[1], r[2], r[3], r[4], est))
ratio = ng[0] / td[0] if td[0] else float("inf")
print("  ratio nginx / tongdai      %7.2f  (target <= 2)" % ratio)
td_us = td_ticks / hz / max(requests(td_file), 1) * 1e6
ng_us = ng_ticks / hz / max(requests(ng_file), 1) * 1e6
cpu_ratio = td_us / ng_us if ng_us else float("inf")
print("  server CPU per request     tongdai %.1f us, nginx %.1f us (%.2fx)" % (td_us, ng_us, cpu_ratio))
with open(ratios_file, "a") as f:
    f.write("%f %f\n" % (ratio, cpu_ratio))
if rounds > 1 and rnd == rounds:
    rows = [tuple(map(float, line.split())) for line in open(ratios_file)]
    rr = sorted(r[0] for r in rows)
    cc = sorted(r[1] for r in rows)
    print("  -c%s over %d rounds: ratio median %.2f (%.2f-%.2f), CPU per request ratio median %.2f"
          % (conns, rounds, statistics.median(rr), rr[0], rr[-1], statistics.median(cc)))
EOF
	done
done
