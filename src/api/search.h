/*
 * The step shared by the search endpoints and `cairn export`: a parsed
 * request (api/search_request.h) becomes the configuration of its output
 * (export/search_output.h).
 */
#ifndef CAIRN_API_SEARCH_H
#define CAIRN_API_SEARCH_H

#include "api/search_request.h"
#include "export/search_output.h"

/* Fills `cfg` for endpoint `ep` from `r`, except its store and viewer:
 * the shape, the export format of returnFormat (CAIRN_EINVAL naming the
 * accepted formats when there is none of that name), the format's
 * default to_ids and published conditions, added to `r`, and the output
 * switches.  `warninglists` may be NULL. */
int search_prepare(struct search_request *r, enum search_endpoint ep,
		   struct warninglist_set *warninglists,
		   struct search_output_config *cfg, struct cairn_err *e);

#endif
