/*
 * reply_dump.c - a reply as Android's `service call` shows it:
 * "Result: Parcel(...)" with the data as 32-bit little-endian words and as
 * text, 16 bytes a line, then the objects the parcel carries.
 */
#include "service_tool.h"

#define DUMP_BYTES_PER_LINE 16

/* "wwwwwwww wwwwwwww ... 'text'" for up to 16 bytes at bytes. */
static void print_dump_line(FILE *stream, const uint8_t *bytes, size_t count)
{
	size_t i;

	for (i = 0; i < DUMP_BYTES_PER_LINE; i += 4) {
		if (i + 4 <= count) {
			uint32_t word = (uint32_t)bytes[i] | (uint32_t)bytes[i + 1] << 8 |
			                (uint32_t)bytes[i + 2] << 16 | (uint32_t)bytes[i + 3] << 24;

			fprintf(stream, "%08x ", word);
		} else if (i < count) {
			/* A short tail (parcels are padded, so only a raw view
			 * could end here): its bytes one by one. */
			for (size_t j = i; j < i + 4; j++) {
				if (j < count)
					fprintf(stream, "%02x", bytes[j]);
				else
					fputs("  ", stream);
			}
			fputc(' ', stream);
		} else {
			fputs("         ", stream);
		}
	}
	fputc('\'', stream);
	for (i = 0; i < DUMP_BYTES_PER_LINE; i++) {
		if (i >= count)
			fputc(' ', stream);
		else
			fputc(bytes[i] >= 0x20 && bytes[i] < 0x7f ? bytes[i] : '.', stream);
	}
	fputc('\'', stream);
}

static void print_objects(FILE *stream, binder_parcel *parcel)
{
	size_t count = binder_parcel_object_count(parcel);

	for (size_t i = 0; i < count; i++) {
		struct binder_parcel_object object;

		if (binder_parcel_object_at(parcel, i, &object) < 0) {
			fprintf(stream, "Object %zu: unreadable\n", i);
			continue;
		}
		if (object.kind == BINDER_PARCEL_OBJECT_FD)
			fprintf(stream, "Object at 0x%08zx: fd %d\n", object.offset, object.fd);
		else if (!object.object)
			fprintf(stream, "Object at 0x%08zx: binder (null)\n", object.offset);
		else if (binder_object_is_local(object.object))
			fprintf(stream, "Object at 0x%08zx: binder (local)\n", object.offset);
		else
			fprintf(stream, "Object at 0x%08zx: binder (handle %d)\n", object.offset,
			        binder_object_handle(object.object));
	}
}

void tool_print_parcel_dump(FILE *stream, binder_parcel *parcel)
{
	const uint8_t *data = binder_parcel_data(parcel);
	size_t size = binder_parcel_data_size(parcel);

	fputs("Result: Parcel(", stream);
	if (size == 0) {
		/* nothing: "Result: Parcel()" */
	} else if (size <= DUMP_BYTES_PER_LINE) {
		print_dump_line(stream, data, size);
	} else {
		for (size_t offset = 0; offset < size; offset += DUMP_BYTES_PER_LINE) {
			size_t count = size - offset;

			if (count > DUMP_BYTES_PER_LINE)
				count = DUMP_BYTES_PER_LINE;
			fprintf(stream, "\n  0x%08zx: ", offset);
			print_dump_line(stream, data + offset, count);
		}
	}
	fputs(")\n", stream);
	print_objects(stream, parcel);
}
