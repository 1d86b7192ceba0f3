package power

import (
	"time"

	"github.com/godbus/dbus/v5"
)

// RedialAfter is how long a failed dial is remembered.
const RedialAfter = redialAfter

// NewDialing returns a Checker that opens its bus with dial and reads the
// time from now, as the system-bus Checker does with the real ones.
func NewDialing(o Options, dial func() (*dbus.Conn, error), now func() time.Time) *Checker {
	c := New(o)
	c.dial, c.now = dial, now
	return c
}
