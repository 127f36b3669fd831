"""Why a LoadBalancer Service got no address: Calico's class, controller, assignIPs and pool rules, from API objects."""

from __future__ import annotations

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.filter.lb_ip_wait import FilterModule
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_ip_wait import (
    address_problem,
    load_balancer_pools,
    needs_wait,
    pending_ip_causes,
    requested_ips,
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


# --- the lb_service role's verdict on the Service's address (lb_service_apply) ---------------------------------

SUBJECT = "Service default/lb-nginx-service"
NO_IP_WITHIN_30 = f"{SUBJECT} got no external IP within 30 s (lb_service_wait_timeout): "


def with_ips(*ips: str) -> dict:
    found = service()
    found["status"]["loadBalancer"] = {"ingress": [{"ip": ip} for ip in ips]}
    return found


@pytest.mark.parametrize(
    ("kcc", "error", "cause"),
    [
        pytest.param(
            controllers("RequestedServicesOnly"),
            None,
            "KubeControllersConfiguration default has assignIPs RequestedServicesOnly (spec): Calico assigns addresses "
            "only to Services that ask",
            id="assign-ips-requested-only",
        ),
        pytest.param(
            None,
            None,
            "there is no KubeControllersConfiguration default, which calico-kube-controllers creates when it starts",
            id="kube-controllers-never-started",
        ),
        pytest.param(
            None,
            "the Kubernetes API at https://127.0.0.1:16443 answered HTTP 503 for "
            "/apis/projectcalico.org/v3/kubecontrollersconfigurations/default",
            "KubeControllersConfiguration default could not be read to check Calico's LoadBalancer controller "
            "(the Kubernetes API at https://127.0.0.1:16443 answered HTTP 503",
            id="kind-not-served",
        ),
    ],
)
def test_a_service_without_an_address_is_explained(kcc, error, cause):
    problem = address_problem(SUBJECT, service(), [pool()], 30, kcc, error)

    assert problem.startswith(NO_IP_WITHIN_30 + cause), problem


@pytest.mark.parametrize(
    ("waited", "shown"),
    [
        pytest.param(5, "5 s", id="whole"),
        pytest.param(0.5, "0.5 s", id="fraction"),
        pytest.param(30.0, "30 s", id="float"),
    ],
)
def test_the_wait_is_named_as_the_user_gave_it(waited, shown):
    assert f"within {shown} (lb_service_wait_timeout)" in address_problem(SUBJECT, service(), [pool()], waited)


def test_an_address_from_an_enabled_pool_passes():
    assert address_problem(SUBJECT, with_ips("172.16.0.241"), [POD_POOL, pool()], 30) is None


@pytest.mark.parametrize(
    ("ips", "pools"),
    [
        pytest.param(("192.168.5.5",), [POD_POOL, pool()], id="from-a-pod-pool"),
        pytest.param(("172.16.0.241",), [pool(disabled=True), pool("172.16.9.0/28")], id="pool-disabled"),
        pytest.param(("172.16.0.241", "10.0.0.9"), [pool()], id="one-of-two-outside"),
    ],
)
def test_an_address_outside_every_enabled_pool_is_named_with_the_pools(ips, pools):
    problem = address_problem(SUBJECT, with_ips(*ips), pools, 30)

    cidrs = ", ".join(item["spec"]["cidr"] for item in load_balancer_pools(pools))
    assert problem == f"{SUBJECT} got {', '.join(ips)}, which is not inside any enabled LoadBalancer pool ({cidrs})."


@pytest.mark.parametrize(
    ("written", "live", "pools", "expected"),
    [
        pytest.param(True, with_ips("172.16.0.241"), [pool()], True, id="after-a-write"),
        pytest.param(False, with_ips("172.16.0.241"), [pool()], False, id="unchanged-with-a-pool-address"),
        pytest.param(False, service(), [pool()], True, id="no-address-yet"),
        pytest.param(False, {}, [], True, id="no-service"),
        pytest.param(False, with_ips("172.16.0.241"), [], True, id="pool-not-read-yet"),
    ],
)
def test_the_service_is_read_again_only_when_its_address_may_change(written, live, pools, expected):
    assert needs_wait(written, live, pools) is expected


REQUESTED = ["172.16.0.245"]


@pytest.mark.parametrize(
    ("live", "requested", "expected"),
    [
        pytest.param(with_ips("172.16.0.240"), REQUESTED, False, id="old-address-still-shown"),
        pytest.param(with_ips("172.16.0.245"), REQUESTED, True, id="requested-address-came"),
        pytest.param(with_ips("172.16.0.240"), [], True, id="any-pool-address-when-none-asked"),
    ],
)
def test_a_requested_address_is_waited_for_until_calico_moves_the_service_there(live, requested, expected):
    assert needs_wait(False, live, [pool()], requested) is not expected


def test_a_requested_address_that_never_came_is_named():
    problem = address_problem(SUBJECT, with_ips("172.16.0.240"), [pool()], 30, requested=REQUESTED)

    assert problem == (
        f"{SUBJECT} has 172.16.0.240, not the requested 172.16.0.245 (lb_service_ip), after 30 s "
        "(lb_service_wait_timeout): the address may be taken by another Service, or outside every enabled "
        f"LoadBalancer pool ({LB_CIDR})."
    )


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        pytest.param('["172.16.0.245"]', ["172.16.0.245"], id="json-list"),
        pytest.param('["172.16.0.245", "fd00::5"]', ["172.16.0.245", "fd00::5"], id="dual-stack"),
        pytest.param("172.16.0.245", ["172.16.0.245"], id="not-json"),
        pytest.param(None, [], id="none"),
    ],
)
def test_requested_addresses_are_read_from_calicos_annotation(annotation, expected):
    asked = service({"projectcalico.org/loadBalancerIPs": annotation} if annotation else None)
    assert requested_ips(asked) == expected
