// Package timelayout reads date layouts written the way analysts write them
// (strftime: %Y-%m-%d %H:%M, as in C, POSIX, Python's strptime and R) or as
// Go layouts (2006-01-02 15:04), for calibrate's logs and replayed logs.
package timelayout

import (
	"fmt"
	"strings"
)

// strftime maps the strftime conversions read here to Go's reference-time
// layout elements.
var strftime = map[byte]string{
	'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'e': "_2", 'j': "002",
	'H': "15", 'I': "03", 'M': "04", 'S': "05", 'p': "PM",
	'b': "Jan", 'h': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday",
	'F': "2006-01-02", 'T': "15:04:05", 'R': "15:04", 'D': "01/02/06",
	'z': "-0700", 'Z': "MST", '%': "%",
}

// Supported lists the conversions Go reads, for messages.
const Supported = "%Y %y %m %d %e %j %H %I %M %S %p %b %B %a %A %F %T %R %D %z %Z %%"

// Go returns the Go time layout of a date layout written either in strftime
// form (any layout holding a %) or as a Go layout, which is returned as it
// is. A % conversion it does not know is an error naming it.
func Go(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", fmt.Errorf("date layout %q ends with a lone %%", s)
		}
		i++
		g, ok := strftime[s[i]]
		if !ok {
			return "", fmt.Errorf("date layout %q: %%%c is not a conversion patrolsim reads (it reads %s)", s, s[i], Supported)
		}
		b.WriteString(g)
	}
	return b.String(), nil
}
