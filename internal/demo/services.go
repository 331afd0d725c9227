package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/interpreters"
)

// seedServices adds a shelter of the NGO to the service directory with an
// accreditation that ends within the year, a drop-in centre for people at
// risk and victims alike, and an interpreter of Romanian, Bulgarian and
// English trained for trafficking interviews to the register.
func seedServices(ctx context.Context, d Deps, coordinator access.Actor, orgIDs []string) error {
	const ngo = 2
	p, err := d.Assistance.CreateProvider(ctx, coordinator, assistance.ProviderInput{
		Name: "Safe Harbour Shelter", Types: []string{"shelter", "psychological"}, Languages: []string{"ro", "bg", "en"},
		Phone: "+00 555 0171", Email: "shelter@safeharbour.example", Address: "12 River Lane, Riverton", OrgID: orgIDs[ngo],
		Active: true, PlacesTotal: 8, PlaceGender: "women", PlaceAge: "adults"})
	if err != nil {
		return fmt.Errorf("seed shelter: %w", err)
	}
	if _, err := d.Assistance.AddStandard(ctx, coordinator, p.ID, assistance.StandardInput{
		Name: "Accredited shelter for victims of trafficking", Issuer: "Riverton Department of Social Affairs",
		ValidUntil: time.Now().AddDate(0, 10, 0).Format(time.DateOnly)}); err != nil {
		return fmt.Errorf("seed shelter accreditation: %w", err)
	}
	if _, err := d.Assistance.CreateProvider(ctx, coordinator, assistance.ProviderInput{
		Name: "Riverton Workers' Drop-in", Types: []string{"employment", "legal_aid", "interpretation"}, Languages: []string{"ro", "bg", "ar", "en"},
		Audiences: []string{"at_risk", "victims"}, Phone: "+00 555 0140", Email: "dropin@riverton.example", Address: "3 Market Square, Riverton",
		Active: true}); err != nil {
		return fmt.Errorf("seed drop-in: %w", err)
	}
	if _, err := d.Interpreters.Create(ctx, coordinator, interpreters.Input{
		Name: "Elena Popescu", Contact: "+00 555 0199, elena.popescu@interpreters.example", Languages: []string{"ro", "bg", "en"},
		Kind: "both", TraffickingTrained: true, ConfidentialityOn: time.Now().AddDate(0, -3, 0).Format(time.DateOnly),
		Availability: "Weekdays 9–17; evenings by arrangement", Active: true}); err != nil {
		return fmt.Errorf("seed interpreter: %w", err)
	}
	return nil
}
