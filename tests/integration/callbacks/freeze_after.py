"""Test-only callback: freeze a process (SIGSTOP) right after a named task reports a change.

A fault at an exact step of a run, instead of a race against the run's speed: ``FREEZE_AFTER_TASK`` names the task
(a part of its name as the run prints it), ``FREEZE_PID`` the process to freeze, with every process it started (an
sshd's sessions with its listener). The test thaws them.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from ansible.plugins.callback import CallbackBase


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, parents first."""
    tasks = Path(f"/proc/{pid}/task").glob("*/children")
    children = [int(child) for path in tasks for child in path.read_text().split()]
    return [pid, *(descendant for child in children for descendant in process_tree(child))]


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "freeze_after"
    CALLBACK_NEEDS_ENABLED = True

    def v2_runner_on_ok(self, result) -> None:
        if os.environ["FREEZE_AFTER_TASK"] in result.task_name and result.is_changed():
            for pid in process_tree(int(os.environ["FREEZE_PID"])):
                os.kill(pid, signal.SIGSTOP)
