# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply the LoadBalancer Service, wait for Calico's address and judge it; documented in
plugins/modules/lb_service_apply.py."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Optional

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import (
    KubernetesApi,
    NoAnswer,
    positive_seconds,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_ip_wait import (
    address_problem,
    address_ready,
    needs_wait,
    requested_ips,
    service_ips,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.manifest_drift import drifted_manifests
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import describe
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.kubernetes_action import (
    CONNECTION_SPEC,
    KubernetesAction,
    WriteFailed,
    shown,
)

CALICO = "projectcalico.org/v3"

ARGUMENT_SPEC = {
    "manifest": {"type": "dict", "required": True},
    "live": {"type": "dict", "default": {}},
    "pools": {"type": "list", "elements": "dict", "default": []},
    "force_conflicts": {"type": "bool", "default": False},
    "wait_timeout": {"type": "float", "default": 30.0},
    "poll_interval": {"type": "float", "default": 0.25},
    **CONNECTION_SPEC,
}


class ActionModule(KubernetesAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        manifest, live = params["manifest"], params["live"] or {}
        try:
            subject = describe(manifest)
            wait = positive_seconds(params["wait_timeout"], "wait_timeout")
            poll = positive_seconds(params["poll_interval"], "poll_interval")
        except (KeyError, TypeError, ValueError) as error:
            return {"failed": True, "msg": f"the Service cannot be applied: {error}", "applied": []}
        result: dict[str, Any] = {"changed": False, "applied": [], "external_ip": ""}
        api: Optional[KubernetesApi] = None
        written = bool(drifted_manifests([manifest], [live] if live else []))
        if written:  # an apply that would change nothing is not sent
            api = self.connect(params)
            try:
                answer = self.write(api, "apply", manifest, live or None, params["force_conflicts"])
            except WriteFailed as error:
                return {**result, "failed": True, "msg": f"{error}."}
            result.update(changed=True, applied=[subject])
            if self.diff_mode:
                result["diff"] = {"before": shown(live), "after": shown(answer), "after_header": subject}
        if self.check_mode:  # nothing was stored, so no address will come
            return result
        service, pools, requested = live, params["pools"], requested_ips(manifest)
        try:
            if needs_wait(written, service, pools, requested):
                api = api or self.connect(params)
                service, pools = self.wait_for_address(api, manifest, requested, wait, poll)
            controllers, controllers_error = None, None
            if not service_ips(service):  # only an address that never came needs the controller's configuration
                controllers, controllers_error = self.kube_controllers(api or self.connect(params))
            problem = address_problem(subject, service, pools, wait, controllers, controllers_error, requested)
        except (NoAnswer, ValueError) as error:  # ValueError: an address or pool CIDR that is not one, named
            return {**result, "failed": True, "msg": str(error)}
        if problem:
            return {**result, "failed": True, "msg": problem, "service": service}
        return {**result, "external_ip": service_ips(service)[0], "service": service}

    @staticmethod
    def wait_for_address(
        api: KubernetesApi, manifest: Mapping[str, Any], requested: list[str], wait: float, poll: float
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Read the Service and the IPPools (the run may have just created one) every ``poll`` seconds until the
        Service holds the address it should (``address_ready``) or ``wait`` seconds have passed; Calico usually
        assigns it within milliseconds of the write. A read without an answer ends the wait (NoAnswer)."""
        metadata = manifest["metadata"]
        deadline = time.monotonic() + wait
        while True:
            found = api.read("v1", "Service", namespace=metadata.get("namespace"), name=metadata["name"])
            service, pools = (found[0] if found else {}), api.read(CALICO, "IPPool")
            left = deadline - time.monotonic()
            if address_ready(service, pools, requested) or left <= 0:
                return service, pools
            time.sleep(min(poll, left))

    @staticmethod
    def kube_controllers(api: KubernetesApi) -> tuple[Optional[dict[str, Any]], Optional[str]]:
        """KubeControllersConfiguration default (None when there is none), or why it could not be read."""
        try:
            found = api.read(CALICO, "KubeControllersConfiguration", name="default")
        except NoAnswer as error:
            return None, str(error)
        return (found[0] if found else None), None
