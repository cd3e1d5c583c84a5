#!/usr/bin/env bash
# The stand-in Azure CLI on PATH: hands its arguments to support/stand-in-az.js, which answers in the
# test's own process (standInAz in platform-repository.ts listens on FAKE_AZ_PORT), and prints the
# answer as az would. Bash starts in a millisecond where a Node process per call took 60 ms of CPU.
# The request is the argument count and the arguments, each ended by a NUL byte (an argument cannot
# hold one); the answer is the exit status, standard output and standard error, each ended the same way.
set -u
exec 3<>"/dev/tcp/127.0.0.1/${FAKE_AZ_PORT:?the stand-in az needs FAKE_AZ_PORT}" || exit 127
printf '%s\0' "$#" "$@" >&3
IFS= read -r -d '' status <&3 || exit 127
IFS= read -r -d '' out <&3
IFS= read -r -d '' err <&3
printf '%s' "$out"
printf '%s' "$err" >&2
exit "$status"
