// Command pgserver starts one throwaway PostgreSQL server for a whole test
// run, prints its URL on a line of its own once it accepts connections, and
// stops it and removes its files on SIGTERM or SIGINT. scripts/test exports
// the URL as WAYMARK_TEST_POSTGRES so every package shares the one server.
//
// Exit status 3 means no PostgreSQL binaries are installed.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"waymark.city/waymark/internal/storage/storagetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	c, err := storagetest.StartCluster(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgserver: %v\n", err)
		if errors.Is(err, storagetest.ErrNoPostgres) {
			os.Exit(3)
		}
		os.Exit(1)
	}
	fmt.Println(c.URL())
	<-ctx.Done()
	if err := c.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgserver: %v\n", err)
		os.Exit(1)
	}
}
