package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// ExitInterrupted is the exit status of a command stopped by SIGINT
// (Ctrl-C) before it finished: 128 plus the signal's number, as shells
// report it. SIGTERM gives 143.
const ExitInterrupted = 130

// SignalError is the cause of a context that SignalContext cancelled.
type SignalError struct {
	Signal os.Signal
}

func (e *SignalError) Error() string { return "interrupted by " + e.Signal.String() }

// SignalContext returns a context cancelled, with a *SignalError as its
// cause, when the process receives one of the signals. After the first
// one the signals take their default action again, so a second Ctrl-C
// ends a command that does not stop. stop releases the signals.
func SignalContext(parent context.Context, signals ...os.Signal) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, signals...)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			signal.Stop(ch)
			cancel(&SignalError{Signal: sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(context.Canceled)
	}
}

// signalExit is the exit status of a command that failed after ctx was
// cancelled by a signal: 128 plus its number (130 for SIGINT); 0 when no
// signal stopped it.
func signalExit(ctx context.Context) int {
	var se *SignalError
	if !errors.As(context.Cause(ctx), &se) {
		return 0
	}
	if n, ok := se.Signal.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return ExitInterrupted
}
