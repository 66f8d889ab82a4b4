// Command patrolsim is a discrete-event simulator of police patrol
// deployment. See the README for the commands and the scenario format.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, the default handling comes back: a
		// second Ctrl-C ends the process at once.
		<-ctx.Done()
		stop()
	}()
	code := NewMain(os.Stdout, os.Stderr).Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
