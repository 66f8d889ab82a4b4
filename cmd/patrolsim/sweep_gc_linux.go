package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// memoryLimit returns the memory the process may use in bytes: the
// machine's, or its control group's limit when that is lower (cgroup v2
// memory.max of the process's group, or v1 memory.limit_in_bytes); 0
// when unknown.
func memoryLimit() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	mem := int64(si.Totalram) * int64(si.Unit)
	if cg := cgroupMemory(); cg > 0 && cg < mem {
		mem = cg
	}
	return mem
}

// cgroupMemory returns the memory limit of the process's control group —
// the least of its own and its ancestors' (under Slurm the limit sits on
// the job's group, the task runs in a group below it) — or 0 when there
// is none or it cannot be read.
func cgroupMemory() int64 {
	var paths []string
	if f, err := os.Open("/proc/self/cgroup"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// v2: "0::/PATH"; v1: "N:memory:/PATH" (or a list with memory).
			parts := strings.SplitN(sc.Text(), ":", 3)
			if len(parts) != 3 {
				continue
			}
			root, file := "", ""
			switch {
			case parts[0] == "0" && parts[1] == "":
				root, file = "/sys/fs/cgroup", "memory.max"
			case hasField(parts[1], "memory"):
				root, file = "/sys/fs/cgroup/memory", "memory.limit_in_bytes"
			default:
				continue
			}
			for dir := filepath.Clean("/" + parts[2]); ; dir = filepath.Dir(dir) {
				paths = append(paths, filepath.Join(root, dir, file))
				if dir == "/" {
					break
				}
			}
		}
		f.Close()
	}
	// Inside a container the group is the root of what it sees.
	paths = append(paths, "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
	var least int64
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err != nil || n <= 0 { // "max": no limit
			continue
		}
		if least == 0 || n < least {
			least = n
		}
	}
	return least
}

func hasField(list, name string) bool {
	for _, f := range strings.Split(list, ",") {
		if f == name {
			return true
		}
	}
	return false
}
