#!/usr/bin/env python3
"""Independent re-implementation of COINr 1.1.14's ASEM pipeline (plain Python, no packages),
written from COINr's R sources as quoted in shared/domain/METHODS.md §1, §2, §5:

  Normalise: x' = direction * x; n_minmax(x', l_u) = (x' - min)/(max - min) * (u - l) + l
  Aggregate, level by level with the iMeta weights (all 1 here), over non-missing children:
    a_amean(x, w) = sum(w * x) / sum(w)          (NA when all children are NA)
    a_gmean(x, w) = exp(sum(w * log(x)) / sum(w)) (stops on x <= 0)

Writes expected_amean_0_100.csv (min-max [0,100] + arithmetic mean) and
expected_gmean_1_100.csv (min-max [1,100] + geometric mean): uCode, the 49 normalised indicators
and the 11 aggregates, numbers with repr() (round-trip precision), empty = NA.
Run: python3 coinr_reference.py   (in this folder; the Rust test reads the CSVs, CI needs no Python)
"""
import csv, math, os

here = os.path.dirname(os.path.abspath(__file__))
meta = list(csv.DictReader(open(os.path.join(here, "input_ASEM_iMeta.csv"))))
data = list(csv.DictReader(open(os.path.join(here, "input_ASEM_iData.csv"))))
inds = [m for m in meta if m["Type"] == "Indicator"]
aggs = [m for m in meta if m["Type"] == "Aggregate"]

def num(s):
    return None if s == "" else float(s)

def normalise(lo, hi):
    out = {}
    for m in inds:
        d = float(m["Direction"])
        x = [None if num(r[m["iCode"]]) is None else d * num(r[m["iCode"]]) for r in data]
        obs = [v for v in x if v is not None]
        mn, mx = min(obs), max(obs)
        assert mx > mn, m["iCode"]
        out[m["iCode"]] = [None if v is None else (v - mn) / (mx - mn) * (hi - lo) + lo for v in x]
    return out

def aggregate(cols, geometric):
    for level in sorted({int(m["Level"]) for m in aggs}):
        for g in [m for m in aggs if int(m["Level"]) == level]:
            kids = [m for m in meta if m["Parent"] == g["iCode"]]
            col = []
            for i in range(len(data)):
                pairs = [(float(k["Weight"]), cols[k["iCode"]][i]) for k in kids if cols[k["iCode"]][i] is not None]
                if not pairs:
                    col.append(None)
                elif geometric:
                    assert all(v > 0 for _, v in pairs)
                    col.append(math.exp(sum(w * math.log(v) for w, v in pairs) / sum(w for w, _ in pairs)))
                else:
                    col.append(sum(w * v for w, v in pairs) / sum(w for w, _ in pairs))
            cols[g["iCode"]] = col
    return cols

def write(name, cols):
    codes = [m["iCode"] for m in inds] + [m["iCode"] for m in aggs]
    with open(os.path.join(here, name), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["uCode"] + codes)
        for i, r in enumerate(data):
            w.writerow([r["uCode"]] + ["" if cols[c][i] is None else repr(cols[c][i]) for c in codes])

write("expected_amean_0_100.csv", aggregate(normalise(0.0, 100.0), geometric=False))
write("expected_gmean_1_100.csv", aggregate(normalise(1.0, 100.0), geometric=True))
