/*
 * The text matchers of warninglists: a hash set for string and hostname
 * lists, and an Aho-Corasick automaton for substring lists.
 *
 * The hash set uses open addressing with linear probing over a power-of-
 * two table kept at most half full; its keys are slices of the set's text
 * blob.  The automaton keeps each node's children as a sibling chain, and
 * gives the nodes near the root a full transition row, because a scan of
 * text that matches nothing keeps returning there.  A lookup reads each
 * byte of the value once and follows failure links, so it takes time
 * linear in the value's length plus the number of entries found, however
 * many patterns are loaded.
 */
#include "correlate/warninglist_internal.h"

#include <stdlib.h>
#include <string.h>

/* Maximum host length looked up: DNS names have at most 253 characters,
 * so a longer host cannot be in a hostname list. */
#define MAX_HOST 255

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap) {
		return 0;
	}
	while (n < need) {
		n *= 2;
	}
	p = realloc(*v, n * size);
	if (!p) {
		return CAIRN_ENOMEM;
	}
	*v = p;
	*cap = n;
	return 0;
}

uint32_t wl_owner_add(struct wl_owners *o, uint32_t list, uint32_t entry,
		      uint32_t next)
{
	if (grow((void **)&o->v, &o->cap, o->len + 1, sizeof(*o->v)) < 0) {
		return 0;
	}
	o->v[o->len] = (struct wl_owner){list, entry, next};
	return (uint32_t)++o->len;
}

void wl_collect_chain(struct wl_collector *c, const struct wl_owners *o,
		      uint32_t first)
{
	for (uint32_t i = first; i; i = o->v[i - 1].next) {
		wl_collect(c, o->v[i - 1].list, o->v[i - 1].entry);
	}
}

/* A multiply-xor hash that reads eight bytes at a time.  Its values only
 * live in memory, so the byte order of the machine does not matter. */
uint64_t wl_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15u ^ (len * 0xff51afd7ed558ccdu);
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
		p += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, p, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 32;
	return h;
}

static uint64_t slot_value(uint32_t hash, size_t node)
{
	return (uint64_t)hash << 32 | (uint32_t)(node + 1);
}

static int hash_resize(struct wl_hash *h, size_t nslots)
{
	uint64_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots) {
		return CAIRN_ENOMEM;
	}
	for (size_t n = 0; n < h->nnodes; n++) {
		size_t i = h->nodes[n].hash & (nslots - 1);

		while (slots[i]) {
			i = (i + 1) & (nslots - 1);
		}
		slots[i] = slot_value(h->nodes[n].hash, n);
	}
	free(h->slots);
	h->slots = slots;
	h->nslots = nslots;
	return 0;
}

/* Returns the slot that contains the key, or the empty slot for it. */
static size_t hash_slot(const struct wl_hash *h, const char *text,
			const char *key, size_t len, uint32_t hash)
{
	size_t i = hash & (h->nslots - 1);

	/* The hash kept in the slot settles most mismatches without a read
	 * of the node or its text. */
	while (h->slots[i]) {
		const struct wl_hash_node *n;

		if ((uint32_t)(h->slots[i] >> 32) == hash) {
			n = &h->nodes[(uint32_t)h->slots[i] - 1];
			if (n->len == len &&
			    memcmp(text + n->key, key, len) == 0) {
				break;
			}
		}
		i = (i + 1) & (h->nslots - 1);
	}
	return i;
}

int wl_hash_add(struct wl_hash *h, const char *text, uint32_t key,
		uint32_t len, uint32_t list, uint32_t entry)
{
	uint32_t hash = (uint32_t)wl_hash_bytes(text + key, len);
	struct wl_hash_node *n;
	uint32_t owner;
	size_t i;

	if ((h->nnodes + 1) * 2 > h->nslots &&
	    hash_resize(h, h->nslots ? h->nslots * 2 : 1024) < 0) {
		return CAIRN_ENOMEM;
	}
	i = hash_slot(h, text, text + key, len, hash);
	if (h->slots[i]) {
		uint32_t tail;

		/* Append, so the first list that has a key reports it. */
		owner = wl_owner_add(&h->owners, list, entry, 0);
		if (!owner) {
			return CAIRN_ENOMEM;
		}
		n = &h->nodes[(uint32_t)h->slots[i] - 1];
		tail = n->owners;
		while (h->owners.v[tail - 1].next) {
			tail = h->owners.v[tail - 1].next;
		}
		h->owners.v[tail - 1].next = owner;
		return 0;
	}
	if (grow((void **)&h->nodes, &h->nodes_cap, h->nnodes + 1,
		 sizeof(*h->nodes)) < 0) {
		return CAIRN_ENOMEM;
	}
	owner = wl_owner_add(&h->owners, list, entry, 0);
	if (!owner) {
		return CAIRN_ENOMEM;
	}
	h->nodes[h->nnodes] = (struct wl_hash_node){key, len, owner, hash};
	h->slots[i] = slot_value(hash, h->nnodes++);
	return 0;
}

uint32_t wl_hash_find(const struct wl_hash *h, const char *text,
		      const char *key, size_t len)
{
	uint32_t hash;
	size_t i;

	if (h->nnodes == 0) {
		return 0;
	}
	hash = (uint32_t)wl_hash_bytes(key, len);
	i = hash_slot(h, text, key, len, hash);
	return h->slots[i] ? h->nodes[(uint32_t)h->slots[i] - 1].owners : 0;
}

void wl_hash_release(struct wl_hash *h)
{
	free(h->nodes);
	free(h->slots);
	free(h->owners.v);
	memset(h, 0, sizeof(*h));
}

size_t wl_hash_memory(const struct wl_hash *h)
{
	return h->nodes_cap * sizeof(*h->nodes) +
	       h->nslots * sizeof(*h->slots) +
	       h->owners.cap * sizeof(*h->owners.v);
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int wl_hostname_add(struct wl_hash *h, struct buf *text, const char *entry,
		    uint32_t list, uint32_t entry_index)
{
	size_t len = strlen(entry);
	uint32_t key;

	while (len && entry[len - 1] == '.') {
		len--;
	}
	while (len && entry[0] == '.') {
		entry++;
		len--;
	}
	if (len == 0) {
		return CAIRN_EINVAL;
	}
	key = (uint32_t)text->len;
	for (size_t i = 0; i < len; i++) {
		if (buf_addc(text, ascii_lower(entry[i])) < 0) {
			return CAIRN_ENOMEM;
		}
	}
	if (buf_addc(text, '\0') < 0) {
		return CAIRN_ENOMEM;
	}
	return wl_hash_add(h, text->data, key, (uint32_t)len, list,
			   entry_index);
}

void wl_reduce_host(const char *value, size_t len, const char **host,
		    size_t *host_len)
{
	const char *p = value, *end = value + len, *s;

	for (s = p; s + 1 < end; s++) {
		if (s[0] == '/' && s[1] == '/') {
			p = s + 2;
			break;
		}
		if (s[0] == '/' || s[0] == '?' || s[0] == '#') {
			break;
		}
	}
	for (s = p; s < end; s++) {
		if (*s == '/' || *s == '?' || *s == '#') {
			end = s;
			break;
		}
	}
	for (s = end; s > p; s--) {
		if (s[-1] == '@') {
			p = s;
			break;
		}
	}
	if (p < end && *p == '[') {
		s = memchr(p, ']', (size_t)(end - p));
		*host = p + 1;
		*host_len = s ? (size_t)(s - p - 1) : (size_t)(end - p - 1);
		return;
	}
	s = memchr(p, ':', (size_t)(end - p));
	if (s && !memchr(s + 1, ':', (size_t)(end - s - 1))) {
		end = s; /* one colon: host:port; more: a bare IPv6 address */
	}
	*host = p;
	*host_len = (size_t)(end - p);
}

void wl_hostname_lookup(const struct wl_hash *h, const char *text,
			const char *value, size_t len,
			struct wl_collector *c)
{
	char host[MAX_HOST + 1];
	const char *part;
	size_t n;

	if (h->nnodes == 0) {
		return;
	}
	wl_reduce_host(value, len, &part, &n);
	while (n && part[n - 1] == '.') {
		n--;
	}
	if (n == 0 || n > MAX_HOST) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		host[i] = ascii_lower(part[i]);
	}
	/* Shortest suffix first, so a list that has both "example.com" and
	 * "www.example.com" reports the broader entry, as MISP does. */
	for (size_t i = n; i-- > 0;) {
		if (i == 0 || host[i - 1] == '.') {
			wl_collect_chain(c, &h->owners,
					 wl_hash_find(h, text, host + i,
						      n - i));
		}
	}
}

int wl_ac_init(struct wl_automaton *a)
{
	memset(a, 0, sizeof(*a));
	if (grow((void **)&a->nodes, &a->nodes_cap, 1, sizeof(*a->nodes)) <
	    0) {
		return CAIRN_ENOMEM;
	}
	a->nodes[0] = (struct wl_ac_node){0};
	a->nnodes = 1;
	return 0;
}

/* Returns the child of `node` on `byte` + 1, or 0. */
static uint32_t ac_child(const struct wl_automaton *a, uint32_t node,
			 unsigned char byte)
{
	for (uint32_t c = a->nodes[node].child; c;
	     c = a->nodes[c - 1].sibling) {
		if (a->nodes[c - 1].byte == byte) {
			return c;
		}
	}
	return 0;
}

int wl_ac_add(struct wl_automaton *a, const char *pattern, size_t len,
	      uint32_t list, uint32_t entry)
{
	uint32_t node = 0, owner;

	if (len == 0) {
		return CAIRN_EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)pattern[i];
		uint32_t c = ac_child(a, node, b);

		if (!c) {
			if (grow((void **)&a->nodes, &a->nodes_cap,
				 a->nnodes + 1, sizeof(*a->nodes)) < 0) {
				return CAIRN_ENOMEM;
			}
			a->nodes[a->nnodes] = (struct wl_ac_node){
				.sibling = a->nodes[node].child, .byte = b};
			a->nodes[node].child = (uint32_t)++a->nnodes;
			c = (uint32_t)a->nnodes;
		}
		node = c - 1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)pattern[i];

		if (!a->classes[b]) {
			a->classes[b] = (uint16_t)++a->nclasses;
		}
	}
	owner = wl_owner_add(&a->owners, list, entry, a->nodes[node].owners);
	if (!owner) {
		return CAIRN_ENOMEM;
	}
	a->nodes[node].owners = owner;
	return 0;
}

/* Returns the state after node `node` on byte `b`: its child, or else the
 * step of the longest suffix that has one.  The root is dense, so this
 * ends. */
static uint32_t ac_step(const struct wl_automaton *a, uint32_t node,
			unsigned char b)
{
	for (;;) {
		const struct wl_ac_node *n = &a->nodes[node];
		uint32_t c;

		if (n->dense) {
			return a->delta[(n->dense - 1) * (a->nclasses + 1) +
					a->classes[b]];
		}
		c = ac_child(a, node, b);
		if (c) {
			return a->nodes[c - 1].state;
		}
		node = n->fail;
	}
}

/* Fills the dense row of node `u`, whose fail target is already done. */
static void ac_fill_row(struct wl_automaton *a, uint32_t u)
{
	size_t width = a->nclasses + 1;
	uint32_t *row = &a->delta[(a->nodes[u].dense - 1) * width];

	for (unsigned b = 0; b < 256; b++) {
		uint16_t cls = a->classes[b];
		uint32_t c;

		if (cls == 0) {
			continue;
		}
		c = ac_child(a, u, (unsigned char)b);
		if (c) {
			row[cls] = a->nodes[c - 1].state;
		} else {
			row[cls] = u == 0 ? a->nodes[0].state
					  : ac_step(a, a->nodes[u].fail,
						    (unsigned char)b);
		}
	}
	/* A byte in no entry always leads back to the root. */
	row[0] = a->nodes[0].state;
}

/* Nodes up to this depth are dense: measured on MISP's substring lists,
 * deeper nodes rarely have more than one child. */
#define AC_DENSE_DEPTH 3

int wl_ac_compile(struct wl_automaton *a)
{
	uint32_t *queue = malloc(a->nnodes * sizeof(*queue));
	unsigned char *depth = calloc(a->nnodes, 1);
	size_t head = 0, tail = 0, ndense = 0;

	if (!queue || !depth) {
		free(queue);
		free(depth);
		return CAIRN_ENOMEM;
	}
	/* Breadth first, so each node's fail target is done before it. */
	queue[tail++] = 0;
	while (head < tail) {
		uint32_t u = queue[head++];

		if (depth[u] <= AC_DENSE_DEPTH) {
			ndense++;
		}
		for (uint32_t c = a->nodes[u].child; c;
		     c = a->nodes[c - 1].sibling) {
			struct wl_ac_node *v = &a->nodes[c - 1];
			uint32_t f = a->nodes[u].fail, next = 0;

			if (u != 0) {
				while ((next = ac_child(a, f, v->byte)) == 0 &&
				       f != 0) {
					f = a->nodes[f].fail;
				}
			}
			v->fail = next ? next - 1 : 0;
			v->output = v->owners ? c : a->nodes[v->fail].output;
			depth[c - 1] = depth[u] < 255 ? depth[u] + 1 : 255;
			queue[tail++] = c - 1;
		}
	}
	a->delta = malloc(ndense * (a->nclasses + 1) * sizeof(*a->delta));
	a->row_node = malloc(ndense * sizeof(*a->row_node));
	if (!a->delta || !a->row_node || a->nnodes > WL_AC_INDEX) {
		free(queue);
		free(depth);
		return CAIRN_ENOMEM;
	}
	for (size_t i = 0; i < tail; i++) {
		struct wl_ac_node *n = &a->nodes[queue[i]];

		if (depth[queue[i]] <= AC_DENSE_DEPTH) {
			a->row_node[a->ndense] = queue[i];
			n->dense = (uint32_t)++a->ndense;
			n->state = (n->dense - 1) | WL_AC_DENSE;
		} else {
			n->state = queue[i];
		}
		n->state |= n->output ? WL_AC_OUTPUT : 0;
	}
	/* Rows in breadth-first order: a fail target is shallower, so its
	 * row is filled before the rows that read it. */
	for (size_t i = 0; i < tail; i++) {
		if (a->nodes[queue[i]].dense) {
			ac_fill_row(a, queue[i]);
		}
	}
	free(queue);
	free(depth);
	return 0;
}

void wl_ac_lookup(const struct wl_automaton *a, const char *value,
		  size_t len, struct wl_collector *c)
{
	size_t width = a->nclasses + 1;
	uint32_t state;

	if (a->nnodes <= 1) {
		return;
	}
	state = a->nodes[0].state;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)value[i];
		uint32_t node;

		if (state & WL_AC_DENSE) {
			state = a->delta[(state & WL_AC_INDEX) * width +
					 a->classes[b]];
		} else {
			state = ac_step(a, state & WL_AC_INDEX, b);
		}
		if (!(state & WL_AC_OUTPUT)) {
			continue;
		}
		node = state & WL_AC_DENSE ? a->row_node[state & WL_AC_INDEX]
					   : state & WL_AC_INDEX;
		for (uint32_t o = a->nodes[node].output; o;) {
			const struct wl_ac_node *hit = &a->nodes[o - 1];

			wl_collect_chain(c, &a->owners, hit->owners);
			o = a->nodes[hit->fail].output; /* the root's is 0 */
		}
	}
}

void wl_ac_release(struct wl_automaton *a)
{
	free(a->nodes);
	free(a->delta);
	free(a->row_node);
	free(a->owners.v);
	memset(a, 0, sizeof(*a));
}

size_t wl_ac_memory(const struct wl_automaton *a)
{
	return a->nodes_cap * sizeof(*a->nodes) +
	       a->ndense * (a->nclasses + 2) * sizeof(*a->delta) +
	       a->owners.cap * sizeof(*a->owners.v);
}
