/*
 * number_parsing.c - numbers from the command line: the whole string must
 * be the number (decimal, or 0x hex for integers) and fit the range.
 */
#include "service_tool.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* strtoll/strtoull accept leading blanks; a command line argument may not. */
static bool starts_like_a_number(const char *text)
{
	return *text && !isspace((unsigned char)*text);
}

int tool_parse_signed(const char *text, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long value;

	if (!starts_like_a_number(text))
		return -EINVAL;
	errno = 0;
	value = strtoll(text, &end, 0);
	if (end == text || *end)
		return -EINVAL;
	if (errno == ERANGE || value < min || value > max)
		return -ERANGE;
	*out = value;
	return 0;
}

int tool_parse_unsigned(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long value;

	if (!starts_like_a_number(text))
		return -EINVAL;
	/* strtoull takes "-1" as ULLONG_MAX: a minus sign is out of range. */
	if (*text == '-') {
		char *digits_end;

		strtoull(text + 1, &digits_end, 0);
		return digits_end == text + 1 || *digits_end ? -EINVAL : -ERANGE;
	}
	errno = 0;
	value = strtoull(text, &end, 0);
	if (end == text || *end)
		return -EINVAL;
	if (errno == ERANGE || value > max)
		return -ERANGE;
	*out = value;
	return 0;
}

int tool_parse_double(const char *text, double *out)
{
	char *end;
	double value;

	if (!starts_like_a_number(text))
		return -EINVAL;
	errno = 0;
	value = strtod(text, &end);
	if (end == text || *end)
		return -EINVAL;
	/* Overflow gives HUGE_VAL; underflow to a tiny value is fine. */
	if (errno == ERANGE && isinf(value))
		return -ERANGE;
	*out = value;
	return 0;
}
