#!/usr/bin/env bash
# Starts servicemanager speaking one Android generation, for
# tests/with_services.sh (which passes the other options):
#   SERVICEMANAGER=PATH TEST_ANDROID=N android_servicemanager.sh OPTIONS...
set -u
exec "$SERVICEMANAGER" --android "$TEST_ANDROID" "$@"
