# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """The connection options of the modules that talk to kube-apiserver through kubernetes.core's client."""

    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to the kubeconfig, or its content as a dict, as for M(kubernetes.core.k8s). Without it, kubernetes.core's
        client takes E(K8S_AUTH_KUBECONFIG) or C(~/.kube/config).
      - Every other connection setting comes from kubernetes.core's E(K8S_AUTH_*) environment variables.
    type: raw
  context:
    description: The kubeconfig context to use (E(K8S_AUTH_CONTEXT) when omitted).
    type: str
"""
