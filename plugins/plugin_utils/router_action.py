"""The veneer for the collection's modules that run on a router: a router that does not answer is a failure naming it.

Ansible turns a connection that fails (SSH's connect timeout, a session its keepalives ended) into an *unreachable*
host, which a play's ``rescue`` never sees and which stops nothing else: the run cannot say which step was cut off or
what it had already changed. These actions run their module as usual and turn that one case into an ordinary
failure whose message names the router, the address the connection went to, and what the connection said, so the
site playbook can add the step and the changes already made.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from typing import Any

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.action import ActionBase

# What ansible-core's ssh connection puts before ssh's own words, and ssh's lines that explain nothing to a user
# (the shared ControlMaster it fell back from, the unknown peer of a connection that never completed).
ANSIBLE_SSH_PREFIX = re.compile(
    r'^(Failed to connect to the host via ssh: |Data could not be sent to remote host "[^"]*"\. '
    r"Make sure this host can be reached over ssh: )"
)
SSH_NOISE = re.compile(r"^(mux_client_|Control socket |Connection to UNKNOWN port )")


class RouterModuleAction(ActionBase):
    """Run the task's module on the router; a connection failure becomes ``failed`` with a message naming the router."""

    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        try:
            result.update(self._execute_module(task_vars=task_vars, wrap_async=False))
        except AnsibleConnectionFailure as error:
            name = (task_vars or {}).get("inventory_hostname", self._play_context.remote_addr)
            return {**result, "failed": True, "changed": False, "msg": self._no_answer(name, error)}
        return result

    def _no_answer(self, name: str, error: AnsibleConnectionFailure) -> str:
        lines = [ANSIBLE_SSH_PREFIX.sub("", line).strip() for line in str(error.message).splitlines()]
        said = "; ".join(line for line in lines if line and not SSH_NOISE.match(line)) or "no reason given"
        return (
            f"the router {name} at {self._address()} did not answer over {self._connection.transport} "
            f"within {self._bound()}: {said}"
        )

    def _address(self) -> str:
        """Where the connection went: for SSH the HostName and Port ``ssh -G`` resolves (an ssh config may map the
        inventory name), else the connection's host."""
        host = str(self._connection.get_option("host") or self._play_context.remote_addr)
        if self._connection.transport != "ssh":
            return host
        options = [
            argument
            for name in ("ssh_common_args", "ssh_extra_args")
            for argument in shlex.split(self._connection.get_option(name) or "")
        ]
        try:
            resolved = subprocess.run(
                ["ssh", "-G", *options, host], capture_output=True, text=True, timeout=5, check=True
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return host
        settings = dict(line.split(" ", 1) for line in resolved.splitlines() if " " in line)
        return f"{settings.get('hostname', host)} port {settings.get('port', '22')}"

    def _bound(self) -> str:
        """The connection's own bound: ssh's connect timeout (its keepalives end a silent session within it too)."""
        for option in ("timeout", "persistent_command_timeout"):
            try:
                return f"{self._connection.get_option(option)} s"
            except KeyError:
                continue
        return "its timeout"
