/*
 * usage.c - binder-service's help text (man-style) and its error printers.
 */
#include "service_tool.h"

#include <stdarg.h>

void tool_print_usage(FILE *stream)
{
	fputs("NAME\n"
	      "    binder-service - list, check, wait for, ping and call binder services\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    binder-service [--device PATH] list [--long]\n"
	      "    binder-service [--device PATH] check NAME\n"
	      "    binder-service [--device PATH] wait NAME [--timeout MS]\n"
	      "    binder-service [--device PATH] ping NAME\n"
	      "    binder-service [--device PATH] call NAME CODE [--intf] [--oneway]\n"
	      "                   [--reply TYPE,...] [--hex] [ARG...]\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Talks to servicemanager (handle 0) on a binder device: binderd's socket\n"
	      "    or a kernel binder device. The device is --device PATH, else\n"
	      "    $BINDER_DEVICE, else /dev/binder if it is a character device, else\n"
	      "    binderd's default socket. --android N (11 to 16, default 14) speaks\n"
	      "    that Android generation's IServiceManager and parcel wire.\n"
	      "\n"
	      "    list     Prints the name of every service, one per line, sorted. With\n"
	      "             --long: \"NAME [DESCRIPTOR]\", the descriptor each service\n"
	      "             answers (empty brackets if it does not answer).\n"
	      "    check    Prints \"Service NAME: found\", or \"Service NAME: not found\"\n"
	      "             and exits 1.\n"
	      "    wait     Waits until NAME is added, at most MS milliseconds (default\n"
	      "             5000), then prints \"Service NAME: found\"; exits 1 on timeout.\n"
	      "    ping     Sends PING_TRANSACTION: prints \"NAME: alive\", or the error.\n"
	      "    call     Sends transaction CODE (decimal or 0x hex, 1 to 0xffffff for\n"
	      "             user codes) with ARGs written in order, and prints the reply.\n"
	      "\n"
	      "CALL ARGUMENTS\n"
	      "    i32:N u32:N i64:N u64:N   integers, decimal or 0x hex, range-checked\n"
	      "    f:X d:X                   float, double\n"
	      "    b:true|false              bool (an int32 0 or 1)\n"
	      "    s8:TEXT s16:TEXT          UTF-8 string (String8), UTF-16 string\n"
	      "                              (String16) from UTF-8 text\n"
	      "    null8 null16              a null String8, a null String16\n"
	      "    fd:PATH                   opens PATH read-only and sends the fd\n"
	      "    intf:DESCRIPTOR           an interface token, as AIDL proxies write\n"
	      "\n"
	      "CALL OPTIONS\n"
	      "    --intf          writes the service's own interface token first (the\n"
	      "                    descriptor it answers to INTERFACE_TRANSACTION), as an\n"
	      "                    AIDL proxy does\n"
	      "    --oneway        sends the call oneway: no reply is awaited or printed\n"
	      "    --reply TYPES   decodes the reply as a comma-separated list of types,\n"
	      "                    printing one \"TYPE: VALUE\" line each: ex (AIDL\n"
	      "                    exception header), i32 u32 i64 u64 f d b s8 s16\n"
	      "                    bytes (byte array) binder fd\n"
	      "    --hex           with --reply, prints the hex dump too\n"
	      "    Without --reply the reply is printed as Android's `service call` does:\n"
	      "    \"Result: Parcel(...)\", a hex dump of 32-bit little-endian words and\n"
	      "    the bytes as text, then one \"Object at 0xOFFSET: binder|fd\" line per\n"
	      "    object in it.\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 success; 1 not found, timed out, dead object, failed transaction or\n"
	      "    no device; 2 bad command line; 3 the reply did not decode as --reply\n"
	      "    says or carried an AIDL exception.\n"
	      "\n"
	      "EXAMPLES\n"
	      "    binder-service list\n"
	      "    binder-service call calculator 1 --intf --reply ex,i32 i32:2 i32:3\n"
	      "    binder-service call echo 2 s16:hello null16 fd:/etc/hostname\n",
	      stream);
}

void tool_error(const char *format, ...)
{
	va_list arguments;

	fputs("binder-service: ", stderr);
	va_start(arguments, format);
	vfprintf(stderr, format, arguments);
	va_end(arguments);
	fputc('\n', stderr);
}

int tool_usage_error(const char *format, ...)
{
	va_list arguments;

	fputs("binder-service: ", stderr);
	va_start(arguments, format);
	vfprintf(stderr, format, arguments);
	va_end(arguments);
	fputs("\n(binder-service --help for usage)\n", stderr);
	return TOOL_EXIT_USAGE;
}
