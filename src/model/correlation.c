/*
 * Correlating values and network keys of attributes; see correlation.h.
 * Nothing here allocates or fails on bad input, because the store calls
 * it from an index expression, where an error would reject the write.
 */
#include "model/correlation.h"

#include "core/cidr.h"

#include <string.h>
#include <sys/socket.h>

/* MispAttribute::NON_CORRELATING_TYPES in MISP 2.5.1. */
static const char *const non_correlating_types[] = {
	"comment",     "http-method", "aba-rtn", "gender",
	"counter",     "integer",     "float",   "port",
	"nationality", "cortex",      "boolean", "anonymised",
};

/* MispAttribute::PRIMARY_ONLY_CORRELATING_TYPES: composites that
 * correlate on their first half only. */
static const char *const primary_only_types[] = {
	"ip-src|port",
	"ip-dst|port",
	"hostname|port",
};

/* Types with a network key, and which half of the value contains it:
 * 0 the whole value, 1 the first half, 2 the second half. */
static const struct {
	const char *type;
	int half;
} net_types[] = {
	{"ip-src", 0},      {"ip-dst", 0},    {"ip-src|port", 1},
	{"ip-dst|port", 1}, {"domain|ip", 2},
};

/* The maximum address text length: INET6_ADDRSTRLEN (46) plus "/128". */
#define ADDRESS_TEXT_MAX 50

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool name_in(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(name, list[i]) == 0) {
			return true;
		}
	}
	return false;
}

bool correlate_type_correlates(const char *type)
{
	return !name_in(type, non_correlating_types,
			COUNT(non_correlating_types));
}

/* MISP's composite types are the ones with "|" in the name, and
 * malware-sample, whose value is "filename|md5". */
bool correlate_type_composite(const char *type)
{
	return strchr(type, '|') != NULL || strcmp(type, "malware-sample") == 0;
}

bool correlate_second_half(const char *type, const char *value,
			   struct correlate_key *second)
{
	const char *bar;

	if (!type || !value || !correlate_type_correlates(type) ||
	    !correlate_type_composite(type) ||
	    name_in(type, primary_only_types, COUNT(primary_only_types))) {
		return false;
	}
	bar = strchr(value, '|');
	if (!bar || !bar[1]) {
		return false;
	}
	second->text = bar + 1;
	second->len = strlen(bar + 1);
	return true;
}

size_t correlate_keys(const char *type, const char *value,
		      struct correlate_key keys[2])
{
	struct correlate_key second;
	const char *bar;
	size_t n = 0;

	if (!type || !value || !correlate_type_correlates(type)) {
		return 0;
	}
	bar = correlate_type_composite(type) ? strchr(value, '|') : NULL;
	if (!bar) {
		/* A composite value without "|" correlates whole, as MISP
		 * keeps it all in value1. */
		if (*value) {
			keys[n++] = (struct correlate_key){value, strlen(value)};
		}
		return n;
	}
	if (bar > value) {
		keys[n++] = (struct correlate_key){value, (size_t)(bar - value)};
	}
	if (correlate_second_half(type, value, &second) &&
	    (n == 0 || second.len != keys[0].len ||
	     memcmp(second.text, keys[0].text, second.len) != 0)) {
		keys[n++] = second;
	}
	return n;
}

/* ssdeep block sizes are 3 times a power of two; this bounds the digits. */
#define SSDEEP_BLOCK_MAX 0x7fffffffL

long correlate_ssdeep_block(const char *type, const char *value)
{
	long block = 0;
	const char *p = value;

	if (!type || !value || strcmp(type, "ssdeep") != 0) {
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		block = block * 10 + (*p - '0');
		if (block > SSDEEP_BLOCK_MAX) {
			return -1;
		}
	}
	if (p == value || *p != ':' || block == 0 || !strchr(p + 1, ':')) {
		return -1;
	}
	return block;
}

static void clear_host_bits(uint8_t address[16], unsigned prefix)
{
	for (unsigned bit = prefix; bit < 128; bit++) {
		if (bit % 8 == 0 && bit + 8 <= 128) {
			memset(address + bit / 8, 0, 16 - bit / 8);
			return;
		}
		address[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	}
}

bool correlate_net_key_parse(const char *text, size_t len,
			     uint8_t key[CORRELATE_NET_KEY_LEN])
{
	char copy[ADDRESS_TEXT_MAX + 1];
	struct cidr block;

	if (len == 0 || len > ADDRESS_TEXT_MAX) {
		return false;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (cidr_parse(copy, &block) != 0) {
		return false;
	}
	memset(key, 0, CORRELATE_NET_KEY_LEN);
	if (block.family == AF_INET) {
		key[10] = 0xff;
		key[11] = 0xff;
		memcpy(key + 12, block.address, 4);
		block.prefix += 96;
	} else {
		memcpy(key, block.address, 16);
	}
	clear_host_bits(key, block.prefix);
	key[16] = (uint8_t)block.prefix;
	return true;
}

bool correlate_net_key(const char *type, const char *value,
		       uint8_t key[CORRELATE_NET_KEY_LEN])
{
	const char *bar;

	if (!type || !value) {
		return false;
	}
	for (size_t i = 0; i < COUNT(net_types); i++) {
		if (strcmp(type, net_types[i].type) != 0) {
			continue;
		}
		bar = strchr(value, '|');
		if (net_types[i].half == 0) {
			return correlate_net_key_parse(value, strlen(value),
						       key);
		}
		if (!bar) {
			return false;
		}
		if (net_types[i].half == 1) {
			return correlate_net_key_parse(
				value, (size_t)(bar - value), key);
		}
		return correlate_net_key_parse(bar + 1, strlen(bar + 1), key);
	}
	return false;
}

void correlate_net_key_widen(const uint8_t key[CORRELATE_NET_KEY_LEN],
			     unsigned prefix,
			     uint8_t out[CORRELATE_NET_KEY_LEN])
{
	if (prefix > key[16]) {
		prefix = key[16];
	}
	memcpy(out, key, CORRELATE_NET_KEY_LEN);
	clear_host_bits(out, prefix);
	out[16] = (uint8_t)prefix;
}

void correlate_net_key_last(const uint8_t key[CORRELATE_NET_KEY_LEN],
			    uint8_t out[CORRELATE_NET_KEY_LEN])
{
	unsigned prefix = key[16];

	memcpy(out, key, CORRELATE_NET_KEY_LEN);
	for (unsigned bit = prefix; bit < 128; bit++) {
		out[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
	}
	out[16] = CORRELATE_NET_FULL;
}
