"""Item 1: site.yml on a fresh twin and its idempotent re-run, side by side with the plain kubernetes.core playbook a
user would write instead (bench/plain.yml) and the hand-run baseline script (bench/baseline.sh)."""

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


GOALS = {"site_to_plain": 1.0, "rerun_to_plain": 0.75, "site_to_baseline": 8.0, "rerun_to_baseline": 6.0}


def run(repeats: int = 5) -> dict[str, Any]:
    """Each repeat measures the three sides on fresh twins, in rotating order so drift on a shared machine cancels.

    The last repeat ends with site.yml, so the twin is left converged by the collection for the next benchmarks.
    """
    keys = ("baseline", "baseline_rerun", "plain", "plain_rerun", "site", "site_rerun", "up")
    samples: dict[str, list[float]] = {key: [] for key in keys}
    ratios: dict[str, list[float]] = {key: [] for key in GOALS}
    profiles: dict[str, list[dict[str, Any]]] = {}
    sides = ("baseline", "plain", "site")
    for index in range(repeats):
        shift = (index - repeats + 1) % len(sides)
        order = sides[shift:] + sides[:shift]  # the last repeat ends with site
        for side in order:
            samples["up"].append(twin_fresh())
            if side == "baseline":
                samples["baseline"].append(baseline())
                samples["baseline_rerun"].append(baseline())
            elif side == "plain":
                samples["plain"].append(playbook("bench/plain.yml")[0])
                samples["plain_rerun"].append(playbook("bench/plain.yml")[0])
            else:
                elapsed, output = playbook("site.yml", env=PROFILE_ENV)
                samples["site"].append(elapsed)
                profiles["site"] = task_profile(output)
                elapsed, output = playbook("site.yml", env=PROFILE_ENV)
                samples["site_rerun"].append(elapsed)
                profiles["site_rerun"] = task_profile(output)
            if side != "plain" and next_hops() != ["10.10.10.10", "10.10.10.11", "10.10.10.12"]:
                raise RuntimeError(f"{side} did not converge the lab: {next_hops()}")
        ratios["site_to_plain"].append(samples["site"][-1] / samples["plain"][-1])
        ratios["rerun_to_plain"].append(samples["site_rerun"][-1] / samples["plain"][-1])
        ratios["site_to_baseline"].append(samples["site"][-1] / samples["baseline"][-1])
        ratios["rerun_to_baseline"].append(samples["site_rerun"][-1] / samples["baseline"][-1])
        log(
            f"converge {index + 1}/{repeats}: baseline {samples['baseline'][-1]:.2f} s,"
            f" plain {samples['plain'][-1]:.2f} s, site {samples['site'][-1]:.2f} s,"
            f" re-run {samples['site_rerun'][-1]:.2f} s"
        )
    return {
        "what": "wall seconds on a fresh 3-node twin; ratios taken within each repeat, then the median",
        "seconds": {key: summary(values) for key, values in samples.items()},
        "ratios": {key: summary(values, 2) for key, values in ratios.items()},
        "goals": GOALS,
        "profile_last_repeat": profiles,
        "met": {key: statistics.median(ratios[key]) <= goal for key, goal in GOALS.items()},
    }
