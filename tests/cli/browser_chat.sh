#!/usr/bin/env bash
# browser_chat.sh - the citizen chat page in a real browser: Debian's
# Chromium driven by playwright-core (tests/browser/chat.spec.mjs) against
# `tongdai serve` on 127.0.0.1 over the sample knowledge base.  Skips (exit
# 0) when /usr/bin/chromium or node is missing: `scripts/deps.sh browser`
# installs Chromium.  Screenshots go to $TD_BUILD_DIR/chat*.png.
# Env: TONGDAI, TD_SOURCE_DIR, TD_BUILD_DIR.
set -u

TONGDAI=${TONGDAI:?set TONGDAI to the tongdai binary}
SRC=${TD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=${TD_BUILD_DIR:-$PWD}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

skip() {
	echo "0 passed, 0 failed"
	echo "SKIPPED: $1"
	exit 0
}
[ -x "$CHROMIUM" ] || skip "$CHROMIUM is not installed (scripts/deps.sh browser)"
command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"

BROWSER_DIR=$SRC/tests/browser
if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
	if ! (cd "$BROWSER_DIR" && npm install --no-audit --no-fund >/dev/null 2>&1); then
		echo "npm install of playwright-core failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi

WORK=$(mktemp -d)
PID=
cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

if ! "$TONGDAI" kb import --data-dir "$WORK/data" --format tongdai "$SRC"/data/kb/*.json \
	>"$WORK/import.log" 2>&1; then
	cat "$WORK/import.log"
	echo "0 passed, 1 failed"
	exit 1
fi

started=
for try in $(seq 1 20); do
	PORT=$((20000 + RANDOM % 20000))
	TONGDAI_HTTP_RATE_LIMIT=0 "$TONGDAI" serve --data-dir "$WORK/data" \
		--listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
	PID=$!
	for i in $(seq 1 300); do
		kill -0 "$PID" 2>/dev/null || break
		if curl -sf --max-time 2 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
			started=1
			break 2
		fi
		sleep 0.1
	done
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
	grep -q "in use" "$WORK/serve.log" || break
done
if [ -z "$started" ]; then
	cat "$WORK/serve.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# The Debian wrapper prints a harmless "[: ...: unexpected operator" line.
TD_BASE="http://127.0.0.1:$PORT" TD_SHOT_DIR="$OUT" CHROMIUM="$CHROMIUM" \
	timeout 300 node "$BROWSER_DIR/chat.spec.mjs"
