"""Item 1: site.yml on a fresh twin and its idempotent re-run, side by side with the plain kubernetes.core playbook a
user would write instead (bench/plain.yml) and the hand-run baseline script (bench/baseline.sh)."""

from __future__ import annotations

import re
import statistics
from typing import Any

from bench.common import BIN, REPO, STATE_DIR, log, next_hops, playbook, summary, timed, twin_fresh

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


DRY_RUN_TASK = "Dry-run every Kubernetes write of the run (dryRun=All)"
SEEDLAB = REPO / "tests" / "fixtures" / "seedlab"


def task_seconds(rows: list[dict[str, Any]], name: str) -> float:
    """One task's seconds in a profile_tasks recap (0 when it did not run)."""
    return sum(row["seconds"] for row in rows if row["task"] == name)


def kubectl_dry_run() -> float:
    """What a user would run instead to prove the writes: kubectl's server-side dry run of the lab's manifests."""
    manifests = ["lb-ippool.yaml", "lb-nginx-service.yaml", "bgpconfiguration-lb.yaml"]
    argv = [str(BIN / "kubectl"), "--kubeconfig", str(STATE_DIR / "kubeconfig"), "apply", "--server-side"]
    return timed([*argv, "--dry-run=server", *(arg for name in manifests for arg in ("-f", str(SEEDLAB / name)))])[0]


def baseline(hops: int = 3, paths: int = 4) -> float:
    return timed(["bash", str(REPO / "bench" / "baseline.sh"), str(hops), str(paths)])[0]


GOALS = {"site_to_plain": 1.0, "rerun_to_plain": 0.75, "site_to_baseline": 8.0, "rerun_to_baseline": 6.0}
# What the preflight's dry run costs: its share of site.yml and of the re-run, and beside kubectl's own dry run.
DRY_RUN_RATIOS = ("dry_run_share", "dry_run_share_rerun", "dry_run_to_kubectl")


def run(repeats: int = 5) -> dict[str, Any]:
    """Each repeat measures the three sides on fresh twins, in rotating order so drift on a shared machine cancels.

    The last repeat ends with site.yml, so the twin is left converged by the collection for the next benchmarks.
    """
    keys = (
        "baseline",
        "baseline_rerun",
        "plain",
        "plain_rerun",
        "site",
        "site_rerun",
        "up",
        "dry_run",
        "dry_run_rerun",
        "kubectl_dry_run",
    )
    samples: dict[str, list[float]] = {key: [] for key in keys}
    ratios: dict[str, list[float]] = {key: [] for key in (*GOALS, *DRY_RUN_RATIOS)}
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
                samples["kubectl_dry_run"].append(kubectl_dry_run())  # stores nothing: the twin stays fresh
                elapsed, output = playbook("site.yml", env=PROFILE_ENV)
                samples["site"].append(elapsed)
                profiles["site"] = task_profile(output)
                samples["dry_run"].append(task_seconds(profiles["site"], DRY_RUN_TASK))
                elapsed, output = playbook("site.yml", env=PROFILE_ENV)
                samples["site_rerun"].append(elapsed)
                profiles["site_rerun"] = task_profile(output)
                samples["dry_run_rerun"].append(task_seconds(profiles["site_rerun"], DRY_RUN_TASK))
            if side != "plain" and next_hops() != ["10.10.10.10", "10.10.10.11", "10.10.10.12"]:
                raise RuntimeError(f"{side} did not converge the lab: {next_hops()}")
        ratios["site_to_plain"].append(samples["site"][-1] / samples["plain"][-1])
        ratios["rerun_to_plain"].append(samples["site_rerun"][-1] / samples["plain"][-1])
        ratios["site_to_baseline"].append(samples["site"][-1] / samples["baseline"][-1])
        ratios["rerun_to_baseline"].append(samples["site_rerun"][-1] / samples["baseline"][-1])
        ratios["dry_run_share"].append(samples["dry_run"][-1] / samples["site"][-1])
        ratios["dry_run_share_rerun"].append(samples["dry_run_rerun"][-1] / samples["site_rerun"][-1])
        ratios["dry_run_to_kubectl"].append(samples["dry_run"][-1] / samples["kubectl_dry_run"][-1])
        log(
            f"converge {index + 1}/{repeats}: baseline {samples['baseline'][-1]:.2f} s,"
            f" plain {samples['plain'][-1]:.2f} s, site {samples['site'][-1]:.2f} s,"
            f" re-run {samples['site_rerun'][-1]:.2f} s; dry run {samples['dry_run'][-1]:.2f} s"
            f" (re-run {samples['dry_run_rerun'][-1]:.2f} s, kubectl {samples['kubectl_dry_run'][-1]:.2f} s)"
        )
    return {
        "what": "wall seconds on a fresh 3-node twin; ratios taken within each repeat, then the median",
        "seconds": {key: summary(values) for key, values in samples.items()},
        "ratios": {key: summary(values, 2) for key, values in ratios.items()},
        "goals": GOALS,
        "profile_last_repeat": profiles,
        "met": {key: statistics.median(ratios[key]) <= goal for key, goal in GOALS.items()},
    }
