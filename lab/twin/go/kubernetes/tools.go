//go:build tools

// Package tools pins the Kubernetes commands the twin builds: the lab's kube-apiserver, and a kubectl of the same release.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
