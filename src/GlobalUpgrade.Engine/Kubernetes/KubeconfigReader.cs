using GlobalUpgrade.Errors;
using k8s;
using k8s.KubeConfigModels;

namespace GlobalUpgrade.Kubernetes;

/// <summary>Finds and reads kubeconfig files the way kubectl does: explicit path, then $KUBECONFIG, then ~/.kube/config.</summary>
public static class KubeconfigReader
{
    public static string ResolvePath(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return Path.GetFullPath(explicitPath);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            // Like kubectl, take the first file of a path list; merging is not worth the ambiguity here.
            return Path.GetFullPath(fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)[0]);
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
    }

    public static K8SConfiguration Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw Malformed(path, "it is a folder, not a file", null);
        }

        if (!File.Exists(path))
        {
            throw new GlobalUpgradeException(
                ErrorIds.KubeconfigNotFound,
                FailureCategory.ObjectNotFound,
                $"The kubeconfig file '{path}' does not exist. Pass -Kubeconfig <path>, set $env:KUBECONFIG, or copy the global cluster's kubeconfig to ~/.kube/config.",
                path);
        }

        K8SConfiguration config;
        try
        {
            if (string.IsNullOrWhiteSpace(File.ReadAllText(path)))
            {
                throw Malformed(path, "the file is empty", null);
            }

            config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path), useRelativePaths: true);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw Malformed(path, $"it cannot be read ({FirstLine(ex.Message)})", ex);
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidCastException || ex.Message.Contains("deserialize the node into type", StringComparison.Ordinal))
        {
            // The YAML parsed but is not shaped like a kubeconfig (a scalar, a list, a section of the wrong type);
            // YamlDotNet's own message would name .NET types.
            throw Malformed(path, "it is YAML but not a kubeconfig (expected a map with clusters, users and contexts)", ex);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or GlobalUpgradeException))
        {
            throw Malformed(path, FirstLine(ex.Message), ex);
        }

        if (config is null || config.Contexts is null || !config.Contexts.Any(c => c is not null))
        {
            throw Malformed(path, "it defines no contexts", null);
        }

        var broken = config.Contexts.FirstOrDefault(c => c is null || string.IsNullOrEmpty(c.Name) || c.ContextDetails is null);
        if (broken is not null)
        {
            throw Malformed(path, $"context '{broken?.Name ?? "(unnamed)"}' has no name or no 'context:' section with a cluster and a user", null);
        }

        return config;
    }

    /// <summary>Context names for tab completion; never throws.</summary>
    public static IReadOnlyList<string> TryListContexts(string? explicitPath)
    {
        try
        {
            return Load(ResolvePath(explicitPath)).Contexts.Select(c => c.Name).Where(n => n is not null).ToList();
        }
        catch (GlobalUpgradeException)
        {
            return [];
        }
    }

    public static Context FindContext(K8SConfiguration config, string? contextName, string path)
    {
        var name = string.IsNullOrEmpty(contextName) ? config.CurrentContext : contextName;
        var names = config.Contexts.Select(c => c.Name).ToList();
        if (string.IsNullOrEmpty(name))
        {
            throw new GlobalUpgradeException(
                ErrorIds.ContextNotFound,
                FailureCategory.InvalidArgument,
                $"The kubeconfig '{path}' has no current-context; pass -Context with one of: {string.Join(", ", names)}.",
                path);
        }

        return config.Contexts.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal))
            ?? throw new GlobalUpgradeException(
                ErrorIds.ContextNotFound,
                FailureCategory.ObjectNotFound,
                $"The kubeconfig '{path}' has no context '{name}'. Contexts there: {string.Join(", ", names)}.",
                name);
    }

    private static GlobalUpgradeException Malformed(string path, string reason, Exception? inner) => new(
        ErrorIds.KubeconfigInvalid,
        FailureCategory.InvalidData,
        $"The kubeconfig file '{path}' cannot be read: {reason}. Check that it is a kubeconfig (YAML with clusters, users and contexts), e.g. with 'kubectl config view --kubeconfig {path}'.",
        path,
        inner);

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }
}
