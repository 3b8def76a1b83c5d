# fish completion for mapsh. Every candidate comes from `mapsh __complete`,
# which reads mapsh's command tables and the maps themselves: commands, map
# names, the verbs of a map's type, key and value field names, enum,
# protocol and interface names, files.

function __mapsh_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    command $tokens[1] __complete --describe -- $tokens[2..-1] $cur 2>/dev/null
end

complete -c mapsh -f -a '(__mapsh_complete)'
