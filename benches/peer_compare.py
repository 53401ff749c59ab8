#!/usr/bin/env python3
"""viralsim against the fastest peer (cynetdiff) on identical cascades (issue 5).

Run from the repository root:

    python3 benches/peer_compare.py            # full run (seconds per measurement at the
                                               # issue-5 targets; minutes at today's speed)
    python3 benches/peer_compare.py --quick    # 10x fewer trials
    python3 benches/peer_compare.py --lt       # also the linear threshold regime
    python3 benches/peer_compare.py --repeat 5 # 5 alternating viralsim/cynetdiff pairs per
                                               # regime; the ratio is the median of the pairs'
                                               # ratios (use an odd K)
    python3 benches/peer_compare.py --write-scenarios DIR
                                               # only write the peer graph and the two IC
                                               # scenarios to DIR (for the criterion `floor`
                                               # group: VIRALSIM_BENCH_SCENARIO=DIR/ic0.02.toml)

What it does, in one go:
  1. builds the peer graph with `peer_ic.py make-graph` (75,879 people,
     508,837 arcs with a trust column) unless --graph FILE is given;
  2. writes one viralsim scenario per regime: that edge list, directed,
     explicit seeds 0-9, shareability 1, endorsement 1, no conversion or
     earned media, stickiness 0.02 and 0.03 - so the per-arc probability
     1 - (1 - s)^(1 + trust) is exactly the one peer_ic.py gives cynetdiff;
  3. builds viralsim (`cargo build --release`) and runs the real binary
     `target/release/viralsim run SCEN --out DIR --trials N --threads T` as a
     whole process (default outputs: CSVs, summary and charts), timing its
     wall clock and reading the child's own peak RSS (os.wait4);
  4. runs cynetdiff through `peer_ic.py ic` (and `lt` with --lt);
  5. prints per regime: rates, their ratio, the agreement z-score, core-ns
     per examined edge, peak RSS and bytes per arc, and a summary line.
     With --repeat K, steps 3-4 alternate K times per regime (viralsim, then
     cynetdiff, then viralsim ...), so both see the same spells of load from
     other tenants; the table is the pair with the median ratio (the lower
     of the two middle ones for an even K), followed by every pair's ratio.

The peer script is ../shared/peers/peer_ic.py relative to the repository
root (override with --peer). It needs numpy and cynetdiff; they are
installed with pip if missing. Exit status: 0 when everything ran (whatever
the numbers), 1 when a step failed to run.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PEER = ROOT.parent / "shared" / "peers" / "peer_ic.py"
SEEDS = list(range(10))

# (name, stickiness, default viralsim trials, default cynetdiff trials)
IC_REGIMES = [
    ("IC s=0.02", 0.02, 1_000_000, 200_000),
    ("IC s=0.03", 0.03, 200_000, 20_000),
]
LT_DEFAULT_TRIALS = (200_000, 20_000)


class Failure(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_checked(cmd, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise Failure(f"command failed (exit {r.returncode}): {' '.join(map(str, cmd))}\n{r.stdout}{r.stderr}")
    return r


def timed_process(cmd, workdir):
    """Run cmd as a child process; return (exit code, wall s, CPU s, peak RSS bytes, stdout, stderr).

    Peak RSS is the child's own ru_maxrss from wait4, so earlier children
    (cargo, the peer) do not leak into it."""
    out_p, err_p = workdir / "proc.stdout", workdir / "proc.stderr"
    log("$ " + " ".join(str(c) for c in cmd))
    with open(out_p, "w") as fo, open(err_p, "w") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen([str(c) for c in cmd], stdout=fo, stderr=fe)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    rss = ru.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return p.returncode, wall, ru.ru_utime + ru.ru_stime, rss, out_p.read_text(), err_p.read_text()


def ensure_peer_deps(python):
    probe = [python, "-c", "import numpy, cynetdiff"]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return
    log("numpy/cynetdiff missing: installing with pip")
    base = [python, "-m", "pip", "install", "--quiet", "numpy", "cynetdiff"]
    for extra in ([], ["--user"], ["--user", "--break-system-packages"]):
        if subprocess.run(base + extra).returncode == 0 and subprocess.run(probe, capture_output=True).returncode == 0:
            return
    raise Failure("could not install numpy and cynetdiff (pip install numpy cynetdiff)")


def scenario_toml(name, graph, model, stickiness, trials, seed, endorsement=1.0):
    return f"""# written by benches/peer_compare.py
name = {json.dumps(name)}
seed = {seed}
trials = {trials}
model = {json.dumps(model)}

[graph]
kind = "edge_list"
path = {json.dumps(str(graph))}
directed = true

[content]
stickiness = {stickiness}
shareability = 1.0
endorsement = {endorsement}
conversion = 0
ugc = 0

[seeding]
strategy = "explicit"
nodes = [{", ".join(map(str, SEEDS))}]
"""


def run_viralsim(binary, scen, trials, threads, work, tag):
    out = work / f"out-{tag}"
    code, wall, cpu, rss, so, se = timed_process(
        [binary, "run", scen, "--out", out, "--trials", trials, "--threads", threads, "--quiet"], work)
    if code != 0:
        raise Failure(f"viralsim run exited {code}:\n{so}{se}")
    summary = json.loads((out / "summary.json").read_text())
    run = json.loads((out / "run.json").read_text())
    eng = summary["metrics"]["engaged"]
    shutil.rmtree(out, ignore_errors=True)  # trials.csv of 10^6 rows: do not keep it around
    return {
        "trials": trials,
        "wall_s": wall,
        "cpu_s": cpu,
        "rss": rss,
        "mean": float(eng["mean"]),
        "stderr": float(eng["stderr"]),
        "simulate_s": float(run["timings_s"]["simulate_s"]),
        "graph_s": float(run["timings_s"].get("graph_s", float("nan"))),
        "order_s": float(run["timings_s"].get("order_s", 0.0)),
        "storage_order": run.get("storage_order", "?"),
        "threads": int(run["threads"]),
        "edges": int(run["edges_examined"]),
    }


def run_peer(python, peer, cmd, graph, extra, trials):
    r = run_checked([python, peer, cmd, graph, "--directed", "--seeds", ",".join(map(str, SEEDS)),
                     "--trials", trials] + extra)
    lines = [l for l in r.stdout.splitlines() if l.strip().startswith("{")]
    if not lines:
        raise Failure(f"no JSON line from peer_ic.py {cmd}:\n{r.stdout}{r.stderr}")
    return json.loads(lines[0])


def fmt_int(x):
    return f"{x:,.0f}"


def pick_median(pairs):
    """The (viralsim, peer) pair with the median ratio (the lower of the two
    middle ones for an even count) and a line giving every pair's ratio
    ("" for a single pair)."""
    ratio = lambda p: (p[0]["trials"] / p[0]["wall_s"]) / p[1]["sims_per_s"]
    ranked = sorted(pairs, key=ratio)
    mid = ranked[(len(ranked) - 1) // 2]
    if len(pairs) == 1:
        return mid, ""
    which = "median" if len(pairs) % 2 else "lower median"
    by_run = ", ".join(f"{ratio(p):.1f}x" for p in pairs)
    return mid, (f"ratio over {len(pairs)} alternating pairs: {which} {ratio(mid):.1f}x, lowest "
                 f"{ratio(ranked[0]):.1f}x, highest {ratio(ranked[-1]):.1f}x (in run order: {by_run})")


def report(name, vs, peer, arcs, repeats=""):
    whole = vs["trials"] / vs["wall_s"]
    sim = vs["trials"] / vs["simulate_s"]
    ratio = whole / peer["sims_per_s"]
    z = abs(vs["mean"] - peer["mean"]) / math.sqrt(vs["stderr"] ** 2 + peer["stderr"] ** 2)
    e = max(vs["edges"], 1)
    ns_sim = vs["simulate_s"] * vs["threads"] / e * 1e9
    ns_whole = vs["wall_s"] * vs["threads"] / e * 1e9
    ns_cpu = vs["cpu_s"] / e * 1e9
    rows = [
        ("viralsim trials/s, whole process", fmt_int(whole),
         f"{vs['trials']:,} trials / {vs['wall_s']:.2f} s wall (graph load {vs['graph_s']:.2f} s, "
         f"storage order {vs['storage_order']} {vs['order_s']:.2f} s)"),
        ("viralsim trials/s, simulation only", fmt_int(sim), f"run.json simulate_s = {vs['simulate_s']:.2f} s"),
        ("cynetdiff sims/s (1 thread)", fmt_int(peer["sims_per_s"]),
         f"{peer['trials']:,} sims / {peer['seconds']:.2f} s (graph load excluded)"),
        ("ratio whole-process / cynetdiff", f"{ratio:.1f}x", "target >= 10x (IC), >= 5x (LT)"),
        ("mean engaged: viralsim", f"{vs['mean']:.3f}", f"+- {vs['stderr']:.3f} (se)"),
        ("mean activated: cynetdiff", f"{peer['mean']:.3f}", f"+- {peer['stderr']:.3f} (se)"),
        ("agreement z", f"{z:.2f}", "|dmean| / sqrt(se1^2 + se2^2); > 4 would be a bug"),
        ("core-ns / examined edge, simulation", f"{ns_sim:.2f}",
         f"{vs['simulate_s']:.2f} s x {vs['threads']} threads / {vs['edges']:,} edges"),
        ("core-ns / examined edge, whole process", f"{ns_whole:.2f}", "same with the process wall time"),
        ("core-ns / examined edge, process CPU time", f"{ns_cpu:.2f}",
         f"user+sys {vs['cpu_s']:.2f} s = {vs['cpu_s'] / vs['wall_s']:.2f} cores busy on average (of {vs['threads']})"),
        ("examined edges per trial", f"{vs['edges'] / vs['trials']:.1f}", "sum of out-degrees of sharers"),
        ("peak RSS of viralsim", f"{vs['rss'] / 2**20:.1f} MiB", f"{vs['rss'] / arcs:.1f} bytes per arc ({arcs:,} arcs)"),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"\n== {name} ==")
    for a, b, c in rows:
        print(f"  {a:<{w0}}  {b:>{w1}}  {c}")
    if repeats:
        print(f"  {repeats}")
    sys.stdout.flush()
    return (f"{name}: viralsim {whole:,.0f}/s whole process ({sim:,.0f}/s sim) vs cynetdiff "
            f"{peer['sims_per_s']:,.0f}/s = {ratio:.1f}x; z = {z:.2f}; {ns_sim:.2f} core-ns/edge "
            f"({ns_whole:.2f} whole, {ns_cpu:.2f} CPU); {vs['rss'] / arcs:.1f} B/arc"
            + (f"; {repeats}" if repeats else ""))


def per_regime(value, n, default):
    """'N' applies to every regime, 'N1,N2' one per regime."""
    if value is None:
        return list(default)
    parts = [int(x) for x in value.split(",")]
    if len(parts) == 1:
        return parts * n
    if len(parts) != n:
        raise SystemExit(f"expected 1 or {n} comma-separated trial counts, got {value!r}")
    return parts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph", help="use this edge list instead of building the peer graph")
    ap.add_argument("--peer", default=str(DEFAULT_PEER), help="peer_ic.py (default: ../shared/peers/peer_ic.py)")
    ap.add_argument("--python", default=sys.executable, help="python for peer_ic.py")
    ap.add_argument("--trials-viralsim", help="N, or N1,N2 per IC regime (default 1000000,200000); LT uses the first (default 200000)")
    ap.add_argument("--trials-peer", help="N, or N1,N2 per IC regime (default 200000,20000); LT uses the first (default 20000)")
    ap.add_argument("--quick", action="store_true", help="10x fewer trials than the defaults")
    ap.add_argument("--threads", type=int, default=2, help="viralsim worker threads (default 2)")
    ap.add_argument("--seed", type=int, default=1, help="viralsim master seed and cynetdiff rng")
    ap.add_argument("--lt", action="store_true", help="also the linear threshold regime (trust weights)")
    ap.add_argument("--repeat", type=int, default=1, metavar="K",
                    help="run viralsim and cynetdiff alternately K times per regime and report the median ratio (the lower median for an even K; default 1)")
    ap.add_argument("--no-build", action="store_true", help="skip cargo build --release")
    ap.add_argument("--viralsim", help="use this viralsim binary (implies --no-build; default target/release/viralsim)")
    ap.add_argument("--write-scenarios", metavar="DIR",
                    help="write the peer graph (or --graph) and the IC scenarios to DIR, then stop")
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error(f"--repeat must be at least 1, got {a.repeat}")

    q = 10 if a.quick else 1
    vs_trials = per_regime(a.trials_viralsim, len(IC_REGIMES), [r[2] // q for r in IC_REGIMES])
    peer_trials = per_regime(a.trials_peer, len(IC_REGIMES), [r[3] // q for r in IC_REGIMES])
    lt_vs = int(a.trials_viralsim.split(",")[0]) if a.trials_viralsim else LT_DEFAULT_TRIALS[0] // q
    lt_peer = int(a.trials_peer.split(",")[0]) if a.trials_peer else LT_DEFAULT_TRIALS[1] // q

    summaries = []
    try:
        peer = Path(a.peer)
        if not peer.is_file():
            raise Failure(f"peer script not found: {peer} (expected ../shared/peers/peer_ic.py from the repo root; use --peer)")
        if a.write_scenarios:
            d = Path(a.write_scenarios).resolve()
            d.mkdir(parents=True, exist_ok=True)
            graph = Path(a.graph).resolve() if a.graph else d / "g.txt"
            if not a.graph:
                run_checked([a.python, peer, "make-graph", "--out", graph])
            for (_, s, _, _), nv in zip(IC_REGIMES, vs_trials):
                scen = d / f"ic{s}.toml"
                scen.write_text(scenario_toml(f"ic{s}", graph, "independent_cascade", s, nv, a.seed))
                print(scen)
            return 0
        ensure_peer_deps(a.python)
        if a.viralsim:
            binary = Path(a.viralsim).resolve()
        else:
            if not a.no_build:
                run_checked(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
            binary = ROOT / "target" / "release" / ("viralsim.exe" if os.name == "nt" else "viralsim")
        if not binary.is_file():
            raise Failure(f"{binary} not found (cargo build --release)")

        with tempfile.TemporaryDirectory(prefix="viralsim-peer-") as tmp:
            work = Path(tmp)
            if a.graph:
                graph = Path(a.graph).resolve()
            else:
                graph = work / "g.txt"
                run_checked([a.python, peer, "make-graph", "--out", graph])
            arcs = sum(1 for l in open(graph) if l.strip() and not l.lstrip().startswith("#"))

            if a.viralsim:
                rev = f"binary {binary}"
            else:
                try:
                    rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                                         capture_output=True, text=True).stdout.strip() or "?"
                except OSError:
                    rev = "?"
            ver = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
            rev = f"{ver} ({rev})" if ver else rev
            load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
            print(f"{rev} vs cynetdiff; graph {graph.name}: {arcs:,} arcs; seeds 0-9; "
                  f"viralsim --threads {a.threads}; {os.cpu_count()} CPUs; "
                  f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

            for (name, s, _, _), nv, npeer in zip(IC_REGIMES, vs_trials, peer_trials):
                tag = f"ic{s}"
                scen = work / f"{tag}.toml"
                scen.write_text(scenario_toml(tag, graph, "independent_cascade", s, nv, a.seed))
                run_checked([binary, "validate", scen])
                pairs = [(run_viralsim(binary, scen, nv, a.threads, work, tag),
                          run_peer(a.python, peer, "ic", graph,
                                   ["--stickiness", s, "--endorsement", 1, "--rng", a.seed], npeer))
                         for _ in range(a.repeat)]
                (vs, pr), reps = pick_median(pairs)
                summaries.append(report(f"{name} (viralsim {nv:,} trials, cynetdiff {npeer:,})", vs, pr, arcs, reps))

            if a.lt:
                scen = work / "lt.toml"
                # viralsim's LT influence is trust / (sum of trust into v) x (1 + endorsement x trust)
                # and stickiness s lowers each threshold to theta x (1 - s): with both 0 it is the
                # peer's `lt --trust-weights` (uniform thresholds, trust-share weights).
                scen.write_text(scenario_toml("lt", graph, "linear_threshold", 0.0, lt_vs, a.seed, endorsement=0.0))
                log(f"$ {binary} validate {scen}")
                v = subprocess.run([str(binary), "validate", str(scen)], capture_output=True, text=True)
                if v.returncode != 0:
                    msg = (v.stderr or v.stdout).strip().splitlines()
                    print(f"\nLT: not available in this build ({msg[-1] if msg else 'validate rejected it'})")
                    summaries.append("LT: not available in this build")
                else:
                    pairs = [(run_viralsim(binary, scen, lt_vs, a.threads, work, "lt"),
                              run_peer(a.python, peer, "lt", graph, ["--trust-weights", "--rng", a.seed], lt_peer))
                             for _ in range(a.repeat)]
                    (vs, pr), reps = pick_median(pairs)
                    summaries.append(report(f"LT trust weights (viralsim {lt_vs:,} trials, cynetdiff {lt_peer:,})",
                                            vs, pr, arcs, reps))
    except Failure as e:
        print(f"peer_compare: {e}", file=sys.stderr)
        for s in summaries:
            print("SUMMARY " + s)
        return 1

    print()
    for s in summaries:
        print("SUMMARY " + s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
