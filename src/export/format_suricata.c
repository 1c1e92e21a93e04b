/*
 * The suricata format: MISP's NIDS export in Suricata's rule syntax, built by
 * format_nids.c.
 */
#include "export/format_nids.h"
#include "export/format_util.h"
#include "export/format_writers.h"

static int suricata_begin(void *state, const struct export_options *o,
			  struct buf *out, struct cairn_err *e)
{
	(void)e;
	return nids_begin(state, NIDS_SURICATA, o, out);
}

static int suricata_item(void *state, const struct export_item *it,
			 struct buf *out, struct cairn_err *e)
{
	(void)e;
	return nids_item(state, it, out);
}

static void suricata_release(void *state)
{
	nids_release(state);
}

const struct export_format export_format_suricata = {
    .name = "suricata",
    .content_type = "text/plain; charset=UTF-8",
    .ids_published_default = true,
    .state_size = sizeof(struct nids_state),
    .begin = suricata_begin,
    .item = suricata_item,
    .end = export_end_none,
    .release = suricata_release,
};
