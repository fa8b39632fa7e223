#!/usr/bin/env python3
"""Build an N-times synthetic national export from the real one.

Each copy k > 0 gets a local code suffix (1.000771 -> 1.000771.S1) and a
marker in the name, so every record is distinct and the importer does the
same parsing work on realistic text.  Usage: make_synthetic.py IN OUT N
"""
import json
import sys

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(src, encoding="utf-8").read().splitlines()
with open(dst, "w", encoding="utf-8") as out:
    for k in range(n):
        for line in lines:
            if k == 0:
                out.write(line + "\n")
                continue
            rec = json.loads(line)
            rec["ma_thu_tuc"] = f'{rec["ma_thu_tuc"]}.S{k}'
            rec["ten_thu_tuc"] = f'{rec["ten_thu_tuc"]} (bản sao tổng hợp {k})'
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
