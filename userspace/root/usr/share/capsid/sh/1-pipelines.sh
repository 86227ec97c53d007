# Pipelines, redirections, here-documents, subshells, command substitution.
printf 'pear\napple\nfig\napple\n' | sort | uniq -c | sort -rn | head -n 2
echo "words: $(echo one two three | wc -w)"
cd /tmp
echo first > out.txt
echo second >> out.txt
cat < out.txt
wc -l < out.txt
cat <<END
here-document with $((2 + 3)) and `echo backquotes`
END
cat <<'END'
quoted: $HOME is not expanded
END
(cd /; echo "subshell in $(pwd)")
echo "back in $(pwd)"
x=outer; (x=inner; echo "in the subshell: $x"); echo "after it: $x"
{ echo grouped; echo lines; } | tr a-z A-Z
echo to-stderr 1>&2 2>/dev/null
ls /no/such/path 2>/dev/null || echo "ls failed with $?"
exec 3>/tmp/fd3.txt; echo "through fd 3" >&3; exec 3>&-; cat /tmp/fd3.txt
set -- a "b c" d; echo "$# arguments: $2"
rm -f out.txt fd3.txt
