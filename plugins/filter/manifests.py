# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ``manifest_drift`` (the fields of a manifest a live object does not hold yet) and ``drifted_manifests``
(the manifests whose write would change something); docs in manifest_drift.yml and drifted_manifests.yml."""

from __future__ import annotations

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.manifest_drift import (
    drifted_manifests,
    manifest_drift,
)


class FilterModule:
    """Manifest comparison for the calicolab.bgp_lb roles."""

    def filters(self) -> dict[str, object]:
        return {"manifest_drift": manifest_drift, "drifted_manifests": drifted_manifests}
