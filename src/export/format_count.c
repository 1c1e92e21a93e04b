/*
 * The count format: the number of attributes in the result, as a bare
 * decimal number without a line break, as MISP's count export returns it.
 */
#include "export/format_util.h"
#include "export/format_writers.h"

struct count_state {
	uint64_t count;
};

static int count_item(void *state, const struct export_item *it,
		      struct buf *out, struct cairn_err *e)
{
	struct count_state *st = state;

	(void)it;
	(void)out;
	(void)e;
	st->count++;
	return 0;
}

static int count_end(void *state, struct buf *out, struct cairn_err *e)
{
	struct count_state *st = state;

	(void)e;
	return buf_printf(out, "%llu", (unsigned long long)st->count);
}

const struct export_format export_format_count = {
    .name = "count",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = false,
    .state_size = sizeof(struct count_state),
    .begin = export_begin_none,
    .item = count_item,
    .end = count_end,
    .release = export_release_none,
};
