package spool

// SetFanIn changes how many runs are merged at once, so tests can reach the
// intermediate merges with few records.
func SetFanIn(s *Sorter, n int) { s.fanIn = n }

// Chains is how many sources the final merge reads.
func Chains(s *Sorter) int { return len(s.chains) }

// RunFiles are the paths of the run files a sorted Sorter reads.
func RunFiles(s *Sorter) []string {
	var paths []string
	for _, r := range s.runs {
		paths = append(paths, r.path)
	}
	return paths
}
