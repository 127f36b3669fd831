#!/usr/bin/python
# Copyright: calicolab.bgp_lb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: frr_bgp
short_description: Manage BGP ECMP (maximum-paths) of an FRR router through vtysh
version_added: 0.1.0
description:
  - Sets or removes C(maximum-paths N) and C(maximum-paths ibgp N) in one address family of the default-VRF
    C(router bgp) instance of an L(FRR,https://frrouting.org/) router, using C(vtysh) on the router itself
    (a Linux host reached over SSH, or V(localhost)).
  - Reads C(show running-config), computes the minimal change, applies it with B(one) C(vtysh) invocation
    (C(configure terminal) / C(router bgp N) / C(address-family ...) / C(maximum-paths ...) / C(end)),
    then re-reads the running config and fails, quoting vtysh, if the change did not take effect.
  - Touches nothing else. Neighbors, route-maps, static routes, other address families and
    C(router bgp N vrf X) instances stay byte-identical.
  - Never creates a BGP instance and never changes the AS number. The default VRF must already
    run C(router bgp) with O(as_number).
  - FRR omits C(maximum-paths) from the running config when the value equals bgpd's multipath limit (its
    built-in default). The module treats a missing line as that limit, so asking for the limit when no line
    is shown is no change. The limit comes from the C(--enable-multipath) build flag that C(vtysh -h)
    prints (256 in Debian 12's FRR 8.4). If vtysh does not print that flag, the module assumes 64.
options:
  as_number:
    description:
      - AS number of the existing default-VRF C(router bgp) instance, V(1) to V(4294967295).
      - If the router runs a different AS, the module fails and changes nothing.
    type: int
    required: true
  maximum_paths:
    description:
      - Maximum number of eBGP paths to install (C(maximum-paths N)), V(1) up to the FRR build's multipath limit.
      - Leave unset to keep the current eBGP value.
      - With O(state=present), set O(maximum_paths), O(maximum_paths_ibgp) or both.
    type: int
  maximum_paths_ibgp:
    description:
      - Maximum number of iBGP paths to install (C(maximum-paths ibgp N)), same range as O(maximum_paths).
      - Leave unset to keep the current iBGP value. An existing C(equal-cluster-length) flag is kept.
    type: int
  address_family:
    description:
      - Unicast address family whose C(maximum-paths) lines are managed.
    type: str
    choices: [ipv4, ipv6]
    default: ipv4
  state:
    description:
      - V(present) sets the given values.
      - V(absent) removes both C(maximum-paths) lines of O(address_family) so FRR falls back to its default
        (the multipath limit). O(maximum_paths) and O(maximum_paths_ibgp) are ignored.
    type: str
    choices: [present, absent]
    default: present
  vtysh_path:
    description:
      - The C(vtysh) binary, as a name looked up in E(PATH) or as an absolute path.
    type: str
    default: vtysh
  vty_socket:
    description:
      - Directory holding the daemons' C(.vty) sockets, passed as C(vtysh --vty_socket).
      - Use this for FRR instances that do not live in the default run directory (for example
        one started inside a network namespace).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the running config and returns the commands it would send. It sends nothing.
  diff_mode:
    support: full
    details: The diff is the default-VRF C(router bgp) block before and after. In check mode, RV(after) is a prediction.
  platform:
    support: full
    platforms: FRR on Linux
    details:
      - Runs on the FRR host itself.
      - Needs C(vtysh) and permission to use the vty sockets (root or the frrvty group).
notes:
  - Tested with FRR 8.4.4 on Debian 12.
  - The collection C(frr.frr) is no longer shipped with Ansible and never managed C(maximum-paths).
    That is why this module exists.
  - If bgpd was started with C(-e N) (a run-time ECMP limit lower than the build's), values above N are rejected
    by vtysh and the module fails quoting it.
seealso:
  - name: FRR BGP documentation
    description: The C(maximum-paths) commands.
    link: https://docs.frrouting.org/en/latest/bgp.html
author: calicolab.bgp_lb contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Let the ToR spread traffic to the LoadBalancer IPs over up to 4 Calico nodes
  calicolab.bgp_lb.frr_bgp:
    as_number: 65001
    maximum_paths: 4

- name: Same, for an FRR instance whose vty sockets live in a lab directory
  calicolab.bgp_lb.frr_bgp:
    as_number: 65001
    maximum_paths: 4
    vty_socket: /srv/lab/tor/run

- name: IPv6, eBGP and iBGP
  calicolab.bgp_lb.frr_bgp:
    as_number: 65001
    address_family: ipv6
    maximum_paths: 8
    maximum_paths_ibgp: 8

- name: Back to FRR's default (remove our maximum-paths lines)
  calicolab.bgp_lb.frr_bgp:
    as_number: 65001
    state: absent
"""

RETURN = r"""
commands:
  description: Config lines sent between C(configure terminal) and C(end). The list is empty when nothing had to change.
  returned: success
  type: list
  elements: str
  sample: ["router bgp 65001", "address-family ipv4 unicast", "maximum-paths 4"]
before:
  description: The default-VRF C(router bgp) block of the running config before the change.
  returned: success
  type: str
  sample: |
    router bgp 65001
     bgp router-id 10.10.10.1
     no bgp ebgp-requires-policy
     neighbor CALICO-K8S peer-group
     neighbor CALICO-K8S remote-as 65010
     bgp listen range 10.10.10.0/24 peer-group CALICO-K8S
     !
     address-family ipv4 unicast
      network 10.10.10.0/24
      maximum-paths 1
     exit-address-family
    exit
after:
  description:
    - The same block after the change, as re-read from the router.
    - In check mode this is predicted, in FRR's print order.
  returned: success
  type: str
  sample: |
    router bgp 65001
     bgp router-id 10.10.10.1
     no bgp ebgp-requires-policy
     neighbor CALICO-K8S peer-group
     neighbor CALICO-K8S remote-as 65010
     bgp listen range 10.10.10.0/24 peer-group CALICO-K8S
     !
     address-family ipv4 unicast
      network 10.10.10.0/24
      maximum-paths 4
     exit-address-family
    exit
diff:
  description: RV(before) and RV(after), for C(--diff).
  returned: when diff mode is on
  type: dict
  sample:
    before: |
      router bgp 65001
       bgp router-id 10.10.10.1
       no bgp ebgp-requires-policy
       neighbor CALICO-K8S peer-group
       neighbor CALICO-K8S remote-as 65010
       bgp listen range 10.10.10.0/24 peer-group CALICO-K8S
       !
       address-family ipv4 unicast
        network 10.10.10.0/24
        maximum-paths 1
       exit-address-family
      exit
    after: |
      router bgp 65001
       bgp router-id 10.10.10.1
       no bgp ebgp-requires-policy
       neighbor CALICO-K8S peer-group
       neighbor CALICO-K8S remote-as 65010
       bgp listen range 10.10.10.0/24 peer-group CALICO-K8S
       !
       address-family ipv4 unicast
        network 10.10.10.0/24
        maximum-paths 4
       exit-address-family
      exit
maximum_paths:
  description:
    - Effective eBGP maximum-paths of O(address_family) after the run.
    - This is the multipath limit when no line is configured.
  returned: success
  type: int
  sample: 4
maximum_paths_ibgp:
  description: Effective iBGP maximum-paths of O(address_family) after the run.
  returned: success
  type: int
  sample: 256
multipath_limit:
  description: The FRR build's multipath limit used for validation and as the default value.
  returned: success
  type: int
  sample: 256
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.frr_config import (
    EcmpPlan,
    EcmpRequest,
    FrrConfigError,
    apply_commands,
    bgp_block_text,
    convergence_problems,
    parse_multipath_limit,
    parse_running_config,
    plan_ecmp,
    vtysh_argv,
)

ARGUMENT_SPEC = {
    "as_number": {"type": "int", "required": True},
    "maximum_paths": {"type": "int"},
    "maximum_paths_ibgp": {"type": "int"},
    "address_family": {"type": "str", "choices": ["ipv4", "ipv6"], "default": "ipv4"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "vtysh_path": {"type": "str", "default": "vtysh"},
    "vty_socket": {"type": "path"},
}


class VtyshFailed(Exception):
    """vtysh exited non-zero; the message quotes what it printed."""


def _vtysh(module: AnsibleModule, vtysh: str, commands: list[str]) -> str:
    argv = vtysh_argv(vtysh, module.params["vty_socket"], commands)
    rc, out, err = module.run_command(argv)
    if rc != 0:
        raise VtyshFailed(f"vtysh failed (rc={rc}) running {commands!r}: {(out + err).strip()}")
    return out


def _multipath_limit(module: AnsibleModule, vtysh: str) -> int:
    # `vtysh -h` prints the build flags without talking to any daemon, so it is cheap and always safe.
    _rc, out, err = module.run_command([vtysh, "-h"])
    return parse_multipath_limit(out + err)


def _request(params: dict) -> EcmpRequest:
    return EcmpRequest(
        as_number=params["as_number"],
        maximum_paths=params["maximum_paths"],
        maximum_paths_ibgp=params["maximum_paths_ibgp"],
        address_family=params["address_family"],
        state=params["state"],
    )


def _apply(module: AnsibleModule, vtysh: str, plan: EcmpPlan, request: EcmpRequest, limit: int) -> str:
    """Send the plan in one vtysh call, then prove it landed by re-reading the running config."""
    output = _vtysh(module, vtysh, apply_commands(plan.config_lines))
    config = parse_running_config(_vtysh(module, vtysh, ["show running-config"]))
    problems = convergence_problems(config, request, limit)
    if problems:
        summary = "; ".join(problems)
        raise VtyshFailed(f"vtysh accepted {plan.config_lines!r} but {summary}; vtysh said: {output.strip()!r}")
    return bgp_block_text(config, request.as_number)


def run(module: AnsibleModule) -> dict:
    vtysh = module.get_bin_path(module.params["vtysh_path"], required=True)
    limit = _multipath_limit(module, vtysh)
    request = _request(module.params)
    plan = plan_ecmp(parse_running_config(_vtysh(module, vtysh, ["show running-config"])), request, limit)
    after = plan.after
    if plan.changed and not module.check_mode:
        after = _apply(module, vtysh, plan, request, limit)
    result = {"changed": plan.changed, "commands": plan.config_lines, "before": plan.before, "after": after}
    result.update(maximum_paths=plan.maximum_paths, maximum_paths_ibgp=plan.maximum_paths_ibgp, multipath_limit=limit)
    if module._diff:
        result["diff"] = {"before": plan.before, "after": after}
    return result


def main() -> None:
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
        required_if=[("state", "present", ("maximum_paths", "maximum_paths_ibgp"), True)],
    )
    try:
        result = run(module)
    except FrrConfigError as exc:
        module.fail_json(msg=str(exc), violations=exc.violations)
    except VtyshFailed as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
