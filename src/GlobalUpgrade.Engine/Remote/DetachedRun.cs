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
/// or in errors. What runs on the node is Remote/Scripts: run-folder.sh (start, status, follow), detached-wrapper.sh
/// and mask.sh (copied into the run folder as <c>run</c> and <c>mask</c>).
/// </summary>
public static partial class DetachedRun
{
    public const string DefaultRoot = "/var/lib/globalupgrade/runs";

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

    // once: the node script (run-folder.sh, start) first asks the run folder and does nothing but print StartedBefore
    // when the run started already.
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
        var script = NodeScript.Invoke(
            ["start", dir, workingDirectory, command, bytes.Length.ToString(CultureInfo.InvariantCulture), once ? "yes" : "no", precheck ?? "",
             NodeScript.Text(NodeScript.DetachedWrapper), NodeScript.Text(NodeScript.Mask), LogSink.Mask, LogSink.ShortSecretLength.ToString(CultureInfo.InvariantCulture)],
            NodeScript.RunFolder);
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

    // What the start-once script prints, and only that, when the run had started before (run-folder.sh).
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

    public static async Task<DetachedStatus> GetStatusAsync(IRemoteHost host, string root, string id, CancellationToken cancellationToken)
    {
        var script = NodeScript.Invoke(["status", Folder(root, id)], NodeScript.RunFolder);
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

    /// <summary>
    /// Streams the run's log from byte <paramref name="offset"/> into <paramref name="sink"/> until the run ends
    /// (then everything it wrote has been copied); over SSH compressed (<see cref="LogTransfer"/>). Cancelling stops
    /// the following only, never the run.
    /// </summary>
    /// <returns>The run's state once the following ended (read in the same command).</returns>
    public static Task<DetachedStatus> FollowAsync(IRemoteHost host, string root, string id, long offset, Stream sink, CancellationToken cancellationToken) =>
        RunFollowScriptAsync(host, ["follow", Folder(root, id), offset.ToString(CultureInfo.InvariantCulture), host.Target.IsLocal ? "no" : "yes"], id, sink, cancellationToken, LogTransfer.Decode);

    /// <summary>
    /// Watches the run by its tail only until it ends: every <paramref name="interval"/> (and once at the end) the
    /// node sends the log's size and its last <see cref="LogSink.TailCapacity"/> bytes past <paramref name="offset"/>,
    /// shown in <paramref name="sink"/> — nothing else crosses the network, whatever the log's size, and the full log
    /// stays in the run folder. The end is seen within 50 ms. Cancelling stops the watching only, never the run.
    /// </summary>
    public static Task<DetachedStatus> WatchTailAsync(IRemoteHost host, string root, string id, long offset, LogSink sink, TimeSpan interval, CancellationToken cancellationToken)
    {
        var ticks = Math.Max(1, (int)(interval.TotalMilliseconds / 50));
        return RunFollowScriptAsync(host,
            ["tail", Folder(root, id), offset.ToString(CultureInfo.InvariantCulture), ticks.ToString(CultureInfo.InvariantCulture), LogSink.TailCapacity.ToString(CultureInfo.InvariantCulture)],
            id, new TailFrameStream(sink, offset), cancellationToken);
    }

    // The log-pack functions go first: follow sends the log through them.
    private static async Task<DetachedStatus> RunFollowScriptAsync(IRemoteHost host, string[] arguments, string id, Stream output, CancellationToken cancellationToken, Func<Stream, Stream>? decodeOutput = null)
    {
        var script = NodeScript.Invoke(arguments, NodeScript.LogPack, NodeScript.RunFolder);
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
