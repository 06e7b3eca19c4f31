using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>Facts about the platform as stored objects: the running version lives in ProductBase <c>base</c>.</summary>
public static class Platform
{
    public const string ProductBaseName = "base";

    /// <summary>Sets <c>status.version</c> of ProductBase <c>base</c> (what <c>upgrade.sh --skip-sync-image</c> ends with).</summary>
    public static JsonObject SetVersion(ObjectStore store, string version) =>
        store.Mutate(ResourceTypes.ProductBases, null, ProductBaseName, pb =>
        {
            pb.Set("status.version", version);
            pb.Set("status.phase", "Running");
            return pb;
        });

    public static string? Version(ObjectStore store) => store.Get(ResourceTypes.ProductBases, null, ProductBaseName).Str("status.version");
}
