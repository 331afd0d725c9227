package forms

import (
	"slices"
	"strconv"
	"strings"
)

// cycles refuses rows whose values depend on each other in a circle. A
// row's value depends on what its relevant and calculation read, and on
// the relevance of the groups around it; required and constraint only read
// values once they are all known, so nothing depends on them and they
// cannot close a circle (a constraint reading its own value with "." is
// the normal case).
func (b *builder) cycles() {
	deps := map[*node][]*node{}
	var visit func(n *node)
	visit = func(n *node) {
		var out []*node
		for _, e := range []expr{n.relevant, n.calculation} {
			if e == nil {
				continue
			}
			walk(e, func(e expr) {
				if r, ok := e.(*ref); ok && r.node != nil {
					out = append(out, r.node)
				}
			})
		}
		if n.parent != nil && n.parent != b.form.root {
			out = append(out, n.parent)
		}
		deps[n] = out
		for _, c := range n.children {
			visit(c)
		}
	}
	for _, c := range b.form.root.children {
		visit(c)
	}
	const (
		unseen = iota
		active
		done
	)
	state := map[*node]int{}
	var stack []*node
	var dfs func(n *node) []*node
	dfs = func(n *node) []*node {
		state[n] = active
		stack = append(stack, n)
		for _, m := range deps[n] {
			switch state[m] {
			case active:
				return stack[slices.Index(stack, m):]
			case unseen:
				if c := dfs(m); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	var order []*node
	var collect func(n *node)
	collect = func(n *node) {
		for _, c := range n.children {
			order = append(order, c)
			collect(c)
		}
	}
	collect(b.form.root)
	for _, n := range order {
		if state[n] != unseen {
			continue
		}
		stack = stack[:0]
		if c := dfs(n); c != nil {
			nums := make([]int, len(c))
			first := c[0]
			for i, m := range c {
				nums[i] = m.row
				if m.row < first.row {
					first = m
				}
			}
			slices.Sort(nums)
			rows := make([]string, len(nums))
			for i, r := range nums {
				rows[i] = strconv.Itoa(r)
			}
			column := "relevant"
			if first.calculation != nil {
				column = "calculation"
			}
			b.p.add(sheetSurvey, first.row, column, "forms.error.cycle")
			b.p.list[len(b.p.list)-1].Args["rows"] = strings.Join(rows, ", ")
			return
		}
	}
}
