package storagetest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// ErrNoPostgres means no PostgreSQL server binaries are installed.
var ErrNoPostgres = errors.New("no PostgreSQL binaries (initdb, postgres) on PATH or in /usr/lib/postgresql/*/bin")

// Cluster is a throwaway PostgreSQL server in a temporary directory,
// listening on 127.0.0.1 only, trusting every local connection.
type Cluster struct {
	dir    string
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// StartCluster initialises and starts a throwaway PostgreSQL server and waits
// until it accepts connections. It returns ErrNoPostgres when no server
// binaries are installed. Call Stop to shut it down and remove its files.
func StartCluster(ctx context.Context) (*Cluster, error) {
	initdb, postgres, err := findBinaries()
	if err != nil {
		return nil, err
	}
	owner, err := clusterOwner()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "waymark-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("create cluster directory: %w", err)
	}
	c := &Cluster{dir: dir}
	if err := c.start(ctx, initdb, postgres, owner); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// URL is the connection URL of the server's maintenance database "postgres".
func (c *Cluster) URL() string { return c.url }

// Stop shuts the server down (fast shutdown, like pg_ctl stop -m fast) and
// removes its directory.
func (c *Cluster) Stop() error {
	var err error
	if c.cmd != nil && c.cmd.Process != nil {
		select {
		case <-c.exited:
		default:
			// SIGINT is PostgreSQL's fast shutdown: abort sessions, then exit cleanly.
			_ = c.cmd.Process.Signal(os.Interrupt)
			select {
			case <-c.exited:
			case <-time.After(30 * time.Second):
				_ = c.cmd.Process.Kill()
				<-c.exited
				err = errors.New("postgres did not stop within 30s; killed")
			}
		}
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

func (c *Cluster) start(ctx context.Context, initdb, postgres string, owner *owner) error {
	if owner != nil {
		if err := os.Chown(c.dir, owner.uid, owner.gid); err != nil {
			return fmt.Errorf("chown cluster directory: %w", err)
		}
	}
	data := filepath.Join(c.dir, "data")
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, initdb, "-D", data, "-A", "trust", "-U", "postgres",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = sysProcAttr(owner)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out.String())
	}

	// A free port can be taken between probing and binding; retry a few times.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return err
		}
		if lastErr = c.run(ctx, postgres, data, port, owner); lastErr == nil {
			return nil
		}
	}
	return lastErr
}

func (c *Cluster) run(ctx context.Context, postgres, data string, port int, owner *owner) error {
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("create postgres log: %w", err)
	}
	defer logFile.Close()
	// fsync, full-page writes and synchronous commit are off: test data need
	// not survive a crash, and tests run several times faster without them.
	cmd := exec.Command(postgres, "-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+c.dir,
		"-c", "fsync=off",
		"-c", "full_page_writes=off",
		"-c", "synchronous_commit=off",
		"-c", "max_connections=300",
		"-c", "log_min_messages=warning")
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr(owner)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	c.cmd, c.exited = cmd, exited
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)

	deadline := time.Now().Add(60 * time.Second)
	for {
		if pingURL(ctx, c.url) == nil {
			return nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres exited during start-up:\n%s", log)
		case <-ctx.Done():
			c.stopProcess()
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stopProcess()
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres did not accept connections within 60s:\n%s", log)
		}
	}
}

func (c *Cluster) stopProcess() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}

func pingURL(ctx context.Context, url string) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// findBinaries looks for initdb and postgres on PATH, then in Debian's
// versioned directories, newest version first.
func findBinaries() (initdb, postgres string, err error) {
	initdb, err1 := exec.LookPath("initdb")
	postgres, err2 := exec.LookPath("postgres")
	if err1 == nil && err2 == nil {
		return initdb, postgres, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "postgres")
		if isFile(i) && isFile(p) {
			return i, p, nil
		}
	}
	return "", "", ErrNoPostgres
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// owner is the unprivileged account the server runs as.
type owner struct{ uid, gid int }

// clusterOwner picks the account to run PostgreSQL as: initdb and postgres
// refuse to run as root, so root hands them to "postgres" or "nobody".
func clusterOwner() (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 == nil && err2 == nil {
			return &owner{uid: uid, gid: gid}, nil
		}
	}
	return nil, errors.New("running as root, but neither a postgres nor a nobody account exists to run PostgreSQL")
}
