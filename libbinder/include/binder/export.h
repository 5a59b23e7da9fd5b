/*
 * binder/export.h - BINDER_API, the mark on every function libbinder
 * exports.
 *
 * libbinder is compiled with hidden visibility: a function is in the
 * shared library's dynamic symbol table only when its declaration in a
 * public header carries BINDER_API; the library's internal functions stay
 * private to it, whatever their linkage. (A test compares the exported
 * symbols with the declarations of these headers.)
 */
#ifndef BINDER_EXPORT_H
#define BINDER_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define BINDER_API __attribute__((visibility("default")))
#else
#define BINDER_API
#endif

#endif
