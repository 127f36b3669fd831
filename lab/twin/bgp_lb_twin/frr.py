"""FRR in ``tor``: zebra + bgpd (+ bfdd) without systemd, configured like the lab's cEOS (``maximum-paths 1``)."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.network import LAN, ROUTER_ADDRESS, TOR
from bgp_lb_twin.paths import TwinPaths
from bgp_lb_twin.proc import in_netns, pid_alive, read_pid, run, stop_pids, wait_for

ROUTER_AS = 65001
PEER_GROUP = "CALICO-K8S"
CLUSTER_AS = 65010
FRR_LIB = Path("/usr/lib/frr")
# Start order matters for a clean stop in reverse: bgpd and bfdd talk to zebra.
DAEMONS = ("zebra", "bgpd", "bfdd")
FRR_VTY_GROUP = "frrvty"


def render_config(paths: TwinPaths) -> str:
    """cEOS's lab config in FRR syntax. ``maximum-paths 1``: FRR does ECMP by default, cEOS does not."""
    return "\n".join(
        [
            "frr defaults traditional",
            "hostname tor",
            f"log file {paths.logs / 'frr.log'}",
            "!",
            f"router bgp {ROUTER_AS}",
            f" bgp router-id {ROUTER_ADDRESS}",
            # Without this FRR filters every eBGP prefix (RFC 8212) and the lab would learn nothing.
            " no bgp ebgp-requires-policy",
            f" neighbor {PEER_GROUP} peer-group",
            f" neighbor {PEER_GROUP} remote-as {CLUSTER_AS}",
            f" bgp listen range {LAN} peer-group {PEER_GROUP}",
            " !",
            " address-family ipv4 unicast",
            f"  network {LAN}",
            "  maximum-paths 1",
            " exit-address-family",
            "exit",
            "!",
            "",
        ]
    )


def _pid_file(paths: TwinPaths, daemon: str) -> Path:
    return paths.frr_run / f"{daemon}.pid"


def _daemon_argv(paths: TwinPaths, daemon: str) -> list[str]:
    run_dir = paths.frr_run
    argv = [
        str(FRR_LIB / daemon),
        "-d",
        "-F",
        "traditional",
        "-P",
        "0",
        "--vty_socket",
        str(run_dir),
        "-z",
        str(run_dir / "zserv.api"),
        "-i",
        str(_pid_file(paths, daemon)),
        "-f",
        "/dev/null",
        # As root: FRR's own user cannot traverse a state dir under a private parent (pytest's 0700 tmp dirs).
        "-u",
        "root",
        "-g",
        FRR_VTY_GROUP,
    ]
    if daemon == "bfdd":
        argv += ["--bfdctl", str(run_dir / "bfdd.sock")]  # default is /run/frr, outside .twin/
    # Own UTS namespace for the hostname; private /var/tmp because FRR writes its log buffers there.
    script = f"hostname {TOR} && mount -t tmpfs tmpfs /var/tmp && exec {' '.join(argv)}"
    return in_netns(TOR, ["unshare", "--uts", "--mount", "--propagation", "private", "sh", "-c", script])


def _prepare_run_dir(paths: TwinPaths) -> None:
    """Stale sockets from a crashed run would make vtysh talk to nobody."""
    run_dir = paths.frr_run
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in run_dir.iterdir():
        stale.unlink()


def daemon_pids(paths: TwinPaths) -> dict[str, int]:
    pids = {daemon: read_pid(_pid_file(paths, daemon)) for daemon in DAEMONS}
    return {daemon: pid for daemon, pid in pids.items() if pid is not None and pid_alive(pid)}


def start(paths: TwinPaths) -> None:
    """Start zebra, then its clients (each daemonises when ready), then load frr.conf through vtysh."""
    paths.frr.mkdir(parents=True, exist_ok=True)
    _prepare_run_dir(paths)
    (paths.frr / "frr.conf").write_text(render_config(paths), encoding="utf-8")
    (paths.frr / "vtysh.conf").write_text("service integrated-vtysh-config\n", encoding="utf-8")
    daemons = [daemon for daemon in DAEMONS if (FRR_LIB / daemon).exists()]
    # zebra first: a client that finds no zserv.api socket retries only after seconds, and routes never reach the
    # kernel in the meantime (measured: "sendmsg_nexthop: zclient_send_message() failed").
    _launch(paths, ["zebra"])
    wait_for(lambda: (paths.frr_run / "zserv.api").exists(), timeout=10, what="zebra's zserv.api socket")
    _launch(paths, [daemon for daemon in daemons if daemon != "zebra"])
    wait_for(lambda: all((paths.frr_run / f"{d}.vty").exists() for d in daemons), timeout=10, what="FRR vty sockets")
    run(["vtysh", "-H", "/dev/null", "--vty_socket", str(paths.frr_run), "--config_dir", str(paths.frr), "-b"])
    wait_for(lambda: _bgpd_attached_to_zebra(paths), timeout=10, what="bgpd to connect to zebra")


def _bgpd_attached_to_zebra(paths: TwinPaths) -> bool:
    """Learned routes reach the kernel only through this session; check it rather than trust the start order."""
    table = vtysh(paths, "show zebra client summary")
    return any(line.split()[:1] == ["bgp"] for line in table.splitlines())


def _launch(paths: TwinPaths, daemons: list[str]) -> None:
    """Start daemons in parallel; each forks into the background once initialised, so exit 0 means running."""
    launched = [
        (daemon, subprocess.Popen(_daemon_argv(paths, daemon), stderr=subprocess.PIPE, text=True)) for daemon in daemons
    ]
    for daemon, process in launched:
        _, stderr = process.communicate(timeout=30)
        if process.returncode != 0:
            raise TwinError(f"FRR {daemon} did not start in tor (exit {process.returncode}): {stderr.strip()}")


def vtysh(paths: TwinPaths, *commands: str, timeout: float = 10) -> str:
    argv = ["vtysh", "-H", "/dev/null", "--vty_socket", str(paths.frr_run)]
    for command in commands:
        argv += ["-c", command]
    return run(argv, timeout=timeout)


def bgp_peers(paths: TwinPaths) -> dict[str, dict[str, object]]:
    """``peers`` of ``show bgp ipv4 unicast summary json``: address -> {state, pfxRcd, ...}; empty if FRR is down."""
    try:
        summary = json.loads(vtysh(paths, "show bgp ipv4 unicast summary json") or "{}")
    except (TwinError, json.JSONDecodeError, subprocess.TimeoutExpired):
        return {}
    return summary.get("peers", {})


def stop(paths: TwinPaths) -> None:
    """SIGINT bgpd and bfdd first, then zebra (so zebra does not outlive its clients), then drop the sockets."""
    pids = daemon_pids(paths)
    clients = [pid for daemon, pid in pids.items() if daemon != "zebra"]
    stop_pids(clients, first_signal=signal.SIGINT, grace=1.0)
    if "zebra" in pids:
        stop_pids([pids["zebra"]], first_signal=signal.SIGINT, grace=1.0)
    if paths.frr_run.is_dir():
        for leftover in paths.frr_run.iterdir():
            leftover.unlink()
