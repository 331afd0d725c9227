package procurement

import (
	"context"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// ContractView is everything the contract page shows, read together.
type ContractView struct {
	Contract Contract
	Chain    []Subcontract
	// Sites are SitePageSize of the contract's sites by name from the
	// offset asked for; SiteCount counts them all.
	Sites     []Site
	SiteCount int
	Hits      []Hit
	Missing   []Missing
}

// ContractPage reads a contract with its chain, a page of its sites from
// offset, its risk-list hits and what it lacks before award, in one read
// transaction: one consistent view, and one round of the pool per page.
func (s *Service) ContractPage(ctx context.Context, actor access.Actor, id string, offset int) (ContractView, error) {
	if err := s.view(ctx, actor, "procurement_contract", id); err != nil {
		return ContractView{}, err
	}
	var out ContractView
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		if out.Contract, err = getContract(ctx, tx, id, false); err != nil {
			return err
		}
		facts, err := readChainFacts(ctx, tx, id)
		if err != nil {
			return err
		}
		out.Chain, out.SiteCount = facts.chain, facts.siteCount
		if out.Sites, err = querySites(ctx, tx, id, SitePageSize, max(offset, 0)); err != nil {
			return err
		}
		if out.Hits, err = hits(ctx, tx, out.Contract.Goods, facts.countries(out.Contract), false); err != nil {
			return err
		}
		out.Missing, err = missingFor(ctx, tx, out.Contract, facts)
		return err
	})
	return out, err
}
