"""sshd in ``tor``: the router is managed like a Linux FRR box, over a management link, with keys in .twin/ssh/."""

from __future__ import annotations

from pathlib import Path

from bgp_lb_twin.network import TOR, ManagementLink
from bgp_lb_twin.paths import TwinPaths
from bgp_lb_twin.proc import in_netns, pid_alive, read_pid, run, wait_for

SSH_PORT = 22
SSH_USER = "root"


def host_key(paths: TwinPaths) -> Path:
    return paths.ssh / "ssh_host_ed25519_key"


def client_key(paths: TwinPaths) -> Path:
    return paths.ssh / "id_ed25519"


def known_hosts(paths: TwinPaths) -> Path:
    return paths.ssh / "known_hosts"


def client_config(paths: TwinPaths) -> Path:
    return paths.ssh / "config"


def pid_file(paths: TwinPaths) -> Path:
    return paths.ssh / "sshd.pid"


def _ensure_key(path: Path, comment: str) -> None:
    """Keys survive ``down``/``up`` so known_hosts and users' copies stay valid."""
    if not path.exists():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)])


def ensure_keys(paths: TwinPaths) -> None:
    paths.ssh.mkdir(parents=True, exist_ok=True)
    paths.ssh.chmod(0o700)  # sshd's StrictModes refuses keys in group/world-writable places
    _ensure_key(host_key(paths), "bgp-lb-twin tor host key")
    _ensure_key(client_key(paths), "bgp-lb-twin operator")
    (paths.ssh / "authorized_keys").write_text(
        Path(f"{client_key(paths)}.pub").read_text(encoding="utf-8"), encoding="utf-8"
    )


def render_sshd_config(paths: TwinPaths, mgmt: ManagementLink) -> str:
    return "\n".join(
        [
            f"ListenAddress {mgmt.tor_address}",
            f"Port {SSH_PORT}",
            f"HostKey {host_key(paths)}",
            f"PidFile {pid_file(paths)}",
            f"AuthorizedKeysFile {paths.ssh / 'authorized_keys'}",
            "PermitRootLogin prohibit-password",
            # The state dir may live under /tmp (tests), which StrictModes rejects; .twin/ssh itself is 0700 root.
            "StrictModes no",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",  # PAM would want systemd-logind and the host's session stack
            "PrintMotd no",
            "PrintLastLog no",
            "X11Forwarding no",
            "",
        ]
    )


def render_client_config(paths: TwinPaths, mgmt: ManagementLink) -> str:
    return "\n".join(
        [
            f"Host {TOR}",
            f"  HostName {mgmt.tor_address}",
            f"  Port {SSH_PORT}",
            f"  User {SSH_USER}",
            f"  IdentityFile {client_key(paths)}",
            "  IdentitiesOnly yes",
            f"  UserKnownHostsFile {known_hosts(paths)}",
            "  GlobalKnownHostsFile /dev/null",
            "  StrictHostKeyChecking yes",
            "  LogLevel ERROR",
            "",
        ]
    )


def write_configs(paths: TwinPaths, mgmt: ManagementLink) -> None:
    (paths.ssh / "sshd_config").write_text(render_sshd_config(paths, mgmt), encoding="utf-8")
    client_config(paths).write_text(render_client_config(paths, mgmt), encoding="utf-8")
    public = Path(f"{host_key(paths)}.pub").read_text(encoding="utf-8").split()
    known_hosts(paths).write_text(f"{TOR},{mgmt.tor_address} {public[0]} {public[1]}\n", encoding="utf-8")


def start(paths: TwinPaths, mgmt: ManagementLink) -> None:
    """sshd gets its own mount namespace: a private /run (for /run/sshd) with FRR's sockets at /run/frr,
    so a plain ``vtysh`` in an ssh session finds the daemons; its own UTS namespace names the box ``tor``."""
    ensure_keys(paths)
    write_configs(paths, mgmt)
    script = " && ".join(
        [
            f"hostname {TOR}",
            "mount -t tmpfs tmpfs /run",
            "mkdir -p /run/sshd /run/frr",
            f"mount --bind {paths.frr_run} /run/frr",
            f"exec /usr/sbin/sshd -f {paths.ssh / 'sshd_config'} -E {paths.logs / 'sshd.log'}",
        ]
    )
    run(in_netns(TOR, ["unshare", "--uts", "--mount", "--propagation", "private", "sh", "-c", script]))
    wait_for(lambda: sshd_pid(paths), timeout=5, what="sshd in tor to write its pid file")


def sshd_pid(paths: TwinPaths) -> int | None:
    pid = read_pid(pid_file(paths))
    return pid if pid is not None and pid_alive(pid) else None


def ssh_command(paths: TwinPaths) -> str:
    return f"ssh -F {client_config(paths)} {TOR}"
