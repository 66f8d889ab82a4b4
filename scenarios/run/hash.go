package run

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/patrolsim/patrolsim/scenarios"
)

// Hash identifies a scenario and its data: "sha256:" and the hex SHA-256 of
// the scenario document's bytes and those of each data file it names
// (areas, posts, routes, roads: File.DataFiles), each preceded by its role
// and length. It changes when the scenario or any of its data changes,
// comments included, and not when the files move. For a built-in scenario
// it hashes the embedded files, so a copy of a built-in scenario hashes the
// same. Baselines (patrolsim baseline, check) and sweep journals carry it;
// baselines written before this package hash the same.
func Hash(s *scenarios.Scenario) (string, error) {
	var doc []byte
	var err error
	if s.IsBuiltin() {
		doc, err = s.ReadData(path.Base(s.Path))
	} else {
		doc, err = os.ReadFile(s.Path)
	}
	if err != nil {
		return "", fmt.Errorf("hash the scenario %s: %w", s.Path, err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "scenario %d\n", len(doc))
	h.Write(doc)
	for _, df := range s.File.DataFiles() {
		if *df.Path == "" {
			continue
		}
		data, err := s.ReadData(*df.Path)
		if err != nil {
			return "", fmt.Errorf("hash the scenario %s: data file %s: %w", s.Path, *df.Path, err)
		}
		_, role, _ := strings.Cut(df.Key, ".") // areas, posts, routes, roads
		fmt.Fprintf(h, "\n%s %d\n", role, len(data))
		h.Write(data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
