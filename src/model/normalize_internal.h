/*
 * Family functions shared by normalize.c and normalize_net.c.
 *
 * Every family function takes the value already stripped of surrounding
 * blanks, writes the canonical form into `out` (empty on entry) and
 * returns 0, or CAIRN_EINVAL with the reason in `expectation`, a short phrase
 * that completes "expected ...".  normalize_value() adds the value and
 * the type to the message.
 */
#ifndef CAIRN_NORMALIZE_INTERNAL_H
#define CAIRN_NORMALIZE_INTERNAL_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

struct norm_rule;

typedef int norm_fn(const struct norm_rule *rule, const char *value,
		    struct buf *out, const char **expectation);

/* One row of the type table: a type name, its family function, and the
 * family's parameter (a hash's hex length, a lower bound, ...). */
struct norm_rule {
	const char *type;
	norm_fn *fn;
	int arg;
};

norm_fn norm_ip;
norm_fn norm_ip_port;
norm_fn norm_domain;
norm_fn norm_domain_ip;
norm_fn norm_hostname_port;
norm_fn norm_url;
norm_fn norm_link;
norm_fn norm_email;
norm_fn norm_datetime;

/* Writes `ip` (an address, or an address and a CIDR mask) in canonical
 * form; see normalize_net.c. */
int norm_ip_text(const char *ip, size_t len, bool allow_mask,
		 struct buf *out, const char **expectation);

/* Writes the lower-case ASCII (punycode) form of a domain name of `len`
 * bytes, without its root dot. */
int norm_domain_text(const char *name, size_t len, struct buf *out,
		     const char **expectation);

/* Checks a port of `len` decimal digits, 0 to 65535, and writes it
 * without leading zeros. */
int norm_port_text(const char *port, size_t len, struct buf *out,
		   const char **expectation);

#endif
