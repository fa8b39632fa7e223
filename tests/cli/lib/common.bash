# common.bash - shared by the black-box tests that drive a real server
# (sourced, not a test itself): counters and the closing "N passed, M failed"
# line, a scratch directory, `tongdai serve` on a random loopback port
# stopped by PID, and curl/JSON helpers.
# Env: TONGDAI (the binary), TD_SOURCE_DIR, TD_SHARED_DIR.
set -u
TONGDAI=${TONGDAI:?set TONGDAI to the tongdai binary}
SRC=${TD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
SHARED=${TD_SHARED_DIR:-$SRC/../shared}

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
nok() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { # check DESCRIPTION COMMAND...
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else nok "$desc"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# start_server NAME [VAR=VALUE...] [SERVE ARGS...]: start `tongdai serve` on
# the data dir $WORK/data and a random free port, wait for /healthz; sets
# PORT, PID, BASE.  Leading VAR=VALUE words are put in the server's
# environment; the rest are passed to serve.  Retries when the port is taken.
start_server() {
	local name=$1 try i
	shift
	local envs=()
	while [ $# -gt 0 ] && [[ $1 =~ ^[A-Z_][A-Z0-9_]*= ]]; do
		envs+=("$1")
		shift
	done
	for try in $(seq 1 20); do
		PORT=$((20000 + RANDOM % 20000))
		env TONGDAI_HTTP_RATE_LIMIT=0 "${envs[@]}" "$TONGDAI" serve --data-dir "$WORK/data" \
			--listen "127.0.0.1:$PORT" "$@" >>"$WORK/$name.log" 2>&1 &
		PID=$!
		BASE="http://127.0.0.1:$PORT"
		for i in $(seq 1 600); do
			kill -0 "$PID" 2>/dev/null || break
			if curl -sf --max-time 2 "$BASE/healthz" >/dev/null 2>&1; then
				PIDS+=("$PID")
				return 0
			fi
			sleep 0.1
		done
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		if ! grep -q "in use" "$WORK/$name.log"; then
			echo "server $name did not start:"
			cat "$WORK/$name.log"
			return 1
		fi
	done
	return 1
}

# stop_server PID: SIGTERM, then wait for a clean exit.
stop_server() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 1
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$pid"
}

# req METHOD PATH [curl args...]: sets STATUS; body in $WORK/body, headers
# in $WORK/hdr.
req() {
	local method=$1 path=$2
	shift 2
	local how=(-X "$method")
	[ "$method" = HEAD ] && how=(--head)
	STATUS=$(curl -s --path-as-is "${how[@]}" -o "$WORK/body" -D "$WORK/hdr" \
		-w '%{http_code}' --max-time 30 "$@" "$BASE$path")
}
# json PYTHON_EXPR: true if the expression (d = the parsed body) is truthy.
json() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$WORK/body" "$1" 2>/dev/null
}
# jget PYTHON_EXPR: print its value.
jget() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
print(eval(sys.argv[2]))' "$WORK/body" "$1" 2>/dev/null
}
status_is() { [ "$STATUS" = "$1" ]; }
hdr_has() { grep -qi "$1" "$WORK/hdr"; }
header_has() { hdr_has "$@"; }
body_has() { grep -q -- "$1" "$WORK/body"; }
# err_is STATUS CODE: that status with that JSON error code and a message.
err_is() {
	[ "$STATUS" = "$1" ] && json "d['error']['code'] == '$2' and len(d['error']['message']) > 10"
}
# chat JSON: POST a JSON body to /api/v1/chat.
chat() {
	printf '%s' "$1" >"$WORK/req.json"
	req POST /api/v1/chat -H 'Content-Type: application/json' --data-binary "@$WORK/req.json"
}
