/*
 * TLSH distance for C callers: libtlsh's API is a C++ class, so this one
 * file wraps it.  Debian bookworm ships libtlsh 3.4.4, whose hash strings
 * have no "T1" version prefix; MISP and newer TLSH tools write it, so the
 * prefix is removed before parsing.
 */
#include "correlate/tlsh_wrap.h"

#include <tlsh.h>

#include <cstring>

static const char *without_version(const char *hash)
{
	if ((hash[0] == 'T' || hash[0] == 't') && hash[1] == '1') {
		return hash + 2;
	}
	return hash;
}

extern "C" int correlate_tlsh_distance(const char *a, const char *b)
{
	Tlsh first, second;

	if (!a || !b || first.fromTlshStr(without_version(a)) != 0 ||
	    second.fromTlshStr(without_version(b)) != 0) {
		return -1;
	}
	return first.totalDiff(&second);
}
