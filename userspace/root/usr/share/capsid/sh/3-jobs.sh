# Background jobs and wait, exit statuses, traps.
(sleep 0.2; exit 4) &
first=$!
(exit 5) &
second=$!
wait $second; echo "second job: $?"
wait $first; echo "first job: $?"
for i in 1 2 3; do (echo "job $i" > /tmp/job.$i) & done
wait
cat /tmp/job.1 /tmp/job.2 /tmp/job.3
rm -f /tmp/job.1 /tmp/job.2 /tmp/job.3
trap 'echo "caught USR1"' USR1
kill -USR1 $$
echo "after the signal"
trap 'echo "exit trap runs"' EXIT
sh -c 'exit 42'; echo "child shell: $?"
sh -c 'kill -TERM $$'; echo "killed child: $?"
false; echo "false: $?"
