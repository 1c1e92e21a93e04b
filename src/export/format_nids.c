/*
 * The rule builder of the suricata and snort formats; see format_nids.h.
 *
 * Every byte of a value that goes into a content match and is one of
 * | " ; : \, a control byte or a byte past ASCII is written as hex
 * (|7c|, |22 3b|, ...); the msg text escapes \ " and ; with a backslash;
 * a pcre carries each byte other than a letter or digit as \xHH.  Host
 * matches are anchored: a domain matches itself and its sub-domains and
 * a hostname only itself, never a longer name that merely contains it.
 * URL rules keep the query.  Values that cannot make a valid rule (an IP
 * field that is no address, a domain with a space) are left out.
 */
#include "export/format_nids.h"
#include "core/cidr.h"
#include "export/format_util.h"
#include "model/misp.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#define NIDS_CLASSTYPE "trojan-activity"

struct rule {
	const char *proto;
	const char *src;
	const char *sport;
	const char *dst;
	const char *dport;
	const char *label; /* msg text before the value */
	struct span value; /* shown in the msg */
	bool tag_session;
};

static struct span span_of(const char *s)
{
	return (struct span){s, strlen(s)};
}

static bool needs_hex(unsigned char c)
{
	return c < 0x20 || c >= 0x7f || c == '|' || c == '"' || c == ';' ||
	       c == ':' || c == '\\';
}

/* Appends `v` as the inside of a content string, hex groups merged
 * ("|3b 22|"), with ASCII letters lowered when `lower` is set. */
static int add_content_text(struct buf *b, struct span v, bool lower)
{
	bool in_hex = false;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < v.len; i++) {
		unsigned char c = (unsigned char)v.s[i];

		if (needs_hex(c)) {
			rc = buf_printf(b, in_hex ? " %02x" : "|%02x", c);
			in_hex = true;
			continue;
		}
		if (in_hex) {
			rc = buf_addc(b, '|');
			in_hex = false;
		}
		if (rc == 0) {
			rc = buf_addc(b, lower ? (char)tolower(c) : (char)c);
		}
	}
	return rc == 0 && in_hex ? buf_addc(b, '|') : rc;
}

static int add_msg_text(struct buf *b, struct span v)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < v.len; i++) {
		unsigned char c = (unsigned char)v.s[i];

		if (c == '\\' || c == '"' || c == ';') {
			rc = buf_addc(b, '\\');
		}
		if (rc == 0) {
			rc = buf_addc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
		}
	}
	return rc;
}

/* Appends `v` to a pcre so that it matches only those bytes. */
static int add_pcre_literal(struct buf *b, struct span v)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < v.len; i++) {
		unsigned char c = (unsigned char)v.s[i];

		rc = isalnum(c) ? buf_addc(b, (char)c)
				: buf_printf(b, "\\x%02x", c);
	}
	return rc;
}

static int opt(struct nids_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int opt(struct nids_state *st, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(&st->options, fmt, ap);
	va_end(ap);
	return rc;
}

/* Appends content:"v"; and the given modifiers ("nocase; " and so on). */
static int opt_content(struct nids_state *st, struct span v, bool lower,
		       const char *modifiers)
{
	int rc = buf_adds(&st->options, "content:\"");

	if (rc == 0) {
		rc = add_content_text(&st->options, v, lower);
	}
	if (rc == 0) {
		rc = buf_printf(&st->options, "\"; %s", modifiers);
	}
	return rc;
}

static int write_msg(struct nids_state *st, const struct export_item *it)
{
	int rc;

	buf_clear(&st->msg);
	rc = buf_printf(&st->msg, "MISP e%lld [",
			(long long)export_event_int(it, EVENT_ID));
	for (size_t i = 0; rc == 0 && i < it->ntags; i++) {
		if (i > 0) {
			rc = buf_addc(&st->msg, ',');
		}
		if (rc == 0) {
			rc = add_msg_text(&st->msg, span_of(it->tags[i]));
		}
	}
	return rc == 0 ? buf_adds(&st->msg, "] ") : rc;
}

static int write_rule(struct nids_state *st, struct buf *out,
		      const struct export_item *it, const struct rule *r,
		      unsigned number)
{
	int64_t threat = export_event_int(it, EVENT_THREAT_LEVEL_ID);
	int64_t sid = st->sid_base + export_attr_int(it, ATTR_ID) * 10 + number;
	int rc;

	rc = buf_printf(out, "alert %s %s %s -> %s %s (msg:\"%s", r->proto,
			r->src, r->sport, r->dst, r->dport, buf_str(&st->msg));
	if (rc == 0) {
		rc = buf_adds(out, r->label);
	}
	if (rc == 0) {
		rc = add_msg_text(out, r->value);
	}
	if (rc == 0) {
		rc = buf_printf(
		    out,
		    "\"; %s%sclasstype:" NIDS_CLASSTYPE
		    "; sid:%lld; rev:1; priority:%lld;",
		    buf_str(&st->options),
		    r->tag_session ? "tag:session,600,seconds; " : "",
		    (long long)sid,
		    (long long)(threat >= 1 && threat <= 4 ? threat : 4));
	}
	if (rc == 0 && st->base_url.len > 0) {
		rc = buf_printf(out, " reference:url,%s/events/view/%lld;",
				buf_str(&st->base_url),
				(long long)export_event_int(it, EVENT_ID));
	}
	buf_clear(&st->options);
	return rc == 0 ? buf_adds(out, ")\n") : rc;
}

/* Copies `v` into `dst` when it is an IP address or CIDR range. */
static bool take_address(struct buf *dst, struct span v)
{
	struct cidr c;

	buf_clear(dst);
	if (buf_add(dst, v.s, v.len) < 0 || v.len == 0) {
		return false;
	}
	return cidr_parse(buf_str(dst), &c) == 0;
}

static bool take_port(struct buf *dst, const struct span *parts, size_t n)
{
	buf_clear(dst);
	if (n < 2) {
		return buf_adds(dst, "any") == 0;
	}
	return export_is_port(parts[1].s, parts[1].len) &&
	       buf_add(dst, parts[1].s, parts[1].len) == 0;
}

/* Rules for traffic to (`outgoing`) or from an address, with its port
 * when the type has one.  A port needs a transport, so a value with a
 * port gives a tcp and a udp rule. */
static int ip_rules(struct nids_state *st, const struct export_item *it,
		    const struct span *parts, size_t n, bool outgoing,
		    struct buf *out, unsigned *number)
{
	static const char *const with_port[] = {"tcp", "udp"};
	bool has_port = n == 2;
	int rc = 0;

	if (!take_address(&st->address, parts[0]) ||
	    !take_port(&st->port, parts, n)) {
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < (has_port ? 2u : 1u); i++) {
		struct rule r = {
		    .proto = has_port ? with_port[i] : "ip",
		    .src = outgoing ? "$HOME_NET" : buf_str(&st->address),
		    .sport = outgoing ? "any" : buf_str(&st->port),
		    .dst = outgoing ? buf_str(&st->address) : "$HOME_NET",
		    .dport = outgoing ? buf_str(&st->port) : "any",
		    .label =
			outgoing ? "Outgoing To IP: " : "Incoming From IP: ",
		    .value = parts[0],
		};

		rc = write_rule(st, out, it, &r, ++*number);
	}
	return rc;
}

static int ip_dst_rules(struct nids_state *st, const struct export_item *it,
			const struct span *parts, size_t n, struct buf *out,
			unsigned *number)
{
	return ip_rules(st, it, parts, n, true, out, number);
}

static int ip_src_rules(struct nids_state *st, const struct export_item *it,
			const struct span *parts, size_t n, struct buf *out,
			unsigned *number)
{
	return ip_rules(st, it, parts, n, false, out, number);
}

/* An SMTP rule: `command` (such as "MAIL FROM:") then the value in the
 * message header, as MISP writes them. */
static int smtp_rule(struct nids_state *st, const struct export_item *it,
		     struct span value, const char *command, const char *label,
		     struct buf *out, unsigned *number)
{
	struct rule r = {"tcp", "$EXTERNAL_NET", "any", "$SMTP_SERVERS",
			 "25",	label,		 value, true};
	int rc = opt(st, "flow:established,to_server; ");

	if (rc == 0) {
		rc = opt_content(st, span_of(command), false, "nocase; ");
	}
	if (rc == 0) {
		rc = opt_content(st, value, false, "fast_pattern; nocase; ");
	}
	if (rc == 0) {
		rc = opt(st, "content:\"|0D 0A 0D 0A|\"; within:8192; ");
	}
	return rc == 0 ? write_rule(st, out, it, &r, ++*number) : rc;
}

static int email_src_rules(struct nids_state *st, const struct export_item *it,
			   const struct span *parts, size_t n, struct buf *out,
			   unsigned *number)
{
	(void)n;
	return smtp_rule(st, it, parts[0],
			 "MAIL FROM:", "Source Email Address: ", out, number);
}

static int email_dst_rules(struct nids_state *st, const struct export_item *it,
			   const struct span *parts, size_t n, struct buf *out,
			   unsigned *number)
{
	(void)n;
	return smtp_rule(st, it, parts[0],
			 "RCPT TO:", "Destination Email Address: ", out,
			 number);
}

static int email_rules(struct nids_state *st, const struct export_item *it,
		       const struct span *parts, size_t n, struct buf *out,
		       unsigned *number)
{
	int rc = email_src_rules(st, it, parts, n, out, number);

	return rc == 0 ? email_dst_rules(st, it, parts, n, out, number) : rc;
}

static int email_subject_rules(struct nids_state *st,
			       const struct export_item *it,
			       const struct span *parts, size_t n,
			       struct buf *out, unsigned *number)
{
	(void)n;
	return smtp_rule(st, it, parts[0],
			 "Subject:", "Bad Email Subject: ", out, number);
}

static int email_attachment_rules(struct nids_state *st,
				  const struct export_item *it,
				  const struct span *parts, size_t n,
				  struct buf *out, unsigned *number)
{
	(void)n;
	return smtp_rule(st, it, parts[0],
			 "Content-Disposition: attachment; filename=\"",
			 "Bad Email Attachment: ", out, number);
}

/* Appends a DNS name in wire form, |06|foobar|03|com|00|. */
static int opt_dns_wire(struct nids_state *st, struct span name)
{
	size_t start = 0;
	int rc = buf_adds(&st->options, "content:\"");

	for (size_t i = 0; rc == 0 && i <= name.len; i++) {
		if (i == name.len || name.s[i] == '.') {
			struct span label = {name.s + start, i - start};

			rc = buf_printf(&st->options, "|%02x|",
					(unsigned)label.len);
			if (rc == 0) {
				rc = add_content_text(&st->options, label,
						      false);
			}
			start = i + 1;
		}
	}
	return rc == 0 ? buf_adds(&st->options, "|00|\"; ") : rc;
}

/* Snort's DNS rules: the name in wire form in a query, over udp and
 * tcp.  A name in wire form cannot match inside a longer label, so a
 * domain also matches its sub-domains; a hostname is pinned to the start
 * of the question (offset 12, or 14 behind TCP's length field). */
static int snort_dns_rules(struct nids_state *st, const struct export_item *it,
			   struct span name, bool subdomains, const char *label,
			   struct buf *out, unsigned *number)
{
	static const char *const protos[] = {"udp", "tcp"};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < 2; i++) {
		struct rule r = {protos[i], "any", "any", "any",
				 "53",	    label, name,  false};

		rc = opt(st,
			 "%scontent:\"|01 00 00 01 00 00 00 00 00 "
			 "01|\"; depth:10; offset:%d; ",
			 i == 1 ? "flow:established; " : "", i == 1 ? 4 : 2);
		if (rc == 0) {
			rc = opt_dns_wire(st, name);
		}
		if (rc == 0 && !subdomains) {
			rc = opt(st, "offset:%d; depth:%zu; ", i == 1 ? 14 : 12,
				 name.len + 2);
		}
		if (rc == 0) {
			rc = opt(st, "nocase; ");
		}
		if (rc == 0) {
			rc = write_rule(st, out, it, &r, ++*number);
		}
	}
	return rc;
}

/* Snort's HTTP Host rule: a pcre on the Host header line, which allows
 * a port after the name and, for a domain, any sub-domain before it. */
static int snort_host_rule(struct nids_state *st, const struct export_item *it,
			   struct span host, bool subdomains, const char *label,
			   struct span shown, const char *dport,
			   struct buf *out, unsigned *number)
{
	struct rule r = {"tcp", "$HOME_NET", "any", "$EXTERNAL_NET",
			 dport, label,	     shown, true};
	int rc = opt(st, "flow:to_server,established; ");

	if (rc == 0) {
		rc = opt_content(st, host, false,
				 "fast_pattern; nocase; http_header; ");
	}
	if (rc == 0) {
		rc = opt(st, "pcre:\"/^Host\\x3a\\x20%s",
			 subdomains ? "(?:[^\\r\\n]*\\x2e)?" : "");
	}
	if (rc == 0) {
		rc = add_pcre_literal(&st->options, host);
	}
	if (rc == 0) {
		rc = opt(st, "(?:\\x3a\\d+)?\\r?$/Hmi\"; ");
	}
	return rc == 0 ? write_rule(st, out, it, &r, ++*number) : rc;
}

/* Suricata's match of a host name in sticky buffer `buffer` (dns.query,
 * http.host or tls.sni): the whole buffer for a hostname, the name or
 * any name ending in ".name" for a domain.  Suricata lowers http.host
 * but not the others, so those match without regard to case. */
static int opt_suricata_host(struct nids_state *st, const char *buffer,
			     struct span host, bool subdomains)
{
	const char *nocase = strcmp(buffer, "http.host") ? "nocase; " : "";
	int rc = opt(st, "%s; ", buffer);

	if (rc == 0 && subdomains) {
		rc = opt(st, "dotprefix; content:\".");
		if (rc == 0) {
			rc = add_content_text(&st->options, host, true);
		}
		return rc == 0 ? opt(st, "\"; %sendswith; ", nocase) : rc;
	}
	if (rc == 0) {
		rc = opt(st, "bsize:%zu; ", host.len);
	}
	return rc == 0 ? opt_content(st, host, true, nocase) : rc;
}

static int suricata_name_rules(struct nids_state *st,
			       const struct export_item *it, struct span name,
			       bool subdomains, struct buf *out,
			       unsigned *number)
{
	const char *kind = subdomains ? "Domain " : "Hostname ";
	struct rule dns = {"dns", "any", "any", "any",
			   "any", kind,	 name,	false};
	struct rule http = {
	    "http",
	    "$HOME_NET",
	    "any",
	    "$EXTERNAL_NET",
	    "any",
	    subdomains ? "Outgoing HTTP Domain " : "Outgoing HTTP Hostname ",
	    name,
	    true};
	int rc = opt_suricata_host(st, "dns.query", name, subdomains);

	if (rc == 0) {
		rc = write_rule(st, out, it, &dns, ++*number);
	}
	if (rc == 0) {
		rc = opt(st, "flow:to_server,established; ");
	}
	if (rc == 0) {
		rc = opt_suricata_host(st, "http.host", name, subdomains);
	}
	return rc == 0 ? write_rule(st, out, it, &http, ++*number) : rc;
}

static int name_rules(struct nids_state *st, const struct export_item *it,
		      struct span name, bool subdomains, struct buf *out,
		      unsigned *number)
{
	int rc;

	if (!export_is_dns_name(name.s, name.len)) {
		return 0;
	}
	if (st->dialect == NIDS_SURICATA) {
		return suricata_name_rules(st, it, name, subdomains, out,
					   number);
	}
	rc = snort_dns_rules(st, it, name, subdomains,
			     subdomains ? "Domain: " : "Hostname: ", out,
			     number);
	if (rc == 0) {
		rc = snort_host_rule(st, it, name, subdomains,
				     subdomains ? "Outgoing HTTP Domain: "
						: "Outgoing HTTP Hostname: ",
				     name, "$HTTP_PORTS", out, number);
	}
	return rc;
}

static int domain_rules(struct nids_state *st, const struct export_item *it,
			const struct span *parts, size_t n, struct buf *out,
			unsigned *number)
{
	(void)n;
	return name_rules(st, it, parts[0], true, out, number);
}

static int hostname_rules(struct nids_state *st, const struct export_item *it,
			  const struct span *parts, size_t n, struct buf *out,
			  unsigned *number)
{
	(void)n;
	return name_rules(st, it, parts[0], false, out, number);
}

static int domain_ip_rules(struct nids_state *st, const struct export_item *it,
			   const struct span *parts, size_t n, struct buf *out,
			   unsigned *number)
{
	int rc;

	if (n != 2) {
		return 0;
	}
	rc = name_rules(st, it, parts[0], true, out, number);
	if (rc == 0) {
		rc = ip_rules(st, it, &parts[1], 1, true, out, number);
	}
	if (rc == 0) {
		rc = ip_rules(st, it, &parts[1], 1, false, out, number);
	}
	return rc;
}

/* The parts of an http or https URL that rules match. */
struct url_parts {
	bool https;
	struct span host;
	struct span port;   /* empty when the URL names none */
	struct span target; /* path and query, empty for none */
};

/* Splits `url` ("scheme://host[:port][/path][?query][#fragment]"; the
 * scheme may be missing, meaning http).  Returns false for any other
 * scheme and for a host that is neither a DNS name nor an address. */
static bool parse_url(struct span url, struct url_parts *u)
{
	const char *p = url.s, *end = url.s + url.len;
	const char *sep = memchr(p, ':', url.len);
	const char *host_end;

	memset(u, 0, sizeof(*u));
	if (sep && end - sep >= 3 && strncmp(sep, "://", 3) == 0) {
		size_t scheme = (size_t)(sep - p);

		if (scheme == 5 && strncasecmp(p, "https", 5) == 0) {
			u->https = true;
		} else if (scheme != 4 || strncasecmp(p, "http", 4) != 0) {
			return false;
		}
		p = sep + 3;
	}
	host_end = p;
	while (host_end < end && !strchr(":/?#", *host_end)) {
		host_end++;
	}
	u->host = (struct span){p, (size_t)(host_end - p)};
	p = host_end;
	if (p < end && *p == ':') {
		const char *port = ++p;

		while (p < end && !strchr("/?#", *p)) {
			p++;
		}
		u->port = (struct span){port, (size_t)(p - port)};
		if (!export_is_port(u->port.s, u->port.len)) {
			return false;
		}
	}
	u->target = (struct span){p, (size_t)(end - p)};
	if (memchr(p, '#', u->target.len)) {
		u->target.len =
		    (size_t)((const char *)memchr(p, '#', u->target.len) - p);
	}
	return export_is_dns_name(u->host.s, u->host.len);
}

static int suricata_url_rule(struct nids_state *st,
			     const struct export_item *it,
			     const struct url_parts *u, struct span url,
			     struct buf *out, unsigned *number)
{
	struct rule r = {
	    u->https ? "tls" : "http", "$HOME_NET",	"any", "$EXTERNAL_NET",
	    buf_str(&st->port),	       "Outgoing URL ", url,   true};
	int rc = u->https ? 0 : opt(st, "flow:to_server,established; ");

	if (rc == 0) {
		rc = opt_suricata_host(st, u->https ? "tls.sni" : "http.host",
				       u->host, false);
	}
	if (rc == 0 && !u->https && u->target.len > 0) {
		rc = opt(st, "http.uri; ");
		if (rc == 0) {
			rc = opt_content(st, u->target, false, "");
		}
		if (rc == 0) {
			rc = opt(st, "depth:%zu; ", u->target.len);
		}
	}
	return rc == 0 ? write_rule(st, out, it, &r, ++*number) : rc;
}

static int snort_url_rule(struct nids_state *st, const struct export_item *it,
			  const struct url_parts *u, struct span url,
			  struct buf *out, unsigned *number)
{
	if (!u->https && u->target.len > 0) {
		int rc = opt_content(st, u->target, false, "http_uri; ");

		if (rc == 0) {
			rc = opt(st, "depth:%zu; ", u->target.len);
		}
		if (rc < 0) {
			return rc;
		}
	}
	if (u->https) {
		struct rule r = {"tcp",
				 "$HOME_NET",
				 "any",
				 "$EXTERNAL_NET",
				 buf_str(&st->port),
				 "Outgoing URL: ",
				 url,
				 true};
		int rc = opt(st, "flow:to_server,established; ");

		if (rc == 0) {
			rc = opt_content(st, u->host, false, "nocase; ");
		}
		return rc == 0 ? write_rule(st, out, it, &r, ++*number) : rc;
	}
	return snort_host_rule(st, it, u->host, false, "Outgoing URL: ", url,
			       buf_str(&st->port), out, number);
}

static int url_rules(struct nids_state *st, const struct export_item *it,
		     const struct span *parts, size_t n, struct buf *out,
		     unsigned *number)
{
	struct url_parts u;
	int rc;

	(void)n;
	if (!parse_url(parts[0], &u)) {
		return 0;
	}
	buf_clear(&st->port);
	if (u.port.len > 0) {
		rc = buf_add(&st->port, u.port.s, u.port.len);
	} else if (st->dialect == NIDS_SNORT) {
		rc = buf_adds(&st->port, u.https ? "443" : "$HTTP_PORTS");
	} else {
		rc = buf_adds(&st->port, u.https ? "443" : "any");
	}
	if (rc < 0) {
		return rc;
	}
	if (st->dialect == NIDS_SURICATA) {
		return suricata_url_rule(st, it, &u, parts[0], out, number);
	}
	return snort_url_rule(st, it, &u, parts[0], out, number);
}

static int user_agent_rules(struct nids_state *st, const struct export_item *it,
			    const struct span *parts, size_t n, struct buf *out,
			    unsigned *number)
{
	bool suricata = st->dialect == NIDS_SURICATA;
	struct rule r = {suricata ? "http" : "tcp",
			 "$HOME_NET",
			 "any",
			 "$EXTERNAL_NET",
			 suricata ? "any" : "$HTTP_PORTS",
			 "Outgoing User-Agent: ",
			 parts[0],
			 true};
	int rc = opt(st, "flow:to_server,established; ");

	(void)n;
	if (rc == 0 && suricata) {
		rc = opt(st, "http.user_agent; ");
	}
	if (rc == 0) {
		rc = opt_content(st, parts[0], false,
				 suricata ? "" : "http_header; ");
	}
	return rc == 0 ? write_rule(st, out, it, &r, ++*number) : rc;
}

static int ja3_rules(struct nids_state *st, const struct export_item *it,
		     const struct span *parts, size_t n, struct buf *out,
		     unsigned *number)
{
	struct rule r = {"tls", "any",	      "any",	"any",
			 "any", "JA3 Hash: ", parts[0], true};
	int rc;

	(void)n;
	if (st->dialect != NIDS_SURICATA || parts[0].len != 32 ||
	    strspn(parts[0].s, "0123456789abcdefABCDEF") < 32) {
		return 0;
	}
	rc = opt(st, "ja3.hash; ");
	if (rc == 0) {
		rc = opt_content(st, parts[0], true, "");
	}
	return rc == 0 ? write_rule(st, out, it, &r, ++*number) : rc;
}

typedef int (*rule_writer)(struct nids_state *st, const struct export_item *it,
			   const struct span *parts, size_t n, struct buf *out,
			   unsigned *number);

static const struct {
	const char *type;
	rule_writer write;
} rule_writers[] = {
    {"ip-dst", ip_dst_rules},
    {"ip-dst|port", ip_dst_rules},
    {"ip-src", ip_src_rules},
    {"ip-src|port", ip_src_rules},
    {"email", email_rules},
    {"email-src", email_src_rules},
    {"email-dst", email_dst_rules},
    {"email-subject", email_subject_rules},
    {"email-attachment", email_attachment_rules},
    {"domain", domain_rules},
    {"domain|ip", domain_ip_rules},
    {"hostname", hostname_rules},
    {"url", url_rules},
    {"user-agent", user_agent_rules},
    {"ja3-fingerprint-md5", ja3_rules},
};

int nids_begin(struct nids_state *st, enum nids_dialect dialect,
	       const struct export_options *o, struct buf *out)
{
	st->dialect = dialect;
	st->sid_base = o->nids_sid > 0 ? o->nids_sid : NIDS_DEFAULT_SID;
	if (o->base_url && buf_adds(&st->base_url, o->base_url) < 0) {
		return CAIRN_ENOMEM;
	}
	return buf_printf(
	    out,
	    "# MISP export of IDS rules - optimized for %s\n"
	    "#\n"
	    "# These NIDS rules contain some variables that need to exist "
	    "in your configuration.\n"
	    "# Make sure you have set:\n"
	    "#\n"
	    "# $HOME_NET     - Your internal network range\n"
	    "# $EXTERNAL_NET - The network considered as outside\n"
	    "# $SMTP_SERVERS - All your internal SMTP servers\n"
	    "# $HTTP_PORTS   - The ports used to contain HTTP traffic "
	    "(not required with suricata export)\n"
	    "#\n",
	    dialect == NIDS_SURICATA ? "suricata" : "snort");
}

int nids_item(struct nids_state *st, const struct export_item *it,
	      struct buf *out)
{
	const char *type = export_attr_text(it, ATTR_TYPE);
	struct span parts[2];
	size_t n;
	unsigned number = 0;

	for (size_t i = 0; i < sizeof(rule_writers) / sizeof(*rule_writers);
	     i++) {
		if (strcmp(type, rule_writers[i].type) != 0) {
			continue;
		}
		n = export_value_parts(type, export_attr_text(it, ATTR_VALUE),
				       parts);
		if (parts[0].len == 0 || write_msg(st, it) < 0) {
			return parts[0].len == 0 ? 0 : CAIRN_ENOMEM;
		}
		buf_clear(&st->options);
		return rule_writers[i].write(st, it, parts, n, out, &number);
	}
	return 0;
}

void nids_release(struct nids_state *st)
{
	buf_release(&st->base_url);
	buf_release(&st->msg);
	buf_release(&st->options);
	buf_release(&st->address);
	buf_release(&st->port);
}
