/*
 * parcel_in_place_test.c - large payloads without a copy: byte arrays and
 * raw bytes written in place (binder_parcel_write_byte_array_in_place,
 * binder_parcel_write_in_place), their wire bytes and zeroed padding,
 * refusals that leave the parcel as it was, and byte arrays read in place
 * (a pointer into the parcel or the received buffer, not a copy).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "parcel_internal.h"
#include "parcel_test_util.h"

/* A size past the parcel's largest data (64 MiB) but within INT32_MAX. */
#define OVERSIZE ((size_t)65 * 1024 * 1024)
/* A payload large enough to take the parcel's buffer through growth. */
#define LARGE_SIZE ((size_t)1024 * 1024 + 3)

static void ignore_release(void *arg, const void *data)
{
	(void)arg;
	(void)data;
}

Test(parcel_in_place, byte_array_odd_size_wire_bytes_and_padding)
{
	binder_parcel *parcel = binder_parcel_new();
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_int32(parcel, 9), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, 5, &room), BINDER_OK);
	cr_assert_eq(room, binder_parcel_data(parcel) + 8, "the room is in the parcel");
	memcpy(room, "abcde", 5);
	const uint8_t expected[] = {9, 0, 0, 0, 5, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 0, 0, 0};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	cr_assert_eq(binder_parcel_position(parcel), sizeof(expected));
	/* The same bytes as the copying form writes. */
	binder_parcel *copied = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_int32(copied, 9), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array(copied, "abcde", 5), BINDER_OK);
	assert_parcel_bytes(copied, expected, sizeof(expected));
	binder_parcel_free(copied);
	binder_parcel_free(parcel);
}

Test(parcel_in_place, padding_is_zeroed_over_old_bytes)
{
	binder_parcel *parcel = binder_parcel_new();
	const uint8_t ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_raw(parcel, ones, sizeof(ones)), BINDER_OK);
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_in_place(parcel, 1, &room), BINDER_OK);
	*(uint8_t *)room = 0x42;
	const uint8_t expected[] = {0x42, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	cr_assert_eq(binder_parcel_position(parcel), 4);
	binder_parcel_free(parcel);
}

Test(parcel_in_place, raw_has_no_length_prefix)
{
	binder_parcel *parcel = binder_parcel_new();
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_in_place(parcel, 6, &room), BINDER_OK);
	memcpy(room, "123456", 6);
	const uint8_t expected[] = {'1', '2', '3', '4', '5', '6', 0, 0};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	char back[6];
	cr_assert_eq(binder_parcel_read_raw(parcel, back, sizeof(back)), BINDER_OK);
	cr_assert(memcmp(back, "123456", sizeof(back)) == 0);
	binder_parcel_free(parcel);
}

Test(parcel_in_place, empty_byte_array_is_not_null)
{
	binder_parcel *parcel = binder_parcel_new();
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, 0, &room), BINDER_OK);
	cr_assert_not_null(room);
	const uint8_t expected[] = {0, 0, 0, 0};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	const void *bytes = NULL;
	size_t length = 1;
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &bytes, &length), BINDER_OK);
	cr_assert_not_null(bytes);
	cr_assert_eq(length, 0);
	binder_parcel_free(parcel);
}

Test(parcel_in_place, large_array_reads_back_in_place)
{
	binder_parcel *parcel = binder_parcel_new();
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_interface_token(parcel, "test.IInPlace"), BINDER_OK);
	size_t header = binder_parcel_data_size(parcel);
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, LARGE_SIZE, &room), BINDER_OK);
	uint8_t *bytes = room;
	for (size_t i = 0; i < LARGE_SIZE; i++)
		bytes[i] = (uint8_t)(i * 13u + 1u);
	cr_assert_eq(binder_parcel_data_size(parcel), header + 4 + ((LARGE_SIZE + 3) & ~(size_t)3));
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_enforce_interface(parcel, "test.IInPlace"), BINDER_OK);
	const void *read = NULL;
	size_t length = 0;
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &read, &length), BINDER_OK);
	cr_assert_eq(length, LARGE_SIZE);
	cr_assert_eq(read, room, "read in place, not copied");
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	binder_parcel_free(parcel);
}

Test(parcel_in_place, received_array_reads_point_into_the_buffer)
{
	/* A byte array of 6 bytes as the driver would deliver it. */
	const uint8_t wire[] = {6, 0, 0, 0, 'r', 'e', 'c', 'v', 'e', 'd', 0, 0};
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_adopt_received(parcel, NULL, wire, sizeof(wire), NULL, 0,
	                                          ignore_release, NULL),
	             BINDER_OK);
	const void *bytes = NULL;
	size_t length = 0;
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &bytes, &length), BINDER_OK);
	cr_assert_eq(bytes, wire + 4, "a pointer into the received buffer");
	cr_assert_eq(length, 6);
	/* A received parcel is not written in place either. */
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, 4, &room),
	             BINDER_INVALID_OPERATION);
	cr_assert_eq(binder_parcel_write_in_place(parcel, 4, &room), BINDER_INVALID_OPERATION);
	cr_assert_null(room);
	cr_assert_eq(binder_parcel_data_size(parcel), sizeof(wire));
	binder_parcel_free(parcel);
}

Test(parcel_in_place, null_arguments_are_refused)
{
	binder_parcel *parcel = binder_parcel_new();
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, 4, NULL), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_write_in_place(parcel, 4, NULL), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_write_byte_array_in_place(NULL, 4, &room), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_write_in_place(NULL, 4, &room), BINDER_BAD_VALUE);
	cr_assert_null(room);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_free(parcel);
}

Test(parcel_in_place, oversize_is_refused_and_nothing_written)
{
	binder_parcel *parcel = binder_parcel_new();
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_int32(parcel, 1), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, (size_t)INT32_MAX + 1, &room),
	             BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, SIZE_MAX, &room),
	             BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, OVERSIZE, &room),
	             BINDER_NO_MEMORY);
	cr_assert_eq(binder_parcel_write_in_place(parcel, OVERSIZE, &room), BINDER_NO_MEMORY);
	cr_assert_eq(binder_parcel_write_in_place(parcel, SIZE_MAX, &room), BINDER_NO_MEMORY);
	cr_assert_eq(binder_parcel_write_in_place(parcel, SIZE_MAX - 2, &room), BINDER_NO_MEMORY);
	cr_assert_null(room);
	cr_assert_eq(binder_parcel_data_size(parcel), 4);
	cr_assert_eq(binder_parcel_position(parcel), 4);
	binder_parcel_free(parcel);
}

Test(parcel_in_place, room_over_an_fd_is_refused)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	uint8_t data[4 + sizeof(struct flat_binder_object)];
	memset(data, 0, sizeof(data));
	struct binder_parcel_object object = {
	        .offset = 4,
	        .kind = BINDER_PARCEL_OBJECT_FD,
	        .fd = fd,
	};
	binder_parcel *parcel = NULL;
	cr_assert_eq(binder_parcel_new_from_raw(data, sizeof(data), &object, 1, &parcel),
	             BINDER_OK);
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_byte_array_in_place(parcel, 4, &room),
	             BINDER_INVALID_OPERATION);
	cr_assert_eq(binder_parcel_write_in_place(parcel, 8, &room), BINDER_INVALID_OPERATION);
	cr_assert_null(room);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	/* The word before the fd is free. */
	cr_assert_eq(binder_parcel_write_in_place(parcel, 4, &room), BINDER_OK);
	cr_assert_eq(binder_parcel_object_count(parcel), 1);
	binder_parcel_free(parcel);
	close(fd);
}
