"""TCP and HTTP probes of a LoadBalancer IP, and how the answers spread over backends.

Each flow opens a new TCP connection (so a new source port, which is what the router's L4 multipath hash sees),
sends one ``GET`` and records which backend answered (from a response header, else the first line of the body).
Pure standard library, no Ansible imports; runs on the host the probe must start from (e.g. the FRR router).
"""

from __future__ import annotations

import http.client
import ipaddress
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import Violation, raise_if_any


@dataclass
class ProbeReport:
    address: str
    port: int
    flows: int
    tcp_ok: int = 0
    http_ok: int = 0
    backends: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def spread(self) -> int:
        return len(self.backends)

    def as_dict(self) -> dict[str, object]:
        return {
            "address": self.address,
            "port": self.port,
            "flows": self.flows,
            "tcp_ok": self.tcp_ok,
            "http_ok": self.http_ok,
            "backends": dict(sorted(self.backends.items())),
            "spread": self.spread,
            "errors": self.errors[:10],
            "seconds": round(self.seconds, 3),
        }


def _validate(address: object, port: object, flows: object, timeout: object) -> None:
    violations = []
    try:
        ipaddress.ip_address(str(address))
    except ValueError:
        violations.append(Violation("malformed", f"address {address!r} is not an IP address"))
    # bool is an int in Python: True would quietly mean port 1 or one flow.
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        violations.append(Violation("port-range", f"port {port!r} is outside 1-65535"))
    if isinstance(flows, bool) or not isinstance(flows, int) or not 1 <= flows <= 1000:
        violations.append(Violation("flows-range", f"flows {flows!r} is outside 1-1000"))
    if not isinstance(timeout, (int, float)) or not 0 < timeout <= 60:
        violations.append(Violation("timeout-range", f"timeout {timeout!r} must be above 0 and at most 60 seconds"))
    raise_if_any(violations)


def _one_flow(
    address: str, port: int, path: str, timeout: float, backend_header: str
) -> tuple[bool, Optional[str], str]:
    """Return (tcp connected, backend name or None when HTTP failed, what went wrong)."""
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.connect()
    except OSError:
        return False, None, "no TCP connection"
    try:
        connection.request("GET", path, headers={"Connection": "close", "User-Agent": "calicolab.bgp_lb/lb_http_probe"})
        response = connection.getresponse()
        body = response.read(4096).decode("utf-8", "replace")
        if not 200 <= response.status < 400:
            # The server did answer: say with what, so "503" is not mistaken for a network problem.
            return True, None, f"HTTP {response.status}"
        backend = response.getheader(backend_header) or (body.strip().splitlines() or ["(empty body)"])[0]
        return True, backend, ""
    except (OSError, http.client.HTTPException):
        return True, None, "no valid HTTP answer"
    finally:
        connection.close()


def probe(
    address: str, port: int = 80, flows: int = 1, path: str = "/", timeout: float = 3.0, backend_header: str = ""
) -> ProbeReport:
    """Open ``flows`` fresh connections to ``address:port`` and tally which backend answered each."""
    _validate(address, port, flows, timeout)
    report = ProbeReport(address=str(address), port=port, flows=flows)
    started = time.monotonic()
    for _flow in range(flows):
        connected, backend, problem = _one_flow(str(address), port, path, timeout, backend_header or "X-Served-By")
        report.tcp_ok += connected
        if backend is None:
            report.errors.append(problem)
            continue
        report.http_ok += 1
        report.backends[backend] += 1
    report.seconds = time.monotonic() - started
    return report


def verdict(report: ProbeReport, min_backends: int) -> tuple[bool, str]:
    """Healthy when every flow got an HTTP answer and at least ``min_backends`` backends answered."""
    answered = ", ".join(f"{name}: {count}" for name, count in sorted(report.backends.items())) or "none"
    summary = (
        f"{report.address}:{report.port}: {report.http_ok} of {report.flows} flows answered by "
        f"{report.spread} backend(s) ({answered})"
    )
    if report.tcp_ok == 0:
        return False, f"{summary}; no TCP connection at all: the LB IP is not routed or nothing listens on the port"
    if report.http_ok < report.flows:
        return False, f"{summary}; {report.flows - report.http_ok} flow(s) failed ({report.errors[0]})"
    if report.spread < min_backends:
        return False, (
            f"{summary}; expected at least {min_backends} backends: the router may use a single path "
            "(maximum-paths 1?) or nodes may not advertise the LB CIDR"
        )
    return True, summary
