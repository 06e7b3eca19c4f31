using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Upgrade;

/// <summary>The functional components as one object shows them: what is asked for, what runs, and whether it is settled or failed.</summary>
public sealed record ComponentState
{
    public required ComponentUpgradeKind Kind { get; init; }

    public required string ObjectName { get; init; }

    public bool Exists { get; init; }

    /// <summary>The version the object asks for (ClusterModule spec.version, CVSH spec.desiredUpdate.version).</summary>
    public string? Desired { get; init; }

    /// <summary>The version that runs (ClusterModule status.base.version; CVSH status.current.version).</summary>
    public string? Current { get; init; }

    /// <summary>The version the platform works towards (CVSH status.desired.version); null for a ClusterModule.</summary>
    public string? Working { get; init; }

    public string State { get; init; } = "";

    /// <summary>Completed and Healthy (ClusterModule), Ready and not Reconciling (CVSH).</summary>
    public bool Settled { get; init; }

    /// <summary>DeployFailed/UpgradeFailed (ClusterModule) or Stalled=True / Degraded=True (CVSH).</summary>
    public bool Failed { get; init; }

    /// <summary>
    /// ClusterModule: the Functional Components upgrade is offered (every field of the profile's
    /// ClusterModuleUpgradeAvailableFields is true [assumed]). Always true for a CVSH, whose request needs no notice.
    /// </summary>
    public bool UpgradeAvailable { get; init; } = true;

    /// <summary>True when the status describes the current spec (observedGeneration ≥ generation, or no observedGeneration published).</summary>
    public bool Observed { get; init; } = true;

    public string? Reason { get; init; }

    /// <summary>The CVSH's documented status (conditions, checks, stages, updates); null for a ClusterModule.</summary>
    public ClusterVersionShadowStatus? ClusterVersionShadow { get; init; }

    public bool AsksFor(string version) => Versions.Same(Desired, version);

    public bool IsAt(string version) => Settled && Versions.Same(Current, version) && Observed && (Working is null || Versions.Same(Working, version));

    /// <summary>What the ClusterModule says about the upgrade being offered, for messages: "status.upgradable=false, status.needUpgrade=true".</summary>
    public string? Availability { get; init; }

    /// <summary>CVSH: status.observedGeneration is published and has reached the spec's generation (the request was seen).</summary>
    public bool RequestObserved { get; init; }

    /// <summary>
    /// Blocked while working towards <paramref name="version"/>, or blocked having seen a request for it that it did
    /// not take up (e.g. a version it does not offer: status.desired stays where it was).
    /// </summary>
    public bool HasFailedFor(string version) => Failed && Observed && (Versions.Same(Working ?? Desired, version) || (RequestObserved && AsksFor(version)));

    public static ComponentState Read(JsonObject? obj, ComponentUpgradeProfile profile) =>
        profile.Kind == ComponentUpgradeKind.ClusterModule ? FromClusterModule(obj, profile) : FromClusterVersionShadow(obj, profile);

    public static ComponentState FromClusterModule(JsonObject? obj, ComponentUpgradeProfile profile)
    {
        var name = profile.ComponentObject;
        if (obj is null)
        {
            return new ComponentState { Kind = ComponentUpgradeKind.ClusterModule, ObjectName = name, State = "NotFound", UpgradeAvailable = false };
        }

        var module = ClusterModule.From(obj);
        var deploy = module.DeployStatus;
        var running = module.RunningStatus;
        var failed = module.HasFailed;
        return new ComponentState
        {
            Kind = ComponentUpgradeKind.ClusterModule,
            ObjectName = name,
            Exists = true,
            Desired = module.Field(profile.ClusterModuleVersionField),
            Current = module.Version,
            State = running is null ? deploy ?? "Unknown" : $"{deploy ?? "Unknown"}/{running}",
            Settled = module.IsSettled,
            Failed = failed,
            UpgradeAvailable = profile.UpgradeAvailableFields.All(f => module.Flag(f) == true),
            Availability = string.Join(", ", profile.UpgradeAvailableFields.Select(f => $"{f}={module.Field(f) ?? "(absent)"}")),
            Reason = failed || module.UnableUpgradeReason is { Length: > 0 }
                ? FirstNonEmpty(module.UnableUpgradeReason, module.Message, deploy)
                : null,
        };
    }

    /// <summary>
    /// A ClusterVersionShadow through its documented status (<see cref="ClusterVersionShadowStatus"/>): current from
    /// <c>status.current</c>; Stalled or Degraded is a failure with the platform's reason; a Retry check or no preflight
    /// data yet is "not passed yet", never passed.
    /// </summary>
    public static ComponentState FromClusterVersionShadow(JsonObject? obj, ComponentUpgradeProfile profile)
    {
        var name = profile.ComponentObject;
        if (obj is null)
        {
            return new ComponentState { Kind = ComponentUpgradeKind.ClusterVersionShadow, ObjectName = name, State = "NotFound" };
        }

        var shadow = Platform.Objects.ClusterVersionShadow.From(obj);
        var status = ClusterVersionShadowStatus.Of(shadow);
        var blocking = status.Blocking;
        var ready = status.IsTrue("Ready");
        var reconciling = status.IsTrue("Reconciling");
        var preflightPending = !reconciling && !ready && !status.PreflightPassed;
        return new ComponentState
        {
            Kind = ComponentUpgradeKind.ClusterVersionShadow,
            ObjectName = name,
            Exists = true,
            Desired = shadow.Field(profile.ClusterVersionShadowVersionField),
            Current = status.Current,
            Working = status.Desired,
            State = blocking?.Type ?? (reconciling ? "Reconciling" : ready ? "Ready" : preflightPending ? "Preflight" : "NotReady"),
            Settled = ready && !reconciling && blocking is null,
            Failed = blocking is not null,
            Observed = shadow.Observed,
            RequestObserved = shadow.ObservedGeneration is not null && shadow.Meta.Generation is not null && shadow.ObservedGeneration >= shadow.Meta.Generation,
            Reason = status.BlockingReason()
                ?? (status.RetryingChecks.Any() ? $"preflight checks without a final result yet (Retry): {string.Join("; ", status.RetryingChecks)}" : null),
            ClusterVersionShadow = status,
        };
    }

    internal static string FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? "";
}

/// <summary>Compares versions as ACP writes them: "v4.3.0", "4.3.0" and "4.3" are the same version.</summary>
public static class Versions
{
    public static bool Same(string? a, string? b) =>
        a is not null && b is not null && string.Equals(Normalize(a), Normalize(b), StringComparison.OrdinalIgnoreCase);

    public static string Normalize(string version)
    {
        var text = version.Trim();
        if (text.StartsWith('v') || text.StartsWith('V'))
        {
            text = text[1..];
        }

        return PlatformVersion.TryParse(text, out var parsed) && parsed.Text.Count(c => c == '.') == 1 && !parsed.Text.Contains('-', StringComparison.Ordinal)
            ? $"{parsed.Major}.{parsed.Minor}.0"
            : text;
    }
}
