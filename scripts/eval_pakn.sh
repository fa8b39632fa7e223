#!/bin/sh
# eval_pakn.sh BUILD_DIR [DEV_JSONL] - run the PAKN dev set through
# `tongdai pakn classify --jsonl` and print the figures (scripts/eval_pakn.py).
# Runs twice: with the classifier's categories (end to end), and with the
# labelled categories (--gold-category) to measure routing on its own.
# TONGDAI_PAKN overrides the command (e.g. a test driver).
set -eu
build=${1:?usage: scripts/eval_pakn.sh BUILD_DIR [DEV_JSONL]}
root=$(cd "$(dirname "$0")/.." && pwd)
dev=${2:-$root/../shared/data/pakn/dev.jsonl}
cmd=${TONGDAI_PAKN:-"$build/tongdai pakn"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$cmd classify --resources "$root" --jsonl <"$dev" >"$tmp/pred.jsonl"
$cmd classify --resources "$root" --jsonl --gold-category <"$dev" >"$tmp/gold.jsonl"
python3 "$root/scripts/eval_pakn.py" "$dev" "$tmp/pred.jsonl" "$tmp/gold.jsonl"
