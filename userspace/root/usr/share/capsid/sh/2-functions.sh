# Functions, arithmetic loops, read, test, case.
square() { echo $(( $1 * $1 )); }
total=0
i=1
while [ $i -le 10 ]; do total=$((total + $(square $i))); i=$((i + 1)); done
echo "sum of squares: $total"
for word in alpha beta gamma; do
  case $word in
    a*) echo "$word starts with a";;
    b*) echo "$word starts with b";;
    *) echo "$word is something else";;
  esac
done
check() { [ "$1" -gt 5 ] && return 0; return 3; }
check 7; echo "check 7: $?"
check 2; echo "check 2: $?"
printf 'one 1\ntwo 2\nthree 3\n' > /tmp/pairs
while read name number; do echo "$number=$name"; done < /tmp/pairs
read -r first rest <<END
first word and the rest
END
echo "[$first] [$rest]"
test -d /etc && echo "/etc is a directory"
test -f /etc/motd && echo "/etc/motd is a file"
[ -e /no/such ] || echo "/no/such does not exist"
[ abc = abc ] && [ 3 -lt 4 ] && echo "comparisons hold"
n=0; until [ $n -ge 3 ]; do n=$((n + 1)); done; echo "until: $n"
echo "$((17 / 5)) $((17 % 5)) $((2 ** 10)) $((-7 + 3))"
rm -f /tmp/pairs
