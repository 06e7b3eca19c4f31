using System.ComponentModel;
using System.Diagnostics;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Remote;

/// <summary>Runs scripts on this machine with bash, exactly as <see cref="SshHost"/> runs them on a node.</summary>
public sealed class LocalHost : IRemoteHost
{
    public RemoteTarget Target => RemoteTarget.Local;

    public bool IsConnected => true;

    public async Task<RemoteCommandResult> ExecuteAsync(string script, ReadOnlyMemory<byte> input, Stream output, CancellationToken cancellationToken, Func<Stream, Stream>? decodeOutput = null)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        OperationLog.Current.Debug($"bash -c on this machine: {FirstLine(script)}");

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new GlobalUpgradeException(ErrorIds.RemoteCommandFailed, FailureCategory.NotInstalled,
                $"Could not start bash on this machine: {ex.Message}", "bash", ex);
        }

        using var stop = cancellationToken.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        });

        var error = new BoundedMemoryStream(8192);
        var copyOut = Task.Run(() => RemoteHost.CopyDecodedAsync(process.StandardOutput.BaseStream, decodeOutput,
            stdout => stdout.CopyToAsync(output, 64 * 1024, CancellationToken.None)), CancellationToken.None);
        var copyErr = process.StandardError.BaseStream.CopyToAsync(error, CancellationToken.None);
        try
        {
            if (!input.IsEmpty)
            {
                await process.StandardInput.BaseStream.WriteAsync(input, CancellationToken.None).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The script ended without reading its stdin.
        }

        await Task.WhenAll(copyOut, copyErr).ConfigureAwait(false);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new RemoteCommandResult(process.ExitCode, System.Text.Encoding.UTF8.GetString(error.GetBuffer(), 0, (int)error.Length));
    }

    public void Dispose()
    {
    }

    internal static string FirstLine(string script)
    {
        var line = script.TrimStart().Split('\n', 2)[0];
        return line.Length > 120 ? line[..120] + "…" : line;
    }
}
