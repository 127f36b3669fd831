"""Looking at the twin's router from outside the collection, shared by the tests and the benchmarks."""

from __future__ import annotations

import json
import subprocess


def kernel_next_hops(prefix: str) -> list[str]:
    """Gateways of the kernel route for ``prefix`` in the ``tor`` namespace (what forwarding uses), sorted."""
    output = subprocess.run(
        ["ip", "-n", "tor", "-j", "route", "show", prefix], capture_output=True, text=True, check=True
    ).stdout
    hops = []
    for route in json.loads(output or "[]"):
        if "gateway" in route:  # a single-path route has no nexthops list
            hops.append(route["gateway"])
        hops += [hop["gateway"] for hop in route.get("nexthops", [])]
    return sorted(hops)
