/*
 * Helpers shared by the export format writers; see format_util.h.
 */
#include "export/format_util.h"
#include "model/misp.h"

#include <string.h>
#include <time.h>

bool export_type_is_composite(const char *type)
{
	return strchr(type, '|') != NULL || strcmp(type, "malware-sample") == 0;
}

size_t export_value_parts(const char *type, const char *value,
			  struct span parts[2])
{
	const char *bar = strchr(value, '|');

	if (!export_type_is_composite(type) || !bar) {
		parts[0] = (struct span){value, strlen(value)};
		return 1;
	}
	parts[0] = (struct span){value, (size_t)(bar - value)};
	parts[1] = (struct span){bar + 1, strlen(bar + 1)};
	return 2;
}

const char *export_attr_text(const struct export_item *it, int field)
{
	return record_text(it->attribute, field, "");
}

int64_t export_attr_int(const struct export_item *it, int field)
{
	return record_int(it->attribute, field, 0);
}

const char *export_event_text(const struct export_item *it, int field)
{
	return it->event ? record_text(it->event, field, "") : "";
}

int64_t export_event_int(const struct export_item *it, int field)
{
	return it->event ? record_int(it->event, field, 0) : 0;
}

/* Returns the length of the valid UTF-8 sequence at `s` (at most `left`
 * bytes), or 0 when it is not one: no overlong forms, no surrogates, no
 * code point past U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80) {
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left) {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	return n;
}

static int json_escape_byte(struct buf *out, unsigned char c)
{
	switch (c) {
	case '"':
		return buf_adds(out, "\\\"");
	case '\\':
		return buf_adds(out, "\\\\");
	case '\n':
		return buf_adds(out, "\\n");
	case '\r':
		return buf_adds(out, "\\r");
	case '\t':
		return buf_adds(out, "\\t");
	default:
		if (c < 0x20 || c == 0x7f) {
			return buf_printf(out, "\\u%04x", c);
		}
		return buf_addc(out, (char)c);
	}
}

int export_json_string(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int rc = buf_addc(out, '"');

	while (rc == 0 && i < len) {
		size_t n = utf8_sequence(p + i, len - i);

		if (n == 0) {
			rc = buf_adds(out, "\\ufffd");
			i++;
		} else if (n == 1) {
			rc = json_escape_byte(out, p[i]);
			i++;
		} else {
			rc = buf_add(out, p + i, n);
			i += n;
		}
	}
	return rc == 0 ? buf_addc(out, '"') : rc;
}

int export_rfc3339(struct buf *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	return buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d.000Z",
			  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			  tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int export_join_tags(struct buf *out, const struct export_item *it, size_t from,
		     size_t to, const char *sep)
{
	int rc = 0;

	for (size_t i = from; rc == 0 && i < to && i < it->ntags; i++) {
		if (i > from) {
			rc = buf_adds(out, sep);
		}
		if (rc == 0) {
			rc = buf_adds(out, it->tags[i]);
		}
	}
	return rc;
}

static bool is_label_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool export_is_dns_name(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0) {
				return false;
			}
			label = 0;
		} else if (is_label_byte(s[i]) && ++label <= 63) {
			continue;
		} else {
			return false;
		}
	}
	return label > 0;
}

bool export_is_port(const char *s, size_t len)
{
	unsigned port = 0;

	if (len == 0 || len > 5) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		port = port * 10 + (unsigned)(s[i] - '0');
	}
	return port <= 65535;
}

int export_begin_none(void *state, const struct export_options *o,
		      struct buf *out, struct cairn_err *e)
{
	(void)state;
	(void)o;
	(void)out;
	(void)e;
	return 0;
}

int export_end_none(void *state, struct buf *out, struct cairn_err *e)
{
	(void)state;
	(void)out;
	(void)e;
	return 0;
}

void export_release_none(void *state)
{
	(void)state;
}
