"""Item 1: site.yml on a fresh twin, and its idempotent re-run, against the hand-run baseline script."""

from __future__ import annotations

import re
import statistics
from typing import Any

from bench.common import REPO, log, next_hops, playbook, summary, timed, twin_fresh

# profile_tasks only stamps each task's start: its cost is negligible next to a task, so every site.yml run has it.
PROFILE_ENV = {"ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks", "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "all"}
PROFILE_LINE = re.compile(r"^(?P<task>\S.*?) -+ (?P<seconds>\d+\.\d+)s$")


def task_profile(output: str) -> list[dict[str, Any]]:
    """profile_tasks' recap: seconds per task, slowest first."""
    rows = []
    for line in output.split("TASKS RECAP", 1)[-1].splitlines():
        match = PROFILE_LINE.match(line.strip())
        if match:
            rows.append({"task": match["task"], "seconds": float(match["seconds"])})
    return rows


def baseline(hops: int = 3, paths: int = 4) -> float:
    return timed(["bash", str(REPO / "bench" / "baseline.sh"), str(hops), str(paths)])[0]


def run(repeats: int = 5) -> dict[str, Any]:
    """Each repeat measures both sides on fresh twins, in alternating order so drift on a shared machine cancels.

    The last repeat ends with site.yml, so the twin is left converged by the collection for the next benchmarks.
    """
    samples: dict[str, list[float]] = {key: [] for key in ("baseline", "baseline_rerun", "site", "site_rerun", "up")}
    ratios: dict[str, list[float]] = {"site": [], "site_rerun": []}
    profiles: dict[str, list[dict[str, Any]]] = {}
    for index in range(repeats):
        order = ("baseline", "site") if index % 2 == (repeats - 1) % 2 else ("site", "baseline")
        for side in order:
            samples["up"].append(twin_fresh())
            if side == "baseline":
                samples["baseline"].append(baseline())
                samples["baseline_rerun"].append(baseline())
            else:
                elapsed, output = playbook("site.yml", env=PROFILE_ENV)
                samples["site"].append(elapsed)
                profiles["site"] = task_profile(output)
                elapsed, output = playbook("site.yml", env=PROFILE_ENV)
                samples["site_rerun"].append(elapsed)
                profiles["site_rerun"] = task_profile(output)
            if next_hops() != ["10.10.10.10", "10.10.10.11", "10.10.10.12"]:
                raise RuntimeError(f"{side} did not converge the lab: {next_hops()}")
        ratios["site"].append(samples["site"][-1] / samples["baseline"][-1])
        ratios["site_rerun"].append(samples["site_rerun"][-1] / samples["baseline"][-1])
        log(
            f"converge {index + 1}/{repeats}: baseline {samples['baseline'][-1]:.2f} s,"
            f" site {samples['site'][-1]:.2f} s,"
            f" re-run {samples['site_rerun'][-1]:.2f} s"
        )
    return {
        "what": "wall seconds on a fresh 3-node twin; ratios taken within each repeat, then the median",
        "seconds": {key: summary(values) for key, values in samples.items()},
        "ratio_site_to_baseline": summary(ratios["site"], 2),
        "ratio_rerun_to_baseline": summary(ratios["site_rerun"], 2),
        "goals": {"site": 3.0, "rerun": 2.0},
        "profile_last_repeat": profiles,
        "met": {
            "site": statistics.median(ratios["site"]) <= 3.0,
            "rerun": statistics.median(ratios["site_rerun"]) <= 2.0,
        },
    }
