#!/usr/bin/env bash
# Masks known secrets in a log on the node, line by line, each line written as soon as it is read: the node-side twin
# of LogSink's masking, both held to tests/fixtures/masking/vectors.json.
#   GU_MASK_NAMES="NAME ..." NAME=secret ... bash mask.sh <mask> <short secret length> < log > masked log
# The secrets come from the environment by name (never from a command line), the longest first; the empty ones are
# ignored. A secret is replaced by <mask> wherever it occurs within a line; one shorter than <short secret length>
# bytes only where no ASCII letter or digit stands right before or after it (a short password must not wreck the log
# by masking it inside every word), the start and end of a line, and a mask written just before, counting as none.
# Bytes, not characters (LC_ALL=C): the same lengths and boundaries as LogSink whatever the node's locale and awk.
set -eu
gu_awk=(awk)
# mawk (Debian's awk) fills its whole input buffer before it prints anything; -W interactive reads by line.
if awk -W version < /dev/null 2> /dev/null | grep -q mawk; then gu_awk=(awk -W interactive); fi
# shellcheck disable=SC2016 # an awk program: its $ are awk's
GU_MASK=$1 GU_MASK_SHORT=$2 LC_ALL=C exec "${gu_awk[@]}" '
  function alnum(c) { return c ~ /^[A-Za-z0-9]$/ }
  BEGIN {
    mask = ENVIRON["GU_MASK"]; short = ENVIRON["GU_MASK_SHORT"] + 0
    n = split(ENVIRON["GU_MASK_NAMES"], names, " ")
    for (i = 1; i <= n; i++) {
      s = ENVIRON[names[i]]
      if (length(s) == 0) continue
      # Longest first (stable): a secret that holds another is masked whole, not around the shorter one.
      for (j = ++k; j > 1 && length(secret[j - 1]) < length(s); j--) secret[j] = secret[j - 1]
      secret[j] = s
    }
  }
  {
    line = $0
    for (j = 1; j <= k; j++) {
      s = secret[j]; len = length(s); out = ""
      while ((p = index(line, s)) > 0) {
        # What stands right before: none at the line start (checked apart: mawk reads substr(x, 0, 1) as the first).
        b = length(out) + p - 1
        if (len >= short || ((b < 1 || !alnum(substr(out line, b, 1))) && !alnum(substr(line, p + len, 1)))) {
          out = out substr(line, 1, p - 1) mask; line = substr(line, p + len)
        } else {
          out = out substr(line, 1, p); line = substr(line, p + 1)
        }
      }
      line = out line
    }
    print line; fflush()
  }'
