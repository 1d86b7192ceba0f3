package bench

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// caseTitles are the row names of the table.
var caseTitles = map[string]string{
	CaseInitial: "1 initial backup",
	CaseRescan:  "2 unchanged rescan",
	CaseMemory:  "3 memory per file",
	CaseList:    "4 liststream decode",
	CaseWatch:   "5 watch latency",
	CaseRename:  "6 folder rename",
	CaseIdle:    "7 idle CPU",

	CaseLinkSmall:   "8 small files, WAN",
	CaseLinkInitial: "9 initial backup, WAN",
}

// WriteTable prints the report as one aligned table followed by the
// notes and any problems.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tmeasured\treference (same run)\tgoal\tmet\trequests")
	for _, res := range r.Results {
		title := caseTitles[res.Case]
		if res.Err != nil {
			fmt.Fprintf(tw, "%s\tfailed\t\t%s\tno\t\n", title, res.Goal)
			continue
		}
		met := "yes"
		switch {
		case len(res.Problems) > 0:
			met = "WRONG"
		case !res.Met:
			met = "no"
		}
		reqs := "-"
		if res.Requests > 0 || res.Case != CaseList {
			reqs = strconv.FormatInt(res.Requests, 10)
		}
		ref := res.Reference
		if ref == "" {
			ref = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", title, res.Measured, ref, res.Goal, met, reqs)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	for _, res := range r.Results {
		title := caseTitles[res.Case]
		switch {
		case res.Err != nil:
			fmt.Fprintf(&b, "%s: failed: %v\n", title, res.Err)
		case res.Note != "":
			fmt.Fprintf(&b, "%s: %s\n", title, res.Note)
		}
		for _, p := range res.Problems {
			fmt.Fprintf(&b, "%s: problem: %s\n", title, p)
		}
	}
	fmt.Fprintf(&b, "%s; %s in all\n", r.Machine, fmtDur(r.Elapsed))
	_, err := io.WriteString(w, "\n"+b.String())
	return err
}
