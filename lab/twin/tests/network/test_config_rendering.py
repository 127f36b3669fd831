"""The configs the twin renders for its daemons: BIRD per node (calico-node-like) and FRR on tor (cEOS-like)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bgp_lb_twin import bird, frr
from bgp_lb_twin.advertisement import BgpPeer, NodeAdvertisement
from bgp_lb_twin.paths import TwinPaths

ARISTA = BgpPeer(name="bgppeer-arista", address="10.10.10.1", as_number=65001)


def advert(**overrides: object) -> NodeAdvertisement:
    base: dict[str, object] = {
        "node": "k01-worker",
        "address": "10.10.10.11",
        "as_number": 65010,
        "peers": (ARISTA,),
        "advertised_cidrs": ("172.16.0.240/28",),
        "lb_ips": ("172.16.0.241",),
    }
    base.update(overrides)
    return NodeAdvertisement(**base)


@pytest.mark.parametrize(
    ("overrides", "expected_line"),
    [
        pytest.param({}, "router id 10.10.10.11;", id="router-id-is-node-ip"),
        pytest.param({}, "  local 10.10.10.11 as 65010;", id="local-as-from-advertisement"),
        pytest.param({}, "  neighbor 10.10.10.1 as 65001;", id="neighbor-from-peer"),
        pytest.param({}, "  route 172.16.0.240/28 blackhole;", id="cidr-as-bird-only-blackhole"),
        pytest.param({}, "  connect delay time 1;", id="short-connect-delay"),
        pytest.param({}, "protocol kernel { ipv4 { import none; export none; }; }", id="kernel-untouched"),
        pytest.param(
            {"peers": (BgpPeer("fast", "10.10.10.1", 65001, keepalive_seconds=1, hold_seconds=3),)},
            "  hold time 3;",
            id="hold-time-from-peer",
        ),
        pytest.param(
            {"peers": (BgpPeer("fast", "10.10.10.1", 65001, keepalive_seconds=1, hold_seconds=3),)},
            "  keepalive time 1;",
            id="keepalive-from-peer",
        ),
    ],
)
def test_bird_config_contains(overrides: dict[str, object], expected_line: str) -> None:
    assert expected_line in bird.render_config(advert(**overrides)).splitlines()


@pytest.mark.parametrize(
    ("overrides", "absent"),
    [
        pytest.param({"excluded": True}, "blackhole", id="excluded-node-announces-nothing"),
        pytest.param({"advertised_cidrs": ("fd00:10::/120",)}, "fd00:10::/120", id="ipv6-cidr-not-in-ipv4-channel"),
        pytest.param({}, "hold time", id="no-timers-unless-peer-sets-them"),
        pytest.param({"peers": ()}, "protocol bgp", id="no-peer-no-bgp-protocol"),
    ],
)
def test_bird_config_omits(overrides: dict[str, object], absent: str) -> None:
    assert absent not in bird.render_config(advert(**overrides))


def test_bird_config_has_one_protocol_per_peer_with_symbol_safe_names() -> None:
    peers = (ARISTA, BgpPeer("second-router", "10.10.10.2", 65002))
    text = bird.render_config(advert(peers=peers))
    assert [line for line in text.splitlines() if line.startswith("protocol bgp")] == [
        "protocol bgp Global_10_10_10_1 {",
        "protocol bgp Global_10_10_10_2 {",
    ]


def test_bird_config_exports_only_the_static_lb_routes() -> None:
    assert '  ipv4 { import all; export where proto = "lb_cidrs"; };' in bird.render_config(advert()).splitlines()


def test_bird_write_config_reports_change_only_when_content_differs(tmp_path: Path) -> None:
    paths = TwinPaths(tmp_path)
    paths.ensure()
    first = bird.write_config(paths, advert())
    again = bird.write_config(paths, advert())
    changed = bird.write_config(paths, advert(excluded=True))
    assert (first, again, changed) == (True, False, True)


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
