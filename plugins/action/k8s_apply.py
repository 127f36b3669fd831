# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server-side apply and delete Kubernetes objects, each request bounded; documented in plugins/modules/k8s_apply.py."""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import object_path
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.manifest_drift import drifted_manifests, live_object
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import describe
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.kubernetes_action import (
    CONNECTION_SPEC,
    KubernetesAction,
    WriteFailed,
    shown,
)

ARGUMENT_SPEC = {
    "apply": {"type": "list", "elements": "dict", "default": []},
    "delete": {"type": "list", "elements": "dict", "default": []},
    "live": {"type": "list", "elements": "dict", "default": []},
    "force_conflicts": {"type": "bool", "default": False},
    **CONNECTION_SPEC,
}


class ActionModule(KubernetesAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        applies = drifted_manifests(params["apply"], params["live"])
        deletes = [obj for obj in params["delete"] if obj]
        try:
            for obj in applies + deletes:
                object_path(obj)
        except (KeyError, TypeError, ValueError) as error:
            return {"failed": True, "msg": f"an object cannot be written: {error}", "applied": [], "deleted": []}
        result: dict[str, Any] = {"applied": [], "deleted": [], "objects": []}
        if not applies and not deletes:  # every object already holds its manifest: no connection
            return {**result, "changed": False}
        api = self.connect(params)
        diffs = []
        try:
            for manifest in applies:
                before = live_object(manifest, params["live"])
                answer = self.write(api, "apply", manifest, before, params["force_conflicts"])
                result["applied"].append(describe(manifest))
                result["objects"].append(answer)
                diffs.append({"before": shown(before), "after": shown(answer), "after_header": describe(manifest)})
            for obj in deletes:
                answer = self.write(api, "delete", obj, obj)
                if answer is not None:
                    result["deleted"].append(describe(obj))
                    diffs.append({"before": shown(obj), "after": {}, "before_header": describe(obj)})
        except WriteFailed as error:
            done = result["applied"] + [f"deleted {what}" for what in result["deleted"]]
            already = f" This task already wrote: {', '.join(done)}." if done else ""
            return {**result, "failed": True, "changed": bool(done), "msg": f"{error}.{already}"}
        changed = bool(result["applied"] or result["deleted"])
        return {**result, "changed": changed, **({"diff": diffs} if self.diff_mode and changed else {})}
