"""Speed and memory of the engine: negotiations per second on one core, and peak memory.

Runs `ukraine_2025` in batches of R replications (R = 10,000, max_rounds = 100 by default) until
`--total` negotiations are done, and prints the rate and the resident memory after each tenth of
the batches, so a leak shows as growth. R = 10,000 is the command line's default `batch_size`, so
the benchmark batches as a run does; `--replications 1000` measures smaller batches, which pay
more per negotiation for numpy's per-call overhead.

The rate is wall-clock time on one pinned core; the CPU time of the process is printed beside it,
since other processes on the machine lengthen the first but not the second. `--engine reference`
runs the numpy reference instead of the compiled kernels; `guard.py` compares the two in one
process, batch for batch.

    .venv/bin/python experiments/benchmark/speed.py --total 1000000
"""

from __future__ import annotations

import argparse
import gc
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: numpy must not spread over threads

import platform  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

from negsim.formats.load import load_scenario  # noqa: E402
from negsim.kernels import ENGINES, engine  # noqa: E402
from negsim.model import NegotiationModel  # noqa: E402


def resident_mib() -> float:
    """Current resident memory of this process, in MiB (Linux)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    """Parse arguments, run the batches, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="ukraine_2025")
    parser.add_argument("--replications", type=int, default=10_000, help="R per batch")
    parser.add_argument("--max-rounds", type=int, default=100)
    parser.add_argument("--total", type=int, default=100_000, help="negotiations in all")
    parser.add_argument("--record", action="store_true", help="keep per-round history too")
    parser.add_argument("--engine", choices=ENGINES, default="compiled")
    args = parser.parse_args()
    with engine(args.engine):
        run(args)


def run(args: argparse.Namespace) -> None:
    """The batches and their figures."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # pin to one core

    scenario = load_scenario(args.scenario)
    batches = max(1, args.total // args.replications)
    NegotiationModel(scenario, replications=args.replications, seed=-1 % 2**31, record=False).run()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"scenario {scenario.name}: R = {args.replications} per batch, max_rounds = "
        f"{args.max_rounds}, {batches} batches, one core, "
        f"history {'on' if args.record else 'off'}, {args.engine} engine"
    )
    start_mem = resident_mib()
    started = time.perf_counter()
    started_cpu = time.process_time()
    rounds = agreements = 0
    for batch in range(batches):
        model = NegotiationModel(
            scenario,
            replications=args.replications,
            seed=batch,
            max_rounds=args.max_rounds,
            record=args.record,
        ).run(progress=False)
        results = model.results()
        rounds += int(results["round"].sum())
        agreements += int((results["outcome"] == "agreement").sum())
        model.release()  # free its arrays now, without a full garbage collection
        if (batch + 1) % max(1, batches // 10) == 0 or batch + 1 == batches:
            done = (batch + 1) * args.replications
            rate = done / (time.perf_counter() - started)
            print(f"  {done:>9,} negotiations  {rate:8,.0f} /s  resident {resident_mib():7.1f} MiB")
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    total = batches * args.replications
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"negotiations per second: {total / elapsed:,.0f}  ({total:,} in {elapsed:.1f} s)")
    print(f"per CPU second: {total / cpu:,.0f}  ({cpu:.1f} s of CPU time)")
    print(
        f"mean rounds per negotiation: {rounds / total:.1f}; "
        f"agreement share {agreements / total:.3f}"
    )
    print(
        f"resident memory: {start_mem:.1f} MiB after warm-up, {resident_mib():.1f} MiB at the end"
    )
    gc.collect()
    print(f"resident memory after a full garbage collection: {resident_mib():.1f} MiB")
    print(f"peak resident memory: {peak:.1f} MiB")


if __name__ == "__main__":
    main()
