# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``text_for_structure``: lists and mappings that arrived as text from ``-e name=value`` (docs: beside)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def text_for_structure(variables: Mapping[str, Any]) -> list[str]:
    """One message per variable whose value is a string where a list or mapping is due.

    ``-e name=value`` gives every value as text, so ``-e 'bgp_advertisement_cidrs=[172.16.0.240/28]'`` is the string
    ``"[172.16.0.240/28]"``; Ansible's argument spec would split it at commas into fragments such as
    ``"[172.16.0.240/28"``. The user needs to hear to pass JSON instead, not that each fragment is a malformed CIDR.
    """
    messages = []
    for name, value in variables.items():
        if isinstance(value, str):
            example = json.dumps({name: "..."}).replace('"..."', "[...]" if value.lstrip()[:1] != "{" else "{...}")
            messages.append(
                f"{name} was given as the text {value!r}, not as a list or mapping: -e name=value passes strings; "
                f"pass it as JSON or YAML instead: -e '{example}'"
            )
    return messages


class FilterModule:
    """Input checks for the calicolab.bgp_lb roles."""

    def filters(self) -> dict[str, object]:
        return {"text_for_structure": text_for_structure}
