"""What the twin takes from the Calico release and how little it adapts: RBAC, the APIService, confd's files."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import tomllib

from bgp_lb_twin import bird
from bgp_lb_twin.cluster import bootstrap
from bgp_lb_twin.cluster.layout import SERVICE_ACCOUNTS, ClusterLayout, Ports
from bgp_lb_twin.components import Installed
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.paths import TwinPaths


def installed_with(calico_data: Path) -> Installed:
    return Installed(binaries={}, calico_data=calico_data, bird=Path("/cache/bird"), birdc=Path("/cache/birdc"))


def test_rbac_is_calicos_own_for_the_components_the_twin_runs(calico_data: Path) -> None:
    documents = bootstrap.calico_rbac(calico_data)
    roles = {doc["metadata"]["name"] for doc in documents if doc["kind"] == "ClusterRole"}
    accounts = {
        (doc["metadata"]["namespace"], doc["metadata"]["name"]) for doc in documents if doc["kind"] == "ServiceAccount"
    }
    subjects = {
        (subject["namespace"], subject["name"])
        for doc in documents
        if doc["kind"].endswith("Binding")
        for subject in doc["subjects"]
    }
    ours = {(account.namespace, account.name) for account in SERVICE_ACCOUNTS if account.component != "kube-proxy"}
    assert {"calico-node", "calico-kube-controllers", "calico-crds", "calico-extension-apiserver-auth-access"} <= roles
    assert "calico-cni-plugin" not in roles  # no CNI plugin runs in the twin
    assert accounts == ours
    assert subjects <= ours


def test_kube_proxy_gets_the_built_in_node_proxier_role() -> None:
    (account, binding) = bootstrap.kube_proxy_rbac()
    assert binding["roleRef"]["name"] == "system:node-proxier"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "kube-proxy", "namespace": "kube-system"}]
    assert account["metadata"] == {"name": "kube-proxy", "namespace": "kube-system"}


def test_apiservice_trusts_the_twin_ca_and_points_at_the_calico_process(calico_data: Path, tmp_path: Path) -> None:
    layout = ClusterLayout(TwinPaths(tmp_path))
    layout.pki.ensure([])
    service, api_service = bootstrap.aggregated_api(layout, calico_data, Ports(16443))
    assert (service["spec"]["type"], service["spec"]["externalName"]) == ("ExternalName", "localhost")
    assert api_service["metadata"]["name"] == "v3.projectcalico.org"
    assert api_service["spec"]["service"] == {"name": "calico-api", "namespace": "calico-apiserver", "port": 16444}
    assert base64.b64decode(api_service["spec"]["caBundle"]) == layout.pki.ca.read_bytes()
    assert "insecureSkipTLSVerify" not in api_service["spec"]


def test_static_tokens_hold_only_the_persons_admin(tmp_path: Path) -> None:
    layout = ClusterLayout(TwinPaths(tmp_path))
    token = bootstrap.write_token_file(layout)
    again = bootstrap.write_token_file(layout)
    assert token == again  # kubeconfigs handed out earlier stay valid
    assert layout.token_file.read_text() == f'{token},twin-admin,twin-admin,"system:masters"\n'


@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in bird.IPV4_TEMPLATES])
def test_conf_d_keeps_calicos_keys_and_moves_only_paths_and_commands(
    calico_data: Path, tmp_path: Path, name: str
) -> None:
    paths = TwinPaths(tmp_path)
    original = tomllib.loads((calico_data / "confd" / "conf.d" / f"{name}.toml").read_text())
    adapted = tomllib.loads(bird.render_conf_d(original, paths, "k01-worker", installed_with(calico_data)))
    kept = {key: value for key, value in original["template"].items() if key not in ("dest", "check_cmd", "reload_cmd")}
    assert {key: adapted["template"][key] for key in kept} == kept
    assert adapted["template"]["dest"] == str(tmp_path / "calico" / "k01-worker" / "config" / f"{name}.cfg")
    assert adapted["template"]["reload_cmd"] == f"/cache/birdc -s {tmp_path}/bird/k01-worker.ctl configure || true"
    assert ("check_cmd" in adapted["template"]) == ("check_cmd" in original["template"])


def test_only_the_main_config_is_checked_on_its_own(calico_data: Path, tmp_path: Path) -> None:
    original = tomllib.loads((calico_data / "confd" / "conf.d" / "bird.toml").read_text())
    adapted = tomllib.loads(bird.render_conf_d(original, TwinPaths(tmp_path), "n", installed_with(calico_data)))
    assert adapted["template"]["check_cmd"] == "/cache/bird -p -c {{.src}}"


def test_krt_tunnel_is_written_only_with_a_tunnel_device(calico_data: Path) -> None:
    template = (calico_data / "confd" / "templates" / "bird_ipam.cfg.template").read_text()
    adapted = bird._adapt_ipam_template(template)
    assert 'krt_tunnel = "{{$data.ipip}}";' in template
    assert adapted.count('{{if $data.ipip}}krt_tunnel = "{{$data.ipip}}";{{end}}') == bird.KRT_TUNNEL_STATEMENTS
    assert adapted.replace('{{if $data.ipip}}krt_tunnel = "{{$data.ipip}}";{{end}}', "") == template.replace(
        'krt_tunnel = "{{$data.ipip}}";', ""
    )


def test_a_changed_template_is_refused_rather_than_half_adapted() -> None:
    with pytest.raises(TwinError, match="krt_tunnel statements"):
        bird._adapt_ipam_template('krt_tunnel = "{{$data.ipip}}";')
