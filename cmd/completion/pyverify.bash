# bash completion for pyverify(1). Installed as
# /usr/share/bash-completion/completions/pyverify (loaded on first use).

_pyverify_artifacts()
{
    # Release files and anything else a bundle may sign: every file, but
    # directories are offered too so paths can be walked.
    _filedir
}

_pyverify()
{
    local cur prev words cword
    _init_completion || return

    local cmds="scan verify-bundle trust sign attest"
    local trust_opts="--trusted-root --staging --offline --tuf-url --tuf-root
        --trust-max-age --ca-bundle"
    local release_opts="--bundle --digest --policy --certificate-identity
        --certificate-oidc-issuer --allow-legacy-pgp -q --quiet --json --help
        $trust_opts"
    local sign_opts="--bundle --identity-token --oauth-out-of-band --no-browser
        --oidc-issuer --oidc-client-id --key --signing-config --fulcio-url
        --rekor-url --rekor-version --tsa-url --timestamp --output-dir
        --overwrite --dry-run --help $trust_opts"

    # The command is the first word that is one; otherwise the release mode.
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        scan | verify-bundle | trust | sign | attest) cmd=${words[i]}; break ;;
        -*) ;;
        *) break ;;
        esac
    done

    case $prev in
    --bundle)
        _filedir '@(sigstore|json)'
        return ;;
    --trusted-root | --tuf-root | --policy | --signing-config | --predicate)
        _filedir json
        return ;;
    --ca-bundle | --key)
        _filedir '@(pem|crt)'
        return ;;
    --manifest)
        _filedir '@(tsv|txt)'
        return ;;
    --output-dir)
        _filedir -d
        return ;;
    --identity-token)
        # @FILE keeps the token out of the process list.
        [[ $cur == @* ]] && { cur=${cur#@}; _filedir; COMPREPLY=("${COMPREPLY[@]/#/@}"); }
        return ;;
    --rekor-version)
        COMPREPLY=($(compgen -W "1 2" -- "$cur"))
        return ;;
    --trust-max-age)
        COMPREPLY=($(compgen -W "0 30m 1h 24h 2d" -- "$cur"))
        return ;;
    --digest)
        COMPREPLY=($(compgen -W "sha256:" -- "$cur"))
        compopt -o nospace
        return ;;
    --certificate-oidc-issuer | --oidc-issuer)
        COMPREPLY=($(compgen -W "https://github.com/login/oauth
            https://accounts.google.com https://token.actions.githubusercontent.com
            https://oauth2.sigstore.dev/auth" -- "$cur"))
        return ;;
    --certificate-identity | --certificate-identity-regexp | \
    --certificate-oidc-issuer-regexp | --tuf-url | --fulcio-url | \
    --rekor-url | --tsa-url | --oidc-client-id | --predicate-type | \
    -j | --jobs | --min-verified-times)
        return ;;
    esac

    case $cmd in
    "")
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$release_opts --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
            # Release files: source tarballs, installers, archives.
            _filedir '@(tgz|tar.xz|xz|exe|msi|zip|pkg|chm|json|tar.gz)'
        fi ;;
    scan)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--manifest --allow-outside-paths -j
                --jobs $release_opts" -- "$cur"))
        else
            _filedir -d
        fi ;;
    verify-bundle)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--bundle --certificate-identity
                --certificate-oidc-issuer --certificate-identity-regexp
                --certificate-oidc-issuer-regexp --key --min-verified-times
                --help $trust_opts" -- "$cur"))
        else
            _pyverify_artifacts
        fi ;;
    trust)
        local sub="" j
        for ((j = i + 1; j < cword; j++)); do
            case ${words[j]} in update | show | import) sub=${words[j]} ;; esac
        done
        if [[ -z $sub && $cur != -* ]]; then
            COMPREPLY=($(compgen -W "update show import" -- "$cur"))
        elif [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help $trust_opts" -- "$cur"))
        elif [[ $sub == import ]]; then
            _filedir json
        fi ;;
    sign)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$sign_opts" -- "$cur"))
        else
            _pyverify_artifacts
        fi ;;
    attest)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--predicate-type --predicate
                $sign_opts" -- "$cur"))
        else
            _pyverify_artifacts
        fi ;;
    esac
} &&
    complete -F _pyverify pyverify

# ex: filetype=sh
