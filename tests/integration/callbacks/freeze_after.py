"""Test-only callback: freeze a process (SIGSTOP) right after a named task reports a change.

A fault at an exact step of a run, instead of a race against the run's speed: ``FREEZE_AFTER_TASK`` names the task
(a part of its name as the run prints it), ``FREEZE_PID`` the process to freeze. The test thaws it.
"""

from __future__ import annotations

import os
import signal

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "freeze_after"
    CALLBACK_NEEDS_ENABLED = True

    def v2_runner_on_ok(self, result) -> None:
        if os.environ["FREEZE_AFTER_TASK"] in result.task_name and result.is_changed():
            os.kill(int(os.environ["FREEZE_PID"]), signal.SIGSTOP)
