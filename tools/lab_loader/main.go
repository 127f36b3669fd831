// Command lab-loader loads the real lab's files with the code of the tools that read them, without a container
// runtime, and prints what those tools resolved as JSON for tests/unit/test_lab_files_load.py to check.
//
//	lab-loader topology FILE     containerlab's topology loader: core.NewContainerLab with the topology path, then
//	                             ResolveLinks (what `containerlab validate` runs, and what deploy runs first)
//	lab-loader kind-config FILE  a strict decode into kind's public v1alpha4 Cluster, unknown fields refused (as kind's
//	                             own loader, an internal package, decodes it)
//
// A file the tool refuses exits 1 with the tool's own error on stderr.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	clabcore "github.com/srl-labs/containerlab/core"
	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

type node struct {
	Kind          string   `json:"kind"`
	Image         string   `json:"image"`
	StartupConfig string   `json:"startup_config"`
	MgmtIPv4      string   `json:"mgmt_ipv4"`
	Exec          []string `json:"exec"`
	KindWait      *string  `json:"k8s_kind_wait"`
}

type topology struct {
	Name       string          `json:"name"`
	MgmtNet    string          `json:"mgmt_network"`
	MgmtSubnet string          `json:"mgmt_ipv4_subnet"`
	Nodes      map[string]node `json:"nodes"`
	Links      [][]string      `json:"links"`
}

func loadTopology(path string) (any, error) {
	lab, err := clabcore.NewContainerLab(clabcore.WithTopoPath(path, nil))
	if err != nil {
		return nil, err
	}
	if err := lab.ResolveLinks(); err != nil {
		return nil, err
	}
	result := topology{
		Name:       lab.Config.Name,
		MgmtNet:    lab.Config.Mgmt.Network,
		MgmtSubnet: lab.Config.Mgmt.IPv4Subnet,
		Nodes:      map[string]node{},
		Links:      [][]string{},
	}
	for name, labNode := range lab.Nodes {
		config := labNode.Config()
		resolved := node{
			Kind:          config.Kind,
			Image:         config.Image,
			StartupConfig: config.StartupConfig,
			MgmtIPv4:      config.MgmtIPv4Address,
			Exec:          config.Exec,
		}
		if config.Extras != nil && config.Extras.K8sKind != nil && config.Extras.K8sKind.Deploy != nil {
			resolved.KindWait = config.Extras.K8sKind.Deploy.Wait
		}
		result.Nodes[name] = resolved
	}
	for _, link := range lab.Links {
		ends := []string{}
		for _, endpoint := range link.GetEndpoints() {
			ends = append(ends, endpoint.GetNode().GetShortName()+":"+endpoint.GetIfaceName())
		}
		sort.Strings(ends)
		result.Links = append(result.Links, ends)
	}
	sort.Slice(result.Links, func(i, j int) bool { return result.Links[i][0] < result.Links[j][0] })
	return result, nil
}

func loadKindConfig(path string) (any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cluster := &v1alpha4.Cluster{}
	decoder := yaml.NewDecoder(bytes.NewReader(raw))
	decoder.KnownFields(true)
	if err := decoder.Decode(cluster); err != nil {
		return nil, fmt.Errorf("unable to decode kind config %s: %w", path, err)
	}
	if cluster.APIVersion != "kind.x-k8s.io/v1alpha4" || cluster.Kind != "Cluster" {
		return nil, fmt.Errorf("%s: want apiVersion kind.x-k8s.io/v1alpha4, kind Cluster; got %q, %q",
			path, cluster.APIVersion, cluster.Kind)
	}
	return cluster, nil
}

func main() {
	loaders := map[string]func(string) (any, error){"topology": loadTopology, "kind-config": loadKindConfig}
	if len(os.Args) != 3 || loaders[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: lab-loader topology|kind-config FILE")
		os.Exit(2)
	}
	result, err := loaders[os.Args[1]](os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(result); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
