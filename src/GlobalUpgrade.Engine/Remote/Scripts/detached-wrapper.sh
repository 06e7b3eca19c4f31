#!/usr/bin/env bash
# The wrapper of a detached run (DetachedRun.cs): the start copies it into the run folder as "run" and starts it as
#   setsid bash <run folder>/run <run folder> <pid of the forking subshell> <bytes of secrets on stdin> <mask> <short secret length>
# 1. Detach for real before anything else: wait until that subshell has exited, so this wrapper is a child of init
#    (or a subreaper) in a session of its own (setsid), with stdio on /dev/null — killing the starting process tree
#    (a closed terminal, Process.Kill(true), Ctrl+C, a dropped SSH session) cannot reach it or the command from here on.
# 2. Read the secrets (NAME base64 per line) from stdin — the start's stdin, never a file or a command line — into
#    unexported variables; a start killed before they all arrived leaves nothing running (NotStarted).
# 3. Record the pid, run the command as a child (pid in cpid) with its output appended to log, write exit atomically.
#    Followers watch the child, which the wrapper reaps at once, not the wrapper: an orphaned wrapper may linger as a
#    zombie where init reaps slowly. With secrets, the output is masked here, on the node, before it reaches the log
#    (mask.sh, copied as "mask", reads them from its own environment, readable only by the same user and root, never
#    from a command line): every follower, attached or re-attached, reads the same masked log. Without secrets the
#    command writes the log directly (no masking process, no copy).
dir="$1"; gu_via="$2"; gu_want="$3"; gu_mask="$4"; gu_short="$5"
trap '' HUP
# shellcheck disable=SC2086 # the fields of /proc/<pid>/stat after the command name are split on purpose
gu_ppid() { local s; read -r s < "/proc/$$/stat" || return 1; s=${s##*) }; set -- $s; echo "$2"; }
while [ "$(gu_ppid)" = "$gu_via" ]; do sleep 0.005; done
gu_names=""
if [ "$gu_want" -gt 0 ]; then
  gu_in=$(head -c "$gu_want"; echo x); gu_in=${gu_in%x}
  [ "${#gu_in}" -eq "$gu_want" ] || exit 0
  while [ -n "$gu_in" ]; do
    gu_line=${gu_in%%$'\n'*}; gu_in=${gu_in#*$'\n'}
    gu_name=${gu_line%% *}
    printf -v "$gu_name" '%s' "$(printf '%s' "${gu_line#* }" | base64 -d)" && gu_names="$gu_names $gu_name"
  done
fi
exec < /dev/null
unset gu_in gu_line gu_name
echo "$$" > "$dir/pid.tmp" && mv -f -- "$dir/pid.tmp" "$dir/pid"
if cd -- "$(cat "$dir/cwd")"; then
  if [ -n "$gu_names" ]; then
    ( set -o pipefail
      ( eval "$(cat "$dir/cmd")" ) 2>&1 < /dev/null | ( for gu_n in $gu_names; do export "${gu_n?}"; done; GU_MASK_NAMES="$gu_names" exec bash "$dir/mask" "$gu_mask" "$gu_short" )
    ) >> "$dir/log" 2>&1 < /dev/null &
  else
    ( eval "$(cat "$dir/cmd")" ) >> "$dir/log" 2>&1 < /dev/null &
  fi
  gu_child=$!
  echo "$gu_child" > "$dir/cpid"
  wait "$gu_child"
  gu_code=$?
else
  echo "cannot enter $(cat "$dir/cwd")" >> "$dir/log"
  gu_code=127
fi
echo "$gu_code" > "$dir/exit.tmp" && mv -f -- "$dir/exit.tmp" "$dir/exit"
