package main

import (
	"strings"
	"testing"
)

// TestKubernetesOptimizeManifest decodes docs/k8s/optimize-job.yaml
// strictly (k8sJob, cluster_test.go) and checks that the slices' Job is
// indexed with as many completions as slices, and that the decide Job runs
// the same optimisation into the same folder without --shard.
func TestKubernetesOptimizeManifest(t *testing.T) {
	jobs := readJobs(t, "../../docs/k8s/optimize-job.yaml")
	if len(jobs) != 2 {
		t.Fatalf("%d documents, want the slices' and the decide Jobs", len(jobs))
	}
	cmd := sliceCommand(t, jobs[0], "patrolsim optimize ")
	decide := strings.Join(jobs[1].Spec.Template.Spec.Containers[0].Command, " ")
	head := strings.Fields(strings.SplitN(cmd, " --shard", 2)[0])
	if !strings.HasPrefix(decide, strings.Join(head, " ")) || strings.Contains(decide, "--shard") {
		t.Errorf("decide command %q, want the slices' %q without --shard", decide, strings.Join(head, " "))
	}
	if jobs[1].Spec.CompletionMode == "Indexed" || jobs[1].Spec.Completions != 1 {
		t.Errorf("decide job: %d completions, mode %q; want one, not indexed", jobs[1].Spec.Completions, jobs[1].Spec.CompletionMode)
	}
}
