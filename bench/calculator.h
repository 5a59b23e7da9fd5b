/*
 * calculator.h - the calculator the libbinder benchmark calls: its
 * interface (descriptor, codes) as an AIDL interface would define it, the
 * service side (a local object) and the proxy side (one call each).
 */
#ifndef BENCH_CALCULATOR_H
#define BENCH_CALCULATOR_H

#include "binder/binder.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_CALCULATOR_DESCRIPTOR "bench.ICalculator"
/* The name under which it is added to servicemanager (--service-manager). */
#define BENCH_CALCULATOR_NAME "bench.calculator"

enum bench_calculator_code {
	/* add(int a, int b) -> int */
	BENCH_CALCULATOR_ADD = BINDER_FIRST_CALL_TRANSACTION,
	/* echo(byte[] bytes) -> byte[]: the same bytes */
	BENCH_CALCULATOR_ECHO = BINDER_FIRST_CALL_TRANSACTION + 1,
};

/* A new local calculator object of context. */
int bench_calculator_new(binder_context *context, binder_object **out);

/* Proxy side, as AIDL-generated code does it: fresh parcels, the
 * interface token, the arguments; the reply's exception header, the
 * result. A non-zero exception or a wrong result gives BINDER_BAD_VALUE. */
int bench_calculator_add(binder_object *calculator, int32_t a, int32_t b, int32_t *sum);
int bench_calculator_echo(binder_object *calculator, const void *bytes, size_t length);
/* Whether bench_calculator_echo compares every byte it gets back (true)
 * or the length and the first 64 bytes (false, the default: a figure is
 * about the IPC). Set before any call. */
extern bool bench_echo_check_every_byte;

#endif
