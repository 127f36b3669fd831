"""Bad input, nothing written: every bad role input fails site.yml before its first write, and says why.

The corpus lives in bad_inputs.yml. One twin serves the whole corpus: a failing run must leave it exactly as it
was, which is the property under test, so each case checks it (audit log, API objects, router running-config)
instead of resetting.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import Twin, api_post, api_write, problem_messages, restart_twin, run_playbook

pytestmark = [pytest.mark.root, pytest.mark.twin]

CORPUS = yaml.safe_load((Path(__file__).parent / "bad_inputs.yml").read_text())["cases"]
POOLS = "/apis/projectcalico.org/v3/ippools"

# States a case can ask for, created through the API (around the collection) and removed after the case.
SEEDS = {
    "existing-pool": (
        POOLS,
        {
            "apiVersion": "projectcalico.org/v3",
            "kind": "IPPool",
            "metadata": {"name": "loadbalancer-ip-pool"},
            "spec": {
                "cidr": "172.16.0.240/28",
                "blockSize": 28,
                "allowedUses": ["LoadBalancer"],
                "assignmentMode": "Automatic",
                "nodeSelector": "all()",
                "natOutgoing": True,
            },
        },
    ),
}


def test_the_corpus_is_large_and_every_case_names_what_it_expects():
    assert len(CORPUS) >= 40
    assert len({case["id"] for case in CORPUS}) == len(CORPUS)
    assert all(case["expect"] and isinstance(case["vars"], dict) for case in CORPUS)


@pytest.mark.parametrize("case", [pytest.param(case, id=case["id"]) for case in CORPUS])
def test_bad_input_fails_before_the_first_write_naming_variable_value_and_rule(module_twin: Twin, case: dict):
    if case.get("seed"):
        collection, body = SEEDS[case["seed"]]
        api_post(module_twin.api, collection, body)
    api_before, router_before = module_twin.api.snapshot(), module_twin.running_config()
    mark = module_twin.audit_mark()

    run = run_playbook("site.yml", extra_vars=case["vars"], timeout=300)

    writes = module_twin.real_writes(module_twin.audit_since(mark))
    api_after, router_after = module_twin.api.snapshot(), module_twin.running_config()
    if writes or api_after != api_before or router_after != router_before:
        restart_twin(module_twin)  # so that one leaking case cannot fail the rest of the corpus
    elif case.get("seed"):
        code, answer = api_write(module_twin.api, "DELETE", f"{collection}/{body['metadata']['name']}")
        assert code < 300, answer
    messages = "\n".join(problem_messages(run)) or run.stdout[-2000:] + run.stderr[-2000:]
    assert run.returncode != 0, messages
    assert writes == [], "a bad input must fail before any write"
    assert router_after == router_before
    assert api_after == api_before
    missing = [text for text in case["expect"] if text.lower() not in messages.lower()]
    assert missing == [], f"the failure does not say {missing}:\n{messages}"
    assert "Traceback" not in run.stdout + run.stderr
