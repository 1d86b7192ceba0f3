package restore

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var agoRe = regexp.MustCompile(`^(\d+)\s*(minute|min|hour|h|day|d|week|w|month|year)s?\s+ago$`)

// ParseTime reads a moment for a point-in-time restore: RFC 3339
// ("2026-03-01T12:00:00Z"), a date ("2026-03-01", meaning the end of that
// day in loc), a date and time ("2026-03-01 18:30"), "yesterday", "today",
// "now", or "N minutes/hours/days/weeks/months/years ago".
func ParseTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	endOfDay := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 23, 59, 59, 0, loc)
	}
	switch s {
	case "now", "":
		return now, nil
	case "today":
		return endOfDay(now), nil
	case "yesterday":
		return endOfDay(now.AddDate(0, 0, -1)), nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(s)); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02t15:04:05", "2006-01-02t15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return endOfDay(t), nil
	}
	if m := agoRe.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch m[2] {
		case "minute", "min":
			return now.Add(-time.Duration(n) * time.Minute), nil
		case "hour", "h":
			return now.Add(-time.Duration(n) * time.Hour), nil
		case "day", "d":
			return now.AddDate(0, 0, -n), nil
		case "week", "w":
			return now.AddDate(0, 0, -7*n), nil
		case "month":
			return now.AddDate(0, -n, 0), nil
		case "year":
			return now.AddDate(-n, 0, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time: use a date like 2026-03-01, a time like 2026-03-01T18:30:00Z, or \"3 days ago\"", s)
}
