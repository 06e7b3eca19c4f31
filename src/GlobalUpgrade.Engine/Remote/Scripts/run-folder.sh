# shellcheck shell=bash
# What DetachedRun.cs does with a run folder on the node: sent to bash -c as "set -- <operation> <run folder> <arguments>",
# then log-pack.sh, then this file. The run folder holds cmd, cwd, run (detached-wrapper.sh), mask (mask.sh), log
# (stdout+stderr), pid, cpid and, once the command ended, exit.
#   status <dir>                          prints "STATE code-or-pid log-size"
#   start <dir> <cwd> <command> <secret bytes> <once: yes|no> <precheck> <wrapper> <mask program> <mask> <short length>
#   follow <dir> <offset> <compress: yes|no>
#   tail <dir> <offset> <ticks> <tail bytes>

# Prints "STATE code-or-pid log-size" for the run folder in $dir.
gu_status() {
  local size pid
  [ -d "$dir" ] || { echo MISSING 0 0; return; }
  size=$(stat -c %s -- "$dir/log" 2>/dev/null || echo 0)
  if [ -f "$dir/exit" ]; then echo "EXITED $(cat -- "$dir/exit") $size"; return; fi
  pid=$(cat -- "$dir/pid" 2>/dev/null || true)
  if [ -z "$pid" ]; then echo "NOTSTARTED 0 $size"; return; fi
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$dir"; then
    echo "RUNNING $pid $size"
  elif [ -f "$dir/exit" ]; then
    echo "EXITED $(cat -- "$dir/exit") $size"
  else
    echo "LOST 0 $size"
  fi
}

# A start that was killed may have left its wrapper on its way (detaching, reading its secrets): wait until no
# process runs "$dir/run" (argv compared exactly, by bash builtins), then remove the folder unless it started.
gu_settle() {
  local i=0
  while gu_wrapper_alive && [ ! -s "$dir/pid" ]; do
    i=$((i+1)); if [ "$i" -gt 1200 ]; then echo "the wrapper of an interrupted start of $dir neither started nor ended" >&2; exit 1; fi
    sleep 0.025
  done
  [ -s "$dir/pid" ] || [ -f "$dir/exit" ] || rm -rf -- "$dir"
}

gu_wrapper_alive() {
  local p a
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    while IFS= read -r -d '' a; do [ "$a" = "$dir/run" ] && return 0; done < "$p/cmdline" 2>/dev/null
  done
  return 1
}

# Creates the run folder and starts the wrapper detached; returns once the command runs (cpid) or ended (exit):
# "started" means the vendor script was launched. With once=yes it first asks the run folder and does nothing but
# print GU-STARTED-BEFORE when the run started already (a folder left by an interrupted start is settled first): one
# round trip to the node instead of two or three before the vendor script runs. The precheck (may be empty) runs
# before anything is created; its stdout is ours, its failure our exit code.
gu_start() {
  local cwd=$1 command=$2 want=$3 once=$4 precheck=$5 wrapper=$6 mask_program=$7 mask=$8 short=$9 state i
  if [ "$once" = yes ]; then
    state=$(gu_status); state=${state%% *}
    if [ "$state" = NOTSTARTED ]; then
      gu_settle
      state=$(gu_status); state=${state%% *}
    fi
    case "$state" in MISSING|NOTSTARTED) ;; *) echo GU-STARTED-BEFORE; exit 0 ;; esac
  fi
  if [ -n "$precheck" ]; then ( eval "$precheck" ) || exit $?; fi
  set -eu
  umask 077
  mkdir -p -- "$dir"
  if [ -e "$dir/cmd" ]; then echo "run folder $dir is already in use" >&2; exit 17; fi
  printf '%s\n' "$command" > "$dir/cmd"
  printf '%s' "$cwd" > "$dir/cwd"
  printf '%s' "$wrapper" > "$dir/run"
  printf '%s' "$mask_program" > "$dir/mask"
  : > "$dir/log"
  # A subshell forks the wrapper and exits at once (a double fork); setsid gives it a session of its own.
  # Its stdin is ours (fd 3: a background command's stdin would be /dev/null), to read the secrets from: exactly
  # the bytes sent (a count, never the content), no reliance on the channel's EOF.
  exec 3<&0
  ( gu_via=$BASHPID; setsid bash "$dir/run" "$dir" "$gu_via" "$want" "$mask" "$short" <&3 3<&- > /dev/null 2>&1 & )
  exec 3<&-
  # Polled finely: this wait is part of every start's cost, and it is over within a few polls.
  i=0
  while [ ! -s "$dir/cpid" ] && [ ! -f "$dir/exit" ]; do
    i=$((i+1)); if [ "$i" -gt 6000 ]; then echo "the detached wrapper did not start" >&2; exit 1; fi
    sleep 0.005
  done
}

# Shared by the two ways of following a run: no log means the run never started (or its folder is gone): say so
# instead of failing. Then wait (briefly) until the command runs, and set $cpid.
gu_follow_begin() {
  local i=0
  [ -f "$dir/log" ] || { echo "GU-STATUS $(gu_status)" >&2; exit 0; }
  pid=$(cat -- "$dir/pid" 2>/dev/null || true)
  while [ ! -s "$dir/cpid" ] && [ ! -f "$dir/exit" ] && alive && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i+1)); done
  cpid=$(cat -- "$dir/cpid" 2>/dev/null || true)
}

alive() { [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$dir"; }
running() { [ ! -f "$dir/exit" ] && [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; }

# The command ended; the wrapper writes exit right after (within a few ms): wait for it, polled finely (this wait
# ends every attached run), then report the state on stderr.
gu_follow_end() {
  local i=0
  while [ ! -f "$dir/exit" ] && alive && [ "$i" -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
  echo "GU-STATUS $(gu_status)" >&2
  exit 0
}

# Streams the log from the offset until the run ends (then everything it wrote has been sent), through gu_pack.
# Reads in large blocks (not tail -f, which reads and writes 8 KB at a time: more syscalls here, more and smaller
# SSH packets for both ends to encrypt and decrypt). fd 3 keeps the position between the reads; dd moves it to the
# offset, reading nothing.
gu_follow() {
  local offset=$1 compress=$2 more gu_ms=50 gu_last='' gu_pause
  gu_follow_begin
  gu_select_pack "$compress"
  exec 3< "$dir/log" || exit 4
  dd iflag=skip_bytes skip="$offset" count=0 status=none <&3 || exit 4
  # While the log is quiet the pause between reads doubles up to 1 s (a sync is quiet for minutes at a time); any
  # new byte brings it back to 50 ms. The position is fd 3's own (builtins only: no process per read).
  while :; do
    # Asked before the read: once the command has ended, that read takes everything it wrote.
    if running; then more=yes; else more=no; fi
    gu_pack <&3 || exit 4
    [ "$more" = yes ] || break
    gu_at
    if [ -n "$gu_pos" ] && [ "$gu_pos" = "$gu_last" ]; then gu_ms=$((gu_ms * 2)); [ "$gu_ms" -gt 1000 ] && gu_ms=1000; else gu_ms=50; fi
    gu_last=$gu_pos
    printf -v gu_pause '%d.%03d' $((gu_ms / 1000)) $((gu_ms % 1000))
    sleep "$gu_pause"
  done
  exec 3<&-
  gu_follow_end
}

# Sets gu_pos to fd 3's position.
gu_at() { local k v; gu_pos=; while read -r k v; do [ "$k" = pos: ] && gu_pos=$v; done < "/proc/$$/fdinfo/3"; } 2> /dev/null

# Watches the run by its tail only until it ends: every <ticks> polls of 50 ms (and once at the end) a frame
# "GU-TAIL <size> <n>" and exactly the n bytes before <size> (at most <tail bytes>, never before the offset); the log
# only grows, so those bytes are there whatever it wrote since the size was read.
gu_tail() {
  local offset=$1 ticks=$2 capacity=$3 i=0
  gu_follow_begin
  while running; do
    [ $((i % ticks)) -eq 0 ] && gu_frame
    i=$((i+1)); sleep 0.05
  done
  gu_frame
  gu_follow_end
}

gu_frame() {
  local size from n
  size=$(stat -c %s -- "$dir/log" 2>/dev/null || echo 0)
  from=$((size - capacity)); [ "$from" -lt "$offset" ] && from=$offset
  n=$((size - from)); [ "$n" -lt 0 ] && n=0
  printf 'GU-TAIL %s %s\n' "$size" "$n"
  [ "$n" -eq 0 ] || dd if="$dir/log" iflag=skip_bytes,count_bytes skip="$from" count="$n" bs=64k status=none || exit 4
}

gu_operation=$1; dir=$2; shift 2
case "$gu_operation" in
  status) gu_status ;;
  start) gu_start "$@" ;;
  follow) gu_follow "$@" ;;
  tail) gu_tail "$@" ;;
  *) echo "unknown operation $gu_operation" >&2; exit 2 ;;
esac
