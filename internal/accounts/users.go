package accounts

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
)

// User is a staff account. Name and contact details are personal data: they
// are encrypted in the database and appear in Profile only after RevealProfile.
type User struct {
	ID          string
	OrgID       string
	OrgName     string
	Username    string
	Role        access.Role
	Language    string
	TOTPEnabled bool
	CreatedAt   time.Time
	DisabledAt  *time.Time
	// OrgDisabled is true while the user's organisation is disabled.
	OrgDisabled bool
	// Pending is true until the owner activates the account (sets a password).
	Pending bool
}

// Active reports whether the user may sign in.
func (u User) Active() bool { return u.DisabledAt == nil && !u.OrgDisabled }

// Profile is a user's name and contact details.
type Profile struct {
	DisplayName string `json:"name"`
	Email       string `json:"email"`
	Phone       string `json:"phone"`
}

// NewUser is the input for creating an account.
type NewUser struct {
	OrgID    string
	Username string
	Role     access.Role
	// Password is for the operator's bootstrap only (CreateUserWithPassword:
	// the command line, demo data); CreateUser refuses it, because the
	// owner sets their password through the activation link.
	Password string
	Language string
	Profile  Profile
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// Validate checks the input and returns field errors with message keys.
func (in *NewUser) Validate() error {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.Profile.DisplayName = strings.TrimSpace(in.Profile.DisplayName)
	in.Profile.Email = strings.TrimSpace(in.Profile.Email)
	in.Profile.Phone = strings.TrimSpace(in.Profile.Phone)
	var fields []apperr.FieldError
	if !usernamePattern.MatchString(in.Username) {
		fields = append(fields, apperr.FieldError{Field: "username", Key: "user.username_invalid"})
	}
	if !in.Role.Valid() {
		fields = append(fields, apperr.FieldError{Field: "role", Key: "user.role_invalid"})
	}
	if in.OrgID == "" {
		fields = append(fields, apperr.FieldError{Field: "org", Key: "user.org_required"})
	}
	for _, f := range []struct{ field, v string }{{"name", in.Profile.DisplayName}, {"email", in.Profile.Email}, {"phone", in.Profile.Phone}} {
		field, v := f.field, f.v
		switch {
		case !utf8.ValidString(v):
			fields = append(fields, apperr.FieldError{Field: field, Key: "error.bad_encoding"})
		case utf8.RuneCountInString(v) > 200:
			fields = append(fields, apperr.FieldError{Field: field, Key: "error.too_long"})
		}
	}
	if in.Profile.DisplayName == "" {
		fields = append(fields, apperr.FieldError{Field: "name", Key: "user.name_required"})
	}
	if in.Profile.Email != "" {
		if a, err := mail.ParseAddress(in.Profile.Email); err != nil || a.Address != in.Profile.Email {
			fields = append(fields, apperr.FieldError{Field: "email", Key: "user.email_invalid"})
		}
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// CreateUser adds an account to an organisation the actor may create
// accounts in and returns its activation link: the account has no password
// until its owner opens the link. With mail configured the link goes to the
// address in the profile and the creator never sees it; without, it is
// returned once for the creator to hand over.
func (s *Service) CreateUser(ctx context.Context, actor access.Actor, in NewUser) (User, Activation, error) {
	if _, err := s.authorize(ctx, actor, access.CreateUsers, "user", "", in.OrgID); err != nil {
		if access.Can(actor, access.CreateUsers) {
			// Allowed in their own organisation only: say so.
			return User{}, Activation{}, apperr.New(apperr.Forbidden, "user.other_org_admin_only")
		}
		return User{}, Activation{}, err
	}
	if in.Password != "" {
		return User{}, Activation{}, apperr.Validation(apperr.FieldError{Field: "password", Key: "user.password_by_owner"})
	}
	if err := in.Validate(); err != nil {
		return User{}, Activation{}, err
	}
	if s.sendActivation != nil && in.Profile.Email == "" {
		return User{}, Activation{}, apperr.Validation(apperr.FieldError{Field: "email", Key: "user.email_required"})
	}
	if err := mayGrant(actor, in.Role); err != nil {
		s.recordDenied(ctx, actor, "user.create", "user", "", in.OrgID)
		return User{}, Activation{}, err
	}
	// Until the owner sets theirs, the account's password is one nobody
	// ever knew: sign-in takes its ordinary path and fails.
	unknown := make([]byte, 32)
	_, _ = rand.Read(unknown) // crypto/rand.Read never fails; it crashes the program instead.
	hash, err := s.hasher.Hash(base64.RawURLEncoding.EncodeToString(unknown))
	if err != nil {
		return User{}, Activation{}, fmt.Errorf("hash password: %w", err)
	}
	var link Activation
	u, err := s.insertUser(ctx, actor, in, hash, func(tx *storage.Tx, u User) error {
		var err error
		link, err = s.issueActivation(ctx, tx, actor, u.ID)
		return err
	})
	if err != nil {
		return User{}, Activation{}, err
	}
	return u, s.deliver(ctx, u, in.Language, in.Profile.Email, link), nil
}

// CreateUserWithPassword adds an account with a password the operator
// chose: the command line's "user add" (bootstrapping the first
// administrator) and the demo data, whose logins are written to a file.
func (s *Service) CreateUserWithPassword(ctx context.Context, in NewUser) (User, error) {
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	if err := auth.ValidatePassword(in.Password, in.Username); err != nil {
		return User{}, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	return s.insertUser(ctx, System, in, hash, nil)
}

// insertUser stores a new account in one transaction with its audit entry;
// then, if not nil, runs in the same transaction.
func (s *Service) insertUser(ctx context.Context, actor access.Actor, in NewUser, hash string, then func(*storage.Tx, User) error) (User, error) {
	now := s.now()
	u := User{ID: NewID(), OrgID: in.OrgID, Username: in.Username, Role: in.Role, Language: in.Language, CreatedAt: now, Pending: then != nil}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1 AND disabled_at IS NULL`, in.OrgID).Scan(&u.OrgName); err != nil {
			if err == sql.ErrNoRows {
				return apperr.Validation(apperr.FieldError{Field: "org", Key: "user.org_required"})
			}
			return fmt.Errorf("load organisation %s: %w", in.OrgID, err)
		}
		profile, err := s.sealProfile(ctx, tx, u.ID, in.Profile)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO users (id, org_id, username, role, language, profile, password_hash, password_changed_at, created_at, updated_at, created_by, created_by_org)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, $9, $10)`,
			u.ID, u.OrgID, u.Username, u.Role, u.Language, profile, hash, now, actor.UserID, actor.OrgID); err != nil {
			return fmt.Errorf("insert user: %w", storage.MapError(err))
		}
		if then != nil {
			if err := then(tx, u); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, actor, "user.create", audit.Done, "user", u.ID, u.OrgID, string(u.Role))
	})
	if apperr.Is(err, apperr.Conflict) {
		return User{}, apperr.Validation(apperr.FieldError{Field: "username", Key: "user.username_taken"})
	}
	return u, err
}

func (s *Service) sealProfile(ctx context.Context, tx *storage.Tx, userID string, p Profile) ([]byte, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	return s.vault.Seal(ctx, tx, userRecord(userID), "profile", plain)
}

func userRecord(id string) string { return "users/" + id }

// UserFilter narrows a user list.
type UserFilter struct {
	OrgID string
	// IncludeDisabled lists disabled accounts too.
	IncludeDisabled bool
	// Limit is the page size (default 100, at most 500); Offset skips rows.
	Limit, Offset int
}

// page returns the limit and offset to use.
func (f UserFilter) page() (int, int) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	return min(limit, 500), max(f.Offset, 0)
}

// userWhere is the filter of ListUsers and CountUsers: scope, organisation, status.
const userWhere = `($1 = '*' OR u.org_id = $1) AND ($2 = '' OR u.org_id = $2) AND ($3 OR u.disabled_at IS NULL)`

const userColumns = `u.id, u.org_id, o.name, u.username, u.role, u.language, u.totp_enabled_at IS NOT NULL, u.created_at, u.disabled_at,
	o.disabled_at IS NOT NULL, EXISTS (SELECT 1 FROM user_activations a WHERE a.user_id = u.id AND a.used_at IS NULL)`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.OrgID, &u.OrgName, &u.Username, &u.Role, &u.Language, &u.TOTPEnabled, &u.CreatedAt, &u.DisabledAt, &u.OrgDisabled, &u.Pending)
	return u, err
}

// ListUsers returns a page of the accounts in the actor's scope, ordered by
// organisation and username. No personal data.
func (s *Service) ListUsers(ctx context.Context, actor access.Actor, f UserFilter) ([]User, error) {
	scope, err := s.authorize(ctx, actor, access.ViewUsers, "user", "", f.OrgID)
	if err != nil {
		return nil, err
	}
	var users []User
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		limit, offset := f.page()
		rows, err := tx.QueryContext(ctx, `
			SELECT `+userColumns+`
			FROM users u JOIN organisations o ON o.id = u.org_id
			WHERE `+userWhere+`
			ORDER BY lower(o.name), u.username
			LIMIT $4 OFFSET $5`, scope.Org(), f.OrgID, f.IncludeDisabled, limit, offset)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return fmt.Errorf("scan user: %w", err)
			}
			users = append(users, u)
		}
		return rows.Err()
	})
	return users, err
}

// CountUsers counts the accounts ListUsers would list without paging.
func (s *Service) CountUsers(ctx context.Context, actor access.Actor, f UserFilter) (int, error) {
	scope, err := s.authorize(ctx, actor, access.ViewUsers, "user", "", f.OrgID)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM users u WHERE `+userWhere, scope.Org(), f.OrgID, f.IncludeDisabled).Scan(&n)
	})
	return n, err
}

// GetUser returns one account in the actor's scope. No personal data.
func (s *Service) GetUser(ctx context.Context, actor access.Actor, id string) (User, error) {
	scope, err := s.authorize(ctx, actor, access.ViewUsers, "user", id, "")
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		u, err = getUser(ctx, tx, scope, id)
		return err
	})
	s.auditNotFound(ctx, actor, "user.view", "user", id, err)
	return u, err
}

func getUser(ctx context.Context, tx *storage.Tx, scope access.Scope, id string) (User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `
		SELECT `+userColumns+`
		FROM users u JOIN organisations o ON o.id = u.org_id
		WHERE u.id = $1 AND ($2 = '*' OR u.org_id = $2)`, id, scope.Org()))
	if err != nil {
		return User{}, fmt.Errorf("load user %s: %w", id, storage.MapError(err))
	}
	return u, nil
}

// RevealProfile decrypts a user's name and contact details. It needs a recent
// step-up and is audited.
func (s *Service) RevealProfile(ctx context.Context, actor access.Actor, id string) (Profile, error) {
	scope, err := s.authorize(ctx, actor, access.RevealContact, "user", id, "")
	if err != nil {
		return Profile{}, err
	}
	if !actor.SteppedUp && actor != System {
		return Profile{}, apperr.New(apperr.StepUp, "error.step_up")
	}
	var p Profile
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var orgID string
		var sealed []byte
		err := tx.QueryRowContext(ctx, `SELECT org_id, profile FROM users WHERE id = $1 AND ($2 = '*' OR org_id = $2)`, id, scope.Org()).Scan(&orgID, &sealed)
		if err != nil {
			return fmt.Errorf("load profile %s: %w", id, storage.MapError(err))
		}
		plain, err := s.vault.Open(ctx, tx, userRecord(id), "profile", sealed)
		if err != nil {
			return err
		}
		if len(plain) > 0 {
			if err := json.Unmarshal(plain, &p); err != nil {
				return fmt.Errorf("decode profile %s: %w", id, err)
			}
		}
		return s.record(ctx, tx, actor, "user.reveal_contact", audit.Allowed, "user", id, orgID, "")
	})
	s.auditNotFound(ctx, actor, "user.reveal_contact", "user", id, err)
	return p, err
}

// SetDisabled disables or re-enables an account. Disabling ends every session
// of the user at once.
func (s *Service) SetDisabled(ctx context.Context, actor access.Actor, id string, disabled bool) error {
	scope, err := s.authorize(ctx, actor, access.ManageUsers, "user", id, "")
	if err != nil {
		return err
	}
	if disabled && id == actor.UserID {
		return apperr.New(apperr.Invalid, "user.cannot_disable_self")
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		u, err := getUser(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if err := mayManage(actor, u); err != nil {
			return err
		}
		var at *time.Time
		action := "user.enable"
		if disabled {
			now := s.now()
			at = &now
			action = "user.disable"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = $1, updated_at = $2 WHERE id = $3 AND ($4 = '*' OR org_id = $4)`,
			at, s.now(), id, scope.Org()); err != nil {
			return fmt.Errorf("update user %s: %w", id, err)
		}
		if disabled {
			if _, err := auth.DeleteUserSessions(ctx, tx, id); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, actor, action, audit.Done, "user", id, u.OrgID, "")
	})
	s.auditRefusal(ctx, actor, "user.disable", "user", id, err)
	return err
}

// SetLanguage saves the user's preferred language.
func (s *Service) SetLanguage(ctx context.Context, actor access.Actor, lang string) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET language = $1 WHERE id = $2`, lang, actor.UserID)
		return err
	})
}

// SetRole changes what an account may do. Nobody changes their own role, so
// an administrator cannot lock the installation out by accident.
func (s *Service) SetRole(ctx context.Context, actor access.Actor, id string, role access.Role) error {
	scope, err := s.authorize(ctx, actor, access.ManageUsers, "user", id, "")
	if err != nil {
		return err
	}
	if !role.Valid() {
		return apperr.Validation(apperr.FieldError{Field: "role", Key: "user.role_invalid"})
	}
	if id == actor.UserID {
		return apperr.New(apperr.Invalid, "user.cannot_change_own_role")
	}
	if err := mayGrant(actor, role); err != nil {
		s.recordDenied(ctx, actor, "user.role_change", "user", id, "")
		return err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		u, err := getUser(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if err := mayManage(actor, u); err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, updated_at = $2 WHERE id = $3 AND ($4 = '*' OR org_id = $4)`,
			role, s.now(), id, scope.Org()); err != nil {
			return fmt.Errorf("update role of %s: %w", id, err)
		}
		// A session signed in under the old role may lack the second factor
		// the new one needs (an analyst has none): sign in again.
		if _, err := auth.DeleteUserSessions(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "user.role_change", audit.Done, "user", id, u.OrgID, string(u.Role)+"->"+string(role))
	})
	s.auditRefusal(ctx, actor, "user.role_change", "user", id, err)
	return err
}

// mayGrant keeps the administrator role in administrators' hands: a
// coordinator manages accounts but cannot make anyone an administrator.
func mayGrant(actor access.Actor, role access.Role) error {
	if role == access.Administrator && !access.Can(actor, access.ManageAdmins) && actor != System {
		return apperr.Validation(apperr.FieldError{Field: "role", Key: "user.role_not_grantable"})
	}
	return nil
}

// mayManage keeps administrators' accounts in administrators' hands: a
// coordinator who could disable or demote them could lock the operator out.
func mayManage(actor access.Actor, u User) error {
	if u.Role == access.Administrator && !access.Can(actor, access.ManageAdmins) && actor != System {
		return apperr.New(apperr.Forbidden, "user.admin_only")
	}
	return nil
}

// Usernames maps the given user ids to usernames, for ids in the actor's
// scope; others are left out. It serves lists such as the audit log.
func (s *Service) Usernames(ctx context.Context, actor access.Actor, ids []string) (map[string]string, error) {
	names := map[string]string{}
	if len(ids) == 0 || !access.Can(actor, access.ViewUsers) {
		return names, nil
	}
	scope, err := access.Authorize(actor, access.ViewUsers)
	if err != nil {
		return nil, err
	}
	in, args := storage.InList(2, ids)
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, username FROM users WHERE ($1 = '*' OR org_id = $1) AND id IN (`+in+`)`,
			append([]any{scope.Org()}, args...)...)
		if err != nil {
			return fmt.Errorf("load usernames: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return fmt.Errorf("load usernames: %w", err)
			}
			names[id] = name
		}
		return rows.Err()
	})
	return names, err
}

// auditRefusal audits a change refused inside its transaction: a record
// out of scope (as auditNotFound) or one the actor may not change.
func (s *Service) auditRefusal(ctx context.Context, actor access.Actor, action, subjectType, id string, err error) {
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		s.recordDenied(ctx, actor, action, subjectType, id, "")
	}
}
