/* CIDR parsing and matching with inet_pton, for API key address limits. */
#include "core/cidr.h"
#include "core/err.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* INET6_ADDRSTRLEN plus "/128". */
#define CIDR_TEXT_MAX (INET6_ADDRSTRLEN + 4)

static int parse_prefix(const char *text, unsigned max, unsigned *out)
{
	unsigned value = 0;

	if (!*text || strlen(text) > 3) {
		return CAIRN_EINVAL;
	}
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9') {
			return CAIRN_EINVAL;
		}
		value = value * 10 + (unsigned)(*p - '0');
	}
	if (value > max) {
		return CAIRN_EINVAL;
	}
	*out = value;
	return 0;
}

int cidr_parse(const char *text, struct cidr *out)
{
	char address[CIDR_TEXT_MAX + 1];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	unsigned max;

	if (len == 0 || len > CIDR_TEXT_MAX) {
		return CAIRN_EINVAL;
	}
	memcpy(address, text, len);
	address[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, address, out->address) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, address, out->address) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return CAIRN_EINVAL;
	}
	if (!slash) {
		out->prefix = max;
		return 0;
	}
	return parse_prefix(slash + 1, max, &out->prefix);
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0) {
		return false;
	}
	if (rest == 0) {
		return true;
	}
	uint8_t mask = (uint8_t)(0xff << (8 - rest));

	return (a[bytes] & mask) == (b[bytes] & mask);
}

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool cidr_contains(const struct cidr *range, const struct sockaddr *addr)
{
	const uint8_t *bytes;
	int family;

	if (!addr) {
		return false;
	}
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		bytes = (const uint8_t *)&in->sin_addr;
		family = AF_INET;
	} else if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)addr;

		bytes = in6->sin6_addr.s6_addr;
		family = AF_INET6;
		if (range->family == AF_INET &&
		    memcmp(bytes, v4_mapped, sizeof(v4_mapped)) == 0) {
			bytes += sizeof(v4_mapped);
			family = AF_INET;
		}
	} else {
		return false;
	}
	return family == range->family &&
	       prefix_equal(bytes, range->address, range->prefix);
}
