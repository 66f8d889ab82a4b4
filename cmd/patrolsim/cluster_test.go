package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// k8sJob is the part of a Kubernetes batch/v1 Job the shipped manifests use;
// decoding with unknown fields refused catches a misspelt key.
type k8sJob struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode       string `yaml:"completionMode"`
		Completions          int    `yaml:"completions"`
		Parallelism          int    `yaml:"parallelism"`
		BackoffLimit         *int   `yaml:"backoffLimit"`
		BackoffLimitPerIndex *int   `yaml:"backoffLimitPerIndex"`
		Template             struct {
			Spec struct {
				RestartPolicy string `yaml:"restartPolicy"`
				Containers    []struct {
					Name      string   `yaml:"name"`
					Image     string   `yaml:"image"`
					Command   []string `yaml:"command"`
					Resources struct {
						Requests map[string]string `yaml:"requests"`
						Limits   map[string]string `yaml:"limits"`
					} `yaml:"resources"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name                  string `yaml:"name"`
					PersistentVolumeClaim struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// TestKubernetesManifest decodes docs/k8s/sweep-job.yaml strictly and
// checks that the sweep Job is indexed with as many completions as slices.
func TestKubernetesManifest(t *testing.T) {
	jobs := readJobs(t, "../../docs/k8s/sweep-job.yaml")
	if len(jobs) != 2 {
		t.Fatalf("%d documents, want the sweep and the merge Jobs", len(jobs))
	}
	sliceCommand(t, jobs[0], "patrolsim sweep ")
	if merge := strings.Join(jobs[1].Spec.Template.Spec.Containers[0].Command, " "); !strings.HasPrefix(merge, "patrolsim merge ") {
		t.Errorf("merge command %q", merge)
	}
}

// readJobs decodes the YAML documents of a Kubernetes manifest strictly
// (unknown keys are errors).
func readJobs(t *testing.T, path string) []k8sJob {
	t.Helper()
	data, err := os.ReadFile(path)
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
			return jobs
		}
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
}

// sliceCommand checks that j is an indexed batch/v1 Job, never restarted,
// whose command starts with prefix and runs slice env of N = its
// completions (--shard env/N); it returns the command.
func sliceCommand(t *testing.T, j k8sJob, prefix string) string {
	t.Helper()
	if j.APIVersion != "batch/v1" || j.Kind != "Job" || j.Spec.CompletionMode != "Indexed" || j.Spec.Template.Spec.RestartPolicy != "Never" {
		t.Fatalf("slices' job: %+v", j)
	}
	cmd := strings.Join(j.Spec.Template.Spec.Containers[0].Command, " ")
	want := "--shard env/" + itoa(j.Spec.Completions)
	if !strings.Contains(cmd, want) || !strings.HasPrefix(cmd, prefix) {
		t.Errorf("slices' command %q, want %s… %s (N = completions)", cmd, prefix, want)
	}
	return cmd
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSlurmSweep runs a sweep as a real Slurm job array with a dependent
// merge job (docs/slurm/submit.sh) and compares the merged files with a run
// on this machine, byte for byte. It needs a Slurm cluster: start one on
// this machine with ../shared/tools/slurm-local.sh (as root). Without
// sbatch it skips, unless CI=true.
func TestSlurmSweep(t *testing.T) {
	if _, err := exec.LookPath("sbatch"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but sbatch is not on PATH: .ci/run starts a Slurm cluster with ../shared/tools/slurm-local.sh")
		}
		t.Skip("no Slurm: start a single-node cluster with `bash ../shared/tools/slurm-local.sh` (as root) to run this test")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "patrolsim")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sweepFile := filepath.Join(dir, "sweep.yaml")
	os.WriteFile(sweepFile, []byte(`version: 1
scenario: builtin:grid
design: latin
points: 6
seed: 2
replications: 3
params:
  units[car].count: {min: 5, max: 10}
  incidents.per_day: {min: 40, max: 80}
`), 0o644)
	local := filepath.Join(dir, "local")
	if out, err := exec.Command(bin, "sweep", sweepFile, "-o", local, "-q").CombinedOutput(); err != nil {
		t.Fatalf("local sweep: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "slurm")
	submit, _ := filepath.Abs("../../docs/slurm/submit.sh")
	cmd := exec.Command("bash", submit, sweepFile, out, "3")
	cmd.Env = append(os.Environ(), "PATROLSIM="+bin)
	id, err := cmd.Output()
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	job := strings.TrimSpace(string(id))
	// Wait for the merge job to leave the queue (it runs after the array).
	deadline := time.Now().Add(3 * time.Minute)
	for {
		q, _ := exec.Command("squeue", "-h", "-j", job).Output()
		if strings.TrimSpace(string(q)) == "" {
			break
		}
		if time.Now().After(deadline) {
			exec.Command("scancel", job).Run()
			t.Fatalf("merge job %s still queued after 3 minutes:\n%s", job, q)
		}
		time.Sleep(time.Second)
	}
	for _, f := range []string{"rows.csv", "rows.parquet", "points.csv", "sweep.json"} {
		a, err1 := os.ReadFile(filepath.Join(local, f))
		b, err2 := os.ReadFile(filepath.Join(out, f))
		if err1 != nil || err2 != nil {
			logs, _ := filepath.Glob(filepath.Join(out, "slurm-*.out"))
			for _, l := range logs {
				data, _ := os.ReadFile(l)
				t.Logf("%s:\n%s", l, data)
			}
			t.Fatalf("%s: %v %v", f, err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the Slurm run and the local run", f)
		}
	}
}
