/*
 * parcel_utf.h - strict UTF-8 and UTF-16 for parcel strings: UTF-8 is
 * checked before it is written (no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequences), UTF-16 read from a parcel is
 * checked before it is converted (surrogates only in pairs).
 * Private to src/parcel.
 */
#ifndef BINDER_PARCEL_UTF_H
#define BINDER_PARCEL_UTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if the length bytes at utf8 are valid UTF-8; *utf16_length (may be
 * NULL) gets how many UTF-16 units they make. */
bool parcel_utf8_check(const char *utf8, size_t length, size_t *utf16_length);

/* Converts valid UTF-8 (parcel_utf8_check) to UTF-16 units stored at out
 * (little-endian, possibly unaligned), which has room for the count
 * parcel_utf8_check gave. */
void parcel_utf8_to_utf16(const char *utf8, size_t length, uint8_t *out);

/* Converts count units (read one by one: they may be unaligned) to a
 * malloc'ed NUL-terminated UTF-8 string. BINDER_BAD_VALUE for an unpaired
 * surrogate or a 0 unit (it would cut the C string short),
 * BINDER_NO_MEMORY. */
int parcel_utf16_to_utf8(const uint8_t *units, size_t count, char **out);

#endif
