#!/usr/bin/env bash
# make demo: the lab on the twin, end to end — set up if needed, start the twin, run site.yml, then show what a
# network engineer would look at: the router's route with its ECMP next hops, and who answers on the LB IP.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin

if [ "$(id -u)" != 0 ]; then
  echo "make demo needs root (the twin builds network namespaces): run it with sudo." >&2
  exit 2
fi
[ -x "$BIN/bgp-lb-twin" ] || tools/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. the twin lab (namespaces, FRR, etcd, kube-apiserver, Calico's API server, kube-controllers, confd + BIRD per node)"
"$BIN/bgp-lb-twin" up

step "2. ansible-playbook site.yml"
"$BIN/ansible-playbook" site.yml

vtysh=(vtysh -H /dev/null --vty_socket .twin/frr/run)
lb_ip=$(KUBECONFIG=.twin/kubeconfig kubectl get service lb-nginx-service -o jsonpath='{.status.loadBalancer.ingress[0].ip}')

step "3. the router's view: BGP sessions and the LoadBalancer route"
"${vtysh[@]}" -c 'show bgp ipv4 unicast summary'
"${vtysh[@]}" -c 'show ip route 172.16.0.240/28'
echo "kernel FIB on tor:"
ip -n tor route show 172.16.0.240/28

step "4. HTTP from the router to $lb_ip (fresh source port each time)"
for attempt in $(seq 1 6); do
  printf '  request %d answered by: ' "$attempt"
  ip netns exec tor curl -s --max-time 2 "http://$lb_ip/"
done

step "5. the verification report"
reports=(reports/lb_verify/*.md)
echo "${reports[-1]}"  # names sort by time stamp, so the last is this run's
echo
echo "The twin stays up to explore (see 'bgp-lb-twin status'); 'make twin-down' removes it."
