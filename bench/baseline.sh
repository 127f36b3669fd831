#!/usr/bin/env bash
# The lab's steps done by hand, as fast as a person's script can do them: the baseline site.yml is measured against.
# kubectl apply of the IPPool and the Service, kubectl patch of BGPConfiguration default, wait for the external IP,
# `maximum-paths 4` with vtysh over SSH on the router, wait for the ECMP route in the kernel of `tor`.
# No validation, no verification report: only what is needed to reach the same end state.
# Usage: bench/baseline.sh [NEXT_HOPS]   (needs root and a twin that is up)
set -euo pipefail
HOPS=${1:-3}
PATHS=${2:-4}
REPO=$(cd "$(dirname "$0")/.." && pwd)
KUBECTL=(kubectl --kubeconfig "$REPO/.twin/kubeconfig")
PREFIX=172.16.0.240/28

"${KUBECTL[@]}" apply --validate=false -f - >/dev/null <<'YAML'
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: loadbalancer-ip-pool
spec:
  cidr: 172.16.0.240/28
  blockSize: 28
  natOutgoing: true
  allowedUses: [LoadBalancer]
  assignmentMode: Automatic
---
apiVersion: v1
kind: Service
metadata:
  name: lb-nginx-service
  namespace: default
spec:
  type: LoadBalancer
  selector:
    app: nginx
  ports:
    - name: default
      port: 80
      targetPort: 80
      protocol: TCP
YAML
"${KUBECTL[@]}" patch bgpconfigurations.projectcalico.org default --type merge \
  -p '{"spec":{"asNumber":65010,"nodeToNodeMeshEnabled":false,"serviceLoadBalancerIPs":[{"cidr":"172.16.0.240/28"}]}}' \
  >/dev/null

# Same poll interval as the lb_service role (0.25 s).
until [ -n "$("${KUBECTL[@]}" get service lb-nginx-service -o jsonpath='{.status.loadBalancer.ingress[0].ip}')" ]; do
  sleep 0.25
done

ssh -F "$REPO/.twin/ssh/config" tor vtysh -H /dev/null -c "'configure terminal'" -c "'router bgp 65001'" \
  -c "'address-family ipv4 unicast'" -c "'maximum-paths $PATHS'" >/dev/null

until [ "$(ip -n tor route show "$PREFIX" | grep -c nexthop)" -ge "$HOPS" ]; do
  sleep 0.05
done
