#!/bin/sh
echo "args.sh: \$0=$0 \$#=$# $*"
exit 3
