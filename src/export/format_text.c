/*
 * The text format: each distinct value on a line of its own, as MISP's
 * text export writes them (composite values whole, "a|b").
 *
 * MISP prints each value once; Cairn does so within the bounds of
 * format_dedup.h.  A value that contains a line break is left out,
 * because a reader of one value per line would take it for two.
 */
#include "export/format_dedup.h"
#include "export/format_util.h"
#include "export/format_writers.h"
#include "model/misp.h"

#include <string.h>

struct text_state {
	struct dedup seen;
};

static int text_item(void *state, const struct export_item *it, struct buf *out,
		     struct cairn_err *e)
{
	struct text_state *st = state;
	const char *value = export_attr_text(it, ATTR_VALUE);
	size_t len = strlen(value);
	int rc;

	(void)e;
	if (len == 0 || strpbrk(value, "\r\n")) {
		return 0;
	}
	rc = dedup_add(&st->seen, value, len);
	if (rc <= 0) {
		return rc;
	}
	if (buf_add(out, value, len) < 0 || buf_addc(out, '\n') < 0) {
		return CAIRN_ENOMEM;
	}
	return 0;
}

static void text_release(void *state)
{
	struct text_state *st = state;

	dedup_release(&st->seen);
}

const struct export_format export_format_text = {
    .name = "text",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = true,
    .state_size = sizeof(struct text_state),
    .begin = export_begin_none,
    .item = text_item,
    .end = export_end_none,
    .release = text_release,
};
