"""The twin's control plane: a Kubernetes API emulator and a Calico stand-in (DESIGN.md §4).

Public interface, used in-process by the twin CLI::

    cp = ControlPlane(state_dir=Path(".twin"), nodes=default_nodes(3), port=16443, on_advertisement=callback)
    cp.start(); cp.url; cp.kubeconfig_path; cp.ca_path; cp.token; cp.advertisements(); cp.stop()

and ``python -m bgp_lb_twin.control_plane --state-dir DIR [--port N] [--nodes N]`` in the foreground.
"""

from __future__ import annotations

from .plane import ControlPlane
from .seed import NodeSpec, default_nodes

__all__ = ["ControlPlane", "NodeSpec", "default_nodes"]
