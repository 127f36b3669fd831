"""``python -m bench``: run every benchmark on the twin, write bench/results.json and docs/benchmarks.md.

Options: ``--only converge,detection,failover,scale,validation`` to run a subset (other sections are kept from the
previous results.json), ``--repeats N`` for the 3-node figures, ``--report-only`` to regenerate the docs.
Holds the twin lock for the whole run and leaves the twin down.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import converge, latency, report, scale
from bench.bench_validation import run as validation_run
from bench.common import BIN, REPO, log, twin, twin_lock

RESULTS = REPO / "bench" / "results.json"
SECTIONS = ("validation", "converge", "detection", "failover", "scale")


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii").splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), platform.processor()
    )
    core = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False).stdout
    frr = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "frr"], capture_output=True, text=True, check=False)
    bird = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "bird2"], capture_output=True, text=True, check=False
    )
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "ansible_core": core.split("[core ", 1)[1].split("]", 1)[0] if "[core " in core else "unknown",
        "frr": frr.stdout or "unknown",
        "bird": bird.stdout or "unknown",
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of each 3-node figure (default 5)")
    parser.add_argument("--scale", default="10:3,30:2", help="NODES:REPEATS,... (default 10:3,30:2)")
    parser.add_argument("--report-only", action="store_true", help="regenerate docs/ from bench/results.json")
    options = parser.parse_args(argv)
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if not options.report_only:
        wanted = [name for name in options.only.split(",") if name]
        unknown = set(wanted) - set(SECTIONS)
        if unknown:
            parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
        if os.geteuid() != 0 and set(wanted) - {"validation"}:
            parser.error("the twin needs root (network namespaces)")
        started = time.perf_counter()
        results["machine"] = machine()
        if "validation" in wanted:
            results["validation"] = validation_run()
        twin_sections = [name for name in wanted if name != "validation"]
        if twin_sections:
            with twin_lock():
                try:
                    if "converge" in wanted or {"detection", "failover"} & set(wanted):
                        # Detection and failover start from the twin converge leaves converged by site.yml.
                        measured = converge.run(options.repeats if "converge" in wanted else 1)
                        if "converge" in wanted:
                            results["converge"] = measured
                    if "detection" in wanted:
                        results["detection"] = latency.detection(options.repeats)
                    if "failover" in wanted:
                        results["failover"] = latency.failover(options.repeats)
                    if "scale" in wanted:
                        counts = dict(tuple(int(part) for part in pair.split(":")) for pair in options.scale.split(","))
                        results["scale"] = scale.run(counts)
                finally:
                    twin("down")
        results["bench_seconds"] = round(time.perf_counter() - started, 1)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        log(f"wrote {RESULTS.relative_to(REPO)} after {results['bench_seconds']} s")
    report.write(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
