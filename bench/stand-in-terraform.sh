#!/usr/bin/env bash
# Stands in for terraform in `npm run bench`: every step takes BENCH_TERRAFORM_STEP_SECONDS, as if it
# waited on the registry, the state storage and Microsoft Graph; `show -json` prints BENCH_TERRAFORM_PLAN_JSON.
set -eu
dir=.
for arg in "$@"; do
  case "$arg" in -chdir=*) dir="${arg#-chdir=}" ;; esac
done
sleep "$BENCH_TERRAFORM_STEP_SECONDS"
case "$2" in
  init) [ -f "$dir/.terraform.lock.hcl" ] || printf 'provider "registry.terraform.io/hashicorp/azuread" {\n  version = "3.7.0"\n}\n' > "$dir/.terraform.lock.hcl" ;;
  plan) for arg in "$@"; do case "$arg" in -out=*) : > "$dir/${arg#-out=}" ;; esac; done ;;
  show) cat "$BENCH_TERRAFORM_PLAN_JSON" ;;
esac
