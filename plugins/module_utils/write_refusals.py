# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why kube-apiserver refused a write, in words: the object, the cause, and for a field conflict both values.

Pure Python (no Ansible imports). The site playbook submits every write it will make as a server-side dry run
(``dryRun=All``) before the first real one; a refusal comes back as a ``Status`` object, which this module turns into
one sentence per refused write: the namespace that is missing, the permission RBAC lacks (kube-apiserver's message
names the user, the verb and the resource), the admission policy that denied it in the policy's own words, or each
field another field manager owns with another value (the field, that manager, its value and ours). The same field
sentences say what a forced apply takes over.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional

_MISSING = object()
# One step of a server-side apply field path, as kube-apiserver prints it in a conflict:
# `.name`, or `[key=value,...]` for an item of an associative list (values are JSON: 80, "TCP").
_STEP = re.compile(r"\.([^.\[]+)|\[([^\]]*)\]")
_KEY_VALUE = re.compile(r'([^=,]+)=("(?:[^"\\]|\\.)*"|[^,]*)')
_MANAGER = re.compile(r'conflict with "([^"]+)"')
# kube-apiserver's words for a ValidatingAdmissionPolicy's denial: 422 Invalid unless the validation sets another
# `reason` (Forbidden gives 403, so this is matched before RBAC).
_POLICY = re.compile(r"ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)' denied request: (.*)", re.DOTALL)
# RBAC's denial names the user, the verb and the resource: `User "..." cannot patch resource "services" ...`.
_RBAC = re.compile(r'User "[^"]*" cannot ')


def describe(manifest: Mapping[str, Any]) -> str:
    """`Service default/lb-nginx-service`, `IPPool loadbalancer-ip-pool`."""
    metadata = manifest.get("metadata") or {}
    name = metadata.get("name", "?")
    namespace = metadata.get("namespace")
    return f"{manifest.get('kind', 'object')} {namespace + '/' + name if namespace else name}"


def field_value(obj: Any, path: str) -> Any:
    """The value at a server-side apply field path such as `.spec.ports[port=80,protocol="TCP"].name`, or
    ``_MISSING`` when the object does not hold it."""
    current = obj
    for match in _STEP.finditer(path):
        key, selector = match.groups()
        if key is not None:
            if not isinstance(current, Mapping) or key not in current:
                return _MISSING
            current = current[key]
            continue
        if not isinstance(current, Sequence) or isinstance(current, str):
            return _MISSING
        wanted = {name.strip(): _json_or_text(value) for name, value in _KEY_VALUE.findall(selector)}
        found = [item for item in current if isinstance(item, Mapping) and _matches(item, wanted)]
        if not found:
            return _MISSING
        current = found[0]
    return current


def _matches(item: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(item.get(key, _MISSING) == value for key, value in wanted.items())


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _shown(value: Any) -> str:
    return "absent" if value is _MISSING else json.dumps(value)


def conflicts(manifest: Mapping[str, Any], live: Optional[Mapping[str, Any]], status: Any) -> list[str]:
    """Each field of a 409 field-manager conflict: its path, its value and the manager that set it, and ours."""
    details = (status.get("details") if isinstance(status, Mapping) else None) or {}
    fields = []
    for cause in details.get("causes") or []:
        if cause.get("reason") != "FieldManagerConflict":
            continue
        field = cause.get("field", "")
        manager = _MANAGER.search(cause.get("message", ""))
        fields.append(
            f"{field} is {_shown(field_value(live or {}, field))} "
            f"(set by {manager.group(1) if manager else 'another field manager'}), "
            f"we declare {_shown(field_value(manifest, field))}"
        )
    return fields


def refusal(manifest: Mapping[str, Any], live: Optional[Mapping[str, Any]], code: int, status: Any) -> str:
    """One sentence saying why the write of ``manifest`` was refused, from the HTTP code and the Status body."""
    what = describe(manifest)
    status = status if isinstance(status, Mapping) else {}
    message = str(status.get("message") or "").strip() or f"HTTP {code}"
    details = status.get("details") or {}
    if code == 404 and details.get("kind") == "namespaces":
        return f"{what}: the namespace {details.get('name')!r} does not exist"
    policy = _POLICY.search(message)
    if policy:
        name, binding, words = policy.groups()
        return f"{what}: refused by the admission policy {name!r} (binding {binding!r}): {words}"
    if code == 403 and _RBAC.search(message):
        return f"{what}: not permitted by RBAC: {message}"
    fields = conflicts(manifest, live, status)
    if code == 409 and fields:
        count = len(fields)
        return (
            f"{what}: {count} field{'s' if count > 1 else ''} we declare already "
            f"{'hold' if count > 1 else 'holds'} a different value that another tool manages: " + "; ".join(fields)
        )
    reason = status.get("reason") or f"HTTP {code}"
    return f"{what}: refused ({reason}): {message}"


def taken_over(manifest: Mapping[str, Any], live: Optional[Mapping[str, Any]], status: Any) -> str:
    """One sentence naming the fields a forced apply takes over from their managers, with both values."""
    return f"{describe(manifest)}: taking over " + "; ".join(conflicts(manifest, live, status))


def refusals_message(refusals: Sequence[str], planned: int) -> str:
    """The run's one failure message: every refused write, and that nothing was written."""
    return (
        f"Nothing was written: kube-apiserver refused {len(refusals)} of the {planned} writes this run would make, "
        "each submitted first as a dry run (dryRun=All): " + "; ".join(refusals) + ". Fix the cause and run again."
    )
