"""The FRR configuration the twin gives tor: the lab's cEOS before step 4, in FRR syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from bgp_lb_twin import frr
from bgp_lb_twin.paths import TwinPaths


@pytest.mark.parametrize(
    "expected_line",
    [
        pytest.param("hostname tor", id="hostname"),
        pytest.param("router bgp 65001", id="router-as"),
        pytest.param(" bgp router-id 10.10.10.1", id="router-id"),
        pytest.param(" no bgp ebgp-requires-policy", id="no-rfc8212-filtering"),
        pytest.param(" neighbor CALICO-K8S peer-group", id="peer-group"),
        pytest.param(" neighbor CALICO-K8S remote-as 65010", id="peer-group-as"),
        pytest.param(" bgp listen range 10.10.10.0/24 peer-group CALICO-K8S", id="dynamic-peers"),
        pytest.param("  network 10.10.10.0/24", id="lan-network"),
        pytest.param("  maximum-paths 1", id="single-path-like-ceos"),
    ],
)
def test_frr_config_mirrors_ceos(tmp_path: Path, expected_line: str) -> None:
    assert expected_line in frr.render_config(TwinPaths(tmp_path)).splitlines()
