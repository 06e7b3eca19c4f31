using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>A coordination lease; the synchronizer's (4.3+) names its leader pod in spec.holderIdentity.</summary>
public sealed record Lease
{
    public required ObjectMeta Meta { get; init; }

    /// <summary>spec.holderIdentity; null when nobody holds it.</summary>
    public string? Holder { get; init; }

    public static Lease From(JsonObject obj) => new()
    {
        Meta = ObjectMeta.Of(obj),
        Holder = JsonPath.String(obj, "spec.holderIdentity") is { Length: > 0 } holder ? holder : null,
    };
}
