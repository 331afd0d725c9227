// Package intake takes reports from the public — a neighbour, a hotel
// clerk, a worker, a victim on a phone — without exposing the person who
// sends them, and keeps the thread in which staff can ask the reporter
// questions. It owns the tables reports, report_messages,
// report_attachments and pow_spent, and its buckets in rate_limits.
//
// # What is stored
//
// A report keeps the answers of the form: choices as codes (urgency, type
// of place, time of day, who seems affected, the field-guide signs) and
// free text — what was seen, the area, how to reach the reporter, thread
// messages, attachments — sealed with the vault under the record
// "reports/<id>". Nothing about the client is stored: no address, no user
// agent, no cookie. Report ids are random UUIDv4 (a UUIDv7 would carry the
// exact submission time) and times are kept to the minute, so a report
// cannot be matched to a line of a reverse proxy's access log by its time.
//
// # Receipt codes
//
// After sending a report the reporter is shown a receipt code once: 16
// random decimal digits (about 53 bits), shown as four groups of four. With
// it they come back, read the questions staff asked and answer them. The
// code is not stored. Two values derived from it are:
//
//   - lookup: the first 3 bytes (24 bits) of HMAC-SHA256 of the code under
//     a key derived from the installation's index key (vault.BlindIndex,
//     purpose "intake.receipt.lookup"). It only narrows the search: rows are
//     found by an index on it, then verified by the hash (with a million
//     reports, about 6% of lookups find a second report besides the right one).
//   - hash: argon2id (auth.Hasher) of a peppered code, hex(HMAC-SHA256 of
//     the code under a second key derived from the index key, purpose
//     "intake.receipt.pepper").
//
// Why not store the full HMAC as the lookup: whoever steals the database
// and the key file could then try all 10^16 codes at HMAC speed (days on a
// GPU). With 24 bits of lookup, each lookup value has about 6×10^8 codes
// behind it, and telling them apart costs one argon2id each — years per
// code. Without the key file (a stolen database or backup alone) neither
// value can even be computed. Online guessing is throttled per client (a
// keyed hash of the address that changes daily) and globally, and every
// attempt runs exactly one argon2id check (a dummy one when no row
// matches), so timing does not reveal whether a lookup value is in use.
//
// # Abuse resistance
//
// The form carries a proof-of-work challenge signed by the server (HMAC
// over version, issue time, difficulty and a random id). A script finds a
// nonce such that SHA-256(challenge || nonce) starts with the given number
// of zero bits; the server checks it with one hash and records the
// challenge as spent until it expires, so each counts once. A report sent
// without a valid proof — a browser without JavaScript, an expired or
// reused challenge — is not refused: it is stored with status "held", for
// review with lower trust, so a person on a locked-down phone can still
// report while a flood of cheap submissions lands in a separate queue.
// Besides: per-client rate limits counted in the database (shared by every
// process), size limits for every field and attachment, a honeypot field
// (handled by the page layer), and a total storage quota for attachments.
//
// # Attachments
//
// JPEG, PNG and PDF, recognised by content sniffing, never by name. Images
// are decoded and re-encoded with the standard library (the EXIF
// orientation applied first), which drops every metadata block — camera,
// time, GPS position. PDFs are kept as sent (their metadata may name the
// author; the form says so). All are sealed with the vault and stored in
// the database, never written to disk in clear.
package intake
