"""lb_service's verdict on the Service's address, run offline over API objects as k8s_read returns them.

The judging task of roles/lb_service/tasks/check_ip.yml is taken from the shipped file and run with the reads it
follows (the Service, the IPPools, KubeControllersConfiguration default) given as registered results, so the message
a user gets when Calico never assigns an address is checked without a cluster.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import BIN, REPO, run_playbook, write_playbook

CHECK_IP = REPO / "roles" / "lb_service" / "tasks" / "check_ip.yml"
VERDICT = "Check that the Service got an address from an enabled LoadBalancer pool"
LB_POOL = {
    "metadata": {"name": "loadbalancer-ip-pool"},
    "spec": {"cidr": "172.16.0.240/28", "allowedUses": ["LoadBalancer"]},
}


def judging_task() -> dict:
    (task,) = [task for task in yaml.safe_load(CHECK_IP.read_text()) if task["name"] == VERDICT]
    return task


def service(*ips: str) -> dict:
    ingress = [{"ip": ip} for ip in ips]
    return {
        "metadata": {"name": "lb-nginx-service", "namespace": "default"},
        "spec": {"type": "LoadBalancer"},
        "status": {"loadBalancer": {"ingress": ingress} if ingress else {}},
    }


def judge(tmp_path: Path, current: dict, kube_controllers: dict) -> dict:
    registered = {
        "lb_service_namespace": "default",
        "lb_service_name": "lb-nginx-service",
        "lb_service_wait_timeout": 30,
        "lb_service_object": current,
        "lb_service_pools_seen": [LB_POOL],
        "lb_service_kube_controllers": kube_controllers,
    }
    play = {"hosts": "localhost", "gather_facts": False, "vars": registered, "tasks": [judging_task()]}
    run = run_playbook(
        write_playbook(tmp_path, [play]),
        inventory="localhost,",
        extra_vars={"ansible_connection": "local", "ansible_python_interpreter": str(BIN / "python")},
    )
    return run.result_of("localhost", VERDICT)


REQUESTED_ONLY = {"resources": [[{"spec": {"controllers": {"loadBalancer": {"assignIPs": "RequestedServicesOnly"}}}}]]}
# A read k8s_read could not make (here an HTTP error for the path, as when Calico's API is not served).
NOT_SERVED = {
    "failed": True,
    "msg": "the Kubernetes API at https://127.0.0.1:16443 answered HTTP 503 for "
    "/apis/projectcalico.org/v3/kubecontrollersconfigurations/default",
}


@pytest.mark.parametrize(
    ("kube_controllers", "cause"),
    [
        pytest.param(
            REQUESTED_ONLY,
            "KubeControllersConfiguration default has assignIPs RequestedServicesOnly (spec): Calico assigns addresses "
            "only to Services that ask",
            id="assign-ips-requested-only",
        ),
        pytest.param(
            {"resources": [[]]},
            "there is no KubeControllersConfiguration default, which calico-kube-controllers creates when it starts",
            id="kube-controllers-never-started",
        ),
        pytest.param(
            NOT_SERVED,
            "KubeControllersConfiguration default could not be read to check Calico's LoadBalancer controller "
            "(the Kubernetes API at https://127.0.0.1:16443 answered HTTP 503",
            id="kind-not-served",
        ),
    ],
)
def test_a_service_without_an_address_is_explained(tmp_path: Path, kube_controllers: dict, cause: str):
    verdict = judge(tmp_path, service(), kube_controllers)

    assert verdict["failed"]
    assert verdict["msg"].startswith(
        "Service default/lb-nginx-service got no external IP within 30 s (lb_service_wait_timeout): " + cause
    )


def test_an_address_from_the_pool_passes_without_reading_the_controller(tmp_path: Path):
    verdict = judge(tmp_path, service("172.16.0.241"), {"skipped": True})

    assert not verdict.get("failed"), verdict
