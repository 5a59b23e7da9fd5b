/*
 * binder/parcel.h - parcels: the data of a binder transaction or reply.
 *
 * A parcel is a byte buffer with a read/write position, plus the binder
 * objects and file descriptors written into it. The wire format is AOSP's
 * (Android 14, frameworks/native/libs/binder/Parcel.cpp), so that a
 * parcel written here reads the same on Android and the other way round:
 *  - every value starts on a 4-byte boundary and takes a multiple of 4
 *    bytes (padding is written as zeros);
 *  - int32/uint32/float/bool (as int32 0 or 1)/byte (as int32): 4 bytes,
 *    little-endian; int64/uint64/double: 8 bytes;
 *  - byte arrays: int32 length (-1: null), then the bytes, padded;
 *  - UTF-16 strings (String16): int32 length in UTF-16 units (-1: null),
 *    then the units and a 0 unit, padded;
 *  - UTF-8 strings (String8): int32 length in bytes (-1: null), then the
 *    bytes and a 0 byte, padded;
 *  - binder objects: a struct flat_binder_object (BINDER_TYPE_BINDER for a
 *    local object, with binder 0 and cookie 0 for null; BINDER_TYPE_HANDLE
 *    for a proxy), followed by an int32 stability word (SYSTEM, 0x0c;
 *    Android 12 differs: see binder_parcel_set_android);
 *  - file descriptors: a struct flat_binder_object of BINDER_TYPE_FD;
 *  - interface tokens: int32 strict-mode policy (0x80000000, "gather"),
 *    int32 work-source uid (-1, unset), int32 header 'SYST' (0x53595354),
 *    then the descriptor as a String16.
 *
 * Reads are bounds-checked: a read that does not fit returns
 * BINDER_NOT_ENOUGH_DATA (or BINDER_BAD_VALUE / BINDER_BAD_TYPE for
 * malformed contents) and leaves the position where it was. A binder
 * object or fd is read only at a position where one was written (the
 * parcel's object list), never from bytes that merely look like one.
 *
 * Ownership: binder_parcel_create() and binder_parcel_new() make a parcel
 * the caller frees with binder_parcel_free(). A parcel holds a reference
 * on every binder object written into it or read from it, and owns the
 * fds it says it owns (see each function); freeing the parcel drops them. A parcel received from
 * another process (a handler's data, a transaction's reply) is a view of
 * the receive area and returns it to the driver when freed or reset.
 * Pointers a read returns into the parcel (strings, arrays) stay valid
 * until the parcel is freed, reset or written to.
 *
 * Thread-safety: a parcel is not to be used by two threads at once;
 * distinct parcels are independent.
 */
#ifndef BINDER_PARCEL_H
#define BINDER_PARCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binder/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct binder_parcel binder_parcel;
typedef struct binder_object binder_object;

/* An empty parcel in *out: 0, BINDER_NO_MEMORY, or BINDER_BAD_VALUE for
 * a NULL out. The status form, like every other constructor's. */
BINDER_API int binder_parcel_create(binder_parcel **out);
/* The shorthand: an empty parcel, or NULL (out of memory is its only
 * failure). Kept for expressions such as `binder_parcel *data =
 * binder_parcel_new();`; binder_parcel_create is the same with a status. */
BINDER_API binder_parcel *binder_parcel_new(void);

/* Frees parcel, its object references and owned fds. NULL is allowed. */
BINDER_API void binder_parcel_free(binder_parcel *parcel);

/* Empties parcel (as if new): drops objects, closes owned fds, returns a
 * received buffer to the driver. */
BINDER_API void binder_parcel_reset(binder_parcel *parcel);

/* Calls on_release(arg) once, when parcel's contents are next released
 * (binder_parcel_free or binder_parcel_reset), after the object references
 * it held are dropped; a later call replaces an earlier one, NULL removes
 * it. A handler's reply parcel is released after the driver took the
 * reply and this thread handled what the driver sent before its
 * BR_TRANSACTION_COMPLETE (the reference counts of the objects in it, for
 * one): the point from which the sender knows what the receiver holds. */
BINDER_API void binder_parcel_on_release(binder_parcel *parcel, void (*on_release)(void *arg),
                                         void *arg);

/*
 * The Android generation (11 to 16, BINDER_ANDROID_* of binder/binder.h)
 * whose binder stability word the parcel writes and expects after each
 * binder object: Android 11 and 13 to 16 write the level as an int32
 * (SYSTEM: 0c 00 00 00), Android 12 a category (version 1, two reserved
 * bytes, the level: 01 00 00 0c, and 01 00 00 00 for a null binder).
 * Reading a word of another generation fails with BINDER_BAD_TYPE, as
 * that generation's libbinder does. A received parcel takes its
 * context's generation; a new one, until this is set, takes the
 * generation of the context of the first binder written into it (a null
 * binder written before any: BINDER_ANDROID_DEFAULT's word). Interface
 * tokens are the same in all six. android 0 unsets; BINDER_BAD_VALUE for
 * an unsupported generation. Kept across binder_parcel_reset.
 */
BINDER_API int binder_parcel_set_android(binder_parcel *parcel, uint32_t android);
/* The generation set, else the parcel's context's, else
 * BINDER_ANDROID_DEFAULT. */
BINDER_API uint32_t binder_parcel_android(const binder_parcel *parcel);

/* Size of the data in bytes. */
BINDER_API size_t binder_parcel_data_size(const binder_parcel *parcel);
/* The read/write position, in bytes from the start. */
BINDER_API size_t binder_parcel_position(const binder_parcel *parcel);
/* Moves the position; BINDER_BAD_VALUE past the end of the data. */
BINDER_API int binder_parcel_set_position(binder_parcel *parcel, size_t position);
/* Bytes left to read after the position. */
BINDER_API size_t binder_parcel_data_available(const binder_parcel *parcel);

/*
 * Writes. Each appends at the position (which is normally the end) and
 * moves it past what was written. Errors: BINDER_NO_MEMORY; writing into
 * a received parcel gives BINDER_INVALID_OPERATION (reset it first).
 */
BINDER_API int binder_parcel_write_int32(binder_parcel *parcel, int32_t value);
BINDER_API int binder_parcel_write_uint32(binder_parcel *parcel, uint32_t value);
BINDER_API int binder_parcel_write_int64(binder_parcel *parcel, int64_t value);
BINDER_API int binder_parcel_write_uint64(binder_parcel *parcel, uint64_t value);
BINDER_API int binder_parcel_write_float(binder_parcel *parcel, float value);
BINDER_API int binder_parcel_write_double(binder_parcel *parcel, double value);
BINDER_API int binder_parcel_write_bool(binder_parcel *parcel, bool value);
BINDER_API int binder_parcel_write_byte(binder_parcel *parcel, int8_t value);
/* length bytes, padded to 4 (no length prefix). */
BINDER_API int binder_parcel_write_raw(binder_parcel *parcel, const void *bytes, size_t length);
/* A byte array; bytes NULL writes a null array (length is then ignored).
 * BINDER_BAD_VALUE if length > INT32_MAX. */
BINDER_API int binder_parcel_write_byte_array(binder_parcel *parcel, const void *bytes,
                                              size_t length);

/*
 * Large payloads without a copy ("in place", AOSP's writeInplace): rather
 * than building the bytes in a buffer of its own and having the parcel
 * copy them in, the caller asks the parcel for room and writes (or reads a
 * file, decodes, ...) the bytes straight into it. The transaction sends
 * the parcel's buffer as it is, so the bytes are copied once, by the
 * driver, into the receiver: the one copy a raw BC_TRANSACTION makes.
 * The receiving side reads them in place too (binder_parcel_read_byte_array
 * and binder_parcel_read_string8 borrow, they do not copy).
 *
 * Each appends at the position like the other writes and sets *bytes to
 * the room: length bytes, NOT initialised (the padding after them is
 * zeroed). Fill every byte before the parcel is sent: what is left there
 * is whatever the memory held, and it goes to the receiver. *bytes stays
 * valid until the next write to the parcel (which may move the buffer),
 * binder_parcel_reset or binder_parcel_free; a parcel may be sent several
 * times, so a payload produced once can be sent again without rewriting
 * it. A parcel grows to at most 64 MiB and the receiver's area (at most
 * 4 MiB under binder) bounds what can be sent.
 * Errors: BINDER_BAD_VALUE (parcel or bytes NULL, or for a byte array
 * length > INT32_MAX), BINDER_NO_MEMORY (past the parcel's largest size,
 * or out of memory), BINDER_INVALID_OPERATION (a received parcel, or the
 * room would overlap a binder object or fd); on error nothing is written,
 * the position does not move and *bytes is left alone.
 */
/* Room for length raw bytes (no length prefix), padded to 4: the in-place
 * form of binder_parcel_write_raw. */
BINDER_API int binder_parcel_write_in_place(binder_parcel *parcel, size_t length, void **bytes);
/* A byte array of length bytes (the int32 length, then room for the bytes,
 * padded to 4): the in-place form of binder_parcel_write_byte_array, read
 * by binder_parcel_read_byte_array and AOSP's readByteVector. */
BINDER_API int binder_parcel_write_byte_array_in_place(binder_parcel *parcel, size_t length,
                                                       void **bytes);

/*
 * A byte array whose bytes the parcel borrows instead of copying: it keeps
 * room for them and where they are, and the transaction that sends the
 * parcel takes them from there. The receiver reads an ordinary byte array.
 * This is for bytes that already exist elsewhere, above all a received
 * parcel's: a handler that answers with (part of) what it was sent
 * borrows from its data parcel, and libbinder sends the reply before it
 * gives the data's buffer back to the driver.
 *
 * Under binderd (with direct reads, its default) a parcel without binder
 * objects or fds is sent as a gather list: binderd copies the borrowed
 * bytes once, straight from bytes into the receiver, the one copy a raw
 * transaction makes. Elsewhere (the kernel driver, a parcel with objects)
 * and whenever the parcel itself is read or rewritten before it is sent
 * (binder_parcel_set_position, a read, binder_parcel_data, a call to a
 * local object), the bytes are copied into the parcel first, as
 * binder_parcel_write_byte_array copies them at once. Arrays under 4 KiB,
 * a fourth borrowed array in one parcel, and a write that is not at the
 * end of the data are copied at once too.
 *
 * bytes must stay valid and unchanged while the parcel borrows them:
 * until it is freed or reset, or one of the copies above takes them in
 * (a parcel may be sent several times, each time from bytes). A handler's
 * reply may borrow from its data parcel: libbinder sends the reply and
 * frees it before it lets go of the data. bytes NULL writes a null array. Errors: those of
 * binder_parcel_write_byte_array_in_place, nothing written on error.
 */
BINDER_API int binder_parcel_write_byte_array_borrowed(binder_parcel *parcel, const void *bytes,
                                                       size_t length);
/* A String8 from a UTF-8 C string; NULL writes a null string. The bytes
 * are written as given (BINDER_BAD_VALUE if not valid UTF-8). */
BINDER_API int binder_parcel_write_string8(binder_parcel *parcel, const char *utf8);
/* A String16 from a UTF-8 C string (converted); NULL writes a null
 * string. BINDER_BAD_VALUE if utf8 is not valid UTF-8. */
BINDER_API int binder_parcel_write_string16(binder_parcel *parcel, const char *utf8);
/* A String16 from length UTF-16 units; units NULL writes a null string. */
BINDER_API int binder_parcel_write_string16_units(binder_parcel *parcel, const uint16_t *units,
                                                  size_t length);
/* A binder object (local object or proxy; NULL writes a null binder). The
 * parcel takes its own reference on object. */
BINDER_API int binder_parcel_write_object(binder_parcel *parcel, binder_object *object);
/* A file descriptor. The parcel does not own fd: keep it open until the
 * parcel is sent or freed. BINDER_BAD_VALUE if fd < 0. */
BINDER_API int binder_parcel_write_fd(binder_parcel *parcel, int fd);
/* A duplicate of fd (F_DUPFD_CLOEXEC), owned by the parcel. */
BINDER_API int binder_parcel_write_dup_fd(binder_parcel *parcel, int fd);
/* The interface token that AOSP's writeInterfaceToken writes. */
BINDER_API int binder_parcel_write_interface_token(binder_parcel *parcel, const char *descriptor);

/*
 * Reads. Each reads at the position and moves it past what was read; on
 * failure the position does not move and *out is left alone. Null values
 * (length -1 on the wire, a null binder) read as a NULL pointer, with a
 * length of 0 where there is one: test the pointer, not the length, to
 * tell null from empty.
 */
BINDER_API int binder_parcel_read_int32(binder_parcel *parcel, int32_t *out);
BINDER_API int binder_parcel_read_uint32(binder_parcel *parcel, uint32_t *out);
BINDER_API int binder_parcel_read_int64(binder_parcel *parcel, int64_t *out);
BINDER_API int binder_parcel_read_uint64(binder_parcel *parcel, uint64_t *out);
BINDER_API int binder_parcel_read_float(binder_parcel *parcel, float *out);
BINDER_API int binder_parcel_read_double(binder_parcel *parcel, double *out);
/* BINDER_BAD_VALUE unless the int32 is 0 or 1. */
BINDER_API int binder_parcel_read_bool(binder_parcel *parcel, bool *out);
BINDER_API int binder_parcel_read_byte(binder_parcel *parcel, int8_t *out);
/* Copies length bytes (and skips their padding). */
BINDER_API int binder_parcel_read_raw(binder_parcel *parcel, void *bytes, size_t length);
/* A byte array: *bytes points into the parcel (borrowed, no copy: for a
 * received parcel, into the receive area the driver copied it to), *length
 * its size; valid until the parcel is freed, reset or written to. A null
 * array (length -1 on the wire) gives *bytes NULL and *length 0, an empty
 * one a non-NULL *bytes and *length 0. */
BINDER_API int binder_parcel_read_byte_array(binder_parcel *parcel, const void **bytes,
                                             size_t *length);
/* A String8: *utf8 points into the parcel (borrowed, NUL-terminated);
 * NULL for a null string. BINDER_BAD_VALUE if the terminator is missing. */
BINDER_API int binder_parcel_read_string8(binder_parcel *parcel, const char **utf8);
/* A String16 converted to UTF-8: *utf8 is malloc'ed (caller frees), NULL
 * for a null string. BINDER_BAD_VALUE for unpaired surrogates or a
 * missing terminator. */
BINDER_API int binder_parcel_read_string16(binder_parcel *parcel, char **utf8);
/* A String16 as UTF-16 units: *units points into the parcel (borrowed,
 * followed by a 0 unit), *length in units; a null string gives *units
 * NULL and *length 0, an empty one a non-NULL *units and *length 0. */
BINDER_API int binder_parcel_read_string16_units(binder_parcel *parcel, const uint16_t **units,
                                                 size_t *length);
/* A binder object: *object is a new reference the caller unrefs (NULL for
 * a null binder). BINDER_BAD_TYPE if no binder object was written at the
 * position. An object received from another process becomes a proxy of
 * the parcel's context, or the local object itself when it comes home. */
BINDER_API int binder_parcel_read_object(binder_parcel *parcel, binder_object **object);
/* A file descriptor: *fd stays owned by the parcel (closed when it is
 * freed); dup it to keep it. BINDER_BAD_TYPE if no fd is at the position. */
BINDER_API int binder_parcel_read_fd(binder_parcel *parcel, int *fd);
/* A file descriptor duplicated for the caller (F_DUPFD_CLOEXEC). */
BINDER_API int binder_parcel_read_dup_fd(binder_parcel *parcel, int *fd);
/* Reads an interface token and checks it names descriptor:
 * BINDER_PERMISSION_DENIED if another descriptor (as AOSP's hand-written
 * stubs' CHECK_INTERFACE do), BINDER_BAD_TYPE if there is no token. For a
 * handler that checks by hand; a local object made with
 * binder_local_ops.enforce_interface has libbinder do it before the
 * handler runs (and answer BINDER_BAD_TYPE, as AIDL's stubs do). */
BINDER_API int binder_parcel_enforce_interface(binder_parcel *parcel, const char *descriptor);

/*
 * AIDL's status header, which AIDL-generated methods write at the start
 * of a reply (android::binder::Status): exception 0 (EX_NONE) alone, or an
 * exception code, a String16 message, an int32 0 (no remote stack trace)
 * and, for EX_SERVICE_SPECIFIC (-8), an int32 service error code.
 */
enum binder_exception {
	BINDER_EX_NONE = 0,
	BINDER_EX_SECURITY = -1,
	BINDER_EX_BAD_PARCELABLE = -2,
	BINDER_EX_ILLEGAL_ARGUMENT = -3,
	BINDER_EX_NULL_POINTER = -4,
	BINDER_EX_ILLEGAL_STATE = -5,
	BINDER_EX_NETWORK_MAIN_THREAD = -6,
	BINDER_EX_UNSUPPORTED_OPERATION = -7,
	BINDER_EX_SERVICE_SPECIFIC = -8,
	BINDER_EX_PARCELABLE = -9,
	BINDER_EX_TRANSACTION_FAILED = -129,
};
/* Writes the header; message may be NULL. service_error is written only
 * for BINDER_EX_SERVICE_SPECIFIC. */
BINDER_API int binder_parcel_write_exception(binder_parcel *parcel, int32_t exception,
                                             const char *message, int32_t service_error);
/* Same as binder_parcel_write_exception(parcel, BINDER_EX_NONE, NULL, 0). */
BINDER_API int binder_parcel_write_no_exception(binder_parcel *parcel);
/* Reads the header. *exception gets the code; when message is not NULL
 * *message gets the message (malloc'ed, caller frees; NULL if none);
 * when service_error is not NULL it gets the service error code (0 unless
 * EX_SERVICE_SPECIFIC). */
BINDER_API int binder_parcel_read_exception(binder_parcel *parcel, int32_t *exception,
                                            char **message, int32_t *service_error);

/*
 * The raw view, for code that forwards parcels it does not understand
 * (the bridge): the bytes and the objects in them.
 */
enum binder_parcel_object_kind {
	/* A binder object: a local object, a proxy, or null. */
	BINDER_PARCEL_OBJECT_BINDER = 1,
	/* A file descriptor. */
	BINDER_PARCEL_OBJECT_FD = 2,
};

struct binder_parcel_object {
	/* Where the object's struct flat_binder_object starts in the data. */
	size_t offset;
	enum binder_parcel_object_kind kind;
	/* BINDER: the object, borrowed from the parcel (NULL: null binder). */
	binder_object *object;
	/* FD: the fd, borrowed from the parcel. */
	int fd;
};

/* The data bytes (borrowed; NULL when empty). The bytes at an object's
 * offset are a struct flat_binder_object meaningful only to the driver of
 * this process: forward the object, not those bytes. */
BINDER_API const uint8_t *binder_parcel_data(const binder_parcel *parcel);
/* How many objects (binders and fds) the parcel holds. */
BINDER_API size_t binder_parcel_object_count(const binder_parcel *parcel);
/* The index-th object, in offset order. BINDER_BAD_INDEX if index is out
 * of range; a binder from another process becomes a proxy here. */
BINDER_API int binder_parcel_object_at(binder_parcel *parcel, size_t index,
                                       struct binder_parcel_object *out);
/*
 * Builds a new parcel from size bytes of data and count objects (sorted
 * by offset, not overlapping, each offset 4-aligned with room for a
 * struct flat_binder_object): the bytes at each object's offset are
 * replaced by that object, the rest copied. Binder objects get a
 * reference from the parcel; fds are duplicated. BINDER_BAD_VALUE for
 * objects that do not fit these rules.
 */
BINDER_API int binder_parcel_new_from_raw(const void *data, size_t size,
                                          const struct binder_parcel_object *objects, size_t count,
                                          binder_parcel **out);
/*
 * The same into an existing parcel (a handler's reply, say), which is
 * reset first. On failure parcel is left empty.
 */
BINDER_API int binder_parcel_assign_raw(binder_parcel *parcel, const void *data, size_t size,
                                        const struct binder_parcel_object *objects, size_t count);
/*
 * binder_parcel_assign_raw without the copy, for a forwarder that holds
 * the bytes anyway (bridged, a frame's payload): when there are no
 * objects and size is a multiple of 4, the parcel borrows data as
 * binder_parcel_write_byte_array_borrowed borrows an array's bytes (sent
 * from there as a gather list under binderd; copied in first for the
 * kernel driver, a read, a rewrite, a call to a local object; under
 * 4 KiB, copied at once). data must stay valid and unchanged until the
 * parcel is freed or reset (binder_parcel_on_release can say when).
 * With objects, or an unaligned size, it copies as
 * binder_parcel_assign_raw does. Errors: those of
 * binder_parcel_assign_raw; on failure parcel is left empty.
 */
BINDER_API int binder_parcel_assign_raw_borrowed(binder_parcel *parcel, const void *data,
                                                 size_t size,
                                                 const struct binder_parcel_object *objects,
                                                 size_t count);

#ifdef __cplusplus
}
#endif

#endif
