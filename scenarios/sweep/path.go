package sweep

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patrolsim/patrolsim/internal/yamlnode"
)

// segment is one step of a path: a mapping key, optionally followed by a
// list selector: [NAME] picks the item whose name is NAME, [N] the N-th.
type segment struct {
	key      string
	selector string // "" if none
}

// parsePath splits a path like units[patrol_car].count.
func parsePath(p string) ([]segment, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	var segs []segment
	for _, part := range strings.Split(p, ".") {
		seg := segment{key: part}
		if i := strings.IndexByte(part, '['); i >= 0 {
			if !strings.HasSuffix(part, "]") || i == 0 {
				return nil, fmt.Errorf("bad path segment %q (want key or key[name])", part)
			}
			seg.key, seg.selector = part[:i], part[i+1:len(part)-1]
			if seg.selector == "" {
				return nil, fmt.Errorf("bad path segment %q: empty selector", part)
			}
		}
		if seg.key == "" {
			return nil, fmt.Errorf("bad path %q: empty key", p)
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

// setPath sets the scalar at path in the document root (a mapping) to
// value, creating missing mapping keys. List items must exist.
func setPath(root *yaml.Node, path string, value *yaml.Node) error {
	segs, err := parsePath(path)
	if err != nil {
		return err
	}
	n := root
	for i, seg := range segs {
		last := i == len(segs)-1 && seg.selector == ""
		child := yamlnode.Get(n, seg.key)
		if child == nil {
			if n.Kind != yaml.MappingNode {
				return fmt.Errorf("%s: not a mapping", strings.Join(pathNames(segs[:i]), "."))
			}
			if seg.selector != "" {
				return fmt.Errorf("%s: the scenario has no %s", path, seg.key)
			}
			child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if last {
				child = &yaml.Node{Kind: yaml.ScalarNode}
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg.key}, child)
		}
		if seg.selector != "" {
			item, err := selectItem(child, seg)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			child = item
		}
		if i == len(segs)-1 {
			if child.Kind == yaml.MappingNode || child.Kind == yaml.SequenceNode {
				if value.Kind == yaml.ScalarNode {
					return fmt.Errorf("%s is a %s in the scenario, not a single value", path, yamlnode.KindName(child))
				}
			}
			*child = *value
			return nil
		}
		n = child
	}
	return nil
}

func pathNames(segs []segment) []string {
	var out []string
	for _, s := range segs {
		if s.selector != "" {
			out = append(out, s.key+"["+s.selector+"]")
		} else {
			out = append(out, s.key)
		}
	}
	return out
}

// selectItem picks a list item by name (its name key) or by index.
func selectItem(list *yaml.Node, seg segment) (*yaml.Node, error) {
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s is not a list", seg.key)
	}
	var names []string
	for _, item := range list.Content {
		if name := yamlnode.Get(item, "name"); name != nil {
			if name.Value == seg.selector {
				return item, nil
			}
			names = append(names, name.Value)
		}
	}
	if k, err := strconv.Atoi(seg.selector); err == nil {
		if k >= 0 && k < len(list.Content) {
			return list.Content[k], nil
		}
		return nil, fmt.Errorf("%s has %d items, no item %d", seg.key, len(list.Content), k)
	}
	return nil, fmt.Errorf("no %s named %q (there are: %s)", seg.key, seg.selector, strings.Join(names, ", "))
}
