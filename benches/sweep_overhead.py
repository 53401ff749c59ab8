#!/usr/bin/env python3
"""Sweep overhead against separate runs (issue 14's speed target).

A stickiness sweep on the peer graph (written by peer_compare.py) against
the same points run one by one with `viralsim run`. The sweep's figure is
its whole wall time (reading the graph once, every point, every output);
the separate runs' figure is the sum of their `simulate_s` from run.json
(simulation only, no graph reading or output). The target is
sweep / separate <= 1.1.

Run from the repository root after `cargo build --release`:

    python3 benches/sweep_overhead.py                 # 20 points, 10,000 trials each
    python3 benches/sweep_overhead.py --repeat 3      # alternate sweep and runs 3 times;
                                                      # the ratio is the median of the pairs'
    python3 benches/sweep_overhead.py --quick         # 10x fewer trials

The machine is shared and noisy, so the sweep and the separate runs
alternate and each pair's ratio is reported.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--viralsim", default=str(ROOT / "target/release/viralsim"))
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--lo", type=float, default=0.005)
    ap.add_argument("--hi", type=float, default=0.05)
    ap.add_argument("--trials", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="0: all cores")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.trials //= 10
    work = Path(tempfile.mkdtemp(prefix="viralsim_sweep_bench_"))
    peer = ROOT / "target" / "peer"
    if not (peer / "ic0.03.toml").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "benches/peer_compare.py"), "--write-scenarios", str(peer)],
            check=True,
        )
    base = (peer / "ic0.03.toml").read_text()
    scenario = work / "sweep_base.toml"
    scenario.write_text(base)
    step = (a.hi - a.lo) / (a.points - 1)
    values = [a.lo + i * step for i in range(a.points)]
    threads = ["--threads", str(a.threads)] if a.threads else []

    def sweep():
        out = work / "sweep_out"
        t = time.perf_counter()
        subprocess.run(
            [a.viralsim, "sweep", str(scenario), "--set",
             f"content.stickiness={a.lo}:{a.hi}:{a.points}", "--trials", str(a.trials),
             "--out", str(out), "--no-charts", "--quiet", *threads],
            check=True,
        )
        return time.perf_counter() - t, out

    def separate():
        total = 0.0
        for i, v in enumerate(values):
            # The value as the sweep writes it into the point's scenario.
            point = work / f"point_{i}.toml"
            point.write_text(base.replace("stickiness = 0.03", f"stickiness = {v!r}"))
            out = work / f"run_{i}"
            subprocess.run(
                [a.viralsim, "run", str(point), "--trials", str(a.trials), "--out", str(out),
                 "--no-charts", "--quiet", *threads],
                check=True,
            )
            total += json.loads((out / "run.json").read_text())["timings_s"]["simulate_s"]
        return total

    ratios = []
    for r in range(a.repeat):
        ws, out = sweep()
        ss = separate()
        ratios.append(ws / ss)
        print(f"pair {r + 1}: sweep {ws:.2f} s wall; separate runs {ss:.2f} s simulating; "
              f"ratio {ws / ss:.3f}", flush=True)
    engaged = [
        p["metrics"]["engaged"]["mean"]
        for p in json.loads((out / "sweep.json").read_text())["points"]
    ] if (out / "sweep.json").exists() else []
    if engaged:
        print("engaged per point: " + ", ".join(f"{e:.0f}" for e in engaged))
    print(f"{a.points} points x {a.trials} trials; median ratio {statistics.median(ratios):.3f} "
          f"(target <= 1.1)")


if __name__ == "__main__":
    main()
