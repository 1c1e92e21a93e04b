/*
 * Times in attribute values (the datetime type) and in the first_seen and
 * last_seen fields.
 *
 * Both accept ISO 8601 in its common extended forms: a date
 * "YYYY-MM-DD", optionally followed by 'T' or a space and "HH:MM",
 * "HH:MM:SS" or "HH:MM:SS.ffffff" (any number of fraction digits; the
 * first six are kept), optionally followed by a zone: 'Z', "+HH:MM",
 * "+HHMM" or "+HH".  A time without a zone is UTC, as MISP reads it.
 * Output follows MISP: first_seen and last_seen in UTC as
 * "2024-05-01T12:00:00.000000+00:00", a datetime value in its own zone
 * as "2024-05-01T14:00:00.000000+0200".
 */
#include "model/normalize.h"
#include "model/normalize_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct iso_time {
	int year, month, day, hour, minute, second;
	long usec;
	int offset; /* minutes east of UTC */
};

static const char expected_time[] =
	"an ISO 8601 date and time such as '2024-05-01T12:00:00Z'";

/* Reads exactly `n` digits at *p and advances past them. */
static bool read_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i])) {
			return false;
		}
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid_fields(const struct iso_time *t)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};

	if (t->month < 1 || t->month > 12 || t->day < 1) {
		return false;
	}
	if (t->day > days[t->month - 1] + (t->month == 2 && leap(t->year))) {
		return false;
	}
	return t->hour <= 23 && t->minute <= 59 && t->second <= 59 &&
	       t->offset > -24 * 60 && t->offset < 24 * 60;
}

static bool parse_zone(const char *p, int *offset)
{
	int sign, hours, minutes = 0;

	*offset = 0;
	if (*p == '\0' || strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
		return true;
	}
	if (*p != '+' && *p != '-') {
		return false;
	}
	sign = *p++ == '-' ? -1 : 1;
	if (!read_digits(&p, 2, &hours)) {
		return false;
	}
	if (*p == ':') {
		p++;
	}
	if (*p && !read_digits(&p, 2, &minutes)) {
		return false;
	}
	*offset = sign * (hours * 60 + minutes);
	return *p == '\0' && minutes < 60;
}

static bool parse_iso(const char *s, struct iso_time *t)
{
	const char *p = s;

	memset(t, 0, sizeof(*t));
	if (!read_digits(&p, 4, &t->year) || *p++ != '-' ||
	    !read_digits(&p, 2, &t->month) || *p++ != '-' ||
	    !read_digits(&p, 2, &t->day)) {
		return false;
	}
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!read_digits(&p, 2, &t->hour) || *p++ != ':' ||
		    !read_digits(&p, 2, &t->minute)) {
			return false;
		}
		if (*p == ':') {
			p++;
			if (!read_digits(&p, 2, &t->second)) {
				return false;
			}
		}
		if (*p == '.' || *p == ',') {
			long scale = 100000;

			if (!isdigit((unsigned char)p[1])) {
				return false;
			}
			for (p++; isdigit((unsigned char)*p); p++) {
				t->usec += (*p - '0') * scale;
				scale /= 10;
			}
		}
	}
	return parse_zone(p, &t->offset) && valid_fields(t);
}

/* Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t instant_usec(const struct iso_time *t)
{
	int64_t secs = days_from_civil(t->year, t->month, t->day) * 86400 +
		       t->hour * 3600 + t->minute * 60 + t->second -
		       (int64_t)t->offset * 60;

	return secs * 1000000 + t->usec;
}

int normalize_seen(const char *value, struct buf *out, int64_t *usec,
		   struct cairn_err *e)
{
	struct iso_time t;
	int64_t us, secs, days, rest;
	int y, m, d;

	buf_clear(out);
	if (!parse_iso(value, &t)) {
		return cairn_err_set(e, CAIRN_EINVAL, "'%s' is not a valid time: "
				     "expected %s", value, expected_time);
	}
	us = instant_usec(&t);
	secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
	days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	rest = secs - days * 86400;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		return cairn_err_set(e, CAIRN_EINVAL, "'%s' is not a valid time: "
				     "expected a year from 0 to 9999", value);
	}
	if (usec) {
		*usec = us;
	}
	if (buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", y,
		       m, d, (int)(rest / 3600), (int)(rest / 60 % 60),
		       (int)(rest % 60), (long long)(us - secs * 1000000)) < 0) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

int norm_datetime(const struct norm_rule *rule, const char *value,
		  struct buf *out, const char **expectation)
{
	struct iso_time t;
	int offset;

	(void)rule;
	if (!parse_iso(value, &t)) {
		*expectation = expected_time;
		return CAIRN_EINVAL;
	}
	offset = t.offset < 0 ? -t.offset : t.offset;
	if (buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld%c%02d%02d",
		       t.year, t.month, t.day, t.hour, t.minute, t.second,
		       t.usec, t.offset < 0 ? '-' : '+', offset / 60,
		       offset % 60) < 0) {
		return CAIRN_ENOMEM;
	}
	return 0;
}
