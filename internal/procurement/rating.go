package procurement

// Overall is the contract's rating from its six characteristics, ""
// unless all six are rated. The rule: any characteristic high makes the
// contract high (PPN 02/23 treats one severe indicator as enough to act
// on); two or more medium make it medium; otherwise low.
func Overall(ratings []Rating) string {
	rated := map[string]string{}
	for _, r := range ratings {
		rated[r.Characteristic] = r.Level
	}
	high, medium := false, 0
	for _, c := range characteristics {
		switch rated[c] {
		case "":
			return ""
		case High:
			high = true
		case Medium:
			medium++
		}
	}
	switch {
	case high:
		return High
	case medium >= 2:
		return Medium
	}
	return Low
}
