using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>
/// Loads GlobalUpgrade.Engine, and through it every third-party library, into a module-private load context, so
/// this module imports next to modules that carry other versions of KubernetesClient, YamlDotNet, gRPC, ….
/// Only the engine is resolved from the default context; its own references then resolve inside the private one.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "GlobalUpgrade.Engine";

    public void OnImport() => AssemblyLoadContext.Default.Resolving += ResolveEngine;

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name) =>
        string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal)
            ? DependencyLoadContext.Instance.LoadFromAssemblyName(name)
            : null;
}
