// Command samplan-ferretdb runs FerretDB v1 with its SQLite backend through
// FerretDB's embeddable package (github.com/FerretDB/FerretDB/ferretdb).
//
// It exists instead of `go install .../cmd/ferretdb@v1.24.2` because (1) the
// module proxy on our machines refuses FerretDB's version list, which
// `go install pkg@version` reads, and (2) cmd/ferretdb built outside FerretDB's
// own repository panics for want of a generated version.txt.
//
// Contract with src/store/embedded (the Node launcher):
//   - listens on --listen (use port 0 to let the kernel pick a free port);
//   - prints exactly one line "ready mongodb://HOST:PORT/" on stdout once it accepts connections;
//   - stops on SIGINT/SIGTERM, and when stdin reaches EOF (the parent died),
//     so an embedded database never outlives the service that started it.
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
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	dataDir := flag.String("data-dir", "data", "directory for the SQLite database files")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin is closed")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad --log-level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("bad --data-dir: %v", err)
	}
	if err = os.MkdirAll(dir, 0o700); err != nil {
		fail("cannot create data dir: %v", err)
	}

	// Resolve port 0 here so that we can report the real address.
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fail("cannot listen on %s: %v", *listen, err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    logger,
	})
	if err != nil {
		fail("cannot start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()

	if err = waitForPort(addr, 10*time.Second); err != nil {
		fail("FerretDB did not start listening: %v", err)
	}
	fmt.Printf("ready %s\n", f.MongoDBURI())

	<-done
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
