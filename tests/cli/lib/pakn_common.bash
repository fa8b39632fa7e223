# pakn_common.bash - shared by the PAKN/Open311 black-box tests (sourced, not
# a test itself): counters, a server on a random loopback port stopped by
# PID, curl wrappers, an Open311 key, and a tiny JSON-schema checker.
# Env: TONGDAI (the binary), TD_SOURCE_DIR, TD_SHARED_DIR.
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"

# Is a pakn case subcommand wired into the program (the lead wires them)?
pakn_cmd_wired() { "$TONGDAI" pakn "$1" --help >/dev/null 2>&1; }

# open311_key NAME: a new Open311 key in $KEY (through the CLI when wired,
# else straight into the table, hashed the same way: BLAKE2b-256 hex).
open311_key() {
	if pakn_cmd_wired apikey; then
		KEY=$("$TONGDAI" pakn apikey --data-dir "$WORK/data" add "$1")
	else
		KEY="testkey-$RANDOM$RANDOM$RANDOM"
		python3 - "$WORK/data/tongdai.db" "$KEY" "$1" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
h = hashlib.blake2b(sys.argv[2].encode(), digest_size=32).hexdigest()
db.execute("INSERT INTO open311_key(hash, name, created_at) VALUES (?, ?, 0)", (h, sys.argv[3]))
db.commit()
PY
	fi
	[ -n "$KEY" ]
}

# schema_ok SCHEMA_FILE: validate $WORK/body against a shared Open311 schema
# (jsonschema when installed, else a small checker: required keys, types,
# enums, maxLength, anyOf, arrays, $ref to a sibling file, minItems).
schema_ok() {
	python3 - "$SHARED/data/open311" "$1" "$WORK/body" <<'PY'
import json, os, sys
d, name, body = sys.argv[1], sys.argv[2], sys.argv[3]
doc = json.load(open(body, encoding="utf-8"))
def load(n): return json.load(open(os.path.join(d, n), encoding="utf-8"))
try:
    import jsonschema  # Debian python3-jsonschema, when present
    schema = load(name)
    def resolve(s):
        if isinstance(s, dict):
            if "$ref" in s: return resolve(load(s["$ref"]))
            return {k: resolve(v) for k, v in s.items()}
        if isinstance(s, list): return [resolve(x) for x in s]
        return s
    jsonschema.validate(doc, resolve(schema))
    sys.exit(0)
except ImportError:
    pass
TYPES = {"string": str, "boolean": bool, "array": list, "object": dict}
def check(v, s, path):
    if "$ref" in s: return check(v, load(s["$ref"]), path)
    if "anyOf" in s:
        errs = [check(v, alt, path) for alt in s["anyOf"]]
        return None if any(e is None for e in errs) else errs[0]
    t = s.get("type")
    if t == "number" and (isinstance(v, bool) or not isinstance(v, (int, float))): return f"{path}: not a number"
    if t == "integer" and (isinstance(v, bool) or not isinstance(v, int)): return f"{path}: not an integer"
    if t == "null" and v is not None: return f"{path}: not null"
    if t in TYPES and not isinstance(v, TYPES[t]): return f"{path}: not {t}"
    if "enum" in s and v not in s["enum"]: return f"{path}: {v!r} not in enum"
    if "maxLength" in s and isinstance(v, str) and len(v) > s["maxLength"]: return f"{path}: too long"
    if isinstance(v, list):
        if len(v) < s.get("minItems", 0): return f"{path}: too few items"
        for i, x in enumerate(v):
            e = check(x, s.get("items", {}), f"{path}[{i}]")
            if e: return e
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v: return f"{path}: missing {k}"
        for k, sub in s.get("properties", {}).items():
            if k in v:
                e = check(v[k], sub, f"{path}.{k}")
                if e: return e
    return None
e = check(doc, load(name), "$")
if e:
    print("schema:", e)
    sys.exit(1)
PY
}

# xml_ok ROOT [XPATH...]: the body is well-formed XML with that root and each
# path (ElementTree syntax) present.
xml_ok() {
	python3 - "$WORK/body" "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
if root.tag != sys.argv[2]:
    print("root is", root.tag); sys.exit(1)
for p in sys.argv[3:]:
    if root.find(p) is None:
        print("missing", p); sys.exit(1)
PY
}
