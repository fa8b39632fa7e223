#!/usr/bin/env bash
# bench_http.sh - chat throughput: `tongdai serve` answering POST
# /api/v1/chat versus nginx serving a static file of the same size as the
# chat response, both on loopback, both with 2 workers, measured by wrk with
# the same connection count.  Not a test: it prints requests/s and the ratio
# (target: tongdai within 2x of nginx).  Bounded (two wrk runs of DURATION),
# loopback only, stops everything it started.
#
#   bench/bench_http.sh [BUILD_DIR]      (default: build)
# Env: DURATION (10s), CONNECTIONS (32), THREADS (2), MESSAGE (the question).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
TONGDAI=${TONGDAI:-$BUILD/tongdai}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
MESSAGE=${MESSAGE:-Đăng ký khai sinh cần những giấy tờ gì?}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

for tool in wrk curl python3; do
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
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
echo "chat response: $SIZE bytes (status $STATUS); wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/chat.lua" \
	"http://127.0.0.1:$TD_PORT/api/v1/chat" >"$WORK/wrk_td.txt"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
	"http://127.0.0.1:$NG_PORT/answer.json" >"$WORK/wrk_ng.txt"
grep -E "Latency|Non-2xx|Socket errors" "$WORK/wrk_td.txt" | sed 's/^/  tongdai: /' || true
grep -E "Latency|Non-2xx|Socket errors" "$WORK/wrk_ng.txt" | sed 's/^/  nginx:   /' || true
TD_RPS=$(rps "$WORK/wrk_td.txt")
NG_RPS=$(rps "$WORK/wrk_ng.txt")
python3 - "$TD_RPS" "$NG_RPS" <<'EOF'
import sys
td, ng = float(sys.argv[1]), float(sys.argv[2])
print("tongdai POST /api/v1/chat : %10.0f requests/s" % td)
print("nginx static, same size   : %10.0f requests/s" % ng)
print("ratio nginx / tongdai     : %10.2f  (target <= 2)" % (ng / td if td else float("inf")))
EOF
