#!/usr/bin/env python3
"""The alternative a developer would reach for first: Python's json + sqlite3,
storing each national record as it comes (no parsing of the flattened
tables), one transaction, WAL.  Usage: baseline_import.py JSONL DBPATH"""
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[2])
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS procedure(code TEXT PRIMARY KEY, name TEXT, body TEXT)")
with db:
    for line in open(sys.argv[1], encoding="utf-8"):
        rec = json.loads(line)
        db.execute("INSERT OR REPLACE INTO procedure VALUES (?, ?, ?)",
                   (rec["ma_thu_tuc"], rec["ten_thu_tuc"], json.dumps(rec, ensure_ascii=False)))
db.close()
