"""Benchmark: validating the lab's LB CIDR against many existing IPPools.

Roles pass every existing pool exactly as ``kubernetes.core.k8s_info`` returns it, so each timed call
includes reading those objects (the dominant cost), building the sorted index and running every rule.
The bar from issue #3: 10,000 existing pools well under 100 ms.

Run ``python bench/bench_validation.py`` (prints JSON) or call :func:`run` from ``make bench``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / ".collections") not in sys.path:  # the collection's import path when run from a checkout
    sys.path.insert(0, str(ROOT / ".collections"))

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_cidr import (  # noqa: E402
    PoolRequest,
    validate_pool,
)

LAB_CIDR = "172.16.0.240/28"
LAB_POOL_NAME = "loadbalancer-ip-pool"


def k8s_info_pools(count: int) -> list[dict[str, Any]]:
    """``count`` disjoint /26 pools in 10.0.0.0/8 plus the lab's own pool, shaped like k8s_info resources."""
    pools = [
        _pool(f"pool-{index}", f"10.{index >> 10 & 255}.{index >> 2 & 255}.{(index & 3) * 64}/26", 26)
        for index in range(count - 1)
    ]
    pools.append(_pool(LAB_POOL_NAME, LAB_CIDR, 28))
    return pools


def _pool(name: str, cidr: str, block_size: int) -> dict[str, Any]:
    return {
        "apiVersion": "projectcalico.org/v3",
        "kind": "IPPool",
        "metadata": {"name": name, "resourceVersion": "1", "uid": f"uid-{name}"},
        "spec": {
            "cidr": cidr,
            "blockSize": block_size,
            "natOutgoing": True,
            "nodeSelector": "all()",
            "allowedUses": ["Workload", "Tunnel"],
        },
    }


def _time_once(existing: list[dict[str, Any]]) -> float:
    request = PoolRequest(cidr=LAB_CIDR, pool_name=LAB_POOL_NAME, existing_pools=existing)
    start = time.perf_counter()
    validate_pool(request)
    return time.perf_counter() - start


def run(pool_counts: tuple[int, ...] = (100, 1000, 10000), repeats: int = 7) -> dict[str, Any]:
    """Median and spread (min, max, stdev) in milliseconds of one validation per pool count."""
    results = []
    for count in pool_counts:
        existing = k8s_info_pools(count)
        _time_once(existing)  # warm-up: imports, regex caches
        samples = [_time_once(existing) * 1000 for _repeat in range(repeats)]
        results.append(
            {
                "existing_pools": count,
                "repeats": repeats,
                "median_ms": round(statistics.median(samples), 3),
                "min_ms": round(min(samples), 3),
                "max_ms": round(max(samples), 3),
                "stdev_ms": round(statistics.stdev(samples), 3) if repeats > 1 else 0.0,
            }
        )
    return {
        "benchmark": "lb_cidr_validate",
        "what": "validate_pool() of 172.16.0.240/28 against N k8s_info IPPool objects (parse + index + all rules)",
        "python": sys.version.split()[0],
        "results": results,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
