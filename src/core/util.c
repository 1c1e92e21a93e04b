/* Clock, UUIDs, random keys and hashes; see util.h. */
#include "core/util.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char hex_digits[] = "0123456789abcdef";

int util_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int64_t time_now(void)
{
	return (int64_t)time(NULL);
}

void date_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void datetime_now(char out[DATETIME_TEXT_SIZE])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, DATETIME_TEXT_SIZE, "%Y-%m-%d %H:%M:%S", &tm);
}

void uuid_generate(char out[UUID_TEXT_SIZE])
{
	unsigned char bytes[16];
	size_t o = 0;

	randombytes_buf(bytes, sizeof(bytes));
	bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);
	bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			out[o++] = '-';
		}
		out[o++] = hex_digits[bytes[i] >> 4];
		out[o++] = hex_digits[bytes[i] & 0x0f];
	}
	out[o] = '\0';
}

void api_key_generate(char out[API_KEY_LENGTH + 1])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789";

	for (int i = 0; i < API_KEY_LENGTH; i++) {
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	}
	out[API_KEY_LENGTH] = '\0';
}

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, data, len);
	for (size_t i = 0; i < sizeof(digest); i++) {
		out[2 * i] = hex_digits[digest[i] >> 4];
		out[2 * i + 1] = hex_digits[digest[i] & 0x0f];
	}
	out[2 * sizeof(digest)] = '\0';
}

bool str_contains_nocase(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = haystack; *p; p++) {
		if (strncasecmp(p, needle, n) == 0) {
			return true;
		}
	}
	return n == 0;
}
