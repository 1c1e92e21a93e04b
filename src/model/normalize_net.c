/*
 * Network families of the value normaliser: IP addresses and CIDR blocks,
 * address and port pairs, domain and host names, URLs and e-mail
 * addresses.  See normalize_internal.h for the calling convention.
 *
 * Addresses are parsed into bytes with inet_pton and written back with
 * inet_ntop, which produces RFC 5952 text for IPv6 (lower case, longest
 * zero run compressed, IPv4-mapped addresses in dotted form).  Domain
 * names are converted label by label: ASCII labels are lower-cased, and
 * labels with other characters go through IDNA 2008 (libidn2,
 * non-transitional) into punycode.
 */
#include "model/normalize_internal.h"
#include "core/err.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IP_TEXT_MAX 64
#define DOMAIN_MAX 253
#define LABEL_MAX 63

static int fail(const char **expectation, const char *reason)
{
	*expectation = reason;
	return CAIRN_EINVAL;
}

static bool all_digits(const char *s, size_t len)
{
	if (len == 0) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static size_t count_char(const char *s, size_t len, char c)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		n += s[i] == c;
	}
	return n;
}

int norm_port_text(const char *port, size_t len, struct buf *out,
		   const char **expectation)
{
	unsigned long n = 0;

	if (!all_digits(port, len)) {
		return fail(expectation, "a port number from 0 to 65535");
	}
	for (size_t i = 0; i < len && n <= 65535; i++) {
		n = n * 10 + (unsigned long)(port[i] - '0');
	}
	if (n > 65535) {
		return fail(expectation, "a port number from 0 to 65535");
	}
	return buf_printf(out, "%lu", n) < 0 ? CAIRN_ENOMEM : 0;
}

int norm_ip_text(const char *ip, size_t len, bool allow_mask,
		 struct buf *out, const char **expectation)
{
	char text[IP_TEXT_MAX], canon[INET6_ADDRSTRLEN];
	unsigned char bytes[16];
	const char *slash;
	unsigned long mask = 0;
	int family, max;

	if (len == 0 || len >= sizeof(text)) {
		return fail(expectation, "an IPv4 or IPv6 address");
	}
	memcpy(text, ip, len);
	text[len] = '\0';
	slash = strchr(text, '/');
	if (slash && !allow_mask) {
		return fail(expectation, "an IPv4 or IPv6 address without a mask");
	}
	if (slash) {
		size_t mask_len = strlen(slash + 1);

		/* Three digits cover /128; more can only be out of range or
		 * padded with zeros. */
		if (!all_digits(slash + 1, mask_len) || mask_len > 3) {
			return fail(expectation, "an address, or an address and a "
					 "CIDR mask of 0 to 32 (IPv4) or 0 to "
					 "128 (IPv6) after '/'");
		}
		mask = strtoul(slash + 1, NULL, 10);
		text[slash - text] = '\0';
	}
	family = strchr(text, ':') ? AF_INET6 : AF_INET;
	max = family == AF_INET6 ? 128 : 32;
	if (inet_pton(family, text, bytes) != 1) {
		return fail(expectation, family == AF_INET6
					 ? "an IPv6 address (RFC 4291 text form)"
					 : "an IPv4 address in dotted decimal "
					   "form");
	}
	if (slash && mask > (unsigned long)max) {
		return fail(expectation, family == AF_INET6
					 ? "a CIDR mask of 0 to 128 for IPv6"
					 : "a CIDR mask of 0 to 32 for IPv4");
	}
	if (!inet_ntop(family, bytes, canon, sizeof(canon))) {
		return fail(expectation, "an IPv4 or IPv6 address");
	}
	/* A block with host bits set is kept as given, as MISP keeps it. */
	if (buf_adds(out, canon) < 0) {
		return CAIRN_ENOMEM;
	}
	if (slash && mask != (unsigned long)max &&
	    buf_printf(out, "/%lu", mask) < 0) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

int norm_ip(const struct norm_rule *rule, const char *value, struct buf *out,
	    const char **expectation)
{
	(void)rule;
	return norm_ip_text(value, strlen(value), true, out, expectation);
}

/* Splits "addr|port", "[v6]:port" or "v4:port" into its two parts.  A bare
 * IPv6 address followed by ":port" is ambiguous and rejected. */
static int split_ip_port(const char *value, size_t *ip_start, size_t *ip_len,
			 const char **port, const char **expectation)
{
	size_t len = strlen(value);
	const char *bar = strrchr(value, '|');
	const char *colon;

	if (bar) {
		*ip_start = 0;
		*ip_len = (size_t)(bar - value);
		*port = bar + 1;
		return 0;
	}
	if (value[0] == '[') {
		const char *close = strchr(value, ']');

		if (!close || close[1] != ':') {
			return fail(expectation, "'[address]:port' with the port after "
					 "']:'");
		}
		*ip_start = 1;
		*ip_len = (size_t)(close - value) - 1;
		*port = close + 2;
		return 0;
	}
	colon = strrchr(value, ':');
	if (colon && count_char(value, len, ':') == 1) {
		*ip_start = 0;
		*ip_len = (size_t)(colon - value);
		*port = colon + 1;
		return 0;
	}
	return fail(expectation, colon ? "'[IPv6 address]:port' or 'address|port' "
				 "(a bare IPv6 address and port is ambiguous)"
			       : "an address and a port as 'address|port' or "
				 "'address:port'");
}

int norm_ip_port(const struct norm_rule *rule, const char *value,
		 struct buf *out, const char **expectation)
{
	size_t start, len;
	const char *port;
	int rc;

	(void)rule;
	rc = split_ip_port(value, &start, &len, &port, expectation);
	if (rc == 0) {
		rc = norm_ip_text(value + start, len, false, out, expectation);
	}
	if (rc == 0) {
		rc = buf_addc(out, '|') < 0 ? CAIRN_ENOMEM : 0;
	}
	if (rc == 0) {
		rc = norm_port_text(port, strlen(port), out, expectation);
	}
	return rc;
}

static bool ascii_only(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80) {
			return false;
		}
	}
	return true;
}

/* Appends one label in lower-case ASCII, converting a non-ASCII label to
 * punycode. */
/* Returns true for an ASCII top-level label that a domain may end in:
 * two or more letters, or punycode.  So "10.1.1.1" is no domain name. */
static bool top_level_label(const char *label, size_t len)
{
	if (len >= 4 && strncasecmp(label, "xn--", 4) == 0) {
		return true;
	}
	if (len < 2) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!isalpha((unsigned char)label[i])) {
			return false;
		}
	}
	return true;
}

static int add_label(const char *label, size_t len, bool last,
		     struct buf *out, const char **expectation)
{
	size_t start = out->len;

	if (len == 0) {
		return fail(expectation, "labels of 1 to 63 characters separated by "
				 "single dots");
	}
	if (last && ascii_only(label, len) && !top_level_label(label, len)) {
		return fail(expectation, "a top-level domain of two or more "
					 "letters, or one in punycode (xn--)");
	}
	if (ascii_only(label, len)) {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)tolower(
				(unsigned char)label[i]);

			if (!isalnum(c) && c != '-' && (c != '_' || last)) {
				return fail(expectation,
					    last ? "a top-level domain of "
						   "letters, digits and '-'"
						 : "labels of letters, digits, "
						   "'-' and '_'");
			}
			if (buf_addc(out, (char)c) < 0) {
				return CAIRN_ENOMEM;
			}
		}
	} else {
		char *copy = strndup(label, len), *ascii = NULL;
		int rc = copy ? idn2_to_ascii_8z(copy, &ascii,
						 IDN2_NONTRANSITIONAL)
			      : IDN2_MALLOC;

		free(copy);
		if (rc == IDN2_MALLOC) {
			return CAIRN_ENOMEM;
		}
		if (rc != IDN2_OK) {
			idn2_free(ascii);
			return fail(expectation, "an internationalised label that IDNA "
					 "2008 accepts");
		}
		rc = buf_adds(out, ascii);
		idn2_free(ascii);
		if (rc < 0) {
			return CAIRN_ENOMEM;
		}
	}
	if (out->len - start > LABEL_MAX) {
		return fail(expectation, "labels of 1 to 63 characters");
	}
	return 0;
}

int norm_domain_text(const char *name, size_t len, struct buf *out,
		     const char **expectation)
{
	size_t start = out->len, pos = 0;
	int rc = 0;

	if (len > 0 && name[len - 1] == '.') {
		len--; /* the root */
	}
	if (len == 0 || !memchr(name, '.', len)) {
		return fail(expectation, "a domain name of two or more labels, such as "
				 "'example.org'");
	}
	while (rc == 0 && pos <= len) {
		const char *dot = memchr(name + pos, '.', len - pos);
		size_t end = dot ? (size_t)(dot - name) : len;

		if (pos > 0 && buf_addc(out, '.') < 0) {
			return CAIRN_ENOMEM;
		}
		rc = add_label(name + pos, end - pos, !dot, out, expectation);
		pos = end + 1;
	}
	if (rc == 0 && out->len - start > DOMAIN_MAX) {
		rc = fail(expectation, "a domain name of at most 253 characters");
	}
	return rc;
}

int norm_domain(const struct norm_rule *rule, const char *value,
		struct buf *out, const char **expectation)
{
	(void)rule;
	return norm_domain_text(value, strlen(value), out, expectation);
}

int norm_domain_ip(const struct norm_rule *rule, const char *value,
		   struct buf *out, const char **expectation)
{
	const char *bar = strchr(value, '|');
	int rc;

	(void)rule;
	if (!bar) {
		return fail(expectation, "'domain|address'");
	}
	rc = norm_domain_text(value, (size_t)(bar - value), out, expectation);
	if (rc == 0) {
		rc = buf_addc(out, '|') < 0 ? CAIRN_ENOMEM : 0;
	}
	if (rc == 0) {
		rc = norm_ip_text(bar + 1, strlen(bar + 1), false, out, expectation);
	}
	return rc;
}

int norm_hostname_port(const struct norm_rule *rule, const char *value,
		       struct buf *out, const char **expectation)
{
	const char *sep = strrchr(value, '|');
	int rc;

	(void)rule;
	if (!sep) {
		sep = strrchr(value, ':');
	}
	if (!sep) {
		return fail(expectation, "'hostname|port' or 'hostname:port'");
	}
	rc = norm_domain_text(value, (size_t)(sep - value), out, expectation);
	if (rc == 0) {
		rc = buf_addc(out, '|') < 0 ? CAIRN_ENOMEM : 0;
	}
	if (rc == 0) {
		rc = norm_port_text(sep + 1, strlen(sep + 1), out, expectation);
	}
	return rc;
}

static bool has_space(const char *s)
{
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			return true;
		}
	}
	return false;
}

static bool has_line_break(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* Returns the length of a URL scheme followed by "://" at `s`, counting
 * the "://", or 0. */
static size_t scheme_length(const char *s)
{
	size_t i = 0;

	if (!isalpha((unsigned char)s[0])) {
		return 0;
	}
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
	       s[i] == '.') {
		i++;
	}
	return strncmp(s + i, "://", 3) == 0 ? i + 3 : 0;
}

/* Appends a URL's host in lower case, and an internationalised one in
 * punycode as for a domain; a host that is no valid domain name (an
 * address, a single label) is only lower-cased. */
static int append_url_host(const char *host, size_t len, struct buf *out)
{
	const char *expectation = NULL;
	size_t start = out->len;

	if (!ascii_only(host, len) &&
	    norm_domain_text(host, len, out, &expectation) == 0) {
		return 0;
	}
	out->len = start;
	if (out->data) {
		out->data[start] = '\0';
	}
	for (size_t i = 0; i < len; i++) {
		if (buf_addc(out, (char)tolower((unsigned char)host[i])) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	return 0;
}

/* Copies a URL with its scheme and the host of its authority in lower
 * case; the user information, path, query and fragment are kept as
 * given.  Without
 * a scheme the authority is taken to start the value unless the value
 * starts with '/', as in a bare "host/path". */
static int lower_url_host(const char *value, bool need_scheme,
			  struct buf *out)
{
	size_t scheme = scheme_length(value);
	size_t end, host, host_end;

	if (scheme == 0 && (need_scheme || value[0] == '/')) {
		return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
	}
	end = scheme + strcspn(value + scheme, "/?#");
	host = scheme;
	for (size_t i = scheme; i < end; i++) {
		if (value[i] == '@') {
			host = i + 1;
		}
	}
	host_end = value[host] == '[' ? host + strcspn(value + host, "]")
				      : host + strcspn(value + host, ":");
	if (host_end > end) {
		host_end = end;
	}
	for (size_t i = 0; i < host; i++) {
		char c = value[i];

		if (i < scheme) {
			c = (char)tolower((unsigned char)c);
		}
		if (buf_addc(out, c) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	if (append_url_host(value + host, host_end - host, out) < 0) {
		return CAIRN_ENOMEM;
	}
	return buf_adds(out, value + host_end) < 0 ? CAIRN_ENOMEM : 0;
}

/* url and uri, where MISP requires no scheme.  Spaces are accepted
 * because MISP accepts them and real feeds carry URLs such as
 * "http://192.0.2.1/report - (2018).zip"; line breaks are not. */
int norm_url(const struct norm_rule *rule, const char *value, struct buf *out,
	     const char **expectation)
{
	if (has_line_break(value)) {
		return fail(expectation, "a URL on one line");
	}
	return lower_url_host(value, strcmp(rule->type, "uri") == 0, out);
}

/* link: MISP requires a scheme and a host, as in "https://example.org/". */
int norm_link(const struct norm_rule *rule, const char *value,
	      struct buf *out, const char **expectation)
{
	size_t scheme = scheme_length(value);

	(void)rule;
	if (has_space(value)) {
		return fail(expectation, "a URL without spaces or line breaks");
	}
	if (scheme == 0 || strchr("/?#", value[scheme])) {
		return fail(expectation, "a URL with a scheme and a host, such as "
				 "'https://example.org/'");
	}
	return lower_url_host(value, true, out);
}

/* E-mail addresses.  With rule->arg 1 the address is stored in lower case
 * and its domain in punycode, as MISP lower-cases these types; with 0
 * (eppn, dns-soa-email, jabber-id) it is only checked. */
int norm_email(const struct norm_rule *rule, const char *value,
	       struct buf *out, const char **expectation)
{
	const char *at = strchr(value, '@');
	static const char expected[] =
		"an address as 'name@domain', without spaces";

	if (has_space(value) || !at || at == value || !strchr(at, '.')) {
		return fail(expectation, expected);
	}
	if (rule->arg == 0) {
		return buf_adds(out, value) < 0 ? CAIRN_ENOMEM : 0;
	}
	if (strchr(at + 1, '@')) {
		return fail(expectation, "an address with one '@'");
	}
	for (const char *p = value; p < at; p++) {
		if (buf_addc(out, (char)tolower((unsigned char)*p)) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	if (buf_addc(out, '@') < 0) {
		return CAIRN_ENOMEM;
	}
	return norm_domain_text(at + 1, strlen(at + 1), out, expectation);
}
