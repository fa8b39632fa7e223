#!/usr/bin/env python3
"""eval_questions.py - score `tongdai ask --jsonl` output against a labelled
question set (the format of ../shared/data/questions/dev.jsonl).

usage: eval_questions.py QUESTIONS.jsonl ANSWERS.jsonl [--errors]

Labels: "label" is match (codes lists the procedures that answer it), none
(the knowledge base cannot answer: the system should not answer) or intent
("intent" names a non-procedure intent); "aspect" and "style" as written.

Figures:
  top-1 / top-3   a correct code is the first / among the first three candidates
                  (match questions), overall and per style
  answered-right  status answered with a correct procedure (match questions)
  wrong answers   status answered with a procedure not in codes, over all
                  match + none questions (the figure to keep near zero)
  abstention      none questions not answered (clarify or no_match)
  intent, aspect  accuracy (aspect over procedure questions with an aspect)
"""
import collections
import json
import sys


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def pct(a, b):
    return "%5.1f%% (%d/%d)" % (100.0 * a / b, a, b) if b else "   n/a"


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    qs = load(sys.argv[1])
    ans = {r.get("id"): r for r in load(sys.argv[2])}
    show_errors = "--errors" in sys.argv
    c = collections.Counter()
    style = collections.defaultdict(collections.Counter)
    errors = []
    for q in qs:
        a = ans.get(q["id"])
        if a is None:
            errors.append((q["id"], "missing answer"))
            c["missing"] += 1
            continue
        cands = [x["code"] for x in a.get("candidates", [])]
        proc = (a.get("procedure") or {}).get("code")
        status = a.get("status")
        want_intent = q.get("intent", "procedure_info") if q["label"] == "intent" else "procedure_info"
        c["intent_n"] += 1
        if a.get("intent") == want_intent:
            c["intent_ok"] += 1
        else:
            errors.append((q["id"], "intent %s, want %s: %s" % (a.get("intent"), want_intent, q["question"])))
        if q["label"] in ("match", "none") and q.get("aspect") not in (None, "other"):
            c["aspect_n"] += 1
            if a.get("aspect") == q["aspect"]:
                c["aspect_ok"] += 1
            else:
                errors.append((q["id"], "aspect %s, want %s: %s" % (a.get("aspect"), q["aspect"], q["question"])))
        if q["label"] == "match":
            codes = set(q["codes"])
            s = style[q.get("style", "?")]
            c["match"] += 1
            s["n"] += 1
            t1 = bool(cands) and cands[0] in codes
            t3 = any(x in codes for x in cands[:3])
            c["top1"] += t1
            c["top3"] += t3
            s["top1"] += t1
            s["top3"] += t3
            c["status_" + str(status)] += 1
            if status == "answered":
                if proc in codes:
                    c["right"] += 1
                    s["right"] += 1
                else:
                    c["wrong"] += 1
                    errors.append((q["id"], "WRONG answer %s, want %s: %s" % (proc, sorted(codes), q["question"])))
            elif status == "clarify" and any(x in codes for x in cands):
                c["clarify_ok"] += 1
            if not t1:
                errors.append((q["id"], "top1 %s, want %s (%s): %s" % (cands[:1], sorted(codes), status, q["question"])))
        elif q["label"] == "none":
            c["none"] += 1
            if status == "answered":
                c["wrong"] += 1
                errors.append((q["id"], "answered unanswerable with %s: %s" % (proc, q["question"])))
            else:
                c["abstain"] += 1
    print("questions: %d (procedure %d, unanswerable %d)" % (len(qs), c["match"], c["none"]))
    print("top-1 accuracy     %s" % pct(c["top1"], c["match"]))
    print("top-3 accuracy     %s" % pct(c["top3"], c["match"]))
    for st in sorted(style):
        s = style[st]
        print("  %-14s top-1 %s  top-3 %s  answered-right %s" % (st, pct(s["top1"], s["n"]), pct(s["top3"], s["n"]), pct(s["right"], s["n"])))
    print("answered right     %s" % pct(c["right"], c["match"]))
    print("clarify (right option offered) %s" % pct(c["clarify_ok"], c["match"]))
    print("status on procedure questions: answered %d, clarify %d, no_match %d, other_intent %d" % (
        c["status_answered"], c["status_clarify"], c["status_no_match"], c["status_other_intent"]))
    print("abstention (unanswerable) %s" % pct(c["abstain"], c["none"]))
    print("wrong-answer rate  %s" % pct(c["wrong"], c["match"] + c["none"]))
    print("intent accuracy    %s" % pct(c["intent_ok"], c["intent_n"]))
    print("aspect accuracy    %s" % pct(c["aspect_ok"], c["aspect_n"]))
    if show_errors:
        print("\nerrors:")
        for i, e in errors:
            print("  %s %s" % (i, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
