/* Password hashing with Argon2id (libsodium's crypto_pwhash_str). */
#ifndef CAIRN_PASSWORD_H
#define CAIRN_PASSWORD_H

#include "core/buf.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

/* Shortest and longest password accepted, in bytes. */
#define PASSWORD_MIN_LENGTH 12
#define PASSWORD_MAX_LENGTH 4096

/* Checks that a new password meets the length rules; fills `e` naming the
 * rule it breaks, never the password itself. */
int password_check(const char *password, size_t len, struct cairn_err *e);

/* Replaces `out` with the Argon2id string of the password, salt and
 * parameters included.  Returns 0, or CAIRN_ENOMEM when libsodium cannot
 * get the memory the hash needs. */
int password_hash(const char *password, size_t len, struct buf *out,
		  struct cairn_err *e);

/* Checks a password against a stored Argon2id string in time that does
 * not depend on where they differ.  An empty or malformed `stored` never
 * matches. */
bool password_verify(const char *stored, const char *password, size_t len);

#endif
