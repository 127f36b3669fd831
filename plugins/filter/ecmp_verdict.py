# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ``ecmp_verdict`` (the ecmp_route_check verdict, for ``until`` loops) and ``vtysh_outputs`` (one vtysh
call's outputs, one per command); docs: ecmp_verdict.yml and vtysh_outputs.yml.

A retry loop has to re-read the router on every attempt, so the read is the looping task and this filter is its
``until`` condition; the same pure code as the module (module_utils.route_check) judges the output.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.route_check import split_command_outputs, verify_route
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError


def ecmp_verdict(route: Any, platform: str, prefix: str, **expectations: Any) -> dict[str, Any]:
    try:
        return verify_route(platform=platform, route=route, prefix=prefix, **expectations).as_dict()
    except ValidationError as error:
        raise AnsibleFilterError(f"ecmp_verdict: {error.message}") from error


class FilterModule:
    """Route verdicts for the calicolab.bgp_lb verification role."""

    def filters(self) -> dict[str, object]:
        return {"ecmp_verdict": ecmp_verdict, "vtysh_outputs": split_command_outputs}
