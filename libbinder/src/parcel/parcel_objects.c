/*
 * parcel_objects.c - binder objects and file descriptors in a parcel. A
 * binder is a flat_binder_object and an int32 stability word (the level,
 * or Android 12's category: see stability_word); an fd is a
 * flat_binder_object of type FD. Their offsets go into the parcel's object
 * list, and they are read back only where the list says one was written.
 * A null binder is written (as AOSP does) without an offset: the driver
 * would otherwise make a node of address 0; it is recognised on reading
 * by its bytes, which only a null binder may have.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log_internal.h"
#include "object_internal.h"
#include "parcel_private.h"

#define BINDER_WITH_STABILITY (sizeof(struct flat_binder_object) + sizeof(int32_t))

static bool stability_is_declared(uint32_t level)
{
	return level == BINDER_STABILITY_VENDOR || level == BINDER_STABILITY_SYSTEM ||
	       level == BINDER_STABILITY_VINTF;
}

/* The generation whose stability word is written or read: the parcel's,
 * else (writing, no context) the object's context's. */
static uint32_t stability_android(const binder_parcel *parcel, const binder_object *object)
{
	if (!parcel->android && !parcel->context && object)
		return binder_context_android(binder_object_context(object));
	return binder_parcel_android(parcel);
}

/* The int32 after a flat_binder_object: the level (Android 11, 13 and
 * later), or Android 12's category (version, reserved, level). */
static int32_t stability_word(uint32_t android, uint32_t level)
{
	if (android == BINDER_STABILITY_CATEGORY_ANDROID)
		return (int32_t)(level << 24 | BINDER_STABILITY_CATEGORY_VERSION);
	return (int32_t)level;
}

/* The level a stability word of android names; false if that generation
 * would refuse the word (Android 12: a version below 1; the others: a
 * word that is not a level). */
static bool stability_level(uint32_t android, int32_t word, uint32_t *level)
{
	uint32_t bits = (uint32_t)word;
	if (android == BINDER_STABILITY_CATEGORY_ANDROID) {
		if ((bits & 0xff) < BINDER_STABILITY_CATEGORY_VERSION)
			return false;
		*level = bits >> 24;
		return true;
	}
	if (bits > 0xff)
		return false;
	*level = bits;
	return true;
}

/* Whether word is the right stability of a binder (declared) or of a null
 * one (undeclared) for android; logs a word of another generation. */
static bool stability_fits(uint32_t android, int32_t word, bool null_binder)
{
	uint32_t level;
	bool fits =
	        stability_level(android, word, &level) &&
	        (null_binder ? level == BINDER_STABILITY_UNDECLARED : stability_is_declared(level));
	if (!fits)
		runtime_log(BINDER_LOG_WARN,
		            "binder stability word 0x%08x is not Android %u's: a peer of another "
		            "Android generation?",
		            (unsigned)word, (unsigned)android);
	return fits;
}

int binder_parcel_write_object(binder_parcel *parcel, binder_object *object)
{
	if (parcel->received)
		return BINDER_INVALID_OPERATION;
	if (parcel->position % 4)
		return BINDER_BAD_VALUE;
	struct flat_binder_object flat;
	memset(&flat, 0, sizeof(flat));
	binder_object_flatten(object, &flat);
	uint32_t android = stability_android(parcel, object);
	int32_t stability = stability_word(android, object ? BINDER_STABILITY_SYSTEM
	                                                   : BINDER_STABILITY_UNDECLARED);
	if (object) {
		int status = parcel_reserve_object(parcel);
		if (status != BINDER_OK)
			return status;
	}
	size_t offset = parcel->position;
	uint8_t *where;
	int status = parcel_claim(parcel, BINDER_WITH_STABILITY, &where);
	if (status != BINDER_OK)
		return status;
	memcpy(where, &flat, sizeof(flat));
	memcpy(where + sizeof(flat), &stability, sizeof(stability));
	if (object) {
		struct parcel_object_entry *entry = parcel_insert_object(parcel, offset);
		entry->object = binder_object_ref(object);
		entry->resolved = true;
		/* Null binders written after it speak the same generation. */
		if (!parcel->android && !parcel->context)
			parcel->android = android;
	}
	return BINDER_OK;
}

static int parcel_write_fd_object(binder_parcel *parcel, int fd, bool owned)
{
	if (parcel->received)
		return BINDER_INVALID_OPERATION;
	if (parcel->position % 4)
		return BINDER_BAD_VALUE;
	int status = parcel_reserve_object(parcel);
	if (status != BINDER_OK)
		return status;
	struct flat_binder_object flat;
	memset(&flat, 0, sizeof(flat));
	flat.hdr.type = BINDER_TYPE_FD;
	flat.handle = (uint32_t)fd;
	flat.cookie = owned ? 1 : 0; /* as AOSP marks an fd it owns */
	size_t offset = parcel->position;
	uint8_t *where;
	status = parcel_claim(parcel, sizeof(flat), &where);
	if (status != BINDER_OK)
		return status;
	memcpy(where, &flat, sizeof(flat));
	struct parcel_object_entry *entry = parcel_insert_object(parcel, offset);
	entry->owns_fd = owned;
	return BINDER_OK;
}

int binder_parcel_write_fd(binder_parcel *parcel, int fd)
{
	if (fd < 0)
		return BINDER_BAD_VALUE;
	return parcel_write_fd_object(parcel, fd, false);
}

int binder_parcel_write_dup_fd(binder_parcel *parcel, int fd)
{
	if (fd < 0)
		return BINDER_BAD_VALUE;
	if (parcel->received)
		return BINDER_INVALID_OPERATION;
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (copy < 0)
		return -errno;
	int status = parcel_write_fd_object(parcel, copy, true);
	if (status != BINDER_OK)
		close(copy);
	return status;
}

/* A null binder written without an offset (by us or by AOSP). */
static int parcel_read_unlisted_null_binder(binder_parcel *parcel)
{
	const uint8_t *bytes;
	if (parcel_peek(parcel, parcel->position, BINDER_WITH_STABILITY, &bytes) != BINDER_OK)
		return BINDER_BAD_TYPE;
	struct flat_binder_object flat;
	int32_t stability;
	memcpy(&flat, bytes, sizeof(flat));
	memcpy(&stability, bytes + sizeof(flat), sizeof(stability));
	if (flat.hdr.type != BINDER_TYPE_BINDER || flat.binder != 0 || flat.cookie != 0 ||
	    !stability_fits(binder_parcel_android(parcel), stability, true))
		return BINDER_BAD_TYPE;
	parcel->position += BINDER_WITH_STABILITY;
	return BINDER_OK;
}

int binder_parcel_read_object(binder_parcel *parcel, binder_object **object)
{
	ptrdiff_t index = parcel_find_object(parcel, parcel->position);
	if (index < 0) {
		int status = parcel_read_unlisted_null_binder(parcel);
		if (status == BINDER_OK)
			*object = NULL;
		return status;
	}
	struct flat_binder_object flat;
	parcel_object_flat(parcel, (size_t)index, &flat);
	if (flat.hdr.type != BINDER_TYPE_BINDER && flat.hdr.type != BINDER_TYPE_HANDLE)
		return BINDER_BAD_TYPE;
	int32_t stability;
	int status = parcel_peek_int32(parcel, parcel->position + sizeof(flat), &stability);
	if (status != BINDER_OK)
		return status;
	binder_object *found;
	status = parcel_resolve_object(parcel, (size_t)index, &found);
	if (status != BINDER_OK)
		return status;
	if (!stability_fits(binder_parcel_android(parcel), stability, !found))
		return BINDER_BAD_TYPE;
	parcel->position += BINDER_WITH_STABILITY;
	*object = found ? binder_object_ref(found) : NULL;
	return BINDER_OK;
}

/* The fd of the object at the position, without moving it. */
static int parcel_peek_fd(const binder_parcel *parcel, int *fd)
{
	ptrdiff_t index = parcel_find_object(parcel, parcel->position);
	if (index < 0)
		return BINDER_BAD_TYPE;
	struct flat_binder_object flat;
	parcel_object_flat(parcel, (size_t)index, &flat);
	if (flat.hdr.type != BINDER_TYPE_FD)
		return BINDER_BAD_TYPE;
	*fd = (int)flat.handle;
	return BINDER_OK;
}

int binder_parcel_read_fd(binder_parcel *parcel, int *fd)
{
	int found;
	int status = parcel_peek_fd(parcel, &found);
	if (status != BINDER_OK)
		return status;
	parcel->position += sizeof(struct flat_binder_object);
	*fd = found;
	return BINDER_OK;
}

int binder_parcel_read_dup_fd(binder_parcel *parcel, int *fd)
{
	int found;
	int status = parcel_peek_fd(parcel, &found);
	if (status != BINDER_OK)
		return status;
	int copy = fcntl(found, F_DUPFD_CLOEXEC, 0);
	if (copy < 0)
		return -errno;
	parcel->position += sizeof(struct flat_binder_object);
	*fd = copy;
	return BINDER_OK;
}
