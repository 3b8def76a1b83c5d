# bash completion for mapsh                                -*- shell-script -*-
# Every candidate comes from `mapsh __complete`, which reads mapsh's command
# tables and the maps themselves: commands, map names, the verbs of a map's
# type, key and value field names, enum/protocol/interface names, files.

_mapsh()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]:-mapsh}
    local line word prefix="" wb c i
    local -a cands
    local IFS=$'\n'

    COMPREPLY=()
    if [[ -n ${COMP_LINE+set} && -n ${COMP_POINT+set} ]]; then
        # The raw line keeps field=value and a:b together, which
        # COMP_WORDS splits at COMP_WORDBREAKS.
        line=${COMP_LINE:0:COMP_POINT}
        cands=($(command "$prog" __complete --line "$line" 2>/dev/null))
        # The candidates replace mapsh's whole word; bash replaces only
        # the part after the last word-break character, so strip the rest.
        word=${line##*[[:blank:]]}
        wb=${COMP_WORDBREAKS-$' \t\n"\'><=;|&(:'}
        for ((i = ${#word} - 1; i >= 0; i--)); do
            if [[ ${word:i:1} != [[:blank:]] && $wb == *"${word:i:1}"* ]]; then
                prefix=${word:0:i+1}
                break
            fi
        done
    else
        cands=($(command "$prog" __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
    fi
    for c in "${cands[@]}"; do
        [[ -n $prefix && $c == "$prefix"* ]] && c=${c#"$prefix"}
        COMPREPLY+=("$c")
    done
    # field=, directories/ and lists, need more: no space after them.
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=/,] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

complete -F _mapsh mapsh
