# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """The advertisement options lb_advert_spec (computes the merge) and lb_advert_apply (writes it) share."""

    DOCUMENTATION = r"""
options:
  cidrs:
    description: The CIDRs to advertise (O(state=present)) or to stop advertising (O(state=absent)).
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) adds the missing CIDRs; V(absent) removes only these CIDRs and leaves other entries alone.
    type: str
    choices: [present, absent]
    default: present
  as_number:
    description: Sets C(spec.asNumber), the cluster's default AS. When omitted, the current value is kept.
    type: int
  node_to_node_mesh:
    description:
      - Sets C(spec.nodeToNodeMeshEnabled). When omitted, the current value is kept.
      - With V(false), C(nodeMeshPassword) and C(nodeMeshMaxRestartTime) must not be set (Calico rejects them).
    type: bool
  log_severity:
    description: Sets C(spec.logSeverityScreen). When omitted, the current value is kept.
    type: str
    choices: [Debug, Info, Warning, Error, Fatal]
"""
