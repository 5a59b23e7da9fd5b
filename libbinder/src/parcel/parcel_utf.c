/*
 * parcel_utf.c - strict UTF-8 checking and UTF-8 <-> UTF-16 conversion
 * for parcel strings.
 */
#include <stdlib.h>
#include <string.h>

#include "binder/status.h"
#include "parcel_utf.h"

/* Decodes one code point at utf8[*index]; false if it is not valid. */
static bool utf8_next(const uint8_t *utf8, size_t length, size_t *index, uint32_t *code_point)
{
	size_t at = *index;
	uint8_t lead = utf8[at];
	size_t extra;
	uint32_t value;
	uint8_t second_low = 0x80, second_high = 0xbf;
	if (lead < 0x80) {
		*code_point = lead;
		*index = at + 1;
		return true;
	} else if (lead >= 0xc2 && lead <= 0xdf) {
		extra = 1;
		value = lead & 0x1f;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		extra = 2;
		value = lead & 0x0f;
		if (lead == 0xe0)
			second_low = 0xa0; /* overlong below U+0800 */
		else if (lead == 0xed)
			second_high = 0x9f; /* surrogates U+D800..U+DFFF */
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		extra = 3;
		value = lead & 0x07;
		if (lead == 0xf0)
			second_low = 0x90; /* overlong below U+10000 */
		else if (lead == 0xf4)
			second_high = 0x8f; /* above U+10FFFF */
	} else {
		return false; /* continuation byte, C0/C1 overlong, F5..FF */
	}
	if (extra > length - at - 1)
		return false;
	for (size_t i = 1; i <= extra; i++) {
		uint8_t byte = utf8[at + i];
		uint8_t low = i == 1 ? second_low : 0x80;
		uint8_t high = i == 1 ? second_high : 0xbf;
		if (byte < low || byte > high)
			return false;
		value = (value << 6) | (byte & 0x3f);
	}
	*code_point = value;
	*index = at + 1 + extra;
	return true;
}

bool parcel_utf8_check(const char *utf8, size_t length, size_t *utf16_length)
{
	const uint8_t *bytes = (const uint8_t *)utf8;
	size_t units = 0;
	for (size_t index = 0; index < length;) {
		uint32_t code_point;
		if (!utf8_next(bytes, length, &index, &code_point))
			return false;
		units += code_point >= 0x10000 ? 2 : 1;
	}
	if (utf16_length)
		*utf16_length = units;
	return true;
}

static void utf16_put(uint8_t *out, size_t index, uint32_t unit)
{
	uint16_t value = (uint16_t)unit;
	memcpy(out + index * sizeof(value), &value, sizeof(value));
}

void parcel_utf8_to_utf16(const char *utf8, size_t length, uint8_t *out)
{
	const uint8_t *bytes = (const uint8_t *)utf8;
	size_t written = 0;
	for (size_t index = 0; index < length;) {
		uint32_t code_point = 0;
		if (!utf8_next(bytes, length, &index, &code_point))
			return; /* checked by the caller; never here */
		if (code_point >= 0x10000) {
			code_point -= 0x10000;
			utf16_put(out, written++, 0xd800 | (code_point >> 10));
			utf16_put(out, written++, 0xdc00 | (code_point & 0x3ff));
		} else {
			utf16_put(out, written++, code_point);
		}
	}
}

static uint16_t utf16_unit(const uint8_t *units, size_t index)
{
	uint16_t unit;
	memcpy(&unit, units + index * sizeof(unit), sizeof(unit));
	return unit;
}

/* Decodes the code point at units[*index]; false for a 0 unit or an
 * unpaired surrogate. */
static bool utf16_next(const uint8_t *units, size_t count, size_t *index, uint32_t *code_point)
{
	uint16_t unit = utf16_unit(units, *index);
	if (unit == 0)
		return false;
	if (unit >= 0xdc00 && unit <= 0xdfff)
		return false;
	if (unit >= 0xd800 && unit <= 0xdbff) {
		if (*index + 1 >= count)
			return false;
		uint16_t low = utf16_unit(units, *index + 1);
		if (low < 0xdc00 || low > 0xdfff)
			return false;
		*code_point =
		        0x10000 + (((uint32_t)(unit - 0xd800) << 10) | (uint32_t)(low - 0xdc00));
		*index += 2;
		return true;
	}
	*code_point = unit;
	*index += 1;
	return true;
}

int parcel_utf16_to_utf8(const uint8_t *units, size_t count, char **out)
{
	/* At most 3 bytes per unit (a pair makes 4 from 2 units). */
	if (count > (SIZE_MAX - 1) / 3)
		return BINDER_NO_MEMORY;
	size_t length = 0;
	for (size_t index = 0; index < count;) {
		uint32_t code_point;
		if (!utf16_next(units, count, &index, &code_point))
			return BINDER_BAD_VALUE;
		length += code_point < 0x80      ? 1
		          : code_point < 0x800   ? 2
		          : code_point < 0x10000 ? 3
		                                 : 4;
	}
	char *utf8 = malloc(length + 1);
	if (!utf8)
		return BINDER_NO_MEMORY;
	uint8_t *write = (uint8_t *)utf8;
	for (size_t index = 0; index < count;) {
		uint32_t code_point = 0;
		utf16_next(units, count, &index, &code_point);
		if (code_point < 0x80) {
			*write++ = (uint8_t)code_point;
		} else if (code_point < 0x800) {
			*write++ = (uint8_t)(0xc0 | (code_point >> 6));
			*write++ = (uint8_t)(0x80 | (code_point & 0x3f));
		} else if (code_point < 0x10000) {
			*write++ = (uint8_t)(0xe0 | (code_point >> 12));
			*write++ = (uint8_t)(0x80 | ((code_point >> 6) & 0x3f));
			*write++ = (uint8_t)(0x80 | (code_point & 0x3f));
		} else {
			*write++ = (uint8_t)(0xf0 | (code_point >> 18));
			*write++ = (uint8_t)(0x80 | ((code_point >> 12) & 0x3f));
			*write++ = (uint8_t)(0x80 | ((code_point >> 6) & 0x3f));
			*write++ = (uint8_t)(0x80 | (code_point & 0x3f));
		}
	}
	*write = 0;
	*out = utf8;
	return BINDER_OK;
}
