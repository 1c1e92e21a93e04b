/* Small helpers shared by every layer: clock, UUIDs, random keys, hashes. */
#ifndef CAIRN_UTIL_H
#define CAIRN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UUID_TEXT_SIZE 37   /* 36 characters and the NUL */
#define API_KEY_LENGTH 40   /* MISP's key length, letters and digits */
#define SHA256_HEX_SIZE 65  /* 64 hex digits and the NUL */

/* Returns the current time in unix seconds. */
int64_t time_now(void);

/* Writes today's UTC date as YYYY-MM-DD into `out` (11 bytes). */
void date_today(char out[11]);

/* Writes the UTC time now as MISP's "YYYY-MM-DD HH:MM:SS". */
#define DATETIME_TEXT_SIZE 20
void datetime_now(char out[DATETIME_TEXT_SIZE]);

/* Writes a random version 4 UUID in lower case. */
void uuid_generate(char out[UUID_TEXT_SIZE]);

/* Writes a random API key of API_KEY_LENGTH letters and digits and a NUL. */
void api_key_generate(char out[API_KEY_LENGTH + 1]);

/* Writes the hex SHA-256 of `len` bytes at `data`. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE]);

/* Returns whether `haystack` contains `needle` without regard to ASCII
 * case; an empty needle is contained in every string. */
bool str_contains_nocase(const char *haystack, const char *needle);

/* Initialises libsodium; call once at start.  Returns 0 or -1. */
int util_init(void);

#endif
