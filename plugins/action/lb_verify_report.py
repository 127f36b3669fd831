# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write lb_verify's JSON and Markdown report on the controller; documented in plugins/modules/lb_verify_report.py."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError, Violation
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    "dir": {"type": "path", "required": True},
    "name": {"type": "str", "required": True},
    "report": {"type": "dict", "required": True},
    "markdown": {"type": "str", "required": True},
}


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path`` (mode 0644)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["name"]
        if not name or "/" in name or name in (".", ".."):
            raise ValidationError([Violation("invalid-name", f"name {name!r} must be a file name without '/'")])
        directory = Path(params["dir"]).absolute()
        directory.mkdir(mode=0o755, parents=True, exist_ok=True)
        json_path, markdown_path = directory / f"{name}.json", directory / f"{name}.md"
        write_atomically(json_path, json.dumps(params["report"], indent=4, sort_keys=True) + "\n")
        write_atomically(markdown_path, params["markdown"])
        return {"json_path": str(json_path), "markdown_path": str(markdown_path)}
