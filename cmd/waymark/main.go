// Command waymark runs Waymark. Everything happens in internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"waymark.city/waymark/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.OS())
	stop()
	os.Exit(code)
}
