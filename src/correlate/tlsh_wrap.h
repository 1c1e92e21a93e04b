/* TLSH distance, wrapped from libtlsh's C++ class (tlsh_wrap.cc). */
#ifndef CAIRN_TLSH_WRAP_H
#define CAIRN_TLSH_WRAP_H

#ifdef __cplusplus
extern "C" {
#endif

/* Returns the TLSH distance of two hex hash strings (with or without the
 * "T1" prefix): 0 for equal hashes, larger for less similar ones.
 * Returns -1 when either string is not a TLSH hash. */
int correlate_tlsh_distance(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif
