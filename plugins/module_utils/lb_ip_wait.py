# Copyright: calicolab.bgp_lb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a Service of type LoadBalancer got no address from Calico, from what the API shows.

Pure Python (no Ansible imports). Calico's LoadBalancer IPAM (calico-kube-controllers, Calico 3.30 and later) gives
a Service an address only when all of this holds, and says nothing on the Service when it does not:

* the Service has no ``spec.loadBalancerClass``, or the class ``calico``;
* KubeControllersConfiguration ``default`` runs the LoadBalancer controller (``controllers.loadBalancer`` set; a nil
  value turns it off) and its ``assignIPs`` lets this Service in: ``AllServices`` (the default) takes every such
  Service, ``RequestedServicesOnly`` only those that ask (class ``calico``, or the annotation
  ``projectcalico.org/loadBalancerIPs``, ``ipv4pools`` or ``ipv6pools``);
* an enabled IPPool with ``allowedUses: [LoadBalancer]`` has a free address: ``assignmentMode: Automatic`` for an
  unrequested one, a requested address must lie in a pool and be free.

``status.runningConfig`` of the KubeControllersConfiguration is what the running kube-controllers actually use (the
spec merged with their environment), so it is read first; calico-kube-controllers creates the object when it starts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.addresses import addresses_inside

CALICO_CLASS = "calico"
REQUEST_ANNOTATIONS = (
    "projectcalico.org/loadBalancerIPs",
    "projectcalico.org/ipv4pools",
    "projectcalico.org/ipv6pools",
)
LOGS = "kubectl logs -n calico-system deployment/calico-kube-controllers (kube-system on manifest installs)"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def load_balancer_pools(pools: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The enabled IPPools that may hand out LoadBalancer addresses (Calico omits ``disabled`` when false)."""
    return [
        pool
        for pool in pools
        if "LoadBalancer" in (_mapping(pool.get("spec")).get("allowedUses") or [])
        and not _mapping(pool.get("spec")).get("disabled")
    ]


def _asks_calico(service: Mapping[str, Any]) -> bool:
    """Whether the Service asks Calico explicitly (what assignIPs RequestedServicesOnly requires)."""
    annotations = _mapping(_mapping(service.get("metadata")).get("annotations"))
    klass = _mapping(service.get("spec")).get("loadBalancerClass")
    return klass == CALICO_CLASS or any(annotations.get(name) for name in REQUEST_ANNOTATIONS)


def _controller_cause(
    service: Mapping[str, Any],
    kube_controllers: Optional[Mapping[str, Any]],
    kube_controllers_error: Optional[str],
) -> Optional[str]:
    name = "KubeControllersConfiguration default"
    if kube_controllers_error:
        return (
            f"{name} could not be read to check Calico's LoadBalancer controller ({kube_controllers_error}); "
            "the read needs get on kubecontrollersconfigurations (docs/rbac.yaml)"
        )
    if not kube_controllers:
        return (
            f"there is no {name}, which calico-kube-controllers creates when it starts: nothing runs Calico's "
            "LoadBalancer controller, which assigns these addresses (is calico-kube-controllers running?)"
        )
    running = _mapping(_mapping(kube_controllers.get("status")).get("runningConfig"))
    source = "status.runningConfig" if running else "spec"
    controllers = _mapping((running or _mapping(kube_controllers.get("spec"))).get("controllers"))
    load_balancer = controllers.get("loadBalancer")
    if load_balancer is None:
        return (
            f"Calico's LoadBalancer controller is off: {name} has no {source}.controllers.loadBalancer; set "
            "spec.controllers.loadBalancer.assignIPs: AllServices"
        )
    assign = _mapping(load_balancer).get("assignIPs") or "AllServices"
    if assign == "RequestedServicesOnly" and not _asks_calico(service):
        return (
            f"{name} has assignIPs RequestedServicesOnly ({source}): Calico assigns addresses only to Services that "
            "ask (the annotation projectcalico.org/loadBalancerIPs or projectcalico.org/ipv4pools, or "
            "loadBalancerClass calico); set lb_service_ip, or assignIPs: AllServices"
        )
    return None


def pending_ip_causes(
    service: Mapping[str, Any],
    pools: Sequence[Mapping[str, Any]],
    kube_controllers: Optional[Mapping[str, Any]] = None,
    kube_controllers_error: Optional[str] = None,
) -> list[str]:
    """Every reason the API shows for ``service`` having no LoadBalancer address yet, most decisive first.

    ``pools`` are IPPool objects, ``kube_controllers`` the KubeControllersConfiguration ``default`` (None when it
    does not exist), ``kube_controllers_error`` why it could not be read. Never empty: when nothing explains the
    wait, the last cause says where calico-kube-controllers logs its reason.
    """
    service = _mapping(service)
    causes = []
    klass = _mapping(service.get("spec")).get("loadBalancerClass")
    if klass and klass != CALICO_CLASS:
        causes.append(
            f"spec.loadBalancerClass is {klass!r}: Calico assigns addresses only to Services without a class or "
            f"with class {CALICO_CLASS!r}"
        )
    candidates = load_balancer_pools(pools)
    cidrs = ", ".join(_cidrs(candidates))
    if not candidates:
        causes.append(
            "there is no enabled IPPool with allowedUses [LoadBalancer] - "
            "create one with the calicolab.bgp_lb.lb_pool role"
        )
    controller = _controller_cause(service, kube_controllers, kube_controllers_error)
    if controller:
        causes.append(controller)
    requested = ", ".join(requested_ips(service))
    manual = [pool for pool in candidates if _mapping(pool.get("spec")).get("assignmentMode") == "Manual"]
    if candidates and requested:
        causes.append(
            f"the requested address {requested} (annotation {REQUEST_ANNOTATIONS[0]}) may be outside every "
            f"LoadBalancer pool ({cidrs}) or already taken"
        )
    elif candidates and len(manual) == len(candidates):
        causes.append(
            f"every LoadBalancer pool ({cidrs}) has assignmentMode Manual, which hands out requested addresses only: "
            "set lb_service_ip"
        )
    elif candidates and not causes:
        causes.append(
            "calico-kube-controllers (Calico's LoadBalancer controller) assigned no address: it may be stopped or not "
            f"answering, or the LoadBalancer pools ({cidrs}) full; its logs say why: {LOGS}"
        )
    return causes


def service_ips(service: Mapping[str, Any]) -> list[str]:
    """The addresses in ``status.loadBalancer.ingress``, in order."""
    ingress = _mapping(_mapping(_mapping(service).get("status")).get("loadBalancer")).get("ingress") or []
    return [str(entry["ip"]) for entry in ingress if isinstance(entry, Mapping) and entry.get("ip")]


def _cidrs(pools: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(_mapping(pool.get("spec")).get("cidr")) for pool in pools]


def requested_ips(service: Mapping[str, Any]) -> list[str]:
    """The addresses the Service (or its manifest) asks Calico for in ``projectcalico.org/loadBalancerIPs``."""
    annotation = _mapping(_mapping(_mapping(service).get("metadata")).get("annotations")).get(REQUEST_ANNOTATIONS[0])
    try:
        addresses = json.loads(annotation) if annotation else []
    except (TypeError, ValueError):
        return [str(annotation)]
    return [str(address) for address in addresses] if isinstance(addresses, list) else [str(addresses)]


def address_ready(service: Mapping[str, Any], pools: Sequence[Mapping[str, Any]], requested: Sequence[str]) -> bool:
    """Whether the Service holds the address it should: one of ``requested`` when it asks for one (Calico moves it
    there some milliseconds after the write, so the old address may still show), else one in an enabled
    LoadBalancer pool of ``pools``."""
    ips = service_ips(service)
    if requested:
        return any(ip in requested for ip in ips)
    return bool(addresses_inside(ips, _cidrs(load_balancer_pools(pools))))


def needs_wait(
    written: bool, service: Mapping[str, Any], pools: Sequence[Mapping[str, Any]], requested: Sequence[str] = ()
) -> bool:
    """Whether to read the Service again for its address: after a write, or when it does not hold the address it
    should (:func:`address_ready`) in ``pools`` as read before (the run may be creating a pool)."""
    return written or not address_ready(service, pools, requested)


def address_problem(
    subject: str,
    service: Mapping[str, Any],
    pools: Sequence[Mapping[str, Any]],
    waited: float,
    kube_controllers: Optional[Mapping[str, Any]] = None,
    kube_controllers_error: Optional[str] = None,
    requested: Sequence[str] = (),
) -> Optional[str]:
    """None when ``service`` has addresses, every one in an enabled LoadBalancer pool, and one of ``requested`` when
    it asks for one; else what is wrong.

    ``subject`` names the Service (``Service default/lb-nginx-service``), ``waited`` is how long its address was
    waited for (lb_service_wait_timeout); ``kube_controllers`` and ``kube_controllers_error`` are those of
    :func:`pending_ip_causes`.
    """
    ips = service_ips(service)
    if not ips:
        causes = pending_ip_causes(service, pools, kube_controllers, kube_controllers_error)
        return f"{subject} got no external IP within {waited:g} s (lb_service_wait_timeout): {'; '.join(causes)}."
    cidrs = _cidrs(load_balancer_pools(pools))
    if len(addresses_inside(ips, cidrs)) != len(ips):
        return (
            f"{subject} got {', '.join(ips)}, which is not inside any enabled LoadBalancer pool ({', '.join(cidrs)})."
        )
    if requested and not any(ip in requested for ip in ips):
        return (
            f"{subject} has {', '.join(ips)}, not the requested {', '.join(requested)} (lb_service_ip), after "
            f"{waited:g} s (lb_service_wait_timeout): the address may be taken by another Service, or outside every "
            f"enabled LoadBalancer pool ({', '.join(cidrs)})."
        )
    return None
