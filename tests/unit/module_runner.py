"""Run one of the collection's modules the way Ansible does, for tests of the module interface.

The module file runs in its own Python process with a JSON args file (options wrapped in ``ANSIBLE_MODULE_ARGS``),
so argument_spec type handling, check mode, ``exit_json`` and ``fail_json`` are all exercised for real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "plugins" / "modules"


def run_module(tmp_path: Path, name: str, args: dict, check_mode: bool = True) -> tuple[int, dict]:
    """Run plugins/modules/<name>.py on ``args``; return (exit code, parsed JSON result)."""
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {**args, "_ansible_check_mode": check_mode}}))
    env = {**os.environ, "PYTHONPATH": str(ROOT / ".collections")}
    completed = subprocess.run(
        [sys.executable, str(MODULES / f"{name}.py"), str(args_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    return completed.returncode, json.loads(completed.stdout)
