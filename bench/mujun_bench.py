#!/usr/bin/env python3
"""亩均 grading in pandas/numpy: the reference `nengji bench mujun` runs in the same invocation.

Needs: numpy and pandas (`pip install numpy pandas`). Not run by hand: `nengji bench mujun` writes
the generated firms (this year `cur_*`, last year `prior_*`) as raw little-endian columns, each
scheme as the JSON the store keeps (scheme_<code>.json) and meta.json to a folder, and calls
    python3 bench/mujun_bench.py DIR --rounds N
Loading the columns is not timed. For each scheme the grading is timed (best of N rounds); the
classes (one byte per firm: A/B/C/D/T) and total scores (float64, NaN for T) are written to
classes_<code>.bin and scores_<code>.bin, and one JSON line with the timings is printed. Rust
checks that every class and every score bit agree.

The rules are those of crates/core/src/landuse/mujun.rs (DOMAIN.md sec. 3), driven by the scheme:
* a firm is T (not rated) when exempt, or its land is below its segment's min_land_mu, or 0;
  the segment is chosen by 规上/规下;
* metric = numerator / denominator when both exist and the denominator is > 0 (e.g. 亩均税收 =
  tax / land);
* benchmark: a constant, or k x (sum of numerators / sum of denominators) over last year's rated
  firms of the segment with both parts -- per zone when the scheme ranks by zone (falling back to
  the city when a zone has nothing usable);
* item score = metric / benchmark x weight; a missing metric scores 0, or the segment's mean item
  score (missing = segment_average); total = item scores added in item order + bonus/penalty
  (points x count, clipped to +/-cap, items in code order);
* competition rank (ties share the smaller number) within segment (and zone when by zone);
  class = the first band with rank <= floor(upto x n + 1e-9).
Sums that must match Rust bit for bit are sequential (np.bincount accumulates in input order).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd

PARTS = {
    "tax_per_mu": ("tax", "land"),
    "value_added_per_mu": ("added_value", "land"),
    "revenue_per_mu": ("revenue", "land"),
    "value_added_per_energy": ("added_value", "energy"),
    "value_added_per_emission": ("added_value", "emissions"),
    "labour_productivity": ("added_value", "employees"),
    "rd_share": ("rd", "revenue"),
    "tax_per_electricity": ("tax", "electricity"),
    "tax_per_energy": ("tax", "energy"),
}
F64 = ["land", "tax", "revenue", "added_value", "rd", "energy", "emissions", "electricity", "employees"]


def load(d, tag, n, items):
    col = lambda name, dt: np.fromfile(os.path.join(d, f"{tag}_{name}.bin"), dtype=np.dtype(dt).newbyteorder("<"))
    cols = {"zone": col("zone", "i4"), "above": col("above", "u1"), "exempt": col("exempt", "u1")}
    for name in F64:
        cols[name] = col(name, "f8")
    for it in items:
        cols["item_" + it] = col("item_" + it, "f8")
    df = pd.DataFrame(cols)
    assert len(df) == n
    return df


def seq_sum(x):
    """Sum in input order (as Rust's loop)."""
    return float(np.bincount(np.zeros(len(x), dtype=np.intp), weights=x, minlength=1)[0]) if len(x) else 0.0


def segments(scheme, df):
    si = np.full(len(df), -1, dtype=np.int64)
    land = df["land"].to_numpy()
    rated_base = (df["exempt"].to_numpy() == 0) & (land > 0)
    above = df["above"].to_numpy() == 1
    for i, s in enumerate(scheme["segments"]):
        m = rated_base & (above == bool(s["above_scale"])) & (land >= s.get("min_land_mu", 0.0))
        si[m] = i
    return si


def metric(df, m):
    num, den = PARTS[m]
    a, b = df[num].to_numpy(), df[den].to_numpy()
    ok = ~np.isnan(a) & ~np.isnan(b) & (b > 0)
    v = np.full(len(a), np.nan)
    np.divide(a, b, out=v, where=ok)
    return v, a, b, ok


def grade(scheme, cur, prior, nzones):
    n = len(cur)
    by_zone = scheme["rank_scope"] == "zone"
    si = segments(scheme, cur)
    psi = segments(scheme, prior)
    zone = cur["zone"].to_numpy()
    pzone = prior["zone"].to_numpy()
    total = np.zeros(n)
    for i, s in enumerate(scheme["segments"]):
        in_seg = si == i
        ts = np.zeros(n)  # running total of this segment's firms
        for it in s["items"]:
            v, _, _, ok = metric(cur, it["metric"])
            b = it["benchmark"]
            if b["rule"] == "constant":
                bench = np.full(n, b["value"])
            else:
                _, pa, pb, pok = metric(prior, it["metric"])
                use = (psi == i) & pok
                cn, cd = seq_sum(pa[use]), seq_sum(pb[use])
                city = b["k"] * (cn / cd) if (cn > 0 and cd > 0) else np.nan
                if by_zone:
                    zn = np.bincount(pzone[use], weights=pa[use], minlength=nzones)
                    zd = np.bincount(pzone[use], weights=pb[use], minlength=nzones)
                    good = (zn > 0) & (zd > 0)
                    per_zone = np.full(nzones, city)
                    per_zone[good] = b["k"] * (zn[good] / zd[good])
                    bench = per_zone[zone]
                else:
                    bench = np.full(n, city)
            score = np.zeros(n)
            have = in_seg & ok
            score[have] = v[have] / bench[have] * it["weight"]
            if it.get("missing", "zero") == "segment_average":
                c = int(have.sum())
                avg = seq_sum(score[have]) / c if c else 0.0
                score[in_seg & ~ok] = avg
            ts = ts + score
        adj = np.zeros(n)
        for a in sorted(scheme.get("adjustments", []), key=lambda a: a["code"]):
            colname = "item_" + a["code"]
            if colname not in cur:
                continue
            pts = a["points"] * cur[colname].to_numpy()
            if a.get("cap") is not None:
                pts = np.clip(pts, -a["cap"], a["cap"])
            adj = adj + pts
        total = np.where(in_seg, ts + adj, total)
    total[si < 0] = np.nan
    # Ranks and classes within groups.
    rated = si >= 0
    key = si * (nzones if by_zone else 1) + (zone if by_zone else 0)
    g = pd.DataFrame({"key": key[rated], "score": total[rated]})
    grp = g.groupby("key")["score"]
    rank = grp.rank(method="min", ascending=False).to_numpy()
    size = grp.transform("size").to_numpy().astype(np.float64)
    bands = scheme["bands"]
    cls = np.full(rank.shape[0], ord(bands[-1]["class"][0]), dtype=np.uint8)
    assigned = np.zeros(rank.shape[0], dtype=bool)
    for b in bands:
        m = ~assigned & (rank <= np.floor(b["upto"] * size + 1e-9))
        cls[m] = ord(b["class"][0])
        assigned |= m
    classes = np.full(n, ord("T"), dtype=np.uint8)
    classes[rated] = cls
    return classes, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.dir, "meta.json")))
    cur = load(a.dir, "cur", meta["n"], meta["items"])
    prior = load(a.dir, "prior", meta["n"], meta["items"])
    out = {"numpy": np.__version__, "pandas": pd.__version__, "schemes": {}}
    for code in meta["schemes"]:
        scheme = json.load(open(os.path.join(a.dir, f"scheme_{code}.json")))
        times = []
        for _ in range(a.rounds):
            t = time.perf_counter()
            classes, total = grade(scheme, cur, prior, meta["zones"])
            times.append((time.perf_counter() - t) * 1000.0)
        classes.tofile(os.path.join(a.dir, f"classes_{code}.bin"))
        total.astype("<f8").tofile(os.path.join(a.dir, f"scores_{code}.bin"))
        out["schemes"][code] = {"times_ms": times}
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
