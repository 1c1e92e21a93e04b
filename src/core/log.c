/* One-line logging; see log.h. */
#include "core/log.h"
#include "core/buf.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Set once before threads start, read-only afterwards. */
static enum log_level min_level = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
	min_level = level;
}

int log_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			return i;
		}
	}
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	struct timespec now;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (level < min_level) {
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(&line, "%s.%03ldZ %s ", stamp, now.tv_nsec / 1000000,
		   level_names[level]);
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	buf_addc(&line, '\n');
	if (write(STDERR_FILENO, buf_str(&line), line.len) < 0) {
		/* Nowhere left to report a failed log write. */
	}
	buf_release(&line);
}
