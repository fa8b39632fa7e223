#!/usr/bin/env python3
"""eval_pakn.py DEV PRED [PRED_GOLD_CATEGORY] - PAKN figures.

DEV: labelled messages (id, text, category, ward_codes, agency, level,
emergency, place_style).  PRED: `tongdai pakn classify --jsonl` output for
DEV, in the same order.  PRED_GOLD_CATEGORY (optional): the same run with
--gold-category, to show routing accuracy without classifier errors.

Agency label "ubnd:*" means "the UBND of the ward, once the citizen confirms
which of the candidates": it is counted right when the prediction asks to
confirm among exactly ubnd:<label ward_codes> (status confirm_place), or
routes to ubnd:<one of them>.  A null label means no agency (not a PAKN).
"""
import json
import sys
from collections import Counter, defaultdict


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def agency_ok(gold, pred):
    g = gold["agency"]
    p = pred.get("agency")
    if g == "ubnd:*":
        want = sorted("ubnd:" + c for c in gold["ward_codes"])
        if pred.get("status") == "confirm_place" and sorted(pred.get("agency_candidates", [])) == want:
            return True
        return p in want
    return p == g


def macro_f1(pairs):
    labels = sorted({g for g, _ in pairs} | {p for _, p in pairs})
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in pairs if g == lab and p == lab)
        fp = sum(1 for g, p in pairs if g != lab and p == lab)
        fn = sum(1 for g, p in pairs if g == lab and p != lab)
        if tp + fp + fn == 0:
            continue
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def report(dev, pred, title, verbose):
    if len(dev) != len(pred):
        sys.exit(f"{title}: {len(dev)} labelled lines but {len(pred)} predictions")
    n = len(dev)
    cat = [(d["category"], p.get("category")) for d, p in zip(dev, pred)]
    place_ok = [sorted(d["ward_codes"]) == sorted(p.get("ward_codes", [])) for d, p in zip(dev, pred)]
    ag_ok = [agency_ok(d, p) for d, p in zip(dev, pred)]
    lvl_ok = [d["level"] == p.get("level") for d, p in zip(dev, pred)]
    tp = sum(1 for d, p in zip(dev, pred) if d["emergency"] and p.get("emergency"))
    fn = sum(1 for d, p in zip(dev, pred) if d["emergency"] and not p.get("emergency"))
    fp = sum(1 for d, p in zip(dev, pred) if not d["emergency"] and p.get("emergency"))
    print(f"== {title} ({n} messages)")
    print(f"category accuracy   {sum(g == p for g, p in cat) / n:.3f}   macro-F1 {macro_f1(cat):.3f}")
    print(f"place accuracy      {sum(place_ok) / n:.3f}   (exact set of ward_codes)")
    by = defaultdict(list)
    for d, ok in zip(dev, place_ok):
        by[d.get("place_style", "?")].append(ok)
    for style in sorted(by):
        v = by[style]
        print(f"  {style:<18}{sum(v) / len(v):.3f}  ({sum(v)}/{len(v)})")
    print(f"agency accuracy     {sum(ag_ok) / n:.3f}")
    rec = tp / (tp + fn) if tp + fn else 1.0
    prec = tp / (tp + fp) if tp + fp else 1.0
    print(f"emergency recall    {rec:.3f}   precision {prec:.3f}   (tp {tp}, fn {fn}, fp {fp})")
    print(f"level accuracy      {sum(lvl_ok) / n:.3f}")
    if verbose:
        for d, p, pok, aok in zip(dev, pred, place_ok, ag_ok):
            if not pok:
                print(f"  place  {d['id']}: want {d['ward_codes']} got {p.get('ward_codes')} "
                      f"({p.get('place', {}).get('reason')})")
            if not aok:
                print(f"  agency {d['id']}: want {d['agency']} got {p.get('agency')} "
                      f"[{d['category']} -> {p.get('category')}]")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    dev = load(sys.argv[1])
    verbose = "-v" in sys.argv
    args = [a for a in sys.argv[2:] if a != "-v"]
    report(dev, load(args[0]), "end to end", verbose)
    if len(args) > 1:
        report(dev, load(args[1]), "routing with labelled categories", verbose)


if __name__ == "__main__":
    main()
