// Command samplan-ferretdb runs samplan's embedded database: a private
// PostgreSQL cluster (Debian's postgresql binaries) and, in front of it,
// FerretDB v1 with its PostgreSQL backend through FerretDB's embeddable
// package (github.com/FerretDB/FerretDB/ferretdb).
//
// It exists instead of `go install .../cmd/ferretdb@v1.24.2` because (1) the
// module proxy on our machines refuses FerretDB's version list, which
// `go install pkg@version` reads, and (2) cmd/ferretdb built outside FerretDB's
// own repository panics for want of a generated version.txt. It owns the
// postmaster too, so that one process decides the order of shutdown
// (FerretDB first, then PostgreSQL) and nothing outlives the service.
//
// Contract with src/store/embedded (the Node launcher):
//   - the cluster lives in --data-dir/pg (created with initdb on first start),
//     reachable only through a Unix socket in --data-dir/run (or a short
//     directory under /tmp when that path is too long for a socket);
//   - FerretDB listens on --listen (use port 0 to let the kernel pick a free port);
//   - once both accept connections it prints, on stdout, the line
//     "ready mongodb://HOST:PORT/" and then "postgres postgres://…";
//   - it stops on SIGINT/SIGTERM, and when stdin reaches EOF (the parent died):
//     FerretDB first, then PostgreSQL with a fast shutdown, waiting for both;
//   - if this process itself is killed, the kernel sends the postmaster SIGINT
//     (Pdeathsig), so PostgreSQL never outlives it either.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func init() {
	// Pdeathsig fires when the *thread* that started the child exits, not the
	// process: keep the main goroutine, which starts postgres, on one thread.
	runtime.LockOSThread()
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address for FerretDB to listen on")
	dataDir := flag.String("data-dir", "data", "directory for the PostgreSQL cluster (pg/) and its socket (run/)")
	pgBin := flag.String("pg-bin", "", "directory with PostgreSQL's initdb and postgres")
	dbName := flag.String("pg-database", "ferretdb", "PostgreSQL database that holds FerretDB's data")
	fast := flag.Bool("fast", false, "turn off fsync and synchronous_commit (throw-away databases only)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin is closed")
	flag.Parse()

	// Our stdout and stderr are pipes to the Node parent. If it dies, a write
	// must fail (EPIPE), not kill us with SIGPIPE before we stop PostgreSQL.
	signal.Ignore(syscall.SIGPIPE)

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad --log-level: %v", err)
	}
	logger := slog.New(quietDuplicates{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("bad --data-dir: %v", err)
	}
	if *pgBin == "" {
		fail("--pg-bin is required (the directory with PostgreSQL's initdb and postgres)")
	}

	// Signals and the stdin lifeline are watched from the start: the parent
	// may die while initdb or recovery is still running.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	pg, err := startPostgres(ctx, &pgOptions{DataDir: dir, BinDir: *pgBin, Database: *dbName, Fast: *fast, Level: level})
	if err != nil {
		fail("%v", err)
	}
	code := serve(ctx, pg, *listen, logger)
	if err = pg.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "samplan-ferretdb: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

// serve runs FerretDB on pg until ctx ends or the postmaster dies; it returns the exit code.
func serve(ctx context.Context, pg *postgres, listen string, logger *slog.Logger) int {
	// Resolve port 0 here so that we can report the real address.
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "samplan-ferretdb: cannot listen on %s: %v\n", listen, err)
		return 1
	}
	addr := ln.Addr().String()
	_ = ln.Close()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: addr},
		Handler:       "postgresql",
		PostgreSQLURL: pg.URL(),
		Logger:        logger,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "samplan-ferretdb: cannot start FerretDB: %v\n", err)
		return 1
	}

	// A postmaster that dies on its own (killed, out of memory) ends the service too:
	// FerretDB without its storage would only answer errors.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-pg.Exited():
			fmt.Fprintf(os.Stderr, "samplan-ferretdb: PostgreSQL exited unexpectedly\n")
			cancel()
		case <-runCtx.Done():
		}
	}()

	done := make(chan struct{})
	go func() {
		_ = f.Run(runCtx)
		close(done)
	}()

	if err = waitForPort(addr, 10*time.Second); err != nil {
		fmt.Fprintf(os.Stderr, "samplan-ferretdb: FerretDB did not start listening: %v\n", err)
		cancel()
		<-done
		return 1
	}
	fmt.Printf("ready %s\npostgres %s\n", f.MongoDBURI(), pg.URL())

	<-done
	if ctx.Err() == nil {
		return 1 // ended by the postmaster's death, not by a request to stop
	}
	return 0
}

func waitForPort(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "samplan-ferretdb: "+format+"\n", args...)
	os.Exit(1)
}
