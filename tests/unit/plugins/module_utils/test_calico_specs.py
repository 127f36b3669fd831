"""The IPPool manifest and the BGPConfiguration merge: exact objects, every rule by id, merge/remove properties."""

from __future__ import annotations

import copy
import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import (
    AdvertRequest,
    bgp_configuration_manifest,
    ippool_manifest,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError

LAB = "172.16.0.240/28"

LAB_POOL = {
    "apiVersion": "projectcalico.org/v3",
    "kind": "IPPool",
    "metadata": {"name": "loadbalancer-ip-pool"},
    "spec": {
        "cidr": LAB,
        "blockSize": 28,
        "natOutgoing": True,
        "allowedUses": ["LoadBalancer"],
        "assignmentMode": "Automatic",
        "nodeSelector": "all()",
        "ipipMode": "Never",
        "vxlanMode": "Never",
    },
}


def twin_default(**spec):
    """BGPConfiguration default as the lab's deploy script leaves it, as k8s_info returns it."""
    return {
        "apiVersion": "projectcalico.org/v3",
        "kind": "BGPConfiguration",
        "metadata": {
            "name": "default",
            "resourceVersion": "1234",
            "uid": "5a1e",
            "creationTimestamp": "2025-11-26T14:00:00Z",
            "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
        },
        "spec": {"asNumber": 65010, "nodeToNodeMeshEnabled": False, "logSeverityScreen": "Info", **spec},
    }


# ---------------------------------------------------------------------------------------------------------------
# IPPool


def test_lab_pool_manifest_matches_the_lab():
    assert ippool_manifest(cidr=LAB, name="loadbalancer-ip-pool").manifest == LAB_POOL


@pytest.mark.parametrize(
    ("args", "spec_changes"),
    [
        pytest.param({"cidr": "10.0.0.0/24"}, {"cidr": "10.0.0.0/24", "blockSize": 26}, id="default-block-26"),
        pytest.param({"cidr": LAB, "block_size": 30}, {"blockSize": 30}, id="explicit-block"),
        pytest.param({"cidr": "2001:DB8::/120"}, {"cidr": "2001:db8::/120", "blockSize": 122}, id="ipv6-canonical"),
        # Calico's API server omits false booleans; sending them would make every apply a write (see the module).
        pytest.param({"cidr": LAB, "nat_outgoing": False}, {"natOutgoing": None}, id="no-nat-omits-the-field"),
        pytest.param({"cidr": LAB, "assignment_mode": "Manual"}, {"assignmentMode": "Manual"}, id="manual"),
        pytest.param(
            {"cidr": LAB, "disabled": True, "block_size": 26},
            {"disabled": True, "blockSize": 26},
            id="disabled-pool-smaller-than-block",
        ),
    ],
)
def test_pool_manifest_reflects_options(args, spec_changes):
    expected = copy.deepcopy(LAB_POOL)
    expected["spec"].update(spec_changes)
    expected["spec"] = {key: value for key, value in expected["spec"].items() if value is not None}
    assert ippool_manifest(**args).manifest == expected


def test_pool_manifest_passes_cidr_warnings_on():
    assert any("public" in warning for warning in ippool_manifest(cidr="8.8.8.0/28").warnings)


BAD_POOLS = [
    pytest.param({"name": "LB-Pool"}, ["invalid-name"], id="name-upper-case"),
    pytest.param({"name": "lb_pool"}, ["invalid-name"], id="name-underscore"),
    pytest.param({"name": "lb-pool-"}, ["invalid-name"], id="name-trailing-dash"),
    pytest.param({"name": "-lb-pool"}, ["invalid-name"], id="name-leading-dash"),
    pytest.param({"name": ".lb"}, ["invalid-name"], id="name-leading-dot"),
    pytest.param({"name": "lb..pool"}, ["invalid-name"], id="name-empty-label"),
    pytest.param({"name": ""}, ["invalid-name"], id="name-empty"),
    pytest.param({"name": "a" * 254}, ["invalid-name"], id="name-254-chars"),
    pytest.param({"name": "lb pool"}, ["invalid-name"], id="name-space"),
    pytest.param({"name": "lb.Pool"}, ["invalid-name"], id="name-upper-case-second-label"),
    pytest.param({"name": None}, ["wrong-type"], id="name-none"),
    pytest.param({"name": 7}, ["wrong-type"], id="name-int"),
    pytest.param({"assignment_mode": "automatic"}, ["assignment-mode"], id="assignment-mode-lower-case"),
    pytest.param({"assignment_mode": None}, ["assignment-mode"], id="assignment-mode-none"),
    pytest.param({"nat_outgoing": "yes"}, ["wrong-type"], id="nat-outgoing-string"),
    pytest.param({"disabled": None}, ["wrong-type"], id="disabled-none"),
    pytest.param({"cidr": "172.16.0.241/28"}, ["not-strictly-masked"], id="cidr-host-bits"),
    pytest.param({"cidr": "172.016.0.240/28"}, ["leading-zeros"], id="cidr-leading-zeros"),
    pytest.param({"cidr": "169.254.1.0/28"}, ["link-local-overlap"], id="cidr-link-local"),
    pytest.param({"cidr": ""}, ["empty"], id="cidr-empty"),
    pytest.param({"cidr": None}, ["missing"], id="cidr-none"),
    pytest.param({"block_size": "28"}, ["wrong-type"], id="block-size-string"),
    pytest.param({"block_size": 26}, ["block-size-too-large-for-pool"], id="block-26-on-slash-28"),
    pytest.param({"block_size": 116}, ["block-size-range"], id="ipv6-block-on-ipv4"),
    pytest.param(
        {"name": "LB", "cidr": "172.16.0.241/28", "assignment_mode": "Auto", "nat_outgoing": 1},
        ["invalid-name", "wrong-type", "assignment-mode", "not-strictly-masked"],
        id="every-violation-at-once",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD_POOLS)
def test_bad_pool_reports_every_rule(overrides, expected):
    args = {"cidr": LAB, "name": "loadbalancer-ip-pool", **overrides}
    with pytest.raises(ValidationError) as caught:
        ippool_manifest(**args)
    assert caught.value.rules == expected


# ---------------------------------------------------------------------------------------------------------------
# BGPConfiguration: merge


def advert(current, cidrs, **settings_):
    return bgp_configuration_manifest(AdvertRequest(current=current, cidrs=cidrs, **settings_))


def test_lab_merge_adds_the_pool_and_keeps_everything_else():
    current = twin_default(serviceClusterIPs=[{"cidr": "10.96.0.0/12"}], listenPort=179)
    result = advert(current, [LAB])
    expected = copy.deepcopy(current)
    del expected["metadata"]["managedFields"]
    expected["spec"]["serviceLoadBalancerIPs"] = [{"cidr": LAB}]
    assert result.manifest == expected
    assert (result.needs_update, result.added, result.removed) == (True, [LAB], [])


def test_merge_does_not_modify_current():
    current = twin_default()
    snapshot = copy.deepcopy(current)
    advert(current, [LAB], as_number=65020)
    assert current == snapshot


def test_merge_without_current_builds_a_new_default():
    result = advert(None, [LAB], as_number=65010, node_to_node_mesh=False, log_severity="Info")
    assert result.manifest == {
        "apiVersion": "projectcalico.org/v3",
        "kind": "BGPConfiguration",
        "metadata": {"name": "default"},
        "spec": {
            "asNumber": 65010,
            "nodeToNodeMeshEnabled": False,
            "logSeverityScreen": "Info",
            "serviceLoadBalancerIPs": [{"cidr": LAB}],
        },
    }
    assert result.needs_update


UNCHANGED = [
    pytest.param([{"cidr": LAB}], [LAB], id="same-text"),
    pytest.param([{"cidr": LAB}], [LAB, LAB], id="duplicate-input"),
    pytest.param([{"cidr": "2001:db8::/64"}], ["2001:DB8:0:0::/64"], id="ipv6-upper-uncompressed"),
    pytest.param([{"cidr": "2001:DB8::/64"}], ["2001:db8::/64"], id="existing-spelled-upper"),
    pytest.param([{"cidr": "172.16.0.241/32"}], ["172.16.0.241"], id="bare-ipv4-is-slash-32"),
    pytest.param([{"cidr": "2001:db8::1"}], ["2001:db8::1/128"], id="existing-bare-ipv6"),
    pytest.param([{"cidr": LAB}, {"cidr": "10.0.0.0/24"}], ["10.0.0.0/24"], id="subset-of-existing"),
]


@pytest.mark.parametrize(("existing", "cidrs"), UNCHANGED)
def test_other_spellings_of_present_cidrs_need_no_update(existing, cidrs):
    current = twin_default(serviceLoadBalancerIPs=existing)
    result = advert(current, cidrs)
    assert (result.needs_update, result.added) == (False, [])
    assert result.manifest["spec"]["serviceLoadBalancerIPs"] == existing


def test_merge_keeps_existing_order_and_appends_new_in_input_order():
    current = twin_default(serviceLoadBalancerIPs=[{"cidr": "10.0.0.0/24"}, {"cidr": "2001:DB8::/64"}])
    result = advert(current, ["192.168.100.0/24", "2001:db8::/64", "10.1.0.1", "192.168.100.0/24"])
    assert result.manifest["spec"]["serviceLoadBalancerIPs"] == [
        {"cidr": "10.0.0.0/24"},
        {"cidr": "2001:DB8::/64"},
        {"cidr": "192.168.100.0/24"},
        {"cidr": "10.1.0.1/32"},
    ]
    assert result.added == ["192.168.100.0/24", "10.1.0.1/32"]


@pytest.mark.parametrize(
    ("settings_", "spec_changes", "needs_update"),
    [
        pytest.param({}, {}, False, id="nothing-given-keeps-current"),
        pytest.param({"as_number": 65010}, {}, False, id="same-as"),
        pytest.param({"as_number": 65020}, {"asNumber": 65020}, True, id="new-as"),
        pytest.param({"node_to_node_mesh": True}, {"nodeToNodeMeshEnabled": True}, True, id="mesh-on"),
        pytest.param({"log_severity": "Debug"}, {"logSeverityScreen": "Debug"}, True, id="log-debug"),
    ],
)
def test_settings_change_only_what_is_given(settings_, spec_changes, needs_update):
    current = twin_default(serviceLoadBalancerIPs=[{"cidr": LAB}])
    result = advert(current, [LAB], **settings_)
    assert result.manifest["spec"] == {**current["spec"], **spec_changes}
    assert result.needs_update is needs_update


def test_resource_version_is_kept_and_managed_fields_dropped():
    metadata = advert(twin_default(), [LAB]).manifest["metadata"]
    assert metadata["resourceVersion"] == "1234"
    assert "managedFields" not in metadata


# ---------------------------------------------------------------------------------------------------------------
# BGPConfiguration: remove


def test_absent_removes_only_our_cidrs_whatever_their_spelling():
    current = twin_default(
        serviceLoadBalancerIPs=[{"cidr": "10.0.0.0/24"}, {"cidr": "2001:DB8::/64"}, {"cidr": LAB}],
        serviceExternalIPs=[{"cidr": "192.0.2.0/24"}],
    )
    result = advert(current, ["2001:db8::/64", LAB, "198.51.100.0/24"], state="absent")
    assert result.manifest["spec"]["serviceLoadBalancerIPs"] == [{"cidr": "10.0.0.0/24"}]
    assert result.manifest["spec"]["serviceExternalIPs"] == [{"cidr": "192.0.2.0/24"}]
    assert (result.needs_update, result.added, result.removed) == (True, [], ["2001:db8::/64", LAB])


def test_absent_when_nothing_to_remove_needs_no_update():
    result = advert(twin_default(), [LAB], state="absent")
    assert (result.needs_update, result.removed) == (False, [])
    assert "serviceLoadBalancerIPs" not in result.manifest["spec"]


def test_absent_without_current_creates_nothing():
    assert advert(None, [LAB], state="absent").needs_update is False


def test_removing_the_last_cidr_drops_the_list():
    result = advert(twin_default(serviceLoadBalancerIPs=[{"cidr": LAB}]), [LAB], state="absent")
    assert "serviceLoadBalancerIPs" not in result.manifest["spec"]
    assert result.needs_update


def test_unparseable_existing_entries_are_left_alone():
    current = twin_default(serviceLoadBalancerIPs=[{"cidr": "garbage"}, {"cidr": LAB}])
    result = advert(current, [LAB], state="absent")
    assert result.manifest["spec"]["serviceLoadBalancerIPs"] == [{"cidr": "garbage"}]


# ---------------------------------------------------------------------------------------------------------------
# BGPConfiguration: bad input


def without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


BAD_ADVERTS = [
    # the CIDRs
    pytest.param({"cidrs": ["172.16.0.241/28"]}, ["not-strictly-masked"], id="cidr-host-bits"),
    pytest.param({"cidrs": ["172.016.0.240/28"]}, ["leading-zeros"], id="cidr-leading-zeros"),
    pytest.param({"cidrs": ["172.016.0.240"]}, ["leading-zeros"], id="bare-ip-leading-zeros"),
    pytest.param({"cidrs": ["2001:db8::1/64"]}, ["not-strictly-masked"], id="ipv6-host-bits"),
    pytest.param({"cidrs": ["172.16.0.240/33"]}, ["prefix-length-range"], id="slash-33"),
    pytest.param({"cidrs": ["::ffff:172.16.0.240/124"]}, ["ipv4-mapped"], id="ipv4-mapped"),
    pytest.param({"cidrs": ["nope"]}, ["malformed"], id="word"),
    pytest.param({"cidrs": [""]}, ["empty"], id="empty-string"),
    pytest.param({"cidrs": [None]}, ["missing"], id="none-entry"),
    pytest.param({"cidrs": [28]}, ["wrong-type"], id="int-entry"),
    pytest.param({"cidrs": [" 172.16.0.240/28"]}, ["whitespace"], id="leading-space"),
    pytest.param({"cidrs": LAB}, ["wrong-type"], id="cidrs-a-string"),
    pytest.param({"cidrs": None}, ["wrong-type"], id="cidrs-none"),
    pytest.param(
        {"cidrs": ["172.16.0.241/28", "bad", LAB, "10.0.0.0/040"]},
        ["not-strictly-masked", "malformed", "leading-zeros"],
        id="every-bad-cidr-listed",
    ),
    # current
    pytest.param({"current": "default"}, ["wrong-type"], id="current-a-string"),
    pytest.param({"current": [twin_default()]}, ["wrong-type"], id="current-a-list"),
    pytest.param(
        {"current": {**twin_default(), "apiVersion": "crd.projectcalico.org/v1"}},
        ["wrong-api-version"],
        id="current-storage-crd",
    ),
    pytest.param({"current": {**twin_default(), "kind": "BGPPeer"}}, ["wrong-kind"], id="current-wrong-kind"),
    pytest.param(
        {"current": {**twin_default(), "metadata": {"name": "node.k01-worker"}}},
        ["not-default-configuration"],
        id="current-per-node-config",
    ),
    pytest.param(
        {"current": without(twin_default(), "metadata")}, ["not-default-configuration"], id="current-no-metadata"
    ),
    pytest.param({"current": {**twin_default(), "spec": []}}, ["malformed"], id="current-spec-list"),
    pytest.param({"current": twin_default(serviceLoadBalancerIPs=LAB)}, ["malformed"], id="current-lb-ips-a-string"),
    pytest.param(
        {"current": twin_default(serviceLoadBalancerIPs=[LAB])}, ["malformed"], id="current-lb-ips-not-mappings"
    ),
    # settings
    pytest.param({"state": "gone"}, ["invalid-state"], id="state-unknown"),
    pytest.param({"as_number": 0}, ["as-number-range"], id="as-zero"),
    pytest.param({"as_number": 4294967296}, ["as-number-range"], id="as-above-32-bit"),
    pytest.param({"as_number": -1}, ["as-number-range"], id="as-negative"),
    pytest.param({"as_number": "65010"}, ["wrong-type"], id="as-string"),
    pytest.param({"as_number": True}, ["wrong-type"], id="as-bool"),
    pytest.param({"node_to_node_mesh": "false"}, ["wrong-type"], id="mesh-string"),
    pytest.param({"log_severity": "info"}, ["log-severity"], id="log-lower-case"),
    pytest.param({"log_severity": "Trace"}, ["log-severity"], id="log-unknown"),
    # the mesh
    pytest.param(
        {"current": twin_default(nodeMeshPassword={"secretKeyRef": {"name": "bgp", "key": "pw"}})},
        ["node-mesh-options-without-mesh"],
        id="mesh-password-without-mesh",
    ),
    pytest.param(
        {"current": twin_default(nodeMeshMaxRestartTime="120s")},
        ["node-mesh-options-without-mesh"],
        id="mesh-restart-time-without-mesh",
    ),
    pytest.param(
        {
            "current": twin_default(nodeToNodeMeshEnabled=True, nodeMeshMaxRestartTime="120s"),
            "node_to_node_mesh": False,
        },
        ["node-mesh-options-without-mesh"],
        id="turning-mesh-off-with-mesh-options",
    ),
    pytest.param(
        {"current": twin_default(nodeMeshMaxRestartTime="120s", nodeMeshPassword={})},
        ["node-mesh-options-without-mesh", "node-mesh-options-without-mesh"],
        id="both-mesh-options-without-mesh",
    ),
    pytest.param(
        {"current": {**twin_default(), "kind": "IPPool"}, "cidrs": ["x"], "as_number": 0, "log_severity": "loud"},
        ["wrong-kind", "malformed", "as-number-range", "log-severity"],
        id="every-violation-at-once",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD_ADVERTS)
def test_bad_advert_reports_every_rule(overrides, expected):
    args = {"current": twin_default(), "cidrs": [LAB], **overrides}
    with pytest.raises(ValidationError) as caught:
        bgp_configuration_manifest(AdvertRequest(**args))
    assert caught.value.rules == expected


def test_mesh_options_are_fine_with_the_mesh_on():
    current = twin_default(nodeToNodeMeshEnabled=True, nodeMeshMaxRestartTime="120s")
    assert advert(current, [LAB]).manifest["spec"]["nodeMeshMaxRestartTime"] == "120s"


# ---------------------------------------------------------------------------------------------------------------
# Properties


ipv4_lb_networks = st.builds(
    lambda value, prefix: ipaddress.IPv4Network((0xAC100000 | value, prefix), strict=False),
    st.integers(min_value=0, max_value=(1 << 20) - 1),
    st.integers(min_value=12, max_value=32),
)
ipv6_lb_networks = st.builds(
    lambda value, prefix: ipaddress.IPv6Network(((0xFD00 << 112) | value, prefix), strict=False),
    st.integers(min_value=0, max_value=(1 << 112) - 1),
    st.integers(min_value=16, max_value=128),
)
lb_networks = st.one_of(ipv4_lb_networks, ipv6_lb_networks)


def spelled(draw, network):
    """A non-canonical but equal spelling, so the properties also cover canonicalisation."""
    choices = [str(network)]
    if network.version == 6:
        choices.append(network.exploded.upper())
    if network.prefixlen == network.max_prefixlen:
        choices.append(str(network.network_address))
    return draw(st.sampled_from(choices))


unrelated_fields = st.fixed_dictionaries(
    {},
    optional={
        "asNumber": st.integers(min_value=1, max_value=4294967295),
        "logSeverityScreen": st.sampled_from(["Debug", "Info", "Warning"]),
        "nodeToNodeMeshEnabled": st.booleans(),
        "listenPort": st.integers(min_value=1, max_value=65535),
        "serviceClusterIPs": st.lists(st.builds(lambda n: {"cidr": str(n)}, ipv4_lb_networks), max_size=2),
        "communities": st.lists(
            st.fixed_dictionaries({"name": st.sampled_from(["a", "b"]), "value": st.just("65001:100")}), max_size=2
        ),
    },
)


@st.composite
def configurations_and_new_cidrs(draw):
    networks = draw(st.lists(lb_networks, unique_by=str, min_size=1, max_size=8))
    split = draw(st.integers(min_value=0, max_value=len(networks) - 1))
    existing, new = networks[:split], networks[split:]
    spec = draw(unrelated_fields)
    if existing:  # an empty list and no list mean the same to Calico; only "no list" round-trips
        spec["serviceLoadBalancerIPs"] = [{"cidr": str(network)} for network in existing]
    current = {
        "apiVersion": "projectcalico.org/v3",
        "kind": "BGPConfiguration",
        "metadata": {"name": "default", "resourceVersion": str(draw(st.integers(min_value=1)))},
        "spec": spec,
    }
    return current, [spelled(draw, network) for network in new]


@settings(max_examples=150, deadline=None)
@given(configurations_and_new_cidrs())
def test_merge_then_remove_returns_the_original(case):
    current, cidrs = case
    merged = advert(current, cidrs)
    assert merged.needs_update
    restored = advert(merged.manifest, cidrs, state="absent")
    assert restored.manifest == current
    assert restored.removed == merged.added


@settings(max_examples=100, deadline=None)
@given(configurations_and_new_cidrs())
def test_merge_is_idempotent(case):
    current, cidrs = case
    once = advert(current, cidrs).manifest
    twice = advert(once, cidrs)
    assert (twice.needs_update, twice.added, twice.manifest) == (False, [], once)
