/*
 * The rpz format: a DNS response policy zone in zone file syntax, with
 * MISP's default RPZ settings (policy NXDOMAIN, serial $date00, refresh
 * 2h, retry 30m, expiry 30d, minimum TTL 1h, TTL 1w, name server
 * localhost., contact root.localhost).
 *
 * ip-src and ip-dst give an rpz-ip trigger, domain a trigger for the name
 * and one for its sub-domains, hostname one for the name alone, and
 * domain|ip both.  MISP groups the triggers by kind and drops repeats;
 * Cairn writes them in result order, because identical records in a zone
 * are one record.  Names are relative to the zone's origin.  A value that
 * is not an address or a plain DNS name (letters, digits, '-', '_') is
 * left out, so that the zone always loads.
 */
#include "core/cidr.h"
#include "export/format_util.h"
#include "export/format_writers.h"
#include "model/misp.h"

#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define RPZ_ACTION "CNAME ."

static int rpz_begin(void *state, const struct export_options *o,
		     struct buf *out, struct cairn_err *e)
{
	time_t now = (time_t)o->now;
	struct tm tm;

	(void)state;
	(void)e;
	if (!gmtime_r(&now, &tm)) {
		now = 0;
		gmtime_r(&now, &tm);
	}
	return buf_printf(
	    out,
	    "$TTL 1w;\n"
	    "@               SOA localhost. root.localhost "
	    "(%04d%02d%02d00 2h 30m 30d 1h)\n"
	    "                NS localhost.\n\n"
	    "; The following IP addresses, domain names with all of their "
	    "sub-domains, and hostnames will\n"
	    "; return NXDOMAIN (name does not exist) irrespective of actual "
	    "result received.\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Writes the rpz-ip owner name of an IPv6 range: its prefix length, then
 * its 16-bit words from last to first, with "zz" in place of the
 * longest run of two or more zero words. */
static int write_ipv6_name(struct buf *out, const struct cidr *c)
{
	unsigned words[8];
	int run_start = -1, run_len = 0;
	int rc;

	for (int i = 0; i < 8; i++) {
		words[i] =
		    (unsigned)c->address[2 * i] << 8 | c->address[2 * i + 1];
	}
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && words[j] == 0) {
			j++;
		}
		if (j - i > run_len && j - i >= 2) {
			run_start = i;
			run_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	rc = buf_printf(out, "%u", c->prefix);
	for (int i = 7; rc == 0 && i >= 0; i--) {
		if (run_len > 0 && i >= run_start && i < run_start + run_len) {
			if (i == run_start) {
				rc = buf_adds(out, ".zz");
			}
			continue;
		}
		rc = buf_printf(out, ".%x", words[i]);
	}
	return rc;
}

/* Clears the host bits past the prefix, which an RPZ trigger may not
 * carry. */
static void mask_host_bits(struct cidr *c)
{
	size_t bytes = c->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < bytes; i++) {
		unsigned keep =
		    c->prefix > 8 * i ? c->prefix - 8 * (unsigned)i : 0;

		if (keep < 8) {
			c->address[i] &= (uint8_t)(0xff00u >> keep);
		}
	}
}

static int write_ip(struct buf *out, struct span ip)
{
	struct buf text = BUF_INIT;
	struct cidr c;
	int rc;

	if (buf_add(&text, ip.s, ip.len) < 0) {
		return CAIRN_ENOMEM;
	}
	rc = cidr_parse(buf_str(&text), &c);
	buf_release(&text);
	if (rc < 0) {
		return 0;
	}
	mask_host_bits(&c);
	if (c.family == AF_INET) {
		rc = buf_printf(out, "%u.%u.%u.%u.%u", c.prefix, c.address[3],
				c.address[2], c.address[1], c.address[0]);
	} else {
		rc = write_ipv6_name(out, &c);
	}
	return rc == 0 ? buf_adds(out, ".rpz-ip " RPZ_ACTION "\n") : rc;
}

static int write_name(struct buf *out, struct span name, bool subdomains)
{
	int rc;

	if (!export_is_dns_name(name.s, name.len)) {
		return 0;
	}
	rc = buf_printf(out, "%.*s " RPZ_ACTION "\n", (int)name.len, name.s);
	if (rc == 0 && subdomains && name.len + 2 <= 253) {
		rc = buf_printf(out, "*.%.*s " RPZ_ACTION "\n", (int)name.len,
				name.s);
	}
	return rc;
}

static int rpz_item(void *state, const struct export_item *it, struct buf *out,
		    struct cairn_err *e)
{
	const char *type = export_attr_text(it, ATTR_TYPE);
	struct span parts[2];
	size_t n =
	    export_value_parts(type, export_attr_text(it, ATTR_VALUE), parts);
	int rc = 0;

	(void)state;
	(void)e;
	if (strcmp(type, "ip-src") == 0 || strcmp(type, "ip-dst") == 0) {
		rc = write_ip(out, parts[0]);
	} else if (strcmp(type, "domain") == 0) {
		rc = write_name(out, parts[0], true);
	} else if (strcmp(type, "hostname") == 0) {
		rc = write_name(out, parts[0], false);
	} else if (strcmp(type, "domain|ip") == 0 && n == 2) {
		rc = write_name(out, parts[0], true);
		if (rc == 0) {
			rc = write_ip(out, parts[1]);
		}
	}
	return rc;
}

const struct export_format export_format_rpz = {
    .name = "rpz",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = true,
    .state_size = 1,
    .begin = rpz_begin,
    .item = rpz_item,
    .end = export_end_none,
    .release = export_release_none,
};
