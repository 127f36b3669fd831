"""Pure tables for the patch flavours and the selector languages."""

from __future__ import annotations

import pytest

from bgp_lb_twin.control_plane.errors import ApiError
from bgp_lb_twin.control_plane.patches import json_patch, merge_patch, strategic_merge_patch
from bgp_lb_twin.control_plane.selectors import (
    CalicoSelectorError,
    parse_calico_selector,
    parse_label_selector,
)

CONTAINERS = {"spec": {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]}}


@pytest.mark.parametrize(
    ("target", "patch", "expected"),
    [
        pytest.param({"a": {"b": 1, "c": 2}}, {"a": {"b": None}}, {"a": {"c": 2}}, id="null-deletes"),
        pytest.param({"a": [1, 2]}, {"a": [3]}, {"a": [3]}, id="lists-replace"),
        pytest.param({"a": 1}, {"b": {"c": 1}}, {"a": 1, "b": {"c": 1}}, id="adds-nested"),
    ],
)
def test_merge_patch(target: dict, patch: dict, expected: dict):
    assert merge_patch(target, patch) == expected


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        pytest.param(
            {"spec": {"containers": [{"name": "b", "image": "y:2"}]}},
            [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:2"}],
            id="merge-by-name",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}},
            [{"name": "b", "image": "y:1"}],
            id="delete-directive",
        ),
        pytest.param(
            {"spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "c"}]}},
            [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}, {"name": "c"}],
            id="append-and-ignore-element-order",
        ),
    ],
)
def test_strategic_merge_patch_keyed_lists(patch: dict, expected: list):
    assert strategic_merge_patch(CONTAINERS, patch)["spec"]["containers"] == expected


def test_strategic_merge_patch_replace_directive():
    patched = strategic_merge_patch({"spec": {"a": 1, "b": 2}}, {"spec": {"$patch": "replace", "c": 3}})
    assert patched == {"spec": {"c": 3}}


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        pytest.param([{"op": "add", "path": "/list/-", "value": 3}], {"list": [1, 2, 3], "m": {"k": "v"}}, id="append"),
        pytest.param([{"op": "remove", "path": "/m/k"}], {"list": [1, 2], "m": {}}, id="remove"),
        pytest.param(
            [{"op": "replace", "path": "/list/0", "value": 9}], {"list": [9, 2], "m": {"k": "v"}}, id="replace"
        ),
        pytest.param([{"op": "move", "from": "/m/k", "path": "/n"}], {"list": [1, 2], "m": {}, "n": "v"}, id="move"),
        pytest.param(
            [{"op": "test", "path": "/m/k", "value": "v"}, {"op": "copy", "from": "/m", "path": "/o"}],
            {"list": [1, 2], "m": {"k": "v"}, "o": {"k": "v"}},
            id="test-then-copy",
        ),
        pytest.param(
            [{"op": "add", "path": "/a~1b", "value": 1}],
            {"list": [1, 2], "m": {"k": "v"}, "a/b": 1},
            id="escaped-pointer",
        ),
    ],
)
def test_json_patch(operations: list, expected: dict):
    assert json_patch({"list": [1, 2], "m": {"k": "v"}}, operations) == expected


@pytest.mark.parametrize(
    "operations",
    [
        pytest.param([{"op": "test", "path": "/m/k", "value": "other"}], id="failed-test"),
        pytest.param([{"op": "remove", "path": "/missing"}], id="missing-path"),
    ],
)
def test_json_patch_failures_are_422(operations: list):
    with pytest.raises(ApiError) as raised:
        json_patch({"m": {"k": "v"}}, operations)
    assert raised.value.code == 422


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        pytest.param("", {}, True, id="empty-matches-all"),
        pytest.param("a in (x, y)", {"a": "y"}, True, id="in-with-spaces"),
        pytest.param("a notin (x)", {}, True, id="notin-absent-key"),
        pytest.param("a,!b", {"a": "1", "b": "2"}, False, id="exists-and-not-exists"),
    ],
)
def test_label_selector(selector: str, labels: dict, expected: bool):
    assert parse_label_selector(selector)(labels) is expected


def test_label_selector_rejects_garbage():
    with pytest.raises(ApiError, match="unable to parse requirement"):
        parse_label_selector("a in x")


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        pytest.param("all()", {}, True, id="all"),
        pytest.param("", {}, True, id="empty"),
        pytest.param("has(edge)", {"edge": ""}, True, id="has"),
        pytest.param("!has(edge)", {"edge": ""}, False, id="not-has"),
        pytest.param("rack == 'r1' || rack == 'r2'", {"rack": "r2"}, True, id="or"),
        pytest.param("rack in {'r1', 'r3'}", {"rack": "r2"}, False, id="in-set"),
        pytest.param("rack not in {'r1'} && (has(a) || has(b))", {"rack": "r2", "b": "1"}, True, id="nested"),
    ],
)
def test_calico_selector(selector: str, labels: dict, expected: bool):
    assert parse_calico_selector(selector)(labels) is expected


@pytest.mark.parametrize(
    "selector",
    [
        pytest.param("has(", id="unclosed"),
        pytest.param("a = 'b'", id="single-equals"),
        pytest.param("a == b", id="unquoted"),
    ],
)
def test_calico_selector_rejects_unsupported_syntax(selector: str):
    with pytest.raises(CalicoSelectorError):
        parse_calico_selector(selector)
