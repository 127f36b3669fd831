#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_verify_report
short_description: Write a verification report as JSON and Markdown on the controller
description:
  - Writes C(<dir>/<name>.json) (the report as data, for monitoring jobs) and C(<dir>/<name>.md) (for people) on the
    Ansible controller, creating the directory when needed. Each file is written to a temporary name and renamed into
    place, so a reader never sees half a report.
  - Used by the C(calicolab.bgp_lb.lb_verify) role; one task instead of a directory, a copy and a template task.
  - A report is output, not a change to the lab, so the task never reports C(changed); it writes in check mode too.
version_added: 0.2.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  dir:
    description: Directory on the controller for the report files.
    type: path
    required: true
  name:
    description: File name without extension; C(/) is not allowed.
    type: str
    required: true
  report:
    description: The report as data, written as indented JSON.
    type: dict
    required: true
  markdown:
    description: The report for people, written as given.
    type: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.controller_action
seealso:
  - module: calicolab.bgp_lb.ecmp_route_check
"""

EXAMPLES = r"""
- name: Write the report
  calicolab.bgp_lb.lb_verify_report:
    dir: reports/lb_verify
    name: "lb_verify-{{ inventory_hostname }}"
    report: "{{ my_report }}"
    markdown: "{{ lookup('ansible.builtin.template', 'report.md.j2') }}"
"""

RETURN = r"""
json_path:
  description: Absolute path of the JSON report.
  returned: success
  type: str
  sample: /srv/automation/reports/lb_verify/lb_verify-20261205T050000Z-tor.json
markdown_path:
  description: Absolute path of the Markdown report.
  returned: success
  type: str
  sample: /srv/automation/reports/lb_verify/lb_verify-20261205T050000Z-tor.md
"""
