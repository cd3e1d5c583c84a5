#!/usr/bin/env bash
# Stands in for terraform in tests: logs each call, then answers as FAKE_TERRAFORM_* ask.
#   FAKE_TERRAFORM_INIT_ERROR  make init fail with this diagnostic
#   FAKE_TERRAFORM_PLAN_EXIT   plan's exit code (-detailed-exitcode: 0 none, 2 changes, 1 error)
#   FAKE_TERRAFORM_PLAN_ERRORS a file of diagnostics plan prints to stderr before failing
#   FAKE_TERRAFORM_PLAN_JSON   the file `show -json` prints
# `output -json` prints the stack folder's fake-outputs.json, or fails as in a folder never initialized.
set -u
echo "$*" >> "$(dirname "$0")/calls.log"
dir=.
for arg in "$@"; do
  case "$arg" in -chdir=*) dir="${arg#-chdir=}" ;; esac
done
case "$2" in
  init)
    if [ -n "${FAKE_TERRAFORM_INIT_ERROR:-}" ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: %s\n\xe2\x94\x82\n\xe2\x94\x82 More detail on the next lines.\n\xe2\x95\xb5\n' "$FAKE_TERRAFORM_INIT_ERROR" >&2
      exit 1
    fi
    echo 'Terraform has been successfully initialized!'
    ;;
  plan)
    for arg in "$@"; do
      case "$arg" in -out=*) : > "$dir/${arg#-out=}" ;; esac
    done
    if [ -n "${FAKE_TERRAFORM_PLAN_ERRORS:-}" ]; then
      cat "$FAKE_TERRAFORM_PLAN_ERRORS" >&2
      exit 1
    fi
    if [ "${FAKE_TERRAFORM_PLAN_EXIT:-2}" = 1 ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: Error acquiring the state lock\n\xe2\x95\xb5\n' >&2
    fi
    exit "${FAKE_TERRAFORM_PLAN_EXIT:-2}"
    ;;
  show)
    cat "$FAKE_TERRAFORM_PLAN_JSON"
    ;;
  output)
    if [ ! -f "$dir/fake-outputs.json" ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: Backend initialization required, please run "terraform init"\n\xe2\x95\xb5\n' >&2
      exit 1
    fi
    cat "$dir/fake-outputs.json"
    ;;
esac
