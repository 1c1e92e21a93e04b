/*
 * Growable byte buffer with a maximum size.
 *
 * Every string that Cairn builds goes through a struct buf.  The buffer owns
 * its storage, keeps it NUL-terminated, and refuses to grow past `max` so
 * that no input can make it allocate without bound.
 */
#ifndef CAIRN_BUF_H
#define CAIRN_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;  /* NUL-terminated once anything was added, else NULL */
	size_t len;  /* bytes used, excluding the terminating NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* maximum len; 0 means BUF_DEFAULT_MAX */
};

#define BUF_DEFAULT_MAX ((size_t)1 << 30)
#define BUF_INIT {NULL, 0, 0, 0}

/* Each returns 0, or -ENOMEM when memory runs out or `max` would be
 * exceeded; on failure the buffer keeps its previous contents. */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Returns the contents as a C string; "" for an empty buffer. */
const char *buf_str(const struct buf *b);

/* Empties the buffer but keeps its storage. */
void buf_clear(struct buf *b);

/* Frees the storage and resets the buffer to empty. */
void buf_release(struct buf *b);

/* Hands the storage to the caller, who frees it; the buffer becomes empty.
 * Never returns NULL: an empty buffer yields an allocated "". */
char *buf_detach(struct buf *b);

#endif
