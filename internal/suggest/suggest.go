// Package suggest finds the word a misspelt one was probably meant to be,
// for "did you mean" in messages: the candidate within edit distance 2.
// Cost: O(len(s) × len(c)) a candidate.
package suggest

// Closest returns the candidate within Levenshtein distance 2 of s, the
// nearest (the first of equals), or "" when none is that near.
func Closest(s string, cands []string) string {
	best, bestD := "", 3
	for _, c := range cands {
		if d := Distance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance of a and b in bytes: the fewest
// insertions, deletions and substitutions that make one the other.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
