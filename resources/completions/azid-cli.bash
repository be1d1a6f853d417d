# bash completion for azid-cli. Installed as share/bash-completion/completions/azid-cli.
# Keep in step with "azid-cli --help" (app/cli/arguments.cpp) and resources/azid-cli.1.

_azid_cli()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local global_opts="--profile --authority --tenant --client-id --ca-bundle
        --disable-instance-discovery --output -o --verbose -v --memory-only
        --allow-unencrypted-storage --wait-for-keychain --version --help"
    local commands="login token accounts kubectl-credential git-credential"
    local account_commands="list show remove export import restore-cache"
    local login_opts="--flow --scope --login-hint --redirect-uri --timeout --username
        --password-stdin --default --shared-cache"
    local token_opts="--scope --account --claims --enable-cae --credential"
    local accounts_opts="--file"
    local tool_opts="--account --scope"
    local credentials="default environment client-secret certificate managed-identity
        workload-identity azure-cli azure-developer-cli azure-powershell azure-pipelines
        shared-token-cache client-assertion authorization-code on-behalf-of visual-studio-code"

    # Values of the option just typed.
    case $prev in
        --flow)
            mapfile -t COMPREPLY < <(compgen -W "browser device-code password" -- "$cur")
            return ;;
        --output | -o)
            mapfile -t COMPREPLY < <(compgen -W "json raw table az" -- "$cur")
            return ;;
        --credential)
            mapfile -t COMPREPLY < <(compgen -W "$credentials" -- "$cur")
            return ;;
        --authority)
            mapfile -t COMPREPLY < <(compgen -W "login.microsoftonline.com login.microsoftonline.us
                login.chinacloudapi.cn https://" -- "$cur")
            return ;;
        --ca-bundle | --file)
            if declare -F _filedir >/dev/null; then
                _filedir
            else
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
            return ;;
        --scope)
            mapfile -t COMPREPLY < <(compgen -W "https://management.azure.com/.default
                https://graph.microsoft.com/.default https://vault.azure.net/.default
                https://storage.azure.com/.default" -- "$cur")
            return ;;
        --profile | --tenant | --client-id | --login-hint | --redirect-uri | --timeout | --username | \
            --account | --claims | --wait-for-keychain)
            return ;; # free values
    esac

    # Find the command and, for accounts, its subcommand, skipping options and their values.
    local i word command="" subcommand=""
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            --profile | --authority | --tenant | --client-id | --ca-bundle | --output | -o | \
                --wait-for-keychain | --flow | --scope | --login-hint | --redirect-uri | --timeout | \
                --username | --account | --claims | --credential | --file)
                ((i++)) ;;
            -*) ;;
            *)
                if [[ -z $command ]]; then
                    command=$word
                elif [[ $command == accounts && -z $subcommand ]]; then
                    subcommand=$word
                fi ;;
        esac
    done

    local candidates
    case $command in
        "")
            if [[ $cur == -* ]]; then candidates=$global_opts; else candidates=$commands; fi ;;
        login) candidates="$login_opts $global_opts" ;;
        token) candidates="$token_opts $global_opts" ;;
        kubectl-credential) candidates="$tool_opts $global_opts" ;;
        git-credential)
            if [[ $cur == -* ]]; then candidates="$tool_opts $global_opts"; else candidates="get store erase"; fi ;;
        accounts)
            if [[ -z $subcommand && $cur != -* ]]; then
                candidates=$account_commands
            else
                candidates="$accounts_opts $global_opts"
            fi ;;
        *) candidates=$global_opts ;;
    esac
    mapfile -t COMPREPLY < <(compgen -W "$candidates" -- "$cur")
}
complete -F _azid_cli azid-cli
