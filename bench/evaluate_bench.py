#!/usr/bin/env python3
"""Benchmark of the evaluation engine against numpy (not part of the test suite).

The computation, identical on both sides: 2,700 units x 40 indicators (synthetic, 10 of them cost
indicators), entropy weights on min-max standardised data (S1, METHODS.md sec. 3), TOPSIS on the
same min-max matrix (T-minmax, classical distances), competition ranks (ties min); then 1,000
Monte Carlo replications with every indicator weight perturbed uniformly by +/-25 %
(w' = w + (2u - 1) * 0.25 * w), TOPSIS and ranks per replication, and per unit the mean, median,
5th and 95th percentile rank (type 7). numpy replays the engine's SplitMix64 draws
(state_r = mix(mix(seed) + r)), so both sides compute the same replications and the results are
compared at the end.

Rust side: `nengji evaluate --timing` (release build) on the CSV and TOML this script writes; its
engine time (the nominal run, which prepares the scheme once, plus the Monte Carlo run, which
reuses that preparation) excludes reading and writing files; the process wall time is reported
too.
numpy side: a vectorised implementation (one BLAS matrix product for all replications' distances,
row-wise argsort for the ranks, np.percentile for the statistics) on the array already in memory.

Install and run (from the repository root):
    pip install numpy
    cargo build --release -p nengji
    python3 bench/evaluate_bench.py            # options: --units --indicators --reps --runs --seed
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

MASK = (1 << 64) - 1
GAMMA = np.uint64(0x9E3779B97F4A7C15)


def mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniforms(seed, reps, k):
    """The engine's draws: k uniforms per replication, shape (reps, k)."""
    with np.errstate(over="ignore"):
        state = mix(mix(np.uint64(seed)) + np.arange(reps, dtype=np.uint64))
        out = np.empty((reps, k))
        for j in range(k):
            state = state + GAMMA
            out[:, j] = (mix(state) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
    return out


def synthetic(units, inds, seed):
    rng = np.random.default_rng(seed)
    scale = rng.uniform(1, 1000, inds)
    X = rng.lognormal(mean=0.0, sigma=rng.uniform(0.3, 1.2, inds), size=(units, inds)) * scale
    dirs = np.ones(inds)
    dirs[::4] = -1.0  # every fourth indicator is a cost indicator
    return X, dirs


def minmax(X, dirs):
    lo, hi = X.min(axis=0), X.max(axis=0)
    # The engine: (d*x - min(d*x)) / (max(d*x) - min(d*x)).
    Xd = X * dirs
    lo_d = np.where(dirs > 0, lo, -hi)
    hi_d = np.where(dirs > 0, hi, -lo)
    return (Xd - lo_d) / (hi_d - lo_d)


def entropy_weights(Z):
    m = Z.shape[0]
    P = Z / Z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        L = np.where(P > 0, P * np.log(P), 0.0)
    d = 1.0 + L.sum(axis=0) / np.log(m)
    return d / d.sum()


def ranks_min(C):
    """Competition ranks (1 = highest, ties share the smaller number) of each row of C."""
    reps, n = C.shape
    order = np.argsort(-C, axis=1, kind="stable")
    s = np.take_along_axis(C, order, axis=1)
    pos = np.broadcast_to(np.arange(1, n + 1), (reps, n)).copy()
    same = np.zeros((reps, n), dtype=bool)
    same[:, 1:] = s[:, 1:] == s[:, :-1]
    pos[same] = 0
    pos = np.maximum.accumulate(pos, axis=1)
    R = np.empty_like(pos)
    np.put_along_axis(R, order, pos, axis=1)
    return R


def numpy_run(X, dirs, reps, seed, noise=0.25):
    Z = minmax(X, dirs)
    w = entropy_weights(Z)
    Pp = (Z - Z.max(axis=0)) ** 2
    Pm = (Z - Z.min(axis=0)) ** 2
    # Nominal TOPSIS: D^2 = sum (w_j r_ij - A_j)^2 = sum w_j^2 (r_ij - a_j)^2 for w_j >= 0.
    wn = w / w.sum()
    dp, dm = np.sqrt(Pp @ wn**2), np.sqrt(Pm @ wn**2)
    nominal = ranks_min((dm / (dp + dm))[None, :])[0]
    # Monte Carlo: all replications' distances in one matrix product.
    U = uniforms(seed, reps, X.shape[1])
    W = w + (2.0 * U - 1.0) * noise * w
    W2 = (W / W.sum(axis=1, keepdims=True)) ** 2
    DP, DM = np.sqrt(W2 @ Pp.T), np.sqrt(W2 @ Pm.T)  # (reps, units)
    R = ranks_min(DM / (DP + DM)).astype(np.float64)
    q5, med, q95 = np.percentile(R, [5, 50, 95], axis=0, method="linear")
    return nominal, R.mean(axis=0), med, q5, q95


def write_inputs(folder, X, dirs, reps_seed):
    data = os.path.join(folder, "bench.csv")
    with open(data, "w") as f:
        f.write("code," + ",".join(f"x{j}" for j in range(X.shape[1])) + "\n")
        for i, row in enumerate(X):
            f.write(f"u{i}," + ",".join(repr(float(v)) for v in row) + "\n")
    scheme = os.path.join(folder, "bench.toml")
    with open(scheme, "w") as f:
        f.write('code = "bench"\nweighting = { method = "entropy", standardise = "min_max" }\n')
        f.write('scoring = { method = "min_max", low = 0, high = 1 }\n')
        f.write('[[nodes]]\ncode = "topsis"\naggregation = { method = "topsis" }\n')
        for j, d in enumerate(dirs):
            f.write(f'[[indicators]]\ncode = "x{j}"\nparent = "topsis"\ndirection = "{"benefit" if d > 0 else "cost"}"\n')
        f.write("[uncertainty]\nweight_noise = [{ level = 1, factor = 0.25 }]\n")
    return scheme, data


def rust_run(binary, scheme, data, reps, seed, out):
    cmd = [binary, "evaluate", "--scheme", scheme, "--data", data, "--mc", str(reps), "--seed", str(seed), "--timing", "--out", out]
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.exit(f"nengji evaluate failed:\n{p.stderr}")
    m = re.search(r"名义计算 ([0-9.]+) ms，蒙特卡洛 ([0-9.]+) ms（(\d+) 线程）", p.stderr)
    return float(m.group(1)) / 1e3, float(m.group(2)) / 1e3, int(m.group(3)), wall, cpu


def read_rust(out):
    import csv
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    col = lambda k: np.array([float(r[k]) for r in rows])
    return col("名义排名"), col("平均排名"), col("排名中位数"), col("排名5%分位"), col("排名95%分位")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=2700)
    ap.add_argument("--indicators", type=int, default=40)
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per side (the best is reported)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--binary", default="target/release/nengji")
    args = ap.parse_args()
    X, dirs = synthetic(args.units, args.indicators, 7)
    with tempfile.TemporaryDirectory() as tmp:
        scheme, data = write_inputs(tmp, X, dirs, args.seed)
        out = os.path.join(tmp, "out.csv")
        rust = [rust_run(args.binary, scheme, data, args.reps, args.seed, out) for _ in range(args.runs)]
        r_nom, r_mean, r_med, r_q5, r_q95 = read_rust(out)
    py, py_cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        res = numpy_run(X, dirs, args.reps, args.seed)
        py.append(time.perf_counter() - t0)
        py_cpu.append(time.process_time() - c0)
    nom, mean, med, q5, q95 = res

    eng = min(a + b for a, b, _, _, _ in rust)
    wall = min(w for _, _, _, w, _ in rust)
    cpu = min(c for *_, c in rust)
    best_np = min(py)
    print(f"{args.units} units x {args.indicators} indicators, entropy (S1) + TOPSIS, {args.reps} Monte Carlo replications, best of {args.runs}")
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"numpy {np.__version__}:                 {best_np * 1e3:8.1f} ms (compute only, data in memory)")
    print(f"nengji engine ({rust[0][2]} threads):       {eng * 1e3:8.1f} ms (nominal {min(a for a, *_ in rust) * 1e3:.1f} + Monte Carlo {min(r[1] for r in rust) * 1e3:.1f})")
    print(f"nengji whole process:           {wall * 1e3:8.1f} ms (start, read CSV + TOML, compute, write CSV)")
    print(f"speed-up engine vs numpy:       {best_np / eng:8.1f}x   whole process vs numpy: {best_np / wall:.1f}x")
    print(f"CPU time (all threads): numpy {min(py_cpu) * 1e3:.1f} ms, nengji whole process {cpu * 1e3:.1f} ms ({min(py_cpu) / cpu:.1f}x)")
    print(f"all runs (ms): numpy {[round(t * 1e3) for t in py]}, engine {[round((r[0] + r[1]) * 1e3) for r in rust]}")
    same = lambda a, b: float(np.max(np.abs(a - b)))
    print(f"agreement: nominal ranks max |diff| {same(r_nom, nom)}, mean {same(r_mean, mean):.3g}, "
          f"median {same(r_med, med)}, P5 {same(r_q5, q5)}, P95 {same(r_q95, q95)}")


if __name__ == "__main__":
    main()
