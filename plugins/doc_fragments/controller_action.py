# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """What every pure computation of the collection shares: it runs in the controller and changes nothing.

    Modules extend ansible.builtin.action_common_attributes and its .flow first (the attributes' descriptions).
    """

    DOCUMENTATION = r"""
attributes:
  action:
    support: full
    details: It runs in the controller as an action plugin; it needs no connection to the host and no Python there.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: It only computes, so check mode and a normal run return the same.
  diff_mode:
    support: none
  platform:
    platforms: all
notes:
  - Options are converted by the argument spec as a module's are, so values given as strings (C(-e name=value))
    are accepted where they are valid numbers or booleans.
"""
