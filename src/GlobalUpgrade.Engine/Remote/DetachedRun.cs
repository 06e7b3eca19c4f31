using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Remote;

/// <summary>What a detached run looks like on the node.</summary>
public enum DetachedState
{
    Running,
    Exited,

    /// <summary>The wrapper is gone without having written the exit file.</summary>
    Lost,

    /// <summary>The run folder exists but its wrapper never ran: the start was interrupted, nothing of the command ran.</summary>
    NotStarted,

    /// <summary>No run folder with that id.</summary>
    Missing,
}

public sealed record DetachedStatus(DetachedState State, int? ExitCode, long LogLength);

/// <summary>
/// Long commands that outlive the SSH session (or the pwsh process): each runs in a run folder
/// <c>&lt;root&gt;/&lt;id&gt;/</c> holding <c>cmd</c>, <c>cwd</c>, <c>log</c> (stdout+stderr), <c>pid</c> and, once it
/// ended, <c>exit</c>; a wrapper that leaves the starting process tree and session (double fork, setsid, stdio on
/// /dev/null) before it runs anything runs it, so a closed session, Ctrl+C, a killed process tree or a dropped
/// network do not stop it. Secrets travel on the start command's stdin straight into the wrapper's shell variables
/// (never a file); the command refers to them as "$NAME", so they never appear in <c>cmd</c>, on our command lines,
/// or in errors.
/// </summary>
public static partial class DetachedRun
{
    public const string DefaultRoot = "/var/lib/globalupgrade/runs";

    // Arguments: the run folder, the pid of the subshell that forked it, the byte count of the secrets on stdin.
    // 1. Detach for real before anything else: wait until that subshell has exited, so this wrapper is a child of
    //    init (or a subreaper) in a session of its own (setsid), with stdio on /dev/null — killing the starting
    //    process tree (a closed terminal, Process.Kill(true), Ctrl+C, a dropped SSH session) cannot reach it or the
    //    command from here on.
    // 2. Read the secrets (NAME base64 per line) from stdin — the start's stdin, never a file or a command line —
    //    into unexported variables; a start killed before they all arrived leaves nothing running (NotStarted).
    // 3. Record the pid, run the command as a child (pid in cpid) with its output appended to log, write exit
    //    atomically. Followers watch the child, which the wrapper reaps at once, not the wrapper: an orphaned wrapper
    //    may linger as a zombie where init reaps slowly. With secrets, the output is masked here, on the node, before
    //    it reaches the log (awk reads them from its own environment, readable only by the same user and root, never
    //    from a command line): every follower, attached or re-attached, reads the same masked log. Without secrets
    //    the command writes the log directly (no masking process, no copy).
    private const string Wrapper = """
        dir="$1"; gu_via="$2"; gu_want="$3"
        trap '' HUP
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
            # mawk (Debian's awk) fills its whole input buffer before it prints anything; -W interactive reads by line.
            gu_awk=awk; awk -W version 2>/dev/null | grep -q mawk && gu_awk="awk -W interactive"
            ( set -o pipefail
              ( eval "$(cat "$dir/cmd")" ) 2>&1 < /dev/null | ( for gu_n in $gu_names; do export "$gu_n"; done; GU_MASK_NAMES="$gu_names" exec $gu_awk "$(cat "$dir/mask")" )
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
        """;

    // The node-side twin of LogSink's masking (same mask, same rule for short secrets): line by line, flushed.
    private const string MaskProgram = """
        function alnum(c) { return c ~ /^[A-Za-z0-9]$/ }
        BEGIN { n = split(ENVIRON["GU_MASK_NAMES"], names, " "); for (i = 1; i <= n; i++) if (length(ENVIRON[names[i]]) > 0) secret[++k] = ENVIRON[names[i]] }
        {
          line = $0
          for (j = 1; j <= k; j++) {
            s = secret[j]; len = length(s); out = ""
            while ((p = index(line, s)) > 0) {
              if (len >= @MINLEN@ || (!alnum(substr(out line, length(out) + p - 1, 1)) && !alnum(substr(line, p + len, 1)))) {
                out = out substr(line, 1, p - 1) "@MASK@"; line = substr(line, p + len)
              } else {
                out = out substr(line, 1, p); line = substr(line, p + 1)
              }
            }
            line = out line
          }
          print line; fflush()
        }
        """;

    private static readonly string NodeMaskProgram = MaskProgram
        .Replace("@MINLEN@", LogSink.ShortSecretLength.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("@MASK@", LogSink.Mask, StringComparison.Ordinal);

    public static string NewId() =>
        DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

    public static string Folder(string root, string id) => root.TrimEnd('/') + "/" + ValidateId(id);

    public static string ValidateId(string id) =>
        IdPattern().IsMatch(id) ? id : throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidArgument, $"'{id}' is not a run id.", id);

    public static bool IsRunId(string id) => IdPattern().IsMatch(id);

    public static bool IsValidSecretName(string name) => SecretNamePattern().IsMatch(name);

    /// <summary>
    /// Starts <paramref name="command"/> (bash, may refer to the secrets as "$NAME") detached in
    /// <paramref name="workingDirectory"/>, and returns once the command runs (detached, its secrets read).
    /// </summary>
    /// <remarks>
    /// <paramref name="precheck"/> (optional) runs first in the same script, before anything is created: it may
    /// print to stdout (returned) and exit with a code that <paramref name="precheckFailure"/> turns into an error.
    /// </remarks>
    public static async Task<string> StartAsync(IRemoteHost host, string root, string id, string workingDirectory, string command, IReadOnlyDictionary<string, string> secrets, CancellationToken cancellationToken,
        string? precheck = null, Func<int, GlobalUpgradeException?>? precheckFailure = null) =>
        await StartCoreAsync(host, root, id, workingDirectory, command, secrets, once: false, precheck, precheckFailure, cancellationToken).ConfigureAwait(false);

    // once: the script first asks the run folder (the same state reader as GetStatusAsync) and does nothing but print
    // StartedBefore when the run started already; a folder left by an interrupted start is settled first. All in one
    // command: one round trip to the node instead of two or three before the vendor script runs.
    private static async Task<string> StartCoreAsync(IRemoteHost host, string root, string id, string workingDirectory, string command, IReadOnlyDictionary<string, string> secrets, bool once,
        string? precheck, Func<int, GlobalUpgradeException?>? precheckFailure, CancellationToken cancellationToken)
    {
        var input = new StringBuilder();
        foreach (var (name, value) in secrets)
        {
            if (!IsValidSecretName(name))
            {
                throw new ArgumentException($"'{name}' is not a valid secret variable name.", nameof(secrets));
            }

            input.Append(name).Append(' ').Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))).Append('\n');
        }

        var dir = Folder(root, id);
        var bytes = Encoding.UTF8.GetBytes(input.ToString());
        var startOnce = once ? $$"""
            dir={{RemoteHost.Quote(dir)}}
            {{StatusSnippet}}
            gu_state=$(gu_status); gu_state=${gu_state%% *}
            if [ "$gu_state" = NOTSTARTED ]; then
            {{SettleSnippet}}
              gu_state=$(gu_status); gu_state=${gu_state%% *}
            fi
            case "$gu_state" in MISSING|NOTSTARTED) ;; *) echo {{StartedBefore}}; exit 0 ;; esac

            """ : "";
        var script = startOnce + (precheck is null ? "" : "(\n" + precheck + "\n) || exit $?\n") + $$"""
            set -eu
            dir={{RemoteHost.Quote(dir)}}
            umask 077
            mkdir -p -- "$dir"
            if [ -e "$dir/cmd" ]; then echo "run folder $dir is already in use" >&2; exit 17; fi
            # Exactly the bytes sent (a count, never the content): no reliance on the channel's EOF.
            printf '%s\n' {{RemoteHost.Quote(command)}} > "$dir/cmd"
            printf '%s' {{RemoteHost.Quote(workingDirectory)}} > "$dir/cwd"
            printf '%s\n' {{RemoteHost.Quote(Wrapper)}} > "$dir/run"
            printf '%s\n' {{RemoteHost.Quote(NodeMaskProgram)}} > "$dir/mask"
            : > "$dir/log"
            # A subshell forks the wrapper and exits at once (a double fork); setsid gives it a session of its own.
            # Its stdin is ours (fd 3: a background command's stdin would be /dev/null), to read the secrets from.
            exec 3<&0
            ( gu_via=$BASHPID; setsid bash "$dir/run" "$dir" "$gu_via" {{bytes.Length.ToString(CultureInfo.InvariantCulture)}} <&3 3<&- > /dev/null 2>&1 & )
            exec 3<&-
            # Returns once the command runs (cpid) or ended (exit): "started" means the vendor script was launched.
            # Polled finely: this wait is part of every start's cost, and it is over within a few polls.
            i=0
            while [ ! -s "$dir/cpid" ] && [ ! -f "$dir/exit" ]; do
              i=$((i+1)); if [ "$i" -gt 6000 ]; then echo "the detached wrapper did not start" >&2; exit 1; fi
              sleep 0.005
            done
            """;
        try
        {
            var (exitCode, output, error) = await host.RunAsync(script, cancellationToken, bytes).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw precheckFailure?.Invoke(exitCode) ?? new GlobalUpgradeException(ErrorIds.RemoteCommandFailed, FailureCategory.InvalidOperation,
                    $"Could not start run {id} in {dir} on {host.Target.DisplayName} (exit code {exitCode}): {error.Trim()}", id);
            }

            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Starts a recorded run unless the node shows it started already: the second half of "record, then act". A run
    /// folder left by an interrupted start (its wrapper never ran) is removed first; a wrapper of that start still on its
    /// way (detaching, reading its secrets) is waited for, so it can never run next to a second one.
    /// </summary>
    /// <returns>What <see cref="StartAsync"/> returned when this call started the run; null when it had started before (nothing was done).</returns>
    public static async Task<string?> StartOnceAsync(IRemoteHost host, string root, string id, string workingDirectory, string command, IReadOnlyDictionary<string, string> secrets, CancellationToken cancellationToken,
        string? precheck = null, Func<int, GlobalUpgradeException?>? precheckFailure = null)
    {
        var output = await StartCoreAsync(host, root, id, workingDirectory, command, secrets, once: true, precheck, precheckFailure, cancellationToken).ConfigureAwait(false);
        return string.Equals(output.TrimEnd('\n'), StartedBefore, StringComparison.Ordinal) ? null : output;
    }

    // What the start-once script prints, and only that, when the run had started before.
    private const string StartedBefore = "GU-STARTED-BEFORE";

    /// <summary>The run's own log on the node.</summary>
    public static string LogOf(string runFolder) => runFolder.TrimEnd('/') + "/log";

    /// <summary>The root a recorded run folder (<c>&lt;root&gt;/&lt;id&gt;</c>) lives in.</summary>
    public static string RootOf(string runFolder, string id) =>
        Split(runFolder) is var (root, folderId) && string.Equals(folderId, id, StringComparison.Ordinal)
            ? root
            : throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, $"The record of run {id} has an unexpected run folder '{runFolder}'.", id);

    /// <summary>A recorded run folder as its root and run id; throws RunStateInvalid for anything else.</summary>
    public static (string Root, string Id) Split(string runFolder)
    {
        var folder = runFolder.TrimEnd('/');
        var slash = folder.LastIndexOf('/');
        return slash > 0 && IsRunId(folder[(slash + 1)..])
            ? (folder[..slash], folder[(slash + 1)..])
            : throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, $"'{runFolder}' is not a run folder (<root>/<run id>).", runFolder);
    }

    // A start that was killed may have left its wrapper on its way (detaching, reading its secrets): wait until no
    // process runs "$dir/run" (argv compared exactly, by bash builtins), then remove the folder unless it started.
    private const string SettleSnippet = """
        gu_wrapper_alive() {
          local p a
          for p in /proc/[0-9]*; do
            [ "${p#/proc/}" = "$$" ] && continue
            while IFS= read -r -d '' a; do [ "$a" = "$dir/run" ] && return 0; done < "$p/cmdline" 2>/dev/null
          done
          return 1
        }
        i=0
        while gu_wrapper_alive && [ ! -s "$dir/pid" ]; do
          i=$((i+1)); if [ "$i" -gt 1200 ]; then echo "the wrapper of an interrupted start of $dir neither started nor ended" >&2; exit 1; fi
          sleep 0.025
        done
        [ -s "$dir/pid" ] || [ -f "$dir/exit" ] || rm -rf -- "$dir"

        """;

    // Prints "STATE code-or-pid log-size" for the run folder in $dir.
    private const string StatusSnippet = """
        gu_status() {
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
        """;

    public static async Task<DetachedStatus> GetStatusAsync(IRemoteHost host, string root, string id, CancellationToken cancellationToken)
    {
        var script = $"dir={RemoteHost.Quote(Folder(root, id))}\n{StatusSnippet}\ngu_status\n";
        var output = await host.RunCheckedAsync(script, $"read the state of run {id}", cancellationToken).ConfigureAwait(false);
        return ParseStatus(output.Trim(), id, host);
    }

    private static DetachedStatus ParseStatus(string line, string id, IRemoteHost host)
    {
        var fields = line.Split(' ');
        if (fields.Length != 3 || !long.TryParse(fields[2], CultureInfo.InvariantCulture, out var size))
        {
            throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData,
                $"The run folder of {id} on {host.Target.DisplayName} holds unexpected state: '{line}'.", id);
        }

        return fields[0] switch
        {
            "EXITED" when int.TryParse(fields[1], CultureInfo.InvariantCulture, out var code) => new DetachedStatus(DetachedState.Exited, code, size),
            "EXITED" => throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, $"The exit file of run {id} holds '{fields[1]}'.", id),
            "RUNNING" => new DetachedStatus(DetachedState.Running, null, size),
            "LOST" => new DetachedStatus(DetachedState.Lost, null, size),
            "NOTSTARTED" => new DetachedStatus(DetachedState.NotStarted, null, size),
            _ => new DetachedStatus(DetachedState.Missing, null, 0),
        };
    }

    // Shared by the two ways of following a run: the run folder in $dir; no log means the run never started (or its
    // folder is gone): say so instead of failing. Then wait (briefly) until the command runs, and set $cpid.
    private const string FollowPrologue = """
        [ -f "$dir/log" ] || { echo "GU-STATUS $(gu_status)" >&2; exit 0; }
        pid=$(cat -- "$dir/pid" 2>/dev/null || true)
        alive() { [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$dir"; }
        i=0
        while [ ! -s "$dir/cpid" ] && [ ! -f "$dir/exit" ] && alive && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i+1)); done
        cpid=$(cat -- "$dir/cpid" 2>/dev/null || true)
        running() { [ ! -f "$dir/exit" ] && [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; }
        """;

    // The command ended; the wrapper writes exit right after (within a few ms): wait for it, polled finely (this
    // wait ends every attached run), then report the state on stderr.
    private const string FollowEpilogue = """
        i=0
        while [ ! -f "$dir/exit" ] && alive && [ "$i" -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
        echo "GU-STATUS $(gu_status)" >&2
        exit 0
        """;

    /// <summary>
    /// Streams the run's log from byte <paramref name="offset"/> into <paramref name="sink"/> until the run ends
    /// (then everything it wrote has been copied); over SSH compressed (<see cref="LogTransfer"/>). Cancelling stops
    /// the following only, never the run.
    /// </summary>
    /// <returns>The run's state once the following ended (read in the same command).</returns>
    public static Task<DetachedStatus> FollowAsync(IRemoteHost host, string root, string id, long offset, Stream sink, CancellationToken cancellationToken) =>
        RunFollowScriptAsync(host, root, id, $$"""
            gu_compress={{(host.Target.IsLocal ? "no" : "yes")}}
            {{LogTransfer.NodeSelect}}
            # Reads in large blocks (not tail -f, which reads and writes 8 KB at a time: more syscalls here, more and
            # smaller SSH packets for both ends to encrypt and decrypt). fd 3 keeps the position between the reads;
            # dd moves it to the offset, reading nothing.
            exec 3< "$dir/log" || exit 4
            dd iflag=skip_bytes skip={{offset.ToString(CultureInfo.InvariantCulture)}} count=0 status=none <&3 || exit 4
            # While the log is quiet the pause between reads doubles up to 1 s (a sync is quiet for minutes at a time);
            # any new byte brings it back to 50 ms. The position is fd 3's own (builtins only: no process per read).
            gu_at() { local k v; gu_pos=; while read -r k v; do [ "$k" = pos: ] && gu_pos=$v; done < "/proc/$$/fdinfo/3"; } 2> /dev/null
            gu_ms=50; gu_last=
            while :; do
              # Asked before the read: once the command has ended, that read takes everything it wrote.
              if running; then more=yes; else more=no; fi
              $gu_pack <&3 || exit 4
              [ "$more" = yes ] || break
              gu_at
              if [ -n "$gu_pos" ] && [ "$gu_pos" = "$gu_last" ]; then gu_ms=$((gu_ms * 2)); [ "$gu_ms" -gt 1000 ] && gu_ms=1000; else gu_ms=50; fi
              gu_last=$gu_pos
              printf -v gu_pause '%d.%03d' $((gu_ms / 1000)) $((gu_ms % 1000))
              sleep "$gu_pause"
            done
            exec 3<&-
            """, sink, cancellationToken, LogTransfer.Decode);

    /// <summary>
    /// Watches the run by its tail only until it ends: every <paramref name="interval"/> (and once at the end) the
    /// node sends the log's size and its last <see cref="LogSink.TailCapacity"/> bytes past <paramref name="offset"/>,
    /// shown in <paramref name="sink"/> — nothing else crosses the network, whatever the log's size, and the full log
    /// stays in the run folder. The end is seen within 50 ms. Cancelling stops the watching only, never the run.
    /// </summary>
    public static Task<DetachedStatus> WatchTailAsync(IRemoteHost host, string root, string id, long offset, LogSink sink, TimeSpan interval, CancellationToken cancellationToken)
    {
        var ticks = Math.Max(1, (int)(interval.TotalMilliseconds / 50));
        return RunFollowScriptAsync(host, root, id, $$"""
            offset={{offset.ToString(CultureInfo.InvariantCulture)}}
            # A frame: "GU-TAIL <size> <n>" and exactly the n bytes before <size> (never before the offset); the log
            # only grows, so those bytes are there whatever it wrote since the size was read.
            frame() {
              local size from n
              size=$(stat -c %s -- "$dir/log" 2>/dev/null || echo 0)
              from=$((size - {{LogSink.TailCapacity.ToString(CultureInfo.InvariantCulture)}})); [ "$from" -lt "$offset" ] && from=$offset
              n=$((size - from)); [ "$n" -lt 0 ] && n=0
              printf 'GU-TAIL %s %s\n' "$size" "$n"
              [ "$n" -eq 0 ] || dd if="$dir/log" iflag=skip_bytes,count_bytes skip="$from" count="$n" bs=64k status=none || exit 4
            }
            i=0
            while running; do
              [ $((i % {{ticks.ToString(CultureInfo.InvariantCulture)}})) -eq 0 ] && frame
              i=$((i+1)); sleep 0.05
            done
            frame
            """, new TailFrameStream(sink, offset), cancellationToken);
    }

    private static async Task<DetachedStatus> RunFollowScriptAsync(IRemoteHost host, string root, string id, string body, Stream output, CancellationToken cancellationToken, Func<Stream, Stream>? decodeOutput = null)
    {
        var script = StatusSnippet + "\n" + $"dir={RemoteHost.Quote(Folder(root, id))}\n" + FollowPrologue + "\n" + body + "\n" + FollowEpilogue + "\n";
        RemoteCommandResult result;
        try
        {
            result = await host.ExecuteAsync(script, default, output, cancellationToken, decodeOutput).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or ZstdSharp.ZstdException)
        {
            throw new GlobalUpgradeException(ErrorIds.RunStateInvalid, FailureCategory.InvalidData,
                $"The log of run {id} came from {host.Target.DisplayName} damaged ({ex.Message}); what arrived before is kept, and re-attaching copies the rest. The run goes on on the node.", id, ex);
        }

        var status = result.Error.Split('\n').LastOrDefault(l => l.StartsWith("GU-STATUS ", StringComparison.Ordinal));
        if (result.ExitCode != 0 || status is null)
        {
            throw new GlobalUpgradeException(ErrorIds.RemoteCommandFailed, FailureCategory.InvalidOperation,
                $"Could not follow the log of run {id} on {host.Target.DisplayName} (exit code {result.ExitCode}): {result.Error.Trim()}", id);
        }

        return ParseStatus(status["GU-STATUS ".Length..].Trim(), id, host);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Z_][A-Z0-9_]{0,63}$")]
    private static partial Regex SecretNamePattern();
}
