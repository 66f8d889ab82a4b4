// Package errlist joins several errors on one line, separated by "; ", for
// messages that are printed after a file or field name.
package errlist

// List is a list of errors that prints on one line.
type List []error

// Unwrap returns the errors, for errors.Is and errors.As.
func (l List) Unwrap() []error { return l }

func (l List) Error() string {
	s := ""
	for i, err := range l {
		if i > 0 {
			s += "; "
		}
		s += err.Error()
	}
	return s
}

// Join returns nil for no error, the error itself for one, and a List for
// more.
func Join(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return List(errs)
}
