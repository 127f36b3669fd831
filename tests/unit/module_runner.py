"""Run one of the collection's plugins the way Ansible does, for tests of its task interface.

A plugin with an action plugin of its name (the pure computations: validation, specs, verdicts) runs in this
process as Ansible's worker runs it: a real Task with the options and check mode, the action's own argument-spec
validation and conversion, and the result dict Ansible would register. A module without one (frr_bgp,
lb_http_probe) runs as Ansible runs a module: its own Python process with a JSON args file, so argument-spec
handling, check mode, ``exit_json`` and ``fail_json`` are exercised for real.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import connection_loader
from ansible.template import Templar

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "plugins" / "modules"
ACTIONS = ROOT / "plugins" / "action"


def run_module(tmp_path: Path, name: str, args: dict, check_mode: bool = True) -> tuple[int, dict]:
    """Run the collection's ``name`` on ``args``; return (exit code as a module would give it, result)."""
    if (ACTIONS / f"{name}.py").exists():
        return _run_action(name, args, check_mode)
    return _run_module_process(tmp_path, name, args, check_mode)


def _run_action(name: str, args: dict, check_mode: bool) -> tuple[int, dict]:
    task = Task.load({"action": f"calicolab.bgp_lb.{name}", "args": args, "check_mode": check_mode})
    loader = DataLoader()
    action_class = importlib.import_module(f"ansible_collections.calicolab.bgp_lb.plugins.action.{name}").ActionModule
    play_context = PlayContext()
    # Ansible hands every action a connection; ours never open it (no host is needed to compute).
    connection = connection_loader.get("local", play_context)
    action = action_class(task, connection, play_context, loader, Templar(loader=loader), None)
    # A round trip through JSON, as a registered result would be: no tuples or sets leak into assertions.
    result = json.loads(json.dumps(action.run(task_vars={})))
    return (1 if result.get("failed") else 0), result


def _run_module_process(tmp_path: Path, name: str, args: dict, check_mode: bool) -> tuple[int, dict]:
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
