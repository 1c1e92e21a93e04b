/*
 * Password hashing.  The work factors are libsodium's "interactive"
 * limits, which take tens of milliseconds and 64 MiB per check; the
 * parameters travel inside the stored string, so raising them later
 * leaves old hashes valid.
 */
#include "core/password.h"

#include <sodium.h>
#include <string.h>

int password_check(const char *password, size_t len, struct cairn_err *e)
{
	if (len < PASSWORD_MIN_LENGTH) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "password too short: expected at least "
				     "%d characters",
				     PASSWORD_MIN_LENGTH);
	}
	if (len > PASSWORD_MAX_LENGTH) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "password too long: expected at most "
				     "%d bytes",
				     PASSWORD_MAX_LENGTH);
	}
	if (memchr(password, '\0', len)) {
		return cairn_err_set(e, CAIRN_EINVAL,
				     "password contains a NUL byte");
	}
	return 0;
}

int password_hash(const char *password, size_t len, struct buf *out,
		  struct cairn_err *e)
{
	char hash[crypto_pwhash_STRBYTES];

	if (crypto_pwhash_str_alg(hash, password, len,
				  crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		return cairn_err_set(e, CAIRN_ENOMEM,
				     "hashing a password ran out of memory");
	}
	buf_clear(out);
	if (buf_adds(out, hash) < 0) {
		sodium_memzero(hash, sizeof(hash));
		return cairn_err_set(e, CAIRN_ENOMEM, "out of memory");
	}
	sodium_memzero(hash, sizeof(hash));
	return 0;
}

bool password_verify(const char *stored, const char *password, size_t len)
{
	if (!stored || strncmp(stored, "$argon2id$", 10) != 0) {
		return false;
	}
	return crypto_pwhash_str_verify(stored, password, len) == 0;
}
