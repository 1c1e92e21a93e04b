/*
 * Error codes and the error detail that travels with them.
 *
 * Functions return 0 or a negative CAIRN_E* code.  When they take a
 * struct cairn_err, they also fill in what failed: a message in lower case
 * naming the value and what was expected, and, for input documents, the
 * JSON pointer of the offending element.  The API renders it as MISP's
 * error body; the CLI prints it.
 */
#ifndef CAIRN_ERR_H
#define CAIRN_ERR_H

#include "core/buf.h"

enum cairn_code {
	CAIRN_OK = 0,
	CAIRN_EINVAL = -1,    /* malformed or invalid input */
	CAIRN_ENOTFOUND = -2, /* no such resource */
	CAIRN_EDENIED = -3,   /* authentication or permission failure */
	CAIRN_EEXIST = -4,    /* duplicate of something stored */
	CAIRN_ETOOBIG = -5,   /* input over a configured limit */
	CAIRN_ENOMEM = -6,    /* out of memory */
	CAIRN_ESTORE = -7,    /* the database failed */
	CAIRN_EIO = -8,       /* a file or socket failed */
	CAIRN_EBUSY = -9,     /* stopped because the server is shutting down */
};

struct cairn_err {
	int code;
	struct buf message; /* human-readable, lower case, no final period */
	struct buf pointer; /* JSON pointer into the input, or empty */
	struct buf field;   /* name of the offending field, or empty */
};

#define CAIRN_ERR_INIT {0, BUF_INIT, BUF_INIT, BUF_INIT}

/* Records code and message (printf-style) unless an error is already set,
 * so that the first, innermost failure is the one reported.  Returns
 * code, for `return cairn_err_set(...)`. */
int cairn_err_set(struct cairn_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the JSON pointer and field name of the current error when they are
 * still empty.  Either may be NULL. */
void cairn_err_at(struct cairn_err *e, const char *pointer, const char *field);

/* Forgets the error but keeps the storage. */
void cairn_err_clear(struct cairn_err *e);

void cairn_err_release(struct cairn_err *e);

/* Returns a short English name for a code ("invalid input" and so on). */
const char *cairn_code_name(int code);

#endif
