"""The containerlab lab as code agrees with itself and with inventory/containerlab.

Nothing here can run the real lab (it needs Docker, containerlab, kind and a cEOS image), so these tests read the
files the lab is built from - topology.clab.yaml, the kind config, the cEOS startup config, the Calico and Kubernetes
manifests, the containerlab molecule scenario - and check every address, name and AS number that appears in more
than one of them. A change to one file that is not carried into the others fails here instead of in a lab that
never forms its BGP sessions.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "lab" / "containerlab"
INVENTORY = REPO / "inventory" / "containerlab"
CREATE_PLAYBOOK = REPO / "molecule" / "containerlab" / "create.yml"

EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"


# ---------------------------------------------------------------------------------------------------------------
# Readers


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_manifests(directory: Path) -> dict[tuple[str, str], dict]:
    """Every manifest `kubectl apply -f DIRECTORY` would apply (one object per file), keyed by (kind, name)."""
    documents = [load_yaml(path) for path in sorted(directory.glob("*.yaml"))]
    assert documents, f"no manifests in {directory}"
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in documents}


def eos_sections(config: str) -> dict[str, list[str]]:
    """Top-level EOS config lines mapped to their (stripped) sub-lines; `!` comments dropped."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in config.splitlines():
        if not line.strip() or line.lstrip().startswith("!"):
            continue
        if line[0].isspace():
            current.append(line.strip())
        else:
            current = sections.setdefault(line.strip(), [])
    return sections


def eos_interface_address(sections: dict[str, list[str]], interface: str) -> ipaddress.IPv4Interface:
    lines = [line for line in sections[f"interface {interface}"] if line.startswith("ip address ")]
    assert len(lines) == 1, f"interface {interface}: expected one ip address line, got {lines}"
    return ipaddress.IPv4Interface(lines[0].split()[2])


def kubelet_node_ip(kind_node: dict) -> str:
    """The node-ip a kind node's kubeadm patches give its kubelet."""
    for patch in kind_node.get("kubeadmConfigPatches", []):
        document = yaml.safe_load(patch)
        if document.get("kind") in ("InitConfiguration", "JoinConfiguration"):
            return document["nodeRegistration"]["kubeletExtraArgs"]["node-ip"]
    raise AssertionError(f"kind node {kind_node.get('role')} has no kubelet node-ip patch")


def kind_container_names(cluster: str, kind_nodes: list[dict]) -> list[str]:
    """kind's container names: <cluster>-control-plane, <cluster>-worker, <cluster>-worker2, ... in config order."""
    names, workers = [], 0
    for node in kind_nodes:
        if node["role"] == "control-plane":
            names.append(f"{cluster}-control-plane")
        else:
            workers += 1
            names.append(f"{cluster}-worker" if workers == 1 else f"{cluster}-worker{workers}")
    return names


def exec_eth1_address(node: dict) -> ipaddress.IPv4Interface:
    """The address an ext-container node's exec commands put on eth1."""
    found = []
    for command in node.get("exec", []):
        match = re.fullmatch(r"ip (?:address|addr) add (?:dev eth1 (\S+)|(\S+) dev eth1)", command.strip())
        if match:
            found.append(match.group(1) or match.group(2))
    assert len(found) == 1, f"expected one eth1 address in {node.get('exec')}"
    return ipaddress.IPv4Interface(found[0])


def topology_image_default(image: str) -> str:
    """`${CEOS_IMAGE:=ceos:4.34.0F}` -> `ceos:4.34.0F` (containerlab's bash-style default)."""
    match = re.fullmatch(r"\$\{CEOS_IMAGE:=([^}]+)\}", image)
    assert match, f"the cEOS image must be the CEOS_IMAGE variable with a default, got {image!r}"
    return match.group(1)


# ---------------------------------------------------------------------------------------------------------------
# The lab, read once per test session


@pytest.fixture(scope="module")
def topology() -> dict:
    return load_yaml(LAB / "topology.clab.yaml")


@pytest.fixture(scope="module")
def nodes(topology: dict) -> dict[str, dict]:
    return topology["topology"]["nodes"]


@pytest.fixture(scope="module")
def kind_config(nodes: dict[str, dict]) -> dict:
    return load_yaml(LAB / nodes["k01"]["startup-config"])


@pytest.fixture(scope="module")
def ceos(nodes: dict[str, dict]) -> dict[str, list[str]]:
    return eos_sections((LAB / nodes["ceos01"]["startup-config"]).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def inventory() -> dict:
    hosts = load_yaml(INVENTORY / "hosts.yml")
    return {
        "ceos01": hosts["all"]["children"]["upstream_routers"]["hosts"]["ceos01"],
        "all": load_yaml(INVENTORY / "group_vars" / "all.yml"),
    }


@pytest.fixture(scope="module")
def calico() -> dict[tuple[str, str], dict]:
    return {**load_manifests(LAB / "calico" / "install"), **load_manifests(LAB / "calico" / "bgp")}


@pytest.fixture(scope="module")
def node_addresses(topology: dict, nodes: dict[str, dict]) -> dict[str, ipaddress.IPv4Interface]:
    """ext-container name -> the eth1 address containerlab gives it."""
    return {name: exec_eth1_address(node) for name, node in nodes.items() if node["kind"] == "ext-container"}


@pytest.fixture(scope="module")
def vlan10(ceos: dict[str, list[str]]) -> ipaddress.IPv4Interface:
    return eos_interface_address(ceos, "Vlan10")


@pytest.fixture(scope="module")
def bgp(ceos: dict[str, list[str]]) -> tuple[int, list[str]]:
    routers = [line for line in ceos if line.startswith("router bgp ")]
    assert len(routers) == 1, routers
    return int(routers[0].split()[2]), ceos[routers[0]]


# ---------------------------------------------------------------------------------------------------------------
# Topology shape


def test_topology_is_the_calico_bgp_lb_lab_with_ceos_and_kind(topology: dict, nodes: dict[str, dict]) -> None:
    assert topology["name"] == "calico-bgp-lb"
    assert nodes["ceos01"]["kind"] == "arista_ceos"
    assert nodes["k01"]["kind"] == "k8s-kind"
    for node in nodes.values():
        if "startup-config" in node:
            assert (LAB / node["startup-config"]).is_file(), node["startup-config"]


def test_ext_container_nodes_are_exactly_the_kind_clusters_containers(
    nodes: dict[str, dict], kind_config: dict
) -> None:
    external = sorted(name for name, node in nodes.items() if node["kind"] == "ext-container")
    assert kind_config["name"] == "k01"
    assert external == sorted(kind_container_names("k01", kind_config["nodes"]))


def test_kind_cluster_has_one_control_plane_and_two_workers_without_default_cni(kind_config: dict) -> None:
    assert [node["role"] for node in kind_config["nodes"]] == ["control-plane", "worker", "worker"]
    assert kind_config["networking"]["disableDefaultCNI"] is True


@pytest.mark.parametrize(
    ("container", "eth1"),
    [
        pytest.param("k01-control-plane", "10.10.10.10/24", id="control-plane"),
        pytest.param("k01-worker", "10.10.10.11/24", id="worker"),
        pytest.param("k01-worker2", "10.10.10.12/24", id="worker2"),
    ],
)
def test_each_node_gets_the_labs_address_and_its_kubelet_registers_it(
    container: str, eth1: str, node_addresses: dict[str, ipaddress.IPv4Interface], kind_config: dict
) -> None:
    assert node_addresses[container] == ipaddress.IPv4Interface(eth1)
    by_container = dict(zip(kind_container_names("k01", kind_config["nodes"]), kind_config["nodes"]))
    # Calico takes the node's InternalIP as its BGP source, so the kubelet must register the eth1 address.
    assert kubelet_node_ip(by_container[container]) == str(node_addresses[container].ip)


def test_node_addresses_are_unique_and_distinct_from_the_router(
    node_addresses: dict[str, ipaddress.IPv4Interface], vlan10: ipaddress.IPv4Interface
) -> None:
    addresses = [address.ip for address in node_addresses.values()]
    assert len(set(addresses)) == len(addresses)
    assert vlan10.ip not in addresses


def test_every_node_link_lands_on_a_ceos_port_in_vlan10(
    topology: dict, nodes: dict[str, dict], ceos: dict[str, list[str]], node_addresses: dict
) -> None:
    linked: dict[str, str] = {}
    for link in topology["topology"]["links"]:
        ends = dict(endpoint.split(":", 1) for endpoint in link["endpoints"])
        assert set(ends) >= {"ceos01"}, f"every link goes to ceos01: {link}"
        (node,) = set(ends) - {"ceos01"}
        assert ends[node] == "eth1", f"{node} must reach ceos01 on eth1 (its exec configures eth1): {link}"
        linked[node] = ends["ceos01"]
    assert sorted(linked) == sorted(node_addresses)
    assert "vlan 10" in ceos
    for node, port in linked.items():
        interface = "interface Ethernet" + port.removeprefix("eth")
        assert "switchport access vlan 10" in ceos[interface], f"{interface} ({node}) is not in VLAN 10"
        assert f"description {node}" in ceos[interface], f"{interface} description does not name {node}"


# ---------------------------------------------------------------------------------------------------------------
# Router addressing and BGP


def test_ceos_management_address_is_the_inventorys_and_inside_the_mgmt_network(
    topology: dict, nodes: dict[str, dict], ceos: dict[str, list[str]], inventory: dict
) -> None:
    mgmt_ip = ipaddress.IPv4Address(nodes["ceos01"]["mgmt-ipv4"])
    assert str(mgmt_ip) == inventory["ceos01"]["ansible_host"]
    assert mgmt_ip in ipaddress.IPv4Network(topology["mgmt"]["ipv4-subnet"])
    assert eos_interface_address(ceos, "Management0").ip == mgmt_ip


def test_ceos_keeps_eapi_on_for_the_httpapi_inventory(ceos: dict[str, list[str]]) -> None:
    assert "no shutdown" in ceos["management api http-commands"]


def test_nodes_share_the_vlan10_subnet_and_fall_in_the_listen_range(
    bgp: tuple[int, list[str]], vlan10: ipaddress.IPv4Interface, node_addresses: dict
) -> None:
    (listen,) = [line for line in bgp[1] if line.startswith("bgp listen range ")]
    listen_range = ipaddress.IPv4Network(listen.split()[3])
    for name, address in node_addresses.items():
        assert address.network == vlan10.network, f"{name} {address} is not on Vlan10 {vlan10.network}"
        assert address.ip in listen_range, f"{name} {address.ip} cannot open a dynamic session ({listen_range})"


def test_as_numbers_agree_between_router_calico_and_inventory(
    bgp: tuple[int, list[str]], calico: dict, inventory: dict
) -> None:
    router_as, lines = bgp
    (listen,) = [line for line in lines if line.startswith("bgp listen range ")]
    cluster_as = calico[("BGPConfiguration", "default")]["spec"]["asNumber"]
    assert int(listen.split()[-1]) == cluster_as, "the listen range's remote-as must be the cluster's AS"
    assert calico[("BGPPeer", "bgppeer-arista")]["spec"]["asNumber"] == router_as
    assert inventory["all"]["upstream_ecmp_as_number"] == router_as
    assert inventory["all"]["bgp_advertisement_as_number"] == cluster_as


def test_router_starts_without_ecmp_so_the_lab_shows_the_change(bgp: tuple[int, list[str]]) -> None:
    # EOS installs one best path until maximum-paths is set; the collection's upstream_ecmp role sets it.
    assert not [line for line in bgp[1] if line.startswith("maximum-paths")]


def test_bgp_peer_points_at_the_ceos_vlan10_address(calico: dict, vlan10: ipaddress.IPv4Interface) -> None:
    peer = calico[("BGPPeer", "bgppeer-arista")]["spec"]
    assert peer["peerIP"] == str(vlan10.ip)
    assert peer["nodeSelector"] == "all()"


def test_base_bgp_configuration_has_the_mesh_off_and_no_lb_cidrs_yet(calico: dict) -> None:
    spec = calico[("BGPConfiguration", "default")]["spec"]
    assert spec["nodeToNodeMeshEnabled"] is False
    assert "serviceLoadBalancerIPs" not in spec, "advertising LB CIDRs is the collection's job (bgp_advertisement)"


# ---------------------------------------------------------------------------------------------------------------
# Kubernetes and Calico networks


def test_pod_subnet_is_the_calico_installation_pool(kind_config: dict, calico: dict) -> None:
    (pool,) = calico[("Installation", "default")]["spec"]["calicoNetwork"]["ipPools"]
    assert pool["cidr"] == kind_config["networking"]["podSubnet"]
    assert pool["encapsulation"] == "VXLANCrossSubnet"


def test_pod_pool_is_not_exported_to_the_router(calico: dict) -> None:
    # As in the seed lab: ceos01 learns only the LoadBalancer CIDR from each node, never the nodes' pod blocks.
    (pool,) = calico[("Installation", "default")]["spec"]["calicoNetwork"]["ipPools"]
    assert pool["disableBGPExport"] is True


def test_calico_detects_node_addresses_on_the_lab_links(calico: dict, node_addresses: dict) -> None:
    cidrs = calico[("Installation", "default")]["spec"]["calicoNetwork"]["nodeAddressAutodetectionV4"]["cidrs"]
    networks = [ipaddress.IPv4Network(cidr) for cidr in cidrs]
    for name, address in node_addresses.items():
        assert any(address.ip in network for network in networks), f"{name} {address.ip} is outside {cidrs}"


def test_calico_api_server_is_installed_for_projectcalico_v3(calico: dict) -> None:
    assert ("APIServer", "default") in calico


def test_service_subnet_is_the_inventorys(kind_config: dict, inventory: dict) -> None:
    assert [kind_config["networking"]["serviceSubnet"]] == inventory["all"]["lb_pool_service_cidrs"]


def test_lb_pool_stays_clear_of_every_lab_network(
    kind_config: dict, inventory: dict, vlan10: ipaddress.IPv4Interface, topology: dict
) -> None:
    lb_pool = ipaddress.IPv4Network(inventory["all"]["lb_pool_cidr"])
    lab_networks = {
        "pods": kind_config["networking"]["podSubnet"],
        "services": kind_config["networking"]["serviceSubnet"],
        "vlan10": str(vlan10.network),
        "management": topology["mgmt"]["ipv4-subnet"],
    }
    overlapping = {name: cidr for name, cidr in lab_networks.items() if lb_pool.overlaps(ipaddress.IPv4Network(cidr))}
    assert overlapping == {}


def test_nginx_service_and_deployment_select_what_the_lb_service_role_selects() -> None:
    manifests = load_manifests(LAB / "k8s")
    deployment = manifests[("Deployment", "nginx-deployment")]["spec"]
    service = manifests[("Service", "nginx-service")]["spec"]
    role_selector = load_yaml(REPO / "roles" / "lb_service" / "defaults" / "main.yml")["lb_service_selector"]
    assert service["type"] == "ClusterIP"
    assert service["selector"] == deployment["template"]["metadata"]["labels"] == role_selector
    assert deployment["selector"]["matchLabels"] == role_selector


# ---------------------------------------------------------------------------------------------------------------
# The molecule scenario that builds the lab


@pytest.fixture(scope="module")
def create_vars() -> dict:
    (deploy_play, _wait_play) = load_yaml(CREATE_PLAYBOOK)
    return deploy_play["vars"]


def test_calico_is_pinned_to_a_release_of_at_least_3_30(create_vars: dict) -> None:
    match = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)", create_vars["calico_version"])
    assert match, f"pin an exact Calico release (vX.Y.Z), got {create_vars['calico_version']!r}"
    assert tuple(int(part) for part in match.groups()) >= (3, 30, 0)


def test_preflight_requires_the_containerlab_that_reads_the_k8s_kind_wait_under_extras(nodes: dict[str, dict]) -> None:
    # containerlab reads kind's --wait at extras.k8s_kind.deploy.wait since 0.52 (its docs/rn/0.52.md), the newest key
    # the topology uses; test_lab_files_load.py loads the topology with containerlab's own code.
    minimum = load_yaml(CREATE_PLAYBOOK.parent / "vars" / "containerlab.yml")["lab_containerlab_minimum"]
    assert minimum == "0.52.0"
    assert nodes["k01"]["extras"] == {"k8s_kind": {"deploy": {"wait": "0s"}}}, "k01's nodes stay NotReady until Calico"


def test_preflight_checks_the_same_ceos_image_the_topology_uses(create_vars: dict, nodes: dict[str, dict]) -> None:
    assert f"default('{topology_image_default(nodes['ceos01']['image'])}', true)" in create_vars["ceos_image"]


def test_create_unlabels_the_kind_control_plane_so_three_nodes_advertise(create_vars: dict, kind_config: dict) -> None:
    # kubeadm's label on the control plane stops Calico advertising LB IPs from it: 2 next hops instead of 3.
    assert create_vars["exclude_label"] == EXCLUDE_LABEL
    control_planes = [
        name
        for name, node in zip(kind_container_names("k01", kind_config["nodes"]), kind_config["nodes"])
        if node["role"] == "control-plane"
    ]
    assert control_planes == [create_vars["k01_control_plane"]]


# ---------------------------------------------------------------------------------------------------------------
# The by-hand recipe in docs/containerlab.md


@pytest.fixture(scope="module")
def by_hand() -> list[str]:
    text = (REPO / "docs" / "containerlab.md").read_text(encoding="utf-8")
    section = text.split("## By hand, without molecule", 1)[1]
    return section.split("```", 2)[1].splitlines()


def first_line(lines: list[str], pattern: str) -> int:
    found = [
        index for index, line in enumerate(lines) if re.search(pattern, line) and not line.lstrip().startswith("#")
    ]
    assert found, f"no command matching {pattern!r} in the by-hand recipe"
    return found[0]


def test_by_hand_recipe_waits_for_tigerastatus_to_exist_before_waiting_for_available(by_hand: list[str]) -> None:
    exists = first_line(by_hand, r"until kubectl get tigerastatus/calico tigerastatus/apiserver")
    available = first_line(by_hand, r"kubectl wait --for=condition=Available .*tigerastatus/calico")
    assert first_line(by_hand, r"kubectl apply -f lab/containerlab/calico/install/") < exists < available


def test_by_hand_recipe_waits_for_three_bgp_sessions_before_site_yml(by_hand: list[str]) -> None:
    sessions = first_line(by_hand, r"until .*show ip bgp summary.*-ge 3")
    assert first_line(by_hand, r"containerlab deploy") < sessions < first_line(by_hand, r"ansible-playbook .*site\.yml")
