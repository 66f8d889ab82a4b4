package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/patrolsim/patrolsim/scenarios/calibrate"
)

func (m *Main) calibrateCmd() *cobra.Command {
	var o calibrate.Options
	cmd := &cobra.Command{
		Use:   "calibrate --incidents FILE.csv --areas AREAS.geojson --district-field F -o SCENARIO.yaml",
		Short: "Build a scenario from incident records and area polygons",
		Long: "Calibrate reads an incident CSV (header row; columns by name) and area polygons\n" +
			"(GeoJSON), places every record in an area and writes a ready-to-run scenario:\n" +
			"per-area weights (in a copy of the GeoJSON, SCENARIO.areas.geojson), the daily\n" +
			"volume, hour-of-day and day-of-week profiles and the type mix, with a\n" +
			"goodness-of-fit report (SCENARIO.fit.txt). --types maps the --type column's\n" +
			"categories to incident types with priority, on-scene time, officers,\n" +
			"deterrable and crime (a YAML file, or builtin:sf / builtin:chicago); without\n" +
			"it priorities and on-scene times are placeholders. --priority, --on-scene or\n" +
			"--arrived/--cleared read them from the log. Units, dispatch and travel are\n" +
			"placeholders to set; the YAML states the utilisation the force gives (a short\n" +
			"run of the scenario). Warnings go to stderr and into the YAML. Date layouts\n" +
			"are Go's (2006-01-02 15:04) or strftime's (%Y-%m-%d %H:%M). --near-repeat also fits the\n" +
			"self-exciting (Hawkes) model by maximum likelihood and writes it into the\n" +
			"scenario; --roads makes it travel on a road network. See docs/calibrate.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir := filepath.Dir(o.Out); o.Out != "" {
				if st, err := os.Stat(dir); err != nil || !st.IsDir() {
					return usageError{fmt.Errorf("--out %s: the folder %s does not exist", o.Out, dir)}
				}
				if st, err := os.Stat(o.Out); err == nil && !st.Mode().IsRegular() {
					return usageError{fmt.Errorf("--out %s: exists and is not a file; name the scenario file to write", o.Out)}
				}
			}
			r, err := calibrate.RunContext(cmd.Context(), o, cmd.ErrOrStderr())
			if errors.Is(err, context.Canceled) {
				if r != nil {
					return fmt.Errorf("interrupted; %s and the files it names were written before it took effect: %w", o.Out, err)
				}
				return fmt.Errorf("interrupted before anything was written: %w", err)
			}
			if err != nil {
				return usageError{err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d incidents over %g days (%.2f a day) in %d areas; %d outside every area, %d unparsable rows, %d duplicates.\nwrote %s, %s, %s\n",
				r.Inside, r.Days, r.PerDay, len(r.AreaNames), r.Outside, r.Bad, r.Duplicates, r.ScenarioPath, r.AreasPath, r.ReportPath)
			if f := r.Force; f.Measured == f.Measured {
				fmt.Fprintf(cmd.OutOrStdout(), "placeholder force: %d cars, offered load %.2f cars (%.1f%%); a run of the scenario measures utilisation %.1f%%\n",
					f.Cars, f.Load, 100*f.Load/float64(f.Cars), 100*f.Measured)
			}
			if nr := r.NearRepeat; nr != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "near repeats: offspring %.3f (s.e. %.3f), decay %.2f d (s.e. %.2f), radius %g m; log-likelihood %.1f vs Poisson %.1f (AIC %.1f vs %.1f)\n",
					nr.Offspring, nr.OffspringSE, nr.DecayDays, nr.DecayDaysSE, nr.RadiusM, nr.LogL, nr.LogL0, nr.AIC, nr.AIC0)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Incidents, "incidents", "", "incident CSV with a header row (required)")
	fl.StringVar(&o.Areas, "areas", "", "area polygons, a GeoJSON FeatureCollection in lon/lat (required)")
	fl.StringVar(&o.NameField, "name-field", "name", "feature property naming the area (features sharing a name are one area)")
	fl.StringVar(&o.DistrictField, "district-field", "district", "feature property naming the district")
	fl.StringVar(&o.PopulationField, "population-field", "", "feature property holding the area's residents")
	fl.Float64Var(&o.Population, "population", 0, "the city's residents, spread over the areas by area (when the areas carry none)")
	fl.StringVar(&o.Lon, "lon", "longitude", "longitude column")
	fl.StringVar(&o.Lat, "lat", "latitude", "latitude column")
	fl.StringVar(&o.Time, "time", "", "date-time column (or --date and --clock)")
	fl.StringVar(&o.Date, "date", "", "date column, with --clock")
	fl.StringVar(&o.Clock, "clock", "", "clock column (HH:MM, see --clock-format), with --date")
	fl.StringVar(&o.TimeFormat, "time-format", "", `layout of --time or --date, Go's or strftime's (default "2006-01-02 15:04" with --time, "01/02/2006" with --date; e.g. "%Y-%m-%d %H:%M", "%m/%d/%Y")`)
	fl.StringVar(&o.ClockFormat, "clock-format", "15:04", `layout of --clock, Go's or strftime's (e.g. "%H:%M")`)
	fl.StringVar(&o.Type, "type", "", "incident type column (default: one type)")
	fl.StringVar(&o.Types, "types", "", "map the --type column's categories to incident types: a YAML file, or builtin:sf, builtin:chicago (docs/calibrate.md)")
	fl.StringVar(&o.Priority, "priority", "", "recorded priority column (1, 2, 3 or A, B, C): each type gets its most frequent")
	fl.StringVar(&o.OnScene, "on-scene", "", "recorded on-scene time column (minutes, or H:MM[:SS]): fits each type's on-scene time")
	fl.StringVar(&o.Arrived, "arrived", "", "column of the time the first unit arrived (with --cleared; layout --time-format)")
	fl.StringVar(&o.Cleared, "cleared", "", "column of the time the call was cleared (with --arrived): on scene = cleared − arrived")
	fl.StringVar(&o.ID, "id", "", "record id column: rows repeating an id count once")
	fl.StringVar(&o.From, "from", "", "first date used, YYYY-MM-DD (default: the earliest record)")
	fl.StringVar(&o.To, "to", "", "last date used, YYYY-MM-DD, inclusive (default: the latest record)")
	fl.StringVarP(&o.Out, "out", "o", "", "scenario YAML to write (required)")
	fl.StringVar(&o.Name, "name", "", "scenario name (default: the output's base name)")
	fl.IntVar(&o.TopTypes, "top-types", 6, "incident types kept; the rest become \"other\"")
	fl.StringVar(&o.Duration, "duration", "30d", "the scenario's duration")
	fl.StringVar(&o.Roads, "roads", "", "road network (GeoJSON line strings, e.g. TIGER/Line roads): the scenario travels on it (travel model road)")
	fl.BoolVar(&o.NearRepeat, "near-repeat", false, "also fit the self-exciting (near-repeat) model by maximum likelihood and write it into the scenario")
	fl.Float64SliceVar(&o.Radii, "near-repeat-radii", nil, "radii (m) over which the near-repeat radius is profiled (default 50,100,…,500,600,700,800,1000,1250,1500,2000)")
	// The default is said in the usage: pflag would add "(default [])" for
	// the empty list that stands for it (issue 20).
	fl.Lookup("near-repeat-radii").DefValue = ""
	fl.Float64Var(&o.WindowDays, "near-repeat-window", calibrate.DefaultWindowDays, "longest parent–child delay in the near-repeat fit, days")
	fl.Float64Var(&o.MaxBad, "max-bad", 0.01, "largest share of unparsable rows tolerated (they are skipped and reported)")
	return cmd
}
