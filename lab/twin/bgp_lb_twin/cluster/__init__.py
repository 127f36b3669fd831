"""The twin's control plane: the real etcd, kube-apiserver and Calico components as processes (no kubelet, no pods).

``layout`` says where everything lives and who is who, ``processes`` starts and stops the daemons, ``bootstrap``
makes the cluster what an operator install leaves (CRDs, RBAC, identities, the aggregated Calico API) and ``seed``
adds what the lab's deploy script does (nodes, pools, BGP, nginx).
"""
