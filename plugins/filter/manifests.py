# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``manifest_drift``: the fields of a manifest a live object does not hold yet (docs: manifest_drift.yml)."""

from __future__ import annotations

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.manifest_drift import manifest_drift


class FilterModule:
    """Manifest comparison for the calicolab.bgp_lb roles."""

    def filters(self) -> dict[str, object]:
        return {"manifest_drift": manifest_drift}
