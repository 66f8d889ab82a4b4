// Package yamlnode holds small helpers on go.yaml.in/yaml/v3 nodes shared by
// the scenario, sweep and report readers.
package yamlnode

import "go.yaml.in/yaml/v3"

// Get returns the value of key in mapping n, or nil if n is not a mapping
// or has no such key.
func Get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// KindName names a node's kind for messages: mapping, list or value.
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}
