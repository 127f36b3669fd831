# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge LoadBalancer CIDRs into BGPConfiguration default, retrying on conflict; documented in
plugins/modules/lb_advert_apply.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import (
    ADVERT_OPTIONS_SPEC,
    AdvertRequest,
    WriteConflict,
    merge_with_retry,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import KubernetesApi, NoAnswer
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import refusal
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.kubernetes_action import (
    CONNECTION_SPEC,
    KubernetesAction,
)

CALICO = "projectcalico.org/v3"

ARGUMENT_SPEC = {
    "current": {"type": "dict", "required": True},
    **ADVERT_OPTIONS_SPEC,
    "conflict_retries": {"type": "int", "default": 5},
    **CONNECTION_SPEC,
}


class Refused(Exception):
    """kube-apiserver refused the write for another reason than a conflict; ``str()`` says why."""


class BgpConfigurationStore:
    """BGPConfiguration default: read, create or replace (409 -> WriteConflict); dry runs in check mode."""

    def __init__(self, api: KubernetesApi, dry_run: bool) -> None:
        self.api, self.dry_run = api, dry_run

    def read(self) -> Optional[dict[str, Any]]:
        found = self.api.read(CALICO, "BGPConfiguration", name="default")
        return found[0] if found else None

    def write(self, manifest: Mapping[str, Any], create: bool) -> dict[str, Any]:
        send = self.api.create if create else self.api.replace
        answer = send(manifest, dry_run=self.dry_run)
        if answer.status == 409:  # changed since read, or created meanwhile
            raise WriteConflict(str(answer.body))
        if not answer.ok:
            raise Refused(refusal(manifest, None, answer.status, answer.body))
        return answer.body


class ActionModule(KubernetesAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        retries = params["conflict_retries"]
        request = AdvertRequest(current=params["current"], **{option: params[option] for option in ADVERT_OPTIONS_SPEC})
        store = BgpConfigurationStore(self.connect(params), self.check_mode)
        try:
            outcome = merge_with_retry(request, store.read, store.write, retries)
        except WriteConflict:
            return {
                "failed": True,
                "attempts": retries + 1,
                "msg": f"BGPConfiguration default kept changing under us: {retries + 1} writes in a row got 409 "
                f"Conflict (conflict_retries={retries}). Nothing of ours was written.",
            }
        except (NoAnswer, Refused) as error:
            return {"failed": True, "attempts": 0, "msg": f"BGPConfiguration default was not written: {error}"}
        written = outcome.written is not None
        result = {
            "changed": written,
            "manifest": outcome.written if written else outcome.result.manifest,
            "added": outcome.result.added if written else [],
            "removed": outcome.result.removed if written else [],
            "attempts": outcome.attempts,
        }
        if written and self.diff_mode:
            result["diff"] = {"before": outcome.before or {}, "after": outcome.result.manifest}
        return result
