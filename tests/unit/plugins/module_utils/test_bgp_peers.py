"""BGPPeer manifests for the upstream router(s): exact objects, and every broken rule reported at once by id."""

from __future__ import annotations

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.bgp_peers import bgp_peer_manifests
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError

LAB_PEER = {"name": "bgppeer-arista", "peer_ip": "10.10.10.1", "as_number": 65001}


def peer(**changes) -> dict:
    return {**LAB_PEER, **changes}


def rules_of(peers, local_as_number=65010) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        bgp_peer_manifests(peers, local_as_number)
    return caught.value.rules


def test_the_labs_peer_becomes_the_labs_bgppeer_object():
    assert bgp_peer_manifests([LAB_PEER], 65010) == [
        {
            "apiVersion": "projectcalico.org/v3",
            "kind": "BGPPeer",
            "metadata": {"name": "bgppeer-arista"},
            "spec": {"peerIP": "10.10.10.1", "asNumber": 65001, "nodeSelector": "all()"},
        }
    ]


@pytest.mark.parametrize(
    ("changes", "spec_part"),
    [
        pytest.param({"node_selector": "rack == 'a'"}, {"nodeSelector": "rack == 'a'"}, id="selector-kept"),
        pytest.param({"node_selector": None}, {"nodeSelector": "all()"}, id="null-selector-means-all"),
        pytest.param({"peer_ip": "2001:DB8::1"}, {"peerIP": "2001:db8::1"}, id="ipv6-canonical-spelling"),
        pytest.param({"as_number": 4200000000}, {"asNumber": 4200000000}, id="four-byte-asn"),
    ],
)
def test_optional_settings_reach_the_spec(changes, spec_part):
    spec = bgp_peer_manifests([peer(**changes)], 65010)[0]["spec"]
    assert spec == {**spec, **spec_part}
    assert set(spec_part) <= set(spec)


def test_peers_keep_their_input_order():
    peers = [peer(name="tor-b", peer_ip="10.10.10.3"), peer(name="tor-a", peer_ip="10.10.10.2")]
    assert [manifest["metadata"]["name"] for manifest in bgp_peer_manifests(peers, 65010)] == ["tor-b", "tor-a"]


def test_no_peers_gives_no_manifests():
    assert bgp_peer_manifests([], 65010) == []


@pytest.mark.parametrize(
    ("peers", "local_as_number", "rules"),
    [
        pytest.param([peer(as_number=65010)], 65010, ["same-as-number"], id="ibgp-peer"),
        pytest.param([peer(as_number=0)], 65010, ["as-number-range"], id="as-zero"),
        pytest.param([peer(as_number=2**32)], 65010, ["as-number-range"], id="as-too-big"),
        pytest.param([peer(as_number="65001")], 65010, ["wrong-type"], id="as-as-text"),
        pytest.param([peer(as_number=True)], 65010, ["wrong-type"], id="as-as-bool"),
        pytest.param([LAB_PEER], 0, ["as-number-range"], id="local-as-zero"),
        pytest.param([peer(peer_ip="10.10.10.1/32")], 65010, ["malformed"], id="peer-ip-with-length"),
        pytest.param([peer(peer_ip="10.10.010.1")], 65010, ["leading-zeros"], id="peer-ip-leading-zero"),
        pytest.param([peer(name="BGP_Peer")], 65010, ["invalid-name"], id="name-not-rfc1123"),
        pytest.param([peer(node_selector="  ")], 65010, ["empty-selector"], id="blank-selector"),
        pytest.param([peer(routerid="1.1.1.1")], 65010, ["unknown-key"], id="typo-in-key"),
        pytest.param([peer(hold_time="3s")], 65010, ["not-a-calico-peer-field"], id="hold-time"),
        pytest.param(
            [peer(keepalive_time="1s", hold_time="3s")],
            65010,
            ["not-a-calico-peer-field", "not-a-calico-peer-field"],
            id="both-timers",
        ),
        pytest.param([LAB_PEER, peer(peer_ip="10.10.10.2")], 65010, ["duplicate-name"], id="duplicate-name"),
        pytest.param(LAB_PEER, 65010, ["wrong-type"], id="peers-not-a-list"),
        pytest.param(["bgppeer-arista"], 65010, ["wrong-type"], id="peer-not-a-mapping"),
    ],
)
def test_each_broken_rule_is_reported_by_its_id(peers, local_as_number, rules):
    assert rules_of(peers, local_as_number) == rules


def test_every_violation_of_every_peer_is_reported_at_once():
    peers = [
        peer(name="Bad", peer_ip="10.10.10.1/24", as_number=0),
        peer(name="tor-b", peer_ip="10.10.10.2", as_number=65010, extra="x"),
    ]
    with pytest.raises(ValidationError) as caught:
        bgp_peer_manifests(peers, 65010)
    assert caught.value.rules == ["invalid-name", "malformed", "as-number-range", "unknown-key", "same-as-number"]
    message = caught.value.message
    assert message.startswith("5 rules broken")
    for text in ("peers[0].name 'Bad'", "peers[0].peer_ip 10.10.10.1/24", "peers[1].as_number 65010", "peers[1].extra"):
        assert text in message


def test_the_same_as_message_says_why_it_is_wrong():
    with pytest.raises(ValidationError) as caught:
        bgp_peer_manifests([peer(as_number=65010)], 65010)
    assert "must be an eBGP peer in another AS" in caught.value.message


def test_timers_are_refused_with_where_to_set_them_instead():
    """Calico 3.30's BGPPeer has no keepaliveTime or holdTime: its API server answers 500 "field not declared in
    schema" to a peer that carries them (seen on the twin's real Calico API server), after every preflight check
    had passed. So the spec refuses them up front and names the router-side setting that does the job."""
    with pytest.raises(ValidationError) as caught:
        bgp_peer_manifests([peer(keepalive_time="1s")], 65010)
    assert "peers[0].keepalive_time '1s'" in caught.value.message
    assert "neighbor CALICO-K8S timers 1 3" in caught.value.message
