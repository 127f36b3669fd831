//go:build tools

// Package tools pins the Calico components the twin builds from one Calico release.
package tools

import (
	_ "github.com/projectcalico/calico/apiserver/cmd/apiserver"
	_ "github.com/projectcalico/calico/confd"
	_ "github.com/projectcalico/calico/kube-controllers/cmd/kube-controllers"
)
