package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/config"
)

func userAdd(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "user add", "user add --org ORG --username NAME --role ROLE --name 'FULL NAME' [--email E] < password")
	cfg.Register(fs, io.Getenv)
	org := fs.String("org", "", "organisation id or exact name")
	username := fs.String("username", "", "sign-in name (lower case letters, digits, . _ -)")
	role := fs.String("role", string(access.Administrator), fmt.Sprintf("role, one of %v", access.Roles))
	name := fs.String("name", "", "the person's full name (stored encrypted)")
	email := fs.String("email", "", "e-mail address (stored encrypted)")
	phone := fs.String("phone", "", "phone number (stored encrypted)")
	lang := fs.String("language", "en", "preferred language")
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	fmt.Fprintln(io.Stderr, "Password (at least 12 characters), then Enter:")
	line, err := bufio.NewReader(io.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("read password from standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	a, err := openExisting(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	orgID, err := findOrg(ctx, a.Accounts, *org)
	if err != nil {
		return err
	}
	u, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{
		OrgID: orgID, Username: *username, Role: access.Role(*role), Password: password, Language: *lang,
		Profile: accounts.Profile{DisplayName: *name, Email: *email, Phone: *phone},
	})
	if err != nil {
		return explain(a.Catalog, err)
	}
	fmt.Fprintf(io.Stdout, "user %q added with id %s; they set up their authenticator app at first sign-in\n", u.Username, u.ID)
	return nil
}

func findOrg(ctx context.Context, svc *accounts.Service, ref string) (string, error) {
	orgs, err := svc.ListOrganisations(ctx, accounts.System)
	if err != nil {
		return "", err
	}
	for _, o := range orgs {
		if o.ID == ref || strings.EqualFold(o.Name, ref) {
			return o.ID, nil
		}
	}
	return "", fmt.Errorf("no organisation with id or name %q (add one with 'waymark org add')", ref)
}
