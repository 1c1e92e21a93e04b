/*
 * The snort format: MISP's NIDS export in Snort 2's rule syntax, built by
 * format_nids.c.
 */
#include "export/format_nids.h"
#include "export/format_util.h"
#include "export/format_writers.h"

static int snort_begin(void *state, const struct export_options *o,
		       struct buf *out, struct cairn_err *e)
{
	(void)e;
	return nids_begin(state, NIDS_SNORT, o, out);
}

static int snort_item(void *state, const struct export_item *it,
		      struct buf *out, struct cairn_err *e)
{
	(void)e;
	return nids_item(state, it, out);
}

static void snort_release(void *state)
{
	nids_release(state);
}

const struct export_format export_format_snort = {
    .name = "snort",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = true,
    .state_size = sizeof(struct nids_state),
    .begin = snort_begin,
    .item = snort_item,
    .end = export_end_none,
    .release = snort_release,
};
