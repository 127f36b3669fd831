# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Submit a run's Kubernetes writes as server-side dry runs; documented in plugins/modules/k8s_dry_run.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import KubernetesApi, NoAnswer
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.manifest_drift import drifted_manifests, live_object
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import (
    conflicts,
    describe,
    refusal,
    refusals_message,
    taken_over,
)
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.kubernetes_action import (
    CONNECTION_SPEC,
    KubernetesAction,
)

Write = tuple[str, Mapping[str, Any], Optional[Mapping[str, Any]]]

ARGUMENT_SPEC = {
    "apply": {"type": "list", "elements": "dict", "default": []},
    "replace": {"type": "list", "elements": "dict", "default": []},
    "live": {"type": "list", "elements": "dict", "default": []},
    "force_conflicts": {"type": "bool", "default": False},
    **CONNECTION_SPEC,
}


def refused(api: KubernetesApi, method: str, manifest: Mapping[str, Any], live: Any, force: bool = False) -> Any:
    """None when kube-apiserver accepts the dry run, else its (HTTP code, Status body)."""
    if method == "apply":
        answer = api.apply(manifest, force=force, dry_run=True)
    elif live:  # a replace carrying the resourceVersion read
        answer = api.replace(manifest, dry_run=True)
    else:
        answer = api.create(manifest, dry_run=True)
    return None if answer.ok else (answer.status, answer.body)


@dataclass
class Proof:
    checked: list[str] = field(default_factory=list)
    taken_over: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    conflicted: bool = False

    def message(self, writes: int) -> str:
        hint = (
            " For a field another tool manages, declare its value (the object is then adopted as it is), or take it"
            " over with force (force_conflicts; bgp_lb_force_conflicts=true in site.yml)."
        )
        return refusals_message(self.refusals, writes) + (hint if self.conflicted else "")


def planned_writes(params: Mapping[str, Any]) -> list[Write]:
    """The writes the run will make, each with the object as read: one already holding its manifest is left out."""
    return [
        (method, manifest, live_object(manifest, params["live"]))
        for method in ("apply", "replace")
        for manifest in drifted_manifests(params[method], params["live"])
    ]


def prove(api: KubernetesApi, writes: list[Write], force: bool) -> Proof:
    proof = Proof()
    for method, manifest, read in writes:
        answer = refused(api, method, manifest, read)
        if answer and answer[0] == 409 and conflicts(manifest, read, answer[1]):
            # Proven again as the apply the run will make with force: it must pass every other check.
            if force and method == "apply" and not refused(api, method, manifest, read, force=True):
                proof.taken_over.append(taken_over(manifest, read, answer[1]))
                answer = None
            proof.conflicted = proof.conflicted or answer is not None
        if answer:
            proof.refusals.append(refusal(manifest, read, *answer))
        else:
            proof.checked.append(describe(manifest))
    return proof


class ActionModule(KubernetesAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        writes = planned_writes(params)
        if not writes:  # every object already holds its manifest: nothing to prove, no connection
            return {"checked": [], "taken_over": []}
        try:
            proof = prove(self.connect(params), writes, params["force_conflicts"])
        except NoAnswer as error:
            return {"failed": True, "msg": f"The dry runs got no answer: {error}. Nothing was written."}
        result = {
            "checked": proof.checked,
            "taken_over": proof.taken_over,
            "warnings": [
                f"Fields another tool manages are taken over (force_conflicts): {it}" for it in proof.taken_over
            ],
        }
        if proof.refusals:
            return {**result, "failed": True, "msg": proof.message(len(writes)), "refusals": proof.refusals}
        return result
