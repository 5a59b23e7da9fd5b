/*
 * calculator_call.h - one ICalculate call (examples/calculator), for the
 * tests and the peer's many-clients role.
 */
#ifndef INTEGRATION_CALCULATOR_CALL_H
#define INTEGRATION_CALCULATOR_CALL_H

#include <stdint.h>

#include <binder/binder.h>

/* Calls add or sub (code) with a and b. Returns the transaction status;
 * when it is 0, *exception is the reply's exception code and, when that is
 * BINDER_EX_NONE, *result the answer. */
int calculator_call(binder_object *calculator, uint32_t code, int32_t a, int32_t b,
                    int32_t *exception, int32_t *result);

#endif
