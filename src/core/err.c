/* Error detail; see err.h. */
#include "core/err.h"

#include <stdarg.h>

int cairn_err_set(struct cairn_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->code) {
		return code;
	}
	e->code = code;
	buf_clear(&e->message);
	va_start(ap, fmt);
	buf_vprintf(&e->message, fmt, ap);
	va_end(ap);
	return code;
}

void cairn_err_at(struct cairn_err *e, const char *pointer, const char *field)
{
	if (!e) {
		return;
	}
	if (pointer && e->pointer.len == 0) {
		buf_adds(&e->pointer, pointer);
	}
	if (field && e->field.len == 0) {
		buf_adds(&e->field, field);
	}
}

void cairn_err_clear(struct cairn_err *e)
{
	e->code = 0;
	buf_clear(&e->message);
	buf_clear(&e->pointer);
	buf_clear(&e->field);
}

void cairn_err_release(struct cairn_err *e)
{
	e->code = 0;
	buf_release(&e->message);
	buf_release(&e->pointer);
	buf_release(&e->field);
}

const char *cairn_code_name(int code)
{
	switch (code) {
	case CAIRN_OK:
		return "ok";
	case CAIRN_EINVAL:
		return "invalid input";
	case CAIRN_ENOTFOUND:
		return "not found";
	case CAIRN_EDENIED:
		return "permission denied";
	case CAIRN_EEXIST:
		return "already exists";
	case CAIRN_ETOOBIG:
		return "too large";
	case CAIRN_ENOMEM:
		return "out of memory";
	case CAIRN_ESTORE:
		return "database error";
	case CAIRN_EIO:
		return "input/output error";
	case CAIRN_EBUSY:
		return "shutting down";
	}
	return "unknown error";
}
