/*
 * The correlating values of an attribute, by MISP 2.5's type rules
 * (app/Model/MispAttribute.php): the store indexes these values and the
 * correlation engine looks them up.
 *
 * - types in MISP's NON_CORRELATING_TYPES never correlate;
 * - a plain attribute correlates on its whole value, and a composite one
 *   ("a|b", and malware-sample) on each half, except that ip-src|port,
 *   ip-dst|port and hostname|port correlate on the address or host only.
 *
 * The network key of an attribute is its address as a block for CIDR
 * containment: ip-src and ip-dst, the address of ip-src|port and
 * ip-dst|port, and the address half of domain|ip.
 */
#ifndef CAIRN_MODEL_CORRELATION_H
#define CAIRN_MODEL_CORRELATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A correlating value: `len` bytes at `text`, not NUL-terminated when it
 * is the first half of a composite value. */
struct correlate_key {
	const char *text;
	size_t len;
};

/* Returns false for the types that never correlate. */
bool correlate_type_correlates(const char *type);

/* Returns true for the composite types, whose values are "a|b". */
bool correlate_type_composite(const char *type);

/* Fills `keys` with the correlating values of an attribute of this type
 * and value, pointing into `value`, and returns how many there are (0, 1
 * or 2).  Empty halves are left out. */
size_t correlate_keys(const char *type, const char *value,
		      struct correlate_key keys[2]);

/* Sets *second to the second half of a composite value when that half
 * correlates on its own (see above), and returns false when it does not
 * or the value has no "|".  The store indexes this half. */
bool correlate_second_half(const char *type, const char *value,
			   struct correlate_key *second);

/* Returns the block size of an ssdeep attribute's value
 * ("BLOCKSIZE:HASH:HASH"), or -1 for another type or a malformed value. */
long correlate_ssdeep_block(const char *type, const char *value);

/* A network key: the first 16 bytes are the block's network address
 * (IPv4 as IPv4-mapped IPv6, ::ffff:a.b.c.d) with the host bits cleared,
 * the last byte the prefix length in IPv6 bits (an IPv4 /24 is 120).
 * Keys compare as bytes, so the blocks inside a block form one range:
 * from its own key to its last address with prefix 128. */
#define CORRELATE_NET_KEY_LEN 17
#define CORRELATE_NET_FULL 128

/* Fills `key` with the network key of `len` bytes of address text
 * ("ADDRESS" or "ADDRESS/PREFIX"; host bits past the prefix are
 * ignored).  Returns false when the text is no address. */
bool correlate_net_key_parse(const char *text, size_t len,
			     uint8_t key[CORRELATE_NET_KEY_LEN]);

/* Fills `key` with the network key of an attribute, and returns false
 * when its type has none or its address does not parse. */
bool correlate_net_key(const char *type, const char *value,
		       uint8_t key[CORRELATE_NET_KEY_LEN]);

/* Sets `out` to the block of `prefix` bits (at most key's own) that
 * contains block `key`. */
void correlate_net_key_widen(const uint8_t key[CORRELATE_NET_KEY_LEN],
			     unsigned prefix,
			     uint8_t out[CORRELATE_NET_KEY_LEN]);

/* Sets `out` to the key of the last address of block `key`, with prefix
 * 128: the upper end of the range of blocks inside `key`. */
void correlate_net_key_last(const uint8_t key[CORRELATE_NET_KEY_LEN],
			    uint8_t out[CORRELATE_NET_KEY_LEN]);

#endif
