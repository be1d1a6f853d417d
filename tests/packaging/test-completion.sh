#!/usr/bin/env bash
# Checks resources/completions/azid-cli.bash: it completes commands, accounts subcommands, options of
# each command, and the values of --flow, --output and --credential.
#   test-completion.sh COMPLETION_FILE
set -euo pipefail
# shellcheck disable=SC1090
source "$1"

failures=0
# expect "WORDS..." -- EXPECTED...: completing the last word of WORDS offers exactly EXPECTED.
expect() {
    local words=() expected=()
    while [[ $1 != -- ]]; do words+=("$1"); shift; done
    shift
    expected=("$@")
    COMP_WORDS=("${words[@]}")
    COMP_CWORD=$((${#words[@]} - 1))
    COMPREPLY=()
    _azid_cli
    local got="${COMPREPLY[*]}" want="${expected[*]}"
    if [[ "$got" != "$want" ]]; then
        echo "FAIL: [${words[*]}] offers [$got], expected [$want]"
        failures=$((failures + 1))
    else
        echo "ok: [${words[*]}] -> [$got]"
    fi
}

expect azid-cli "" -- login token accounts kubectl-credential git-credential
expect azid-cli --profile work "" -- login token accounts kubectl-credential git-credential
expect azid-cli git-credential "" -- get store erase
expect azid-cli kubectl-credential --s -- --scope
expect azid-cli accounts "" -- list show remove export import restore-cache
expect azid-cli accounts export --f -- --file
expect azid-cli --output "" -- json raw table az
expect azid-cli -o t -- table
expect azid-cli login --flow "" -- browser device-code password
expect azid-cli login --p -- --password-stdin --profile
expect azid-cli token --e -- --enable-cae
expect azid-cli token --credential "" -- default environment client-secret certificate managed-identity \
    workload-identity azure-cli azure-developer-cli azure-powershell azure-pipelines shared-token-cache \
    client-assertion authorization-code on-behalf-of visual-studio-code
expect azid-cli token --credential azure-p -- azure-powershell azure-pipelines
expect azid-cli --mem -- --memory-only
expect azid-cli --tenant "" --

complete -p azid-cli >/dev/null || { echo "FAIL: no completion registered for azid-cli"; failures=$((failures + 1)); }
if [[ $failures -gt 0 ]]; then
    echo "$failures completion check(s) failed"
    exit 1
fi
echo "all completion checks passed"
