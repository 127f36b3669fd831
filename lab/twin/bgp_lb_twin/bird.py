"""calico-node's BGP half per node: Calico's confd renders BIRD 1.x configuration, BIRD 1.6 runs in the node's netns.

The templates and ``conf.d`` files are the Calico release's own (copied from its source at build time). Two
things are adapted to the twin's layout, nothing else:
- ``conf.d``: output paths under ``.twin/calico/<node>/config``, our private BIRD for ``check_cmd``, and
  ``birdc configure`` on the node's socket instead of runit's ``sv hup bird`` for ``reload_cmd``; IPv4 only;
- ``bird_ipam.cfg.template``: ``krt_tunnel = "<ipip device>";`` is written only when a tunnel device is set.
  ``krt_tunnel`` is an attribute of Calico's BIRD fork (IPIP routes); for pools without IPIP the fork's value is
  the empty string, which changes nothing there but is a syntax error in Debian's BIRD 1.6.8.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tomllib

from bgp_lb_twin.components import Installed
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.paths import TwinPaths
from bgp_lb_twin.proc import in_netns, pid_alive, read_pid, remove_quietly, run, stop_pids

IPV4_TEMPLATES = ("bird", "bird_aggr", "bird_ipam")  # conf.d/<name>.toml -> templates/<name>.cfg.template
KRT_TUNNEL = re.compile(r'krt_tunnel = "\{\{\$data\.ipip\}\}";')
KRT_TUNNEL_ONLY_WITH_DEVICE = '{{if $data.ipip}}krt_tunnel = "{{$data.ipip}}";{{end}}'
KRT_TUNNEL_STATEMENTS = 3  # in Calico 3.30's bird_ipam.cfg.template; a different count means the template changed


def confd_dir(paths: TwinPaths, node: str) -> Path:
    return paths.state_dir / "calico" / node


def config_file(paths: TwinPaths, node: str) -> Path:
    return confd_dir(paths, node) / "config" / "bird.cfg"


def _adapt_ipam_template(text: str) -> str:
    adapted, count = KRT_TUNNEL.subn(KRT_TUNNEL_ONLY_WITH_DEVICE, text)
    if count != KRT_TUNNEL_STATEMENTS:
        raise TwinError(
            f"bird_ipam.cfg.template has {count} krt_tunnel statements, not {KRT_TUNNEL_STATEMENTS}: "
            "this Calico release's templates changed; review bgp_lb_twin/bird.py"
        )
    return adapted


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def render_conf_d(original: dict[str, object], paths: TwinPaths, node: str, installed: Installed) -> str:
    template = dict(original["template"])  # type: ignore[arg-type]
    template["dest"] = str(confd_dir(paths, node) / "config" / Path(str(template["dest"])).name)
    if "check_cmd" in template:  # only bird.toml has one: the included files do not parse on their own
        template["check_cmd"] = f"{installed.bird} -p -c {{{{.src}}}}"
    template["reload_cmd"] = f"{installed.birdc} -s {paths.bird_socket(node)} configure || true"
    lines = ["[template]", *(f"{key} = {_toml_value(value)}" for key, value in template.items())]
    return "\n".join(lines) + "\n"


def prepare(paths: TwinPaths, installed: Installed, node: str) -> Path:
    """A fresh confd directory for ``node`` (templates, conf.d, empty config/ and endpoint-status/)."""
    source = installed.calico_data / "confd"
    target = confd_dir(paths, node)
    shutil.rmtree(target, ignore_errors=True)
    for sub in ("conf.d", "templates", "config", "status/endpoint-status"):
        (target / sub).mkdir(parents=True)
    for name in IPV4_TEMPLATES:
        text = (source / "templates" / f"{name}.cfg.template").read_text(encoding="utf-8")
        if name == "bird_ipam":
            text = _adapt_ipam_template(text)
        (target / "templates" / f"{name}.cfg.template").write_text(text, encoding="utf-8")
        original = tomllib.loads((source / "conf.d" / f"{name}.toml").read_text(encoding="utf-8"))
        (target / "conf.d" / f"{name}.toml").write_text(render_conf_d(original, paths, node, installed), "utf-8")
    return target


def rendered(paths: TwinPaths, node: str) -> bool:
    """confd has written every file bird.cfg includes."""
    config = config_file(paths, node).parent
    return all((config / f"{name}.cfg").is_file() for name in IPV4_TEMPLATES)


def bird_pid(paths: TwinPaths, node: str) -> int | None:
    pid = read_pid(paths.bird_pid(node))
    return pid if pid is not None and pid_alive(pid) else None


@contextmanager
def node_lock(paths: TwinPaths, node: str) -> Iterator[None]:
    """Serialise start/stop of one node's BIRD between the supervisor and ``node-down``/``node-up``."""
    with open(paths.bird / f"{node}.lock", "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_marked_down(paths: TwinPaths, node: str) -> bool:
    return paths.node_down_marker(node).exists()


def start(paths: TwinPaths, installed: Installed, node: str) -> bool:
    """Start BIRD in the node's namespace unless it runs, is marked down, or confd has not rendered yet.

    BIRD daemonises once its config parsed, so config errors surface here as CommandFailed. True when started.
    """
    with node_lock(paths, node):
        if bird_pid(paths, node) is not None or is_marked_down(paths, node) or not rendered(paths, node):
            return False
        remove_quietly(paths.bird_socket(node))
        argv = [str(installed.bird), "-c", str(config_file(paths, node))]
        argv += ["-s", str(paths.bird_socket(node)), "-P", str(paths.bird_pid(node))]
        run(in_netns(node, argv))
        return True


def stop(paths: TwinPaths, node: str) -> None:
    """SIGTERM: BIRD sends a Cease and closes TCP, so the router withdraws the node's paths at once."""
    with node_lock(paths, node):
        pid = bird_pid(paths, node)
        if pid is not None:
            stop_pids([pid], grace=1.0)
        remove_quietly(paths.bird_pid(node))
        remove_quietly(paths.bird_socket(node))


def mark_down(paths: TwinPaths, node: str) -> None:
    paths.node_down_marker(node).parent.mkdir(parents=True, exist_ok=True)
    paths.node_down_marker(node).touch()


def clear_down(paths: TwinPaths, node: str) -> None:
    remove_quietly(paths.node_down_marker(node))


def protocols(installed: Installed, paths: TwinPaths, node: str) -> str:
    return run([str(installed.birdc), "-s", str(paths.bird_socket(node)), "show", "protocols"], check=False)
