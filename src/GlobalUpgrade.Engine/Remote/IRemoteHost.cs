using System.Text;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Remote;

/// <summary>
/// A machine that runs bash scripts: this one (<see cref="LocalHost"/>) or a node over SSH (<see cref="SshHost"/>).
/// Scripts are passed as bash's -c argument, so they must never contain a secret; secrets go through
/// <c>input</c> (the script's stdin).
/// </summary>
public interface IRemoteHost : IDisposable
{
    RemoteTarget Target { get; }

    /// <summary>False once the connection is known to be gone (a dropped SSH session); this machine is always there.</summary>
    bool IsConnected { get; }

    /// <summary>
    /// Runs a bash script, writes its stdin from <paramref name="input"/> then closes it, streams its stdout into
    /// <paramref name="output"/> as it comes and returns its exit code with the first few KB of stderr.
    /// Cancelling stops the script (never a detached run it started).
    /// </summary>
    /// <param name="decodeOutput">Wraps the script's raw stdout before it is copied (a stream the node compressed); null copies it as it is.</param>
    Task<RemoteCommandResult> ExecuteAsync(string script, ReadOnlyMemory<byte> input, Stream output, CancellationToken cancellationToken, Func<Stream, Stream>? decodeOutput = null);
}

public sealed record RemoteCommandResult(int ExitCode, string Error);

public static class RemoteHost
{
    /// <summary>Opens the target: this machine, or an SSH connection whose host key has been verified.</summary>
    public static async Task<IRemoteHost> OpenAsync(RemoteTarget target, CancellationToken cancellationToken) =>
        target.IsLocal ? new LocalHost() : await SshHost.ConnectAsync(target, cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a short script and returns its stdout as text (bounded to 1 MB).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(this IRemoteHost host, string script, CancellationToken cancellationToken, ReadOnlyMemory<byte> input = default)
    {
        using var output = new BoundedMemoryStream(1024 * 1024);
        var result = await host.ExecuteAsync(script, input, output, cancellationToken).ConfigureAwait(false);
        return (result.ExitCode, Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length), result.Error);
    }

    /// <summary>Runs a short script that must succeed.</summary>
    public static async Task<string> RunCheckedAsync(this IRemoteHost host, string script, string what, CancellationToken cancellationToken, ReadOnlyMemory<byte> input = default)
    {
        var (exitCode, output, error) = await host.RunAsync(script, cancellationToken, input).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new GlobalUpgradeException(ErrorIds.RemoteCommandFailed, FailureCategory.InvalidOperation,
                $"Could not {what} on {host.Target.DisplayName} (exit code {exitCode}): {error.Trim()}", host.Target.ComputerName);
        }

        return output;
    }

    /// <summary>
    /// Copies a command's stdout through <paramref name="decode"/> (when given) with <paramref name="copy"/>, then
    /// disposes the decoder (a decompressor holds native memory) — never the raw stream, which its command owns.
    /// </summary>
    internal static async Task CopyDecodedAsync(Stream raw, Func<Stream, Stream>? decode, Func<Stream, Task> copy)
    {
        var decoded = decode is null ? raw : decode(raw);
        try
        {
            await copy(decoded).ConfigureAwait(false);
        }
        finally
        {
            if (!ReferenceEquals(decoded, raw))
            {
                await decoded.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Quotes a value for bash: single quotes, with embedded ones escaped.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>A MemoryStream that drops what exceeds its limit (stdout of small commands, stderr).</summary>
internal sealed class BoundedMemoryStream(int limit) : MemoryStream
{
    public override void Write(byte[] buffer, int offset, int count) => base.Write(buffer, offset, Math.Max(0, Math.Min(count, limit - (int)Length)));

    public override void Write(ReadOnlySpan<byte> buffer) => base.Write(buffer[..Math.Max(0, Math.Min(buffer.Length, limit - (int)Length))]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }
}
