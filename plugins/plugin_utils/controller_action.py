"""The one veneer for what the collection does in the controller: pure computations and its report.

Validation, spec building, verdicts and writing a report on the controller need no host: as modules each cost a new
Python process (~0.3 s); as action plugins they run inside the controller's worker, the way ansible.utils runs
``validate``. Each action plugin names its argument spec (the one its module file documents) and one function of the
validated options. This class validates and converts the options exactly as a module's argument spec would
(``-e block_size=28`` gives a string, which becomes 28), turns a :class:`ValidationError` into ``failed`` with
``msg`` and ``violations``, and shows warnings. It never connects to the host, and reports a change only when
``compute`` says so (the Kubernetes writers of plugin_utils/kubernetes_action.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError


class ControllerAction(ActionBase):
    """Base of every pure action plugin: subclasses set ``ARGUMENT_SPEC`` and implement :meth:`compute`."""

    ARGUMENT_SPEC: Mapping[str, Mapping[str, Any]] = {}
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        """The task's result from its validated options; raise ValidationError for bad input."""
        raise NotImplementedError

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        try:
            _validation, params = self.validate_argument_spec(argument_spec=dict(self.ARGUMENT_SPEC))
        except AnsibleActionFail as error:
            return {**result, "failed": True, "changed": False, "msg": error.message}
        try:
            computed = self.compute(params)
        except ValidationError as error:
            return {**result, "failed": True, "changed": False, "msg": error.message, "violations": error.as_dicts()}
        warnings = list(computed.pop("warnings", None) or [])
        outcome = {**result, "changed": False, **computed}
        if warnings:
            outcome["warnings"] = warnings
        return outcome
