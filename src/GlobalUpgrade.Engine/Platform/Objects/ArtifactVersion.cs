using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>
/// An ArtifactVersion: one version of a package violet pushed to this platform's registry [doc release-4.3
/// extend/upload_package.mdx "Create Artifact and ArtifactVersion resources on the platform"; schema release-4.3
/// docs/shared/crds/app.alauda.io_artifactversions.yaml: spec.present, spec.tag, status.name, status.version]. They
/// live in cpaas-system [doc release-4.1 UGC "(Conditional) Remove TopoLVM"], which the etcd synchronizer does not
/// copy [doc release-4.3 DRI], so a standby's ArtifactVersions are its own pushes, unlike its ModuleConfigs.
/// </summary>
public sealed record ArtifactVersion
{
    /// <summary>The namespace violet writes them to [doc release-4.1 UGC "(Conditional) Remove TopoLVM"].</summary>
    public const string Namespace = "cpaas-system";

    /// <summary>The label naming the artifact [doc release-4.1 UGC "(Conditional) Remove TopoLVM": <c>-l cpaas.io/artifact-version=operatorhub-topolvm-operator</c>].</summary>
    public const string ArtifactLabel = "cpaas.io/artifact-version";

    public required ObjectMeta Meta { get; init; }

    /// <summary>The artifact: the label, else status.name.</summary>
    public string? Artifact { get; init; }

    /// <summary>status.version, else spec.tag.</summary>
    public string? Version { get; init; }

    /// <summary>spec.present.</summary>
    public bool Present { get; init; }

    public static ArtifactVersion From(JsonObject obj)
    {
        var meta = ObjectMeta.Of(obj);
        return new ArtifactVersion
        {
            Meta = meta,
            Artifact = meta.Label(ArtifactLabel) ?? JsonPath.String(obj, "status.name"),
            Version = JsonPath.String(obj, "status.version") is { Length: > 0 } version ? version : JsonPath.String(obj, "spec.tag"),
            Present = JsonPath.Bool(obj, "spec.present") == true,
        };
    }

    /// <summary>
    /// Whether this is a version of the cluster plugin <paramref name="moduleName"/>: a cluster plugin's artifact carries
    /// its module name [assumed] (the docs name artifacts only for operators); -EtcdSync ModuleName changes the name.
    /// </summary>
    public bool IsOfPlugin(string moduleName) => string.Equals(Artifact, moduleName, StringComparison.Ordinal);
}
