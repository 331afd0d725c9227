// Package auth holds Waymark's credentials and sessions: argon2id password
// hashes and the password policy, TOTP second factors, one-time recovery
// codes, server-side sessions and database-backed login throttling. It
// provides the parts; the login flow that composes them lives with the
// caller, which also owns the users table.
//
// Nothing here logs, and no error carries a password, code, token or
// username.
package auth
