"""Where the twin keeps its state: one directory (``.twin/`` at the repository root by default)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

STATE_DIR_ENV = "BGP_LB_TWIN_STATE_DIR"
PACKAGE_DIR = Path(__file__).resolve().parent
# lab/twin/bgp_lb_twin -> lab/twin -> lab -> repository root
REPO_ROOT = PACKAGE_DIR.parents[2]
# The directory that must be on sys.path for ``python -m bgp_lb_twin.*`` in child processes.
PACKAGE_PARENT = PACKAGE_DIR.parent


def default_state_dir() -> Path:
    """``$BGP_LB_TWIN_STATE_DIR`` if set, else ``<repo>/.twin``."""
    override = os.environ.get(STATE_DIR_ENV)
    return Path(override).resolve() if override else REPO_ROOT / ".twin"


@dataclass(frozen=True)
class TwinPaths:
    """Every file the twin writes, derived from the state directory so ``down`` can find them after a crash."""

    state_dir: Path

    @property
    def network_state(self) -> Path:
        return self.state_dir / "network.json"

    @property
    def status_file(self) -> Path:
        return self.state_dir / "status.json"

    @property
    def logs(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pids(self) -> Path:
        return self.state_dir / "pids"

    @property
    def supervisor_pid(self) -> Path:
        return self.pids / "supervisor.pid"

    @property
    def bird(self) -> Path:
        return self.state_dir / "bird"

    @property
    def nodes_down(self) -> Path:
        return self.state_dir / "nodes-down"

    @property
    def frr(self) -> Path:
        return self.state_dir / "frr"

    @property
    def frr_run(self) -> Path:
        return self.frr / "run"

    @property
    def ssh(self) -> Path:
        return self.state_dir / "ssh"

    def bird_config(self, node: str) -> Path:
        return self.bird / f"{node}.conf"

    def bird_socket(self, node: str) -> Path:
        return self.bird / f"{node}.ctl"

    def bird_pid(self, node: str) -> Path:
        return self.bird / f"{node}.pid"

    def node_down_marker(self, node: str) -> Path:
        return self.nodes_down / node

    def responder_pid(self, node: str) -> Path:
        return self.pids / f"responder-{node}.pid"

    def ensure(self) -> None:
        for directory in (self.state_dir, self.logs, self.pids, self.bird, self.nodes_down, self.frr_run, self.ssh):
            directory.mkdir(parents=True, exist_ok=True)
