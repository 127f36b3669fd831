"""Why a LoadBalancer Service got no address: Calico's class, controller, assignIPs and pool rules, from API objects."""

from __future__ import annotations

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.filter.lb_ip_wait import FilterModule
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_ip_wait import (
    load_balancer_pools,
    pending_ip_causes,
)

LB_CIDR = "172.16.0.240/28"


def pool(cidr: str = LB_CIDR, uses=("LoadBalancer",), **spec) -> dict:
    return {"metadata": {"name": cidr}, "spec": {"cidr": cidr, "allowedUses": list(uses), **spec}}


POD_POOL = pool("192.168.0.0/16", uses=("Workload", "Tunnel"))


def service(annotations: dict | None = None, **spec) -> dict:
    metadata = {"name": "lb-nginx-service", "namespace": "default"}
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata, "spec": {"type": "LoadBalancer", **spec}, "status": {"loadBalancer": {}}}


def controllers(assign: str | None = "AllServices", running: bool = False, off: bool = False) -> dict:
    """KubeControllersConfiguration default with the LoadBalancer controller set in its spec (or running config)."""
    settings: dict = {"controllers": {"node": {}}}
    if not off:
        settings["controllers"]["loadBalancer"] = {} if assign is None else {"assignIPs": assign}
    if running:  # what the running kube-controllers use: the spec merged with their environment
        return {"metadata": {"name": "default"}, "spec": {"controllers": {}}, "status": {"runningConfig": settings}}
    return {"metadata": {"name": "default"}, "spec": settings}


ASKED = {"projectcalico.org/loadBalancerIPs": '["172.16.0.250"]'}
FULL = (
    "calico-kube-controllers (Calico's LoadBalancer controller) assigned no address: it may be stopped or not "
    "answering, or the LoadBalancer pools (172.16.0.240/28) full; its logs say why"
)


@pytest.mark.parametrize(
    ("svc", "pools", "kcc", "error", "starts"),
    [
        pytest.param(service(), [pool()], controllers(), None, [FULL], id="nothing-visible-points-at-the-log"),
        pytest.param(
            service(),
            [POD_POOL],
            controllers(),
            None,
            ["there is no enabled IPPool with allowedUses [LoadBalancer]"],
            id="no-lb-pool",
        ),
        pytest.param(
            service(),
            [pool(disabled=True)],
            controllers(),
            None,
            ["there is no enabled IPPool with allowedUses [LoadBalancer]"],
            id="lb-pool-disabled",
        ),
        pytest.param(
            service(),
            [pool()],
            controllers("RequestedServicesOnly"),
            None,
            ["KubeControllersConfiguration default has assignIPs RequestedServicesOnly (spec)"],
            id="requested-only-and-service-does-not-ask",
        ),
        pytest.param(
            service(),
            [pool()],
            controllers("RequestedServicesOnly", running=True),
            None,
            ["KubeControllersConfiguration default has assignIPs RequestedServicesOnly (status.runningConfig)"],
            id="requested-only-in-the-running-config",
        ),
        pytest.param(
            service(loadBalancerClass="calico"),
            [pool()],
            controllers("RequestedServicesOnly"),
            None,
            [FULL],
            id="requested-only-but-class-calico-asks",
        ),
        pytest.param(
            service(ASKED),
            [pool()],
            controllers("RequestedServicesOnly"),
            None,
            ["the requested address 172.16.0.250 (annotation projectcalico.org/loadBalancerIPs) may be outside"],
            id="requested-only-and-the-annotation-asks",
        ),
        pytest.param(
            service(),
            [pool()],
            controllers(off=True),
            None,
            ["Calico's LoadBalancer controller is off: KubeControllersConfiguration default has no spec.controllers"],
            id="controller-off",
        ),
        pytest.param(
            service(),
            [pool()],
            controllers(None),
            None,
            [FULL],
            id="controller-on-with-default-assign-ips",
        ),
        pytest.param(
            service(),
            [pool()],
            None,
            None,
            ["there is no KubeControllersConfiguration default, which calico-kube-controllers creates"],
            id="kube-controllers-never-started",
        ),
        pytest.param(
            service(),
            [pool()],
            None,
            "403 Forbidden",
            ["KubeControllersConfiguration default could not be read to check Calico's LoadBalancer controller"],
            id="configuration-unreadable",
        ),
        pytest.param(
            service(loadBalancerClass="metallb.io/metallb"),
            [pool()],
            controllers(),
            None,
            ["spec.loadBalancerClass is 'metallb.io/metallb': Calico assigns addresses only"],
            id="another-class",
        ),
        pytest.param(
            service(),
            [pool(assignmentMode="Manual")],
            controllers(),
            None,
            ["every LoadBalancer pool (172.16.0.240/28) has assignmentMode Manual"],
            id="manual-pools-only",
        ),
        pytest.param(
            service(loadBalancerClass="other"),
            [POD_POOL],
            controllers("RequestedServicesOnly"),
            None,
            [
                "spec.loadBalancerClass is 'other'",
                "there is no enabled IPPool with allowedUses [LoadBalancer]",
                "KubeControllersConfiguration default has assignIPs RequestedServicesOnly",
            ],
            id="every-cause-listed",
        ),
    ],
)
def test_pending_service_names_every_cause_the_api_shows(svc, pools, kcc, error, starts):
    causes = pending_ip_causes(svc, pools, kcc, error)

    assert len(causes) == len(starts), causes
    assert [cause[: len(start)] for cause, start in zip(causes, starts)] == starts


def test_a_missing_service_is_explained_like_any_other():
    assert pending_ip_causes({}, [pool()], controllers()) == pending_ip_causes(service(), [pool()], controllers())


def test_load_balancer_pools_keep_enabled_lb_pools_in_order():
    pools = [
        pool("172.16.0.0/28"),
        POD_POOL,
        pool("172.16.1.0/28", disabled=True),
        pool("172.16.2.0/28", disabled=False),
    ]

    assert [item["spec"]["cidr"] for item in load_balancer_pools(pools)] == ["172.16.0.0/28", "172.16.2.0/28"]


def test_the_collection_exposes_both_filters_by_name():
    assert FilterModule().filters() == {
        "lb_ip_pending_causes": pending_ip_causes,
        "load_balancer_pools": load_balancer_pools,
    }
