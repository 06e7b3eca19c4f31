using System.Collections.Concurrent;

namespace GlobalUpgrade.Remote;

/// <summary>
/// The bash scripts the engine runs on nodes: the files of Remote/Scripts, embedded in this assembly exactly as they
/// are in the repository (where shellcheck checks them), never assembled from strings.
/// </summary>
internal static class NodeScript
{
    public const string RunFolder = "run-folder.sh";
    public const string LogPack = "log-pack.sh";
    public const string DetachedWrapper = "detached-wrapper.sh";
    public const string Mask = "mask.sh";

    // The logical name of each embedded file (the project file names them so).
    internal const string ResourcePrefix = "GlobalUpgrade.Remote.Scripts.";

    private static readonly ConcurrentDictionary<string, string> Texts = new(StringComparer.Ordinal);

    /// <summary>The text of a script file.</summary>
    public static string Text(string file) => Texts.GetOrAdd(file, static name =>
    {
        using var stream = typeof(NodeScript).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The script {name} is not embedded in {typeof(NodeScript).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>
    /// A bash -c script that runs <paramref name="files"/> one after another with <paramref name="arguments"/> as
    /// their positional parameters (none may be a secret: the script is a command line).
    /// </summary>
    public static string Invoke(IEnumerable<string> arguments, params string[] files) =>
        "set -- " + string.Join(' ', arguments.Select(RemoteHost.Quote)) + "\n" + string.Concat(files.Select(Text));
}
