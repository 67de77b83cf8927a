package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgRole is the cluster's superuser; FerretDB connects as it (trust auth over a private socket).
const pgRole = "samplan"

// maxSocketPath is the room for a Unix socket path (sun_path is 108 bytes with its NUL).
const maxSocketPath = 107

type pgOptions struct {
	DataDir  string
	BinDir   string
	Database string
	Fast     bool
	Level    slog.Level
}

type postgres struct {
	opts      *pgOptions
	cluster   string
	socketDir string
	cmd       *exec.Cmd
	exited    chan struct{}
}

// startPostgres creates the cluster if needed, starts its postmaster and waits
// until the database FerretDB uses exists and accepts connections.
func startPostgres(ctx context.Context, o *pgOptions) (*postgres, error) {
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	p := &postgres{opts: o, cluster: filepath.Join(o.DataDir, "pg"), exited: make(chan struct{})}
	// Folders above it with the usual mode (umask): a recursive 0700 would close them to the server's user.
	if err = os.MkdirAll(filepath.Dir(o.DataDir), 0o777); err != nil {
		return nil, fmt.Errorf("cannot create data dir: %w", err)
	}
	if err = os.Mkdir(o.DataDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("cannot create data dir: %w", err)
	}
	if p.socketDir, err = socketDir(o.DataDir, cred); err != nil {
		return nil, err
	}
	for _, d := range []string{o.DataDir, p.socketDir} {
		if err = own(d, cred); err != nil {
			return nil, err
		}
	}
	if err = reachable(o.DataDir, cred); err != nil {
		return nil, err
	}
	if err = p.initdb(ctx, cred); err != nil {
		return nil, err
	}
	if err = p.clearLock(); err != nil {
		return nil, err
	}
	if err = p.run(cred); err != nil {
		return nil, err
	}
	if err = p.waitReady(ctx); err != nil {
		_ = p.Stop()
		return nil, err
	}
	return p, nil
}

// URL is the libpq/pgx URL of FerretDB's database over the private socket.
func (p *postgres) URL() string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s", pgRole, url.PathEscape(p.opts.Database), url.QueryEscape(p.socketDir))
}

// Exited is closed when the postmaster has exited.
func (p *postgres) Exited() <-chan struct{} { return p.exited }

// Stop shuts the server down and waits for it. First a smart shutdown
// (SIGTERM): FerretDB's sessions are closed on our side by now but may not
// have ended on the server's yet, and a fast shutdown would abort each with a
// FATAL line in the log. Whatever is still connected after two seconds (say,
// a client of postgresUrl) is ended by a fast shutdown (SIGINT: a checkpoint
// is written); if even that hangs, an immediate one (SIGQUIT; WAL recovery on
// the next start).
func (p *postgres) Stop() error {
	steps := []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGTERM, 2 * time.Second}, {syscall.SIGINT, 60 * time.Second}, {syscall.SIGQUIT, 10 * time.Second}}
	for _, s := range steps {
		select {
		case <-p.exited:
			return nil
		default:
		}
		_ = p.cmd.Process.Signal(s.sig)
		select {
		case <-p.exited:
			if s.sig == syscall.SIGQUIT {
				return errors.New("PostgreSQL did not finish its fast shutdown in 60 s; stopped it immediately (it recovers on the next start)")
			}
			return nil
		case <-time.After(s.wait):
		}
	}
	return errors.New("PostgreSQL did not stop")
}

// announcesReady reads the status line (the 8th) of postmaster.pid, written by our postmaster.
func (p *postgres) announcesReady() bool {
	b, err := os.ReadFile(filepath.Join(p.cluster, "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) >= 8 && strings.TrimSpace(lines[0]) == strconv.Itoa(p.cmd.Process.Pid) && strings.TrimSpace(lines[7]) == "ready"
}

func (p *postgres) adminURL() string {
	return fmt.Sprintf("postgres://%s@/postgres?host=%s", pgRole, url.QueryEscape(p.socketDir))
}

// serverCredential is the user PostgreSQL runs as: it refuses to run as root,
// so as root we use Debian's `postgres` account; otherwise, ourselves (nil).
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("PostgreSQL refuses to run as root and there is no `postgres` user to run it as; install Debian's postgresql package (it creates that user), run samplan as another user, or set MONGODB_URI")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// No supplementary groups: it must not keep root's.
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// socketDir is data-dir/run unless the socket's path would not fit in a
// sockaddr_un; then a short directory under /tmp named by a hash of data-dir.
func socketDir(dataDir string, cred *syscall.Credential) (string, error) {
	dir := filepath.Join(dataDir, "run")
	if len(filepath.Join(dir, ".s.PGSQL.5432")) > maxSocketPath {
		sum := sha256.Sum256([]byte(dataDir))
		dir = filepath.Join(os.TempDir(), "samplan-pg-"+hex.EncodeToString(sum[:8]))
	}
	// 0700: only the server's user (and root) may connect, which is what makes trust auth safe.
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("cannot create socket dir: %w", err)
	}
	// Under /tmp anyone could have made it first, or put a symlink there: use only a real directory of ours.
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", err
	}
	owner := fi.Sys().(*syscall.Stat_t).Uid
	if !fi.IsDir() || (owner != uint32(os.Geteuid()) && (cred == nil || owner != cred.Uid)) {
		return "", fmt.Errorf("socket dir %s exists but is not a directory of ours; remove it", dir)
	}
	if err = os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("cannot restrict socket dir: %w", err)
	}
	return dir, nil
}

func own(dir string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
		return fmt.Errorf("cannot hand %s to the postgres user: %w", dir, err)
	}
	return nil
}

// reachable fails early, with a message saying what to do, when the server's
// user could not even enter the data dir (a parent folder closed to others).
func reachable(dir string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		ok := mode&0o001 != 0 || (st.Uid == cred.Uid && mode&0o100 != 0) || (st.Gid == cred.Gid && mode&0o010 != 0)
		if !ok {
			return fmt.Errorf("PostgreSQL runs as the postgres user, which cannot enter %s (mode %o); allow it (chmod o+x %s) or put the data folder (SAMPLAN_DATA_DIR) elsewhere", d, mode, d)
		}
		if d == "/" || d == filepath.Dir(d) {
			return nil
		}
	}
}

// initdb creates the cluster once. It works in a side directory that is
// renamed into place, so an interrupted first start leaves no half cluster.
func (p *postgres) initdb(ctx context.Context, cred *syscall.Credential) error {
	if _, err := os.Stat(filepath.Join(p.cluster, "PG_VERSION")); err == nil {
		return nil
	}
	tmp := p.cluster + ".initdb"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	args := []string{"-D", tmp, "-U", pgRole, "--auth=trust", "--encoding=UTF8", "--locale=C"}
	if p.opts.Fast {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(p.opts.BinDir, "initdb"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	cmd.Dir = p.opts.DataDir
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("initdb failed: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, p.cluster); err != nil {
		return fmt.Errorf("cannot move the new cluster into place: %w", err)
	}
	return nil
}

func (p *postgres) run(cred *syscall.Credential) error {
	args := []string{
		"-D", p.cluster,
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories=" + p.socketDir,
		"-c", "unix_socket_permissions=0700",
		// FerretDB sends a filter's key as a parameter (`_jsonb->$1 @> $2`) of a
		// statement it prepares once per table. A generic plan cannot match that to an
		// expression index on `_jsonb->'field'`; only a plan made for the actual key can.
		"-c", "plan_cache_mode=force_custom_plan",
	}
	args = append(args, pgLogArgs(p.opts.Level)...)
	if p.opts.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	p.cmd = exec.Command(filepath.Join(p.opts.BinDir, "postgres"), args...)
	p.cmd.Dir = p.cluster
	p.cmd.Stdout = os.Stderr
	p.cmd.Stderr = os.Stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// If this launcher dies, however it dies, the kernel asks the postmaster for a fast shutdown.
		Pdeathsig: syscall.SIGINT,
		// Its own process group: a Ctrl-C in the terminal reaches us, and we stop it after FerretDB.
		Setpgid: true,
	}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("cannot start postgres: %w", err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	return nil
}

// pgLogArgs maps our log level onto the server's. Below info only FATAL and
// PANIC are shown: FerretDB meets unique-key violations as a matter of course
// (samplan's store is built on them), and each would be an ERROR line; and
// PostgreSQL ranks its start-up chatter (LOG) above WARNING. Debug shows every
// statement FerretDB sends, to see what it pushes down to SQL.
func pgLogArgs(l slog.Level) []string {
	switch {
	case l <= slog.LevelDebug:
		return []string{"-c", "log_min_messages=log", "-c", "log_statement=all"}
	case l <= slog.LevelInfo:
		return []string{"-c", "log_min_messages=log"}
	default:
		return []string{"-c", "log_min_messages=fatal"}
	}
}

// waitReady polls until the server accepts connections (after a crash it first
// replays its WAL, which takes as long as it takes), then creates FerretDB's database.
func (p *postgres) waitReady(ctx context.Context) error {
	for {
		// Connect only once the postmaster says it is ready (as pg_ctl does), not to
		// be refused with a FATAL "starting up" line in the log on every try.
		var conn *pgx.Conn
		err := errors.New("not ready")
		if p.announcesReady() {
			conn, err = pgx.Connect(ctx, p.adminURL())
		}
		if err == nil {
			defer conn.Close(context.Background())
			var exists bool
			if err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, p.opts.Database).Scan(&exists); err != nil {
				return fmt.Errorf("cannot list databases: %w", err)
			}
			if !exists {
				if _, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{p.opts.Database}.Sanitize()); err != nil {
					return fmt.Errorf("cannot create database %s: %w", p.opts.Database, err)
				}
			}
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("postgres exited before it accepted connections (%v); its log is above", p.cmd.ProcessState)
		case <-ctx.Done():
			return errors.New("stopped while PostgreSQL was starting")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
