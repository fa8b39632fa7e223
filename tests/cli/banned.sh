#!/usr/bin/env bash
# No banned C function (see src/base/banned.h) anywhere in src/.
set -u
cd "${TD_SOURCE_DIR:-$(dirname "$0")/../..}"
hits=$(grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|strtok|gets)\s*\(' src --include='*.c' --include='*.h' \
	| grep -v 'src/base/banned.h' | grep -vE '\b(snprintf|vsnprintf|strtok_r)\s*\(' )
if [ -n "$hits" ]; then
	echo "banned functions used:"; echo "$hits"; exit 1
fi
echo "1 passed, 0 failed"
