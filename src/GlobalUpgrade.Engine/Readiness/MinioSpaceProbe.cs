using System.Globalization;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Readiness;

/// <summary>Measures the free space under the MinIO directory on a node with df (read-only), through the local/SSH runner.</summary>
public static class MinioSpaceProbe
{
    /// <summary>df of the directory, or of its nearest existing parent (the filesystem it would be created on).</summary>
    public static string Script(string path) => $$"""
        p={{RemoteHost.Quote(path)}}
        while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname -- "$p"); done
        echo "path=$p"
        df -Pk -- "$p" | tail -n 1
        """;

    public static async Task<MinioSpace> MeasureAsync(RemoteTarget target, string node, string path, CancellationToken cancellationToken)
    {
        try
        {
            OperationLog.Current.Verbose($"Measuring the free space under {path} on {target.DisplayName} (df).");
            using var host = await RemoteHost.OpenAsync(target, cancellationToken).ConfigureAwait(false);
            var (exitCode, output, error) = await host.RunAsync(Script(path), cancellationToken).ConfigureAwait(false);
            return exitCode == 0 ? Parse(node, output) : new MinioSpace(node, null, null, $"df exited with {exitCode}: {error.Trim()}");
        }
        catch (GlobalUpgradeException ex)
        {
            return new MinioSpace(node, null, null, ex.Message);
        }
    }

    /// <summary>Reads "path=…" and a POSIX df line (filesystem, 1K-blocks, used, available, capacity, mount).</summary>
    public static MinioSpace Parse(string node, string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var measured = lines.FirstOrDefault(l => l.StartsWith("path=", StringComparison.Ordinal))?[5..];
        var df = lines.LastOrDefault(l => !l.StartsWith("path=", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return df is { Length: >= 6 } && long.TryParse(df[3], NumberStyles.None, CultureInfo.InvariantCulture, out var availableKb)
            ? new MinioSpace(node, measured, availableKb / 1024.0 / 1024.0, null)
            : new MinioSpace(node, measured, null, $"df printed nothing readable: '{output.Trim()}'");
    }
}
