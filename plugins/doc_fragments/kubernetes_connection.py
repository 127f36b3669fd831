# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """The connection options and attributes of the actions that read or write Kubernetes.

    Modules extend ansible.builtin.action_common_attributes and its .flow first (the attributes' descriptions).
    """

    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to the kubeconfig, or its content as a dict, as for M(kubernetes.core.k8s). Without it,
        E(K8S_AUTH_KUBECONFIG), E(KUBECONFIG) or C(~/.kube/config), as kubernetes.core finds it.
      - The kubeconfig holds every connection setting (server, CA, token, client certificate, exec or OIDC
        credentials); TLS is always verified against its certificate authority.
    type: raw
  context:
    description: The kubeconfig context to use (E(K8S_AUTH_CONTEXT), else the kubeconfig's current context).
    type: str
  request_timeout:
    description:
      - Seconds each request to kube-apiserver may take, from connecting to the last byte of the answer. A request
        is sent once, never retried, so an API server that accepts the connection and then says nothing (overloaded,
        frozen, behind a firewall that drops the packets) ends the task within this bound, with a message that names
        the API server's URL; kubernetes.core's lookup and modules have no such bound.
    type: float
    default: 10.0
attributes:
  action:
    support: full
    details: It runs in the controller as an action plugin, with the Python C(kubernetes) client kubernetes.core uses.
  async:
    support: none
  bypass_host_loop:
    support: none
  platform:
    platforms: all
requirements:
  - kubernetes >= 24.2.0 (the Python client kubernetes.core uses)
"""
