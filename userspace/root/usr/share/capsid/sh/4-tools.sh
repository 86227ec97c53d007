# find, sort, sed, awk, grep, xargs, tar.
cd /usr/share/capsid
find . -name '*.txt' | sort
find . -type d | sort | head -n 3
printf 'b 2\na 1\nc 3\n' | sort -k2 -n | awk '{ print $1 "=" $2 * 10 }'
sed -e 's/capability/CAPABILITY/' -e 's/Linux/linux/g' /etc/motd
grep -c . /etc/passwd
grep -n root /etc/passwd | cut -d: -f1-2
echo alpha.txt beta.txt | xargs -n 1 echo file:
find . -name '*.txt' | sort | xargs cat | wc -c
awk 'BEGIN { for (i = 1; i <= 5; i++) s += i; print "awk sum", s }'
mkdir -p /tmp/tar-test && cd /tmp/tar-test
tar -cf /tmp/archive.tar -C /usr/share/capsid alpha.txt beta.txt
tar -tf /tmp/archive.tar | sort
tar -xf /tmp/archive.tar && cat alpha.txt | head -n 1
cd / && rm -rf /tmp/tar-test /tmp/archive.tar
echo hello | tr a-z A-Z | rev
seq 1 5 | paste -sd+ | bc 2>/dev/null || seq 1 5 | awk '{ s += $1 } END { print s }'
