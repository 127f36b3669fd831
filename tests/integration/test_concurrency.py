"""Concurrent runs: two bgp_advertisement runs adding different CIDRs to serviceLoadBalancerIPs both win.

The role writes BGPConfiguration default with a replace (PUT) that carries the resourceVersion it read, so the
slower of two writers gets 409 Conflict and must re-read and re-merge. A lost update would show as one of the two
CIDRs missing afterwards. The 409s are counted from the API server's audit log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Twin, api_put, start_playbook, wait_for_audit, write_playbook

pytestmark = [pytest.mark.root, pytest.mark.twin]

BGP_CONFIGURATION = "/apis/projectcalico.org/v3/bgpconfigurations/default"
ROUNDS = 10


def advertised(twin: Twin) -> list[str]:
    spec = twin.api.get(BGP_CONFIGURATION)["spec"]
    return [entry["cidr"] for entry in spec.get("serviceLoadBalancerIPs", [])]


def conflicts(entries: list[dict]) -> int:
    return sum(1 for entry in entries if entry["path"] == BGP_CONFIGURATION and entry["code"] == 409)


@pytest.fixture(scope="module")
def advert_playbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Only the bgp_advertisement role, the way site.yml's Kubernetes play runs it."""
    play = {
        "name": "Advertise LoadBalancer CIDRs",
        "hosts": "k8s_api",
        "gather_facts": False,
        "roles": [{"role": "calicolab.bgp_lb.bgp_advertisement"}],
    }
    return write_playbook(tmp_path_factory.mktemp("concurrency"), [play], "advertise.yml")


def run_together(playbook: Path, logs: Path, cidr_sets: list[list[str]]) -> list[tuple[int, str]]:
    runs = []
    for index, cidrs in enumerate(cidr_sets):
        log = logs / f"run{index}.log"
        runs.append((start_playbook(playbook, log, extra_vars={"bgp_advertisement_cidrs": cidrs}), log))
    return [(process.wait(timeout=300), log.read_text()) for process, log in runs]


@pytest.mark.parametrize("round_number", [pytest.param(number, id=f"round-{number}") for number in range(ROUNDS)])
def test_two_simultaneous_runs_keep_both_cidrs(
    module_twin: Twin, advert_playbook: Path, tmp_path: Path, round_number: int, record_property
):
    mine, theirs = f"172.17.{round_number}.0/28", f"172.17.{round_number}.16/28"
    before = advertised(module_twin)
    mark = module_twin.audit_mark()

    results = run_together(advert_playbook, tmp_path, [[mine], [theirs]])

    for returncode, output in results:
        assert returncode == 0, output[-3000:]
    after = advertised(module_twin)
    assert [cidr for cidr in [*before, mine, theirs] if cidr not in after] == [], "lost update"
    assert len(after) == len(set(after)) == len(before) + 2
    retries = conflicts(module_twin.audit_since(mark))
    record_property("conflicts_409", retries)
    print(f"round {round_number}: {retries} write(s) got 409 Conflict and were retried")


def test_a_write_between_our_read_and_our_write_is_kept(module_twin: Twin, advert_playbook: Path, tmp_path: Path):
    """Deterministic race: another client changes the object right after the role read it."""
    ours, foreign = "172.17.100.0/28", "172.17.200.0/28"
    mark = module_twin.audit_mark()
    process = start_playbook(advert_playbook, tmp_path / "run.log", extra_vars={"bgp_advertisement_cidrs": [ours]})
    wait_for_audit(
        module_twin,
        mark,
        lambda entry: entry["path"] == BGP_CONFIGURATION and entry["method"] == "GET",
        process=process,
    )
    # The role now holds the old resourceVersion; this write makes the role's PUT stale.
    current = module_twin.api.get(BGP_CONFIGURATION)
    current["spec"].setdefault("serviceLoadBalancerIPs", []).append({"cidr": foreign})
    api_put(module_twin.api, BGP_CONFIGURATION, current)

    assert process.wait(timeout=300) == 0, (tmp_path / "run.log").read_text()[-3000:]
    after = advertised(module_twin)
    assert ours in after
    assert foreign in after
    assert conflicts(module_twin.audit_since(mark)) >= 1, "the role's first write should have met 409 Conflict"
