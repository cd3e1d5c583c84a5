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
#   FAKE_TERRAFORM_MODEL       "customer-consent": plan and show model a customer tenant stack (below) instead
#   FAKE_TERRAFORM_NO_STATE    stacks (space-separated) whose azurerm state does not exist yet: init in their folder
#                              fails as Terraform's azurerm backend does for an identity that may not create it,
#                              unless FAKE_TERRAFORM_WRITER is set (then init creates it, for every later call);
#                              a copy of the folder without a backend initializes fine
#   FAKE_TERRAFORM_PLAN_JSON_DIR a folder of <stack>.json files that `show -json` prints where one exists
# init in a folder with a cloud backend fails, as Terraform does, unless TF_TOKEN_<its host> holds a token.
# plan writes its -out file as Terraform does (into the file already there, keeping its mode), an errored
# one too when FAKE_TERRAFORM_PLAN_ERRORS makes it fail, and logs the mode the file had as it wrote it to
# plan-write-modes.log; show logs the mode of the plan file it reads to plan-modes.log.
# init logs the stack, TF_PLUGIN_CACHE_DIR and whether the stack had a lock file (present, none) to init.log, and
# writes one as Terraform does. `output -json` prints the stack folder's fake-outputs.json, else {} (an
# empty state) in a folder it initialized, and fails as in a folder never initialized otherwise.
# `version -json` says 1.11.4. `import <address> <id>` records the object in the stack folder's
# fake-state, as `terraform import` puts it into the state.
#
# The customer-consent model plans the service principal and the two admin consent grants of the stack's
# cdk.tf.json as Terraform 1.11 with azuread 3.7.0 was seen to plan them (REFERENCE.md, "Facts checked
# 2026-12-02"): what is in fake-state or has an `import` block exists; a grant that exists while the
# service principal is neither in the state nor imported in the same plan is replaced (its
# service_principal_object_id is unknown until apply, and cannot change in place); everything else that
# exists is left as it is, imported where an import block brings it in; the rest is created.
set -u
# Builtins where a command would do: tests call this hundreds of times, and each process started costs.
log="${0%/*}"
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
    case "$arg" in
      -out=*)
        printf 'stand-in plan\n' > "$(in_stack "${arg#-out=}")"
        # The mode the plan has while terraform writes it, before the command can change it.
        echo "$stack $(stat -c %a "$(in_stack "${arg#-out=}")")" >> "$log/plan-write-modes.log"
        ;;
    esac
  done
}
# Takes $1 seconds (none when empty), logged to timeline.log so that tests can see which calls overlapped.
take() {
  [ -n "$1" ] || return 0
  echo "start $stack" >> "$log/timeline.log"
  sleep "$1"
  echo "end $stack" >> "$log/timeline.log"
}
# The customer-consent model's plan (see above), as `terraform show -json` prints it.
consent_plan() {
  touch "$dir/fake-state"
  jq --rawfile state "$dir/fake-state" '
    ($state | split("\n") | map(select(. != "") | split(" ") | {key: .[0], value: .[1]}) | from_entries) as $held
    | ([.import[]? | {key: .to, value: .id}] | from_entries) as $importing
    | (($held["azuread_service_principal.portal"] // $importing["azuread_service_principal.portal"]) | if . == null then null else sub("^/servicePrincipals/"; "") end) as $sp
    | {
        format_version: "1.2", terraform_version: "1.11.4", timestamp: "2026-12-02T12:00:00Z",
        applyable: true, complete: true, errored: false, planned_values: {}, prior_state: {}, configuration: {}, output_changes: {},
        resource_changes: [
          .resource | to_entries[] | .key as $type | .value | to_entries[]
          | "\($type).\(.key)" as $address
          | .key as $name
          | (.value | with_entries(select(.key | IN("provider", "depends_on", "lifecycle", "//") | not))) as $config
          | $held[$address] as $inState
          | (if $inState == null then $importing[$address] else null end) as $importId
          | ($inState // $importId) as $exists
          | (if $type == "azuread_service_principal" then $config + {object_id: $sp} else $config + {service_principal_object_id: $sp} end) as $values
          | {address: $address, mode: "managed", type: $type, name: $name, provider_name: "registry.terraform.io/hashicorp/azuread"}
          + if $exists == null then
              {change: {actions: ["create"], before: null, after: $values, after_unknown: {id: true, object_id: true, service_principal_object_id: ($sp == null)}}}
            elif $type == "azuread_service_principal_delegated_permission_grant" and $sp == null then
              {action_reason: "replace_because_cannot_update",
               change: {actions: ["delete", "create"], before: ($values + {id: $exists, service_principal_object_id: "5a5a5a5a-0000-4000-8000-00000000000a"}),
                        after: $values, after_unknown: {id: true, service_principal_object_id: true}, replace_paths: [["service_principal_object_id"]]}}
            else
              {change: {actions: ["no-op"], before: ($values + {id: $exists}), after: ($values + {id: $exists}), after_unknown: {}}}
            end
          | if $importId != null then .change.importing = {id: $importId} else . end
        ]
      }' "$dir/cdk.tf.json"
}

if [ "${1:-}" = version ]; then
  echo '{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}'
  exit 0
fi

case "$2" in
  import)
    shift $(($# - 2))
    echo "$1 $2" >> "$dir/fake-state"
    echo 'Import successful!'
    ;;
  init)
    if [ -n "${FAKE_TERRAFORM_INIT_ERROR:-}" ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: %s\n\xe2\x94\x82\n\xe2\x94\x82 %s\n\xe2\x95\xb5\n' "$FAKE_TERRAFORM_INIT_ERROR" "${FAKE_TERRAFORM_INIT_DETAIL-More detail on the next lines.}" >&2
      exit 1
    fi
    # The stack's backend block, as cdktf writes it: "azurerm": { or "cloud": { (a remote state data source names its backend as a string).
    config=""
    [ -f "$dir/cdk.tf.json" ] && config=$(<"$dir/cdk.tf.json")
    backend=local
    [[ "$config" == *'"azurerm": {'* ]] && backend=azurerm
    [[ "$config" == *'"cloud": {'* ]] && backend=cloud
    if [ "$backend" = azurerm ] && [[ " ${FAKE_TERRAFORM_NO_STATE:-} " == *" $stack "* ]] && ! grep -qx "$stack" "$log/states-created" 2>/dev/null; then
      if [ -z "${FAKE_TERRAFORM_WRITER:-}" ]; then
        printf 'Initializing the backend...\n\xe2\x95\xb7\n\xe2\x94\x82 Error: Error loading state: failed to lock azure state: blobs.Client#PutBlockBlob: Failure responding to request: StatusCode=403 -- Original Error: autorest/azure: Service returned an error. Status=403 Code="AuthorizationPermissionMismatch" Message="This request is not authorized to perform this operation using this permission."\n\xe2\x95\xb5\n' >&2
        exit 1
      fi
      echo "$stack" >> "$log/states-created"
    fi
    host=app.terraform.io
    [[ "$config" =~ \"hostname\":\ \"([^\"]*)\" ]] && host="${BASH_REMATCH[1]:-app.terraform.io}"
    host="${host//-/__}"; token="TF_TOKEN_${host//./_}"
    if [ "$backend" = cloud ] && [ -z "${!token:-}" ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: Required token could not be found\n\xe2\x94\x82\n\xe2\x94\x82 Run the following command to generate a token: terraform login\n\xe2\x95\xb5\n' >&2
      exit 1
    fi
    if [ -f "$dir/.terraform.lock.hcl" ]; then lock=present; else lock=none; fi
    echo "$stack cache=${TF_PLUGIN_CACHE_DIR:-} lock=$lock" >> "$log/init.log"
    if [ "$lock" = none ]; then
      printf '# This file is maintained automatically by "terraform init".\n\nprovider "registry.terraform.io/hashicorp/azuread" {\n  version     = "3.7.0"\n  constraints = "3.7.0"\n  hashes = [\n    "h1:stand-in=",\n  ]\n}\n' > "$dir/.terraform.lock.hcl"
    fi
    (cd "$dir" && pwd) >> "$log/initialized"
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
    if [ "${FAKE_TERRAFORM_MODEL:-}" = customer-consent ]; then
      consent_plan > "$dir/fake-plan.json" || exit 1
      changes=$(jq '[.resource_changes[] | select(.change.actions != ["no-op"] or .change.importing != null)] | length' "$dir/fake-plan.json")
      if [ "$changes" = 0 ]; then code=0; else code=2; fi
    fi
    write_plan "$@"
    exit "$code"
    ;;
  show)
    for plan; do :; done
    echo "$stack $(stat -c %a "$(in_stack "$plan")")" >> "$log/plan-modes.log"
    if [ "${FAKE_TERRAFORM_MODEL:-}" = customer-consent ]; then cat "$dir/fake-plan.json"; elif [ -f "${FAKE_TERRAFORM_PLAN_JSON_DIR:-/nonexistent}/$stack.json" ]; then cat "$FAKE_TERRAFORM_PLAN_JSON_DIR/$stack.json"; else cat "$FAKE_TERRAFORM_PLAN_JSON"; fi
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
    if [ ! -f "$dir/fake-outputs.json" ] && grep -qxF "$(cd "$dir" && pwd)" "$log/initialized" 2>/dev/null; then
      echo '{}'
    elif [ ! -f "$dir/fake-outputs.json" ]; then
      printf '\xe2\x95\xb7\n\xe2\x94\x82 Error: Backend initialization required, please run "terraform init"\n\xe2\x95\xb5\n' >&2
      exit 1
    else
      cat "$dir/fake-outputs.json"
    fi
    ;;
esac
