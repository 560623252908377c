#!/usr/bin/env python3
"""Idle-land scan in pandas/numpy: the reference `nengji bench land` runs in the same invocation.

Needs: numpy and pandas (`pip install numpy pandas`). Not run by hand: `nengji bench land` writes
the generated parcels as raw little-endian columns plus meta.json to a folder and calls
    python3 bench/land_bench.py DIR --rounds N
which loads them into a pandas DataFrame and takes its columns as numpy arrays (not timed), then times the rules (best of N rounds) and
prints one JSON line with the counts, so the Rust side can check both agree.

The rules are those of crates/core/src/land/rules.rs (DOMAIN.md §1) with the national thresholds:
* periods (Civil Code Arts. 201-203): N years after D end on the corresponding day (29 Feb -> 28 Feb),
  moved forward past rest days (weekends and the holiday list); "full" = the day after;
* due start date = restart (if decided on or before the date) else contract start else
  handover + 1 year (corresponding day, no rest-day shift);
* case A: not started by the date and date >= full(due, 1);
  consequence: government cause or force majeure -> negotiate; holder -> recovery from full(due, 2),
  else fee (20 % of the price, rounded half up to the fen); cause unknown -> investigate;
* case B: started, (developed * 3 < to_develop) or (invested * 100 < planned * 25), halted on or before
  the date and date >= full(halted, 1) -> negotiate;
* clean-up scope: industrial, sold (出让), supplied on or after 2011-01-01.
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd

NONE = np.iinfo(np.int32).min


def load(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    n = meta["n"]
    cols = {}
    for name, dtype in meta["columns"]:
        a = np.fromfile(os.path.join(d, name + ".bin"), dtype=np.dtype(dtype).newbyteorder("<"))
        assert a.shape[0] == n, name
        if name in meta["dates"]:
            # Days since 1970-01-01, NONE -> NaT.
            a = a.astype(np.int64)
            a[a == NONE] = np.iinfo(np.int64).min
            a = a.view("M8[D]")
        cols[name] = a
    return meta, pd.DataFrame(cols)


def add_years(d, n):
    """The corresponding day n years later; 29 February -> 28 February (Art. 202). Integer civil
    calendar arithmetic (days <-> y/m/d, H. Hinnant's algorithms) on the whole array: several times
    faster than numpy's datetime64[Y]/[M] conversions."""
    nat = np.isnat(d)
    z = np.where(nat, 0, d.view(np.int64)) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2) + n
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    out = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    out[nat] = np.iinfo(np.int64).min
    return out.view("M8[D]")


def columns(df, meta):
    """The DataFrame's columns as numpy arrays, dates at day resolution (pandas keeps them in
    seconds). Done once before timing, so the baseline is timed on ready arrays."""
    return {c: (df[c].to_numpy().astype("M8[D]") if c in meta["dates"] else df[c].to_numpy()) for c in df.columns}


def scan(df, meta):
    as_of = np.datetime64(meta["as_of"], "D")
    holidays = np.array(meta["holidays"], dtype="M8[D]")
    cal = np.busdaycalendar(holidays=holidays)
    one_day = np.timedelta64(1, "D")

    def full(d, years):
        return np.busday_offset(add_years(d, years), 0, roll="forward", busdaycal=cal) + one_day

    def days(name):
        return df[name]

    restart_due = days("restart_due")
    restart_decided = days("restart_decided")
    contract = days("contract_start")
    handover = days("handover")
    restarted = restart_decided <= as_of
    due = np.where(restarted, restart_due, np.where(~np.isnat(contract), contract, add_years(handover, 1)))
    has_due = ~np.isnat(due)
    started = days("started") <= as_of
    cause = df["cause"]

    idle_a = has_due & ~started & (as_of >= full(due, 1))
    gov = (cause >= 0) & (cause <= 6)
    holder = cause == 7
    recovery = idle_a & holder & (as_of >= full(due, 2))
    fee = idle_a & holder & ~recovery
    negotiate_a = idle_a & gov
    investigate = idle_a & ~gov & ~holder

    to_dev = df["to_develop_m2"]
    dev = df["developed_m2"]
    planned = df["planned_fen"]
    invested = df["invested_fen"]
    short = ((to_dev > 0) & (dev * 3.0 < to_dev * 1.0)) | ((planned > 0) & (invested * 100 < planned * 25))
    halted = days("halted")
    idle_b = has_due & started & short & (halted <= as_of) & (as_of >= full(halted, 1))

    scope = (df["industrial"] == 1) & (df["supply"] == 0) & (days("supply_date") >= np.datetime64(meta["scope_since"], "D"))
    idle = idle_a | idle_b
    price = df["price_fen"]
    fee_sum = int(((price[fee] * 20 + 50) // 100).sum())
    return {
        "not_idle": int((~idle).sum()),
        "a_investigate": int(investigate.sum()),
        "a_negotiate": int(negotiate_a.sum()),
        "a_fee": int(fee.sum()),
        "a_recovery": int(recovery.sum()),
        "b_negotiate": int(idle_b.sum()),
        "in_scope": int(scope.sum()),
        "in_scope_idle": int((scope & idle).sum()),
        "fee_sum_fen": fee_sum,
    }


def main():
    d = sys.argv[1]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    meta, df = load(d)
    cols = columns(df, meta)
    times = []
    counts = None
    for _ in range(rounds):
        t = time.perf_counter()
        counts = scan(cols, meta)
        times.append(time.perf_counter() - t)
    print(json.dumps({"counts": counts, "times_ms": [round(x * 1000, 2) for x in times], "numpy": np.__version__, "pandas": pd.__version__}))


if __name__ == "__main__":
    main()
