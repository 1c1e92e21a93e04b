/*
 * The rule builder behind the suricata and snort formats: MISP's NIDS
 * export, one to nine rules per attribute, in Suricata's or Snort 2's
 * syntax.
 *
 * Each rule's sid is the sid base plus ten times the attribute id plus
 * the rule's number within the attribute (1 to 9), as MISP numbers them.
 * So a rule keeps its sid from one export to the next, and no two rules
 * share one.
 */
#ifndef CAIRN_FORMAT_NIDS_H
#define CAIRN_FORMAT_NIDS_H

#include "export/format.h"

enum nids_dialect {
	NIDS_SURICATA,
	NIDS_SNORT,
};

/* MISP's default sid base (the nids_sid of a new user). */
#define NIDS_DEFAULT_SID 4000000

struct nids_state {
	enum nids_dialect dialect;
	int64_t sid_base;
	struct buf base_url; /* copied, because options may not outlive begin */
	struct buf msg;	     /* the msg text of the current attribute */
	struct buf options;  /* the match options of the current rule */
	struct buf address;  /* an address or port taken from a value */
	struct buf port;
};

int nids_begin(struct nids_state *st, enum nids_dialect dialect,
	       const struct export_options *o, struct buf *out);
int nids_item(struct nids_state *st, const struct export_item *it,
	      struct buf *out);
void nids_release(struct nids_state *st);

#endif
