"""Item 4: bring-up, site.yml and verify.yml as the node count grows (maximum-paths raised to match)."""

from __future__ import annotations

from typing import Any

from bench.common import log, next_hops, playbook, summary, twin_fresh


def run(node_counts: dict[int, int]) -> dict[str, Any]:
    """``node_counts`` maps nodes → repeats. Each repeat starts from nothing (down, up --nodes N)."""
    results = []
    for nodes, repeats in node_counts.items():
        extra = {"upstream_ecmp_maximum_paths": max(nodes, 4)}
        up, site, verify = [], [], []
        for index in range(repeats):
            up.append(twin_fresh(nodes))
            site.append(playbook("site.yml", extra)[0])
            if len(next_hops()) != nodes:
                raise RuntimeError(f"{nodes} nodes: route has {next_hops()}")
            verify.append(playbook("playbooks/verify.yml", extra)[0])
            log(
                f"scale {nodes} nodes {index + 1}/{repeats}: up {up[-1]:.2f} s, site {site[-1]:.2f} s,"
                f" verify {verify[-1]:.2f} s"
            )
        results.append({"nodes": nodes, "up": summary(up), "site": summary(site), "verify": summary(verify)})
    return {"what": "wall seconds from a fresh twin with N nodes", "results": results}
