using System.Reflection;
using System.Runtime.Loader;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>The module's private load context: everything under Dependencies/ loads here, the framework from the default one.</summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string dependencyFolder;

    private DependencyLoadContext(string dependencyFolder)
        : base("GlobalUpgrade.Dependencies")
    {
        this.dependencyFolder = dependencyFolder;
    }

    private static Assembly ModelsAssembly => typeof(GlobalCluster).Assembly;

    public static DependencyLoadContext Instance { get; } = new(
        Path.Combine(Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location)!, "Dependencies"));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The user-visible types must be the very ones PowerShell already loaded, not a second copy.
        if (string.Equals(assemblyName.Name, ModelsAssembly.GetName().Name, StringComparison.Ordinal))
        {
            return ModelsAssembly;
        }

        var path = Path.Combine(dependencyFolder, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(dependencyFolder, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
