using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Readiness;

/// <summary>What one node printed for the documented node readiness commands; Error when they could not be run.</summary>
public sealed record NodeKernel(string Node, string? Kernel, string? CgroupFileSystem, string? Error);

/// <summary>
/// Runs the documented node readiness commands (<c>uname -r</c>, <c>stat -fc %T /sys/fs/cgroup/</c>) on a node,
/// read-only, through the local/SSH runner [doc master PRE "ACP 4.4 Kubernetes 1.35 Node Readiness"].
/// </summary>
public static class NodeReadinessProbe
{
    /// <summary>Both commands, each output on a line of its own with a prefix, so one failing (empty) does not hide the other.</summary>
    public const string Script = $"""
        echo "kernel=$({NodeReadinessRequirement.KernelCommand} 2>/dev/null)"
        echo "cgroup=$({NodeReadinessRequirement.CgroupCommand} 2>/dev/null)"
        """;

    public static async Task<NodeKernel> MeasureAsync(RemoteTarget target, string node, CancellationToken cancellationToken)
    {
        try
        {
            OperationLog.Current.Verbose($"Reading the kernel and cgroup file system of {target.DisplayName} (uname -r, stat -fc %T /sys/fs/cgroup/).");
            using var host = await RemoteHost.OpenAsync(target, cancellationToken).ConfigureAwait(false);
            var (exitCode, output, error) = await host.RunAsync(Script, cancellationToken).ConfigureAwait(false);
            return exitCode == 0 ? Parse(node, output) : new NodeKernel(node, null, null, $"the commands exited with {exitCode}: {error.Trim()}");
        }
        catch (GlobalUpgradeException ex)
        {
            return new NodeKernel(node, null, null, ex.Message);
        }
    }

    /// <summary>Reads the "kernel=…" and "cgroup=…" lines; an empty value (the command failed) stays null: not measured.</summary>
    public static NodeKernel Parse(string node, string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? Value(string key) => lines.LastOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..].Trim() is { Length: > 0 } v ? v : null;
        var kernel = Value("kernel");
        var cgroup = Value("cgroup");
        return new NodeKernel(node, kernel, cgroup, kernel is null && cgroup is null ? $"the commands printed nothing readable: '{output.Trim()}'" : null);
    }

    /// <summary>The major.minor of a kernel release ("5.15.0-91-generic" → 5.15); null when it does not start with numbers.</summary>
    public static Version? KernelVersion(string? release)
    {
        var digits = new string((release ?? "").TakeWhile(c => char.IsDigit(c) || c == '.').ToArray()).Trim('.');
        var parts = digits.Split('.', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor) ? new Version(major, minor) : null;
    }
}
