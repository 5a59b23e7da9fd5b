/*
 * calculator.h - the ICalculate interface, shared by the calculator service
 * and its client.
 *
 * On Android this interface is written in AIDL and a tool generates the
 * code; here we write by hand what the tool would have generated:
 *
 *     interface ICalculate {
 *         int add(int a, int b);   // transaction code FIRST_CALL_TRANSACTION
 *         int sub(int a, int b);   // FIRST_CALL_TRANSACTION + 1
 *     }
 *
 * The interface descriptor is the plain name "ICalculate" (the AIDL file of
 * the example declares no package; with one, it would be the qualified name,
 * such as "com.example.ICalculate"). Both sides must agree on it: the client
 * writes it at the start of every call (the interface token:
 * binder_parcel_new_request) and libbinder checks it for the service before
 * its handler reads the arguments (binder_local_ops.enforce_interface).
 *
 * The wire format of each call, as AIDL lays it out:
 *   request: interface token "ICalculate", int32 a, int32 b
 *   reply:   the exception header (int32 0 when the call succeeded, else an
 *            exception code and a message), then int32 result
 */
#ifndef EXAMPLES_CALCULATOR_H
#define EXAMPLES_CALCULATOR_H

#include <binder/binder.h>

/* The interface descriptor, written as the interface token of each call. */
#define CALCULATOR_DESCRIPTOR "ICalculate"

/* The name the service registers with servicemanager. */
#define CALCULATOR_SERVICE_NAME "calculator"

/* Transaction codes: AIDL numbers methods from FIRST_CALL_TRANSACTION in
 * the order the interface declares them. */
enum calculator_code {
	CALCULATOR_ADD = BINDER_FIRST_CALL_TRANSACTION,
	CALCULATOR_SUB = BINDER_FIRST_CALL_TRANSACTION + 1,
};

#endif
