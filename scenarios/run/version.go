package run

import "runtime/debug"

// Version returns the module version and VCS revision the running binary
// was built from ("devel" when unknown; "+REVISION" and "-dirty" appended
// when the build recorded them). Resolved scenarios and baselines name it.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return v
}
