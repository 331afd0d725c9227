package statistics

import (
	"context"

	"waymark.city/waymark/internal/storage"
)

// LoadModel reads the model from the records, as the per-request
// dashboard did and the stored facts are derived.
func (s *Service) LoadModel(ctx context.Context) (*Model, error) {
	var m *Model
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		m, err = s.load(ctx, tx)
		return err
	})
	return m, err
}

// FactsModel reads the stored facts of year, brought up to date first, as
// the dashboard reads them.
func (s *Service) FactsModel(ctx context.Context, year int) (*Model, error) {
	return s.model(ctx, year)
}
