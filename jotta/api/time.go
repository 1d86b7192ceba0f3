package api

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeFormat is the Jotta time layout used in JFS XML, JCreated/JModified
// headers and deleted attributes: RFC 3339 with "-T" and no colon in the
// offset.
const TimeFormat = "2006-01-02-T15:04:05Z0700"

// inputLayouts are the layouts ParseTime accepts, most common first. Older
// clients and some replies use ISO variants, so reading is lenient.
var inputLayouts = []string{
	TimeFormat,
	time.RFC3339Nano,
	"2006-01-02-T15:04:05Z07:00",
	"2006-01-02-T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05Z+00:00",
	"2006-01-02T15:04:05",
	"2006-01-02-T15:04:05",
}

// ParseTime reads a Jotta, RFC 3339 or older ISO time. An empty string
// gives the zero time and no error: the server uses empty elements for
// "no time".
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range inputLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("api: unrecognised time %q", s)
}

// FormatTime writes t in the Jotta time format, in UTC.
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeFormat)
}

// FormatRFC3339 writes t as the allocate API expects: RFC 3339, whole
// seconds, UTC.
func FormatRFC3339(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// Time is a timestamp in a JFS XML element or attribute. The zero value
// means the element was empty or absent.
type Time struct {
	time.Time
}

// UnmarshalXML decodes an element such as <modified>2024-05-01-T10:00:00Z</modified>
// or an empty <modified/>.
func (t *Time) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// UnmarshalXMLAttr decodes an attribute such as deleted="2024-04-02-T08:00:00Z".
func (t *Time) UnmarshalXMLAttr(attr xml.Attr) error {
	v, err := ParseTime(attr.Value)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalXML writes the Jotta format, or an empty element for the zero time.
func (t Time) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	s := ""
	if !t.IsZero() {
		s = FormatTime(t.Time)
	}
	return e.EncodeElement(s, start)
}

// MarshalXMLAttr writes the Jotta format; the zero time omits the attribute.
func (t Time) MarshalXMLAttr(name xml.Name) (xml.Attr, error) {
	if t.IsZero() {
		return xml.Attr{}, nil
	}
	return xml.Attr{Name: name, Value: FormatTime(t.Time)}, nil
}

// JSONTime is a timestamp in a JSON reply that may be Unix milliseconds (a
// number), an RFC 3339 or Jotta string, or null.
type JSONTime struct {
	time.Time
}

// UnmarshalJSON accepts a number of milliseconds, a time string or null.
func (t *JSONTime) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" || s == `""` {
		t.Time = time.Time{}
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		if ms, err := strconv.ParseInt(str, 10, 64); err == nil {
			t.Time = time.UnixMilli(ms).UTC()
			return nil
		}
		v, err := ParseTime(str)
		if err != nil {
			return err
		}
		t.Time = v
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("api: unrecognised JSON time %s", s)
	}
	t.Time = time.UnixMilli(int64(f)).UTC()
	return nil
}

// MarshalJSON writes Unix milliseconds.
func (t JSONTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, t.UnixMilli(), 10), nil
}
