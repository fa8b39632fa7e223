#!/usr/bin/env bash
# Install the Debian packages tongdai needs, only those that are missing.
# Usage: scripts/deps.sh [build|test|bench|browser]...   (default: build)
# Idempotent: a machine that has everything runs no apt-get at all.
set -euo pipefail

build_pkgs="build-essential pkg-config cmake libmicrohttpd-dev libjansson-dev
  libsqlite3-dev sqlite3 libutf8proc-dev libsodium-dev libcurl4-openssl-dev"
test_pkgs="libcmocka-dev clang-14 libclang-rt-14-dev curl python3 python3-jsonschema"
bench_pkgs="wrk nginx-light valgrind"
browser_pkgs="chromium nodejs npm"

want=""
[ $# -eq 0 ] && set -- build
for set in "$@"; do
  case "$set" in
    build) want="$want $build_pkgs" ;;
    test) want="$want $build_pkgs $test_pkgs" ;;
    bench) want="$want $build_pkgs $bench_pkgs" ;;
    browser) want="$want $browser_pkgs" ;;
    *) echo "deps.sh: unknown package set '$set' (build|test|bench|browser)" >&2; exit 2 ;;
  esac
done

missing=""
for p in $want; do
  # node/npm may come from outside Debian's packages on some images: accept the commands.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
