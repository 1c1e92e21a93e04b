/*
 * CIDR ranges of IPv4 and IPv6 addresses, and whether a socket address
 * falls in one.  An IPv4-mapped IPv6 peer (::ffff:a.b.c.d, as a dual-stack
 * socket reports an IPv4 client) is matched as the IPv4 address.
 */
#ifndef CAIRN_CIDR_H
#define CAIRN_CIDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct cidr {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t address[16]; /* network byte order; 4 bytes used for IPv4 */
	unsigned prefix;     /* 0..32 or 0..128 */
};

/* Parses "ADDRESS/PREFIX" or a bare address (a /32 or /128 range).  Host
 * bits set past the prefix are accepted and ignored.  Returns 0, or
 * CAIRN_EINVAL for anything else. */
int cidr_parse(const char *text, struct cidr *out);

/* Returns true when `addr` (AF_INET or AF_INET6) lies inside `range`. */
bool cidr_contains(const struct cidr *range, const struct sockaddr *addr);

#endif
