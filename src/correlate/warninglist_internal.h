/*
 * The compiled matchers behind warninglist.h, shared by warninglist.c
 * (loading and checking), warninglist_cidr.c (prefix sets) and
 * warninglist_text.c (hash sets and the Aho-Corasick automaton).  Nothing
 * outside src/correlate/ and tests/unit/ includes this header.
 *
 * Every matcher merges the entries of all lists of its type.  A matched
 * key leads to a chain of owners, each a (list, entry) pair, and the
 * lookup hands every owner to a collector, which keeps those of the lists
 * that are enabled and apply to the value's type, one hit per list.  Entry
 * text lives in one blob owned by the set and is named by byte offsets,
 * so that the blob may grow while the matchers are built.
 */
#ifndef CAIRN_WARNINGLIST_INTERNAL_H
#define CAIRN_WARNINGLIST_INTERNAL_H

#include "core/buf.h"
#include "correlate/warninglist.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One entry of one list; `next` chains the owners of one key (index + 1,
 * 0 ends the chain). */
struct wl_owner {
	uint32_t list;  /* list index, id - 1 */
	uint32_t entry; /* index into the list's entries */
	uint32_t next;
};

struct wl_owners {
	struct wl_owner *v;
	size_t len, cap;
};

/* Appends an owner and returns its index + 1, or 0 when out of memory. */
uint32_t wl_owner_add(struct wl_owners *o, uint32_t list, uint32_t entry,
		      uint32_t next);

/* Receives the owners that a lookup finds for one part of a value.
 * `active` has a bit per list that may report; `seen` the lists already
 * reported, so the first owner found for a list is the one kept. */
struct wl_collector {
	const struct warninglist_set *set;
	const uint64_t *active;
	uint64_t *seen;
	struct warninglist_hit *hits;
	size_t cap, count;
	const char *part;
	size_t part_len;
};

void wl_collect(struct wl_collector *c, uint32_t list, uint32_t entry);

/* Calls wl_collect() for every owner on the chain that starts at `first`. */
void wl_collect_chain(struct wl_collector *c, const struct wl_owners *o,
		      uint32_t first);

/* A hash set of byte strings.  Keys are (offset, length) in the set's
 * text blob; each key has a chain of owners. */
struct wl_hash {
	struct wl_hash_node {
		uint32_t key;    /* offset in the text blob */
		uint32_t len;
		uint32_t owners; /* first owner + 1 */
		uint32_t hash;
	} *nodes;
	size_t nnodes, nodes_cap;
	uint64_t *slots; /* hash << 32 | node index + 1; 0 when empty */
	size_t nslots;   /* a power of two, at least twice nnodes */
	struct wl_owners owners;
};

uint64_t wl_hash_bytes(const void *data, size_t len);
int wl_hash_add(struct wl_hash *h, const char *text, uint32_t key,
		uint32_t len, uint32_t list, uint32_t entry);
/* Returns the first owner + 1 of the key, or 0 when it is not in the set. */
uint32_t wl_hash_find(const struct wl_hash *h, const char *text,
		      const char *key, size_t len);
void wl_hash_release(struct wl_hash *h);
size_t wl_hash_memory(const struct wl_hash *h);

/* Hostname lists: entries lower-cased with leading and trailing dots
 * removed, so "www.Example.com." and ".example.com" become keys of the
 * form "example.com". */
int wl_hostname_add(struct wl_hash *h, struct buf *text, const char *entry,
		    uint32_t list, uint32_t entry_index);
void wl_hostname_lookup(const struct wl_hash *h, const char *text,
			const char *value, size_t len,
			struct wl_collector *c);

/* Reduces a URL or a host with a port to the host: the part after "//"
 * when there is one, before the first '/', '?' or '#', after the last '@',
 * without a ":port" or the brackets of "[v6]".  Sets *host and *host_len
 * to a slice of `value`. */
void wl_reduce_host(const char *value, size_t len, const char **host,
		    size_t *host_len);

/* Aho-Corasick automaton over the substring entries of all lists.  Nodes
 * near the root, where a scan spends most of its steps, are dense: a row
 * of `delta` gives their next node for every byte class, failure links
 * already followed.  Deeper nodes keep a sibling chain of children. */
struct wl_automaton {
	struct wl_ac_node {
		uint32_t child;   /* first child + 1 */
		uint32_t sibling; /* next sibling + 1 */
		uint32_t fail;    /* longest proper suffix that is a node */
		uint32_t output;  /* nearest node on the fail chain (itself
				   * included) that ends an entry, + 1 */
		uint32_t owners;  /* first owner + 1 when an entry ends here */
		uint32_t dense;   /* row of `delta` + 1, 0 for a sparse node */
		uint32_t state;   /* the node as a `delta` value, see below */
		unsigned char byte;
	} *nodes;
	size_t nnodes, nodes_cap;
	uint16_t classes[256]; /* byte -> class; 0 for bytes in no entry */
	size_t nclasses;
	/* ndense rows of nclasses + 1 states.  A state is a dense row index
	 * with WL_AC_DENSE set, or else a node index; WL_AC_OUTPUT marks a
	 * node on whose fail chain an entry ends. */
	uint32_t *delta;
	uint32_t *row_node; /* the node of each dense row */
	size_t ndense;
	struct wl_owners owners;
};

#define WL_AC_DENSE 0x80000000u
#define WL_AC_OUTPUT 0x40000000u
#define WL_AC_INDEX 0x3fffffffu

int wl_ac_init(struct wl_automaton *a);
int wl_ac_add(struct wl_automaton *a, const char *pattern, size_t len,
	      uint32_t list, uint32_t entry);
/* Computes the failure links; call once, after the last wl_ac_add(). */
int wl_ac_compile(struct wl_automaton *a);
void wl_ac_lookup(const struct wl_automaton *a, const char *value,
		  size_t len, struct wl_collector *c);
void wl_ac_release(struct wl_automaton *a);
size_t wl_ac_memory(const struct wl_automaton *a);

/* The prefixes of the CIDR lists of one address family, as 128-bit
 * numbers whose top bits are the address (an IPv4 address takes the top
 * 32).  Sorted by network then length, they form a laminar family (two
 * prefixes are nested or disjoint), and `parent` names the innermost
 * prefix that contains each one. */
typedef unsigned __int128 wl_u128;

struct wl_prefix {
	wl_u128 net;
	uint32_t parent; /* index + 1, 0 for an outermost prefix */
	uint32_t owners; /* first owner + 1 */
	uint8_t len;
};

struct wl_prefix_set {
	struct wl_prefix *v;
	size_t len, cap;
	struct wl_owners owners;
};

struct wl_cidr {
	struct wl_prefix_set v4, v6;
};

/* Parses "ADDR" or "ADDR/LEN" for either family and sets *is_v6 for an
 * IPv6 one.  *plen is the prefix length (32 or 128 without a mask).  Host bits below
 * the mask are cleared.  Returns 0, or -1 for anything else. */
int wl_cidr_parse(const char *text, size_t len, wl_u128 *net, int *plen,
		  bool *is_v6);
int wl_cidr_add(struct wl_cidr *t, const char *entry, uint32_t list,
		uint32_t entry_index);
/* Sorts, merges equal prefixes and links parents; call once. */
int wl_cidr_compile(struct wl_cidr *t);
void wl_cidr_lookup(const struct wl_cidr *t, const char *value, size_t len,
		    struct wl_collector *c);
void wl_cidr_release(struct wl_cidr *t);
size_t wl_cidr_memory(const struct wl_cidr *t);

#endif
