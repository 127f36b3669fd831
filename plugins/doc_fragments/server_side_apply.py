# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """The option of the actions that write by server-side apply under the field manager calicolab.bgp_lb."""

    DOCUMENTATION = r"""
options:
  force_conflicts:
    description: Take over fields another field manager owns with another value (server-side apply with force). Off,
      such a conflict fails the task and names each field.
    type: bool
    default: false
"""
