package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// launcherComm is how the kernel names this program in /proc/PID/comm (cut to 15 bytes).
const launcherComm = "samplan-ferretd"

// clearLock deals with a postmaster.pid left in the cluster before we start a server on it.
//
//   - A power cut leaves the file behind with the PID of a process that is
//     gone, or that now belongs to something else (PIDs are reused, in a
//     container almost certainly). PostgreSQL itself refuses to start when
//     that PID is alive, so a file naming anything but a postmaster on this
//     cluster is removed here; PostgreSQL then replays its WAL as usual.
//   - A postmaster still running on this cluster whose parent is another live
//     launcher belongs to a samplan using this data folder right now: fail.
//   - One without such a parent was left by an earlier run (its launcher was
//     killed before the kernel could deliver Pdeathsig, or it was started by
//     hand): stop it with a fast shutdown and go on.
func (p *postgres) clearLock() error {
	lockFile := filepath.Join(p.cluster, "postmaster.pid")
	b, err := os.ReadFile(lockFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", lockFile, err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if pid <= 0 || !alive(pid) || !servesCluster(pid, p.cluster) {
		if err = os.Remove(lockFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cannot remove the stale %s: %w", lockFile, err)
		}
		return nil
	}
	if ppid := parentOf(pid); ppid > 1 && comm(ppid) == launcherComm {
		return fmt.Errorf("the PostgreSQL cluster %s is in use by another samplan (its launcher has PID %d, the postmaster PID %d); stop that samplan first, or give this one another SAMPLAN_DATA_DIR", p.cluster, ppid, pid)
	}
	fmt.Fprintf(os.Stderr, "samplan-ferretdb: stopping a PostgreSQL (PID %d) left running on %s by an earlier run\n", pid, p.cluster)
	if err = syscall.Kill(pid, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("cannot stop the PostgreSQL (PID %d) left on %s: %w", pid, p.cluster, err)
	}
	for deadline := time.Now().Add(60 * time.Second); alive(pid) && servesCluster(pid, p.cluster); {
		if time.Now().After(deadline) {
			return fmt.Errorf("the PostgreSQL (PID %d) left running on %s did not stop within 60 s", pid, p.cluster)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// servesCluster: a postmaster runs with its data directory as working directory.
// When we may not look (another user's process), we say yes and let PostgreSQL judge.
func servesCluster(pid int, cluster string) bool {
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	want, err := filepath.EvalSymlinks(cluster)
	if err != nil {
		want = cluster
	}
	return cwd == want
}

func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// pid (comm) state ppid …; comm may hold spaces and parentheses, so cut at the last ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

func comm(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
