package main

import (
	"context"
	"log/slog"
	"strings"
)

// quietDuplicates passes FerretDB's log records on, except that it demotes to
// debug the ERROR its PostgreSQL tracer writes for every statement that fails
// with a unique violation (SQLSTATE 23505). FerretDB answers those to the
// client as the usual duplicate-key error (E11000), and samplan's store is
// built on exactly that (one insert of version n+1 wins): at error level they
// would be most of the log, and none of them is a fault.
type quietDuplicates struct {
	slog.Handler
}

func (h quietDuplicates) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && isUniqueViolation(r) {
		if !h.Handler.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		demoted := slog.NewRecord(r.Time, slog.LevelDebug, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool {
			demoted.AddAttrs(a)
			return true
		})
		r = demoted
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietDuplicates) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietDuplicates{h.Handler.WithAttrs(attrs)}
}

func (h quietDuplicates) WithGroup(name string) slog.Handler {
	return quietDuplicates{h.Handler.WithGroup(name)}
}

func isUniqueViolation(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" && strings.Contains(a.Value.String(), "(SQLSTATE 23505)") {
			found = true
			return false
		}
		return true
	})
	return found
}
