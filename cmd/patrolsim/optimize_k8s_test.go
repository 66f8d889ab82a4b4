package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestKubernetesOptimizeManifest decodes docs/k8s/optimize-job.yaml
// strictly (k8sJob, cluster_test.go) and checks that the slices' Job is
// indexed with as many completions as slices, and that the decide Job runs
// the same optimisation into the same folder without --shard.
func TestKubernetesOptimizeManifest(t *testing.T) {
	data, err := os.ReadFile("../../docs/k8s/optimize-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var jobs []k8sJob
	for {
		var j k8sJob
		err := dec.Decode(&j)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	if len(jobs) != 2 {
		t.Fatalf("%d documents, want the slices' and the decide Jobs", len(jobs))
	}
	sl := jobs[0]
	if sl.APIVersion != "batch/v1" || sl.Kind != "Job" || sl.Spec.CompletionMode != "Indexed" || sl.Spec.Template.Spec.RestartPolicy != "Never" {
		t.Fatalf("slices' job: %+v", sl)
	}
	cmd := strings.Join(sl.Spec.Template.Spec.Containers[0].Command, " ")
	want := "--shard env/" + itoa(sl.Spec.Completions)
	if !strings.Contains(cmd, want) || !strings.HasPrefix(cmd, "patrolsim optimize ") {
		t.Errorf("slices' command %q, want patrolsim optimize … %s (N = completions)", cmd, want)
	}
	decide := strings.Join(jobs[1].Spec.Template.Spec.Containers[0].Command, " ")
	head := strings.Fields(strings.SplitN(cmd, " --shard", 2)[0])
	if !strings.HasPrefix(decide, strings.Join(head, " ")) || strings.Contains(decide, "--shard") {
		t.Errorf("decide command %q, want the slices' %q without --shard", decide, strings.Join(head, " "))
	}
	if jobs[1].Spec.CompletionMode == "Indexed" || jobs[1].Spec.Completions != 1 {
		t.Errorf("decide job: %d completions, mode %q; want one, not indexed", jobs[1].Spec.Completions, jobs[1].Spec.CompletionMode)
	}
}
