package cli

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/config"
)

func orgAdd(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "org add", "org add --name NAME --kind KIND [--data DIR | --database URL]")
	cfg.Register(fs, io.Getenv)
	name := fs.String("name", "", "organisation name")
	kind := fs.String("kind", string(accounts.Municipality), fmt.Sprintf("organisation type, one of %v", accounts.OrgKinds))
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	a, err := open(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	org, err := a.Accounts.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: *name, Kind: accounts.OrgKind(*kind)})
	if err != nil {
		return explain(a.Catalog, err)
	}
	fmt.Fprintf(io.Stdout, "organisation %q added with id %s\n", org.Name, org.ID)
	return nil
}
