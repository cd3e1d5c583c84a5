#!/usr/bin/env bash
# Stands in for terraform in tests: logs each call, then answers as FAKE_TERRAFORM_* ask.
#   FAKE_TERRAFORM_INIT_ERROR  make init fail with this diagnostic
#   FAKE_TERRAFORM_INIT_DETAIL the lines under its summary
#   FAKE_TERRAFORM_PLAN_EXIT   plan's exit code (-detailed-exitcode: 0 none, 2 changes, 1 error)
#   FAKE_TERRAFORM_FAIL_STACK  the stack whose plan fails (exit 1), whatever FAKE_TERRAFORM_PLAN_EXIT says
#   FAKE_TERRAFORM_PLAN_ERRORS a file of diagnostics plan prints to stderr before failing
#   FAKE_TERRAFORM_PLAN_JSON   the file `show -json` prints
#   FAKE_TERRAFORM_SHOW_EXIT   show's exit code after printing it (a show that dies after printing);
#                              only for the stack FAKE_TERRAFORM_SHOW_FAIL_STACK when that is set
#   FAKE_TERRAFORM_PLAN_SLEEP  seconds each plan takes; plans log their start and end to timeline.log
#   FAKE_TERRAFORM_OUTPUT_SLEEP the same for `output`
#   FAKE_TERRAFORM_OUTPUT_ERROR make `output` fail with this diagnostic
# plan writes its -out file as Terraform does (into the file already there, keeping its mode), an errored
# one too when FAKE_TERRAFORM_PLAN_ERRORS makes it fail; show logs the mode of the plan file it reads to
# plan-modes.log.
# init logs the stack, TF_PLUGIN_CACHE_DIR and whether the stack had a lock file (present, none) to init.log, and
# writes one as Terraform does. `output -json` prints the stack folder's fake-outputs.json, or fails
# as in a folder never initialized.
set -u
log="$(dirname "$0")"
echo "$*" >> "$log/calls.log"
dir=.
for arg in "$@"; do
  case "$arg" in -chdir=*) dir="${arg#-chdir=}" ;; esac
done
stack="${dir##*/}"
# A path as terraform -chdir reads it: relative to the stack folder.
in_stack() {
  case "$1" in /*) echo "$1" ;; *) echo "$dir/$1" ;; esac
}
write_plan() {
  for arg in "$@"; do
    case "$arg" in -out=*) printf 'stand-in plan\n' > "$(in_stack "${arg#-out=}")" ;; esac
  done
}
# Takes $1 seconds (none when empty), logged to timeline.log so that tests can see which calls overlapped.
take() {
  [ -n "$1" ] || return 0
  echo "start $stack" >> "$log/timeline.log"
  sleep "$1"
  echo "end $stack" >> "$log/timeline.log"
}
case "$2" in
  init)
    if [ -n "${FAKE_TERRAFORM_INIT_ERROR:-}" ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: %s\n\xe2\x94\x82\n\xe2\x94\x82 %s\n\xe2\x95\xb5\n' "$FAKE_TERRAFORM_INIT_ERROR" "${FAKE_TERRAFORM_INIT_DETAIL-More detail on the next lines.}" >&2
      exit 1
    fi
    if [ -f "$dir/.terraform.lock.hcl" ]; then lock=present; else lock=none; fi
    echo "$stack cache=${TF_PLUGIN_CACHE_DIR:-} lock=$lock" >> "$log/init.log"
    if [ "$lock" = none ]; then
      printf '# This file is maintained automatically by "terraform init".\n\nprovider "registry.terraform.io/hashicorp/azuread" {\n  version     = "3.7.0"\n  constraints = "3.7.0"\n  hashes = [\n    "h1:stand-in=",\n  ]\n}\n' > "$dir/.terraform.lock.hcl"
    fi
    echo 'Terraform has been successfully initialized!'
    ;;
  plan)
    take "${FAKE_TERRAFORM_PLAN_SLEEP:-}"
    if [ -n "${FAKE_TERRAFORM_PLAN_ERRORS:-}" ]; then
      write_plan "$@"
      cat "$FAKE_TERRAFORM_PLAN_ERRORS" >&2
      exit 1
    fi
    code="${FAKE_TERRAFORM_PLAN_EXIT:-2}"
    [ "$stack" = "${FAKE_TERRAFORM_FAIL_STACK:-}" ] && code=1
    if [ "$code" = 1 ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: Error acquiring the state lock\n\xe2\x95\xb5\n' >&2
      exit 1
    fi
    write_plan "$@"
    exit "$code"
    ;;
  show)
    for plan; do :; done
    echo "$stack $(stat -c %a "$(in_stack "$plan")")" >> "$log/plan-modes.log"
    cat "$FAKE_TERRAFORM_PLAN_JSON"
    if [ -z "${FAKE_TERRAFORM_SHOW_FAIL_STACK:-}" ] || [ "$stack" = "$FAKE_TERRAFORM_SHOW_FAIL_STACK" ]; then
      exit "${FAKE_TERRAFORM_SHOW_EXIT:-0}"
    fi
    ;;
  output)
    take "${FAKE_TERRAFORM_OUTPUT_SLEEP:-}"
    if [ -n "${FAKE_TERRAFORM_OUTPUT_ERROR:-}" ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: %s\n\xe2\x95\xb5\n' "$FAKE_TERRAFORM_OUTPUT_ERROR" >&2
      exit 1
    fi
    if [ ! -f "$dir/fake-outputs.json" ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: Backend initialization required, please run "terraform init"\n\xe2\x95\xb5\n' >&2
      exit 1
    fi
    cat "$dir/fake-outputs.json"
    ;;
esac
