using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Models;

namespace GlobalUpgrade.Upgrade;

/// <summary>
/// The functional components' upgrade: asks the ClusterModule (before 4.3) or the ClusterVersionShadow (4.3 and
/// later) for the target — never twice, a request already there is only waited for — and waits, watch-driven,
/// until they are settled at the target or the platform reports why not.
/// </summary>
public static class ComponentUpgrade
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(2);

    /// <summary>How long a 4.3 ClusterVersionShadow may take to appear after the trigger.</summary>
    public static readonly TimeSpan ObjectAppearTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Asks for run.ToVersion (unless already asked) and waits; sets run.Message to the final state.</summary>
    public static async Task UpgradeAsync(GlobalUpgradeRun run, ClusterConnection cluster, ComponentUpgradeProfile profile, TimeSpan timeout, UpgradeRunStore store, CancellationToken cancellationToken)
    {
        var log = OperationLog.Current;
        var resource = await ClusterVersionShadowDiscovery.ForAsync(cluster, profile, cancellationToken).ConfigureAwait(false);
        var (ns, name) = NameOf(profile);
        var obj = await ReadObjectAsync(cluster, profile, cancellationToken).ConfigureAwait(false);
        if (obj is null)
        {
            if (profile.Kind == ComponentUpgradeKind.ClusterModule)
            {
                throw new GlobalUpgradeException(ErrorIds.ComponentObjectNotFound, FailureCategory.ObjectNotFound,
                    $"Cluster '{cluster.Name}' has no {profile.ComponentObject}, so its functional components cannot be upgraded this way. " +
                    "Use the web console (Clusters > global > Functional Components > Upgrade), or name the object with -ComponentProfile @{ ClusterModuleName = '<name>' }.", cluster.Name);
            }

            // The 4.3 trigger installs the Cluster Version Operator: its ClusterVersionShadow may come a little later.
            var appeared = await ResourceWatcher.WaitAsync(cluster, KubeKind.Custom(resource), new ListArgs(ns, null, $"metadata.name={name}"), new WaitCondition
            {
                Description = $"{profile.ComponentObject} to exist",
                IsDone = objects => objects.Count > 0,
            }, timeout < ObjectAppearTimeout ? timeout : ObjectAppearTimeout, cancellationToken).ConfigureAwait(false);
            obj = appeared.Objects[0];
        }

        var state = ComponentState.Read(obj, profile);
        if (state.AsksFor(run.ToVersion))
        {
            log.Verbose($"[{cluster.Name}] {profile.ComponentObject} already asks for {run.ToVersion}: not writing it again, waiting only.");
        }
        else
        {
            var patch = BuildPatch(profile, run.ToVersion);
            log.Verbose($"[{cluster.Name}] merge-patching {profile.ComponentObject}: {patch.ToJsonString()}");
            await cluster.CallAsync($"patching {profile.ComponentObject}", (client, ct) => ns is null
                ? client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), resource.Group, resource.Version, resource.Plural, name, cancellationToken: ct)
                : client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), resource.Group, resource.Version, ns, resource.Plural, name, cancellationToken: ct),
                cancellationToken).ConfigureAwait(false);
            run.ComponentRequestedAt = DateTimeOffset.Now;
            store.Save(run);
        }

        var target = run.ToVersion;
        var done = await ResourceWatcher.WaitAsync(cluster, KubeKind.Custom(resource), new ListArgs(ns, null, $"metadata.name={name}"), new WaitCondition
        {
            Description = profile.Kind == ComponentUpgradeKind.ClusterModule
                ? $"{profile.ComponentObject} to be Completed and Healthy at {target}"
                : $"{profile.ComponentObject} to be Ready at {target}",
            IsDone = objects => objects.Count > 0 && ComponentState.Read(objects[0], profile).IsAt(target),
            DescribeState = objects => objects.Count == 0 ? $"{profile.ComponentObject} is gone" : Describe(ComponentState.Read(objects[0], profile)),
            FailsWith = objects =>
            {
                if (objects.Count == 0)
                {
                    return null;
                }

                var now = ComponentState.Read(objects[0], profile);
                return !now.HasFailedFor(target) ? null : profile.Kind == ComponentUpgradeKind.ClusterModule
                    ? new GlobalUpgradeException(ErrorIds.ComponentUpgradeFailed, FailureCategory.InvalidOperation,
                        $"The functional components of {cluster.Name} did not upgrade to {target}: {profile.ComponentObject} is {now.State}: {now.Reason}. " +
                        "Fix the cause the platform gives, then retry the upgrade from the web console (Functional Components) or contact support.", run)
                    : new GlobalUpgradeException(ErrorIds.ComponentUpgradeStalled, FailureCategory.InvalidOperation,
                        $"The upgrade of {cluster.Name} to {target} stalled: {profile.ComponentObject} {now.Reason}. " +
                        "Fix what the failed checks name; the Cluster Version Operator retries by itself.", run);
            },
        }, timeout, cancellationToken).ConfigureAwait(false);
        var final = ComponentState.Read(done.Objects[0], profile);
        run.Message = $"{profile.ComponentObject} is {final.State} at {target}";
    }

    /// <summary>
    /// The merge patch that asks for the target, built from the profile's field path. Only the platform version is
    /// written: no ACP doc gives the field that asks for the Kubernetes upgrade (release-4.3
    /// upgrade_global_cluster.mdx documents only spec.desiredUpdate.version), so the module never writes one; the
    /// Kubernetes upgrade is done from the web console as the docs describe.
    /// </summary>
    public static JsonObject BuildPatch(ComponentUpgradeProfile profile, string target)
    {
        var patch = new JsonObject();
        Set(patch, profile.Kind == ComponentUpgradeKind.ClusterModule ? profile.ClusterModuleVersionField : profile.ClusterVersionShadowVersionField, JsonValue.Create(target));
        return patch;
    }

    /// <summary>The ClusterModule or ClusterVersionShadow the profile names; null when the cluster has none.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(ClusterConnection cluster, ComponentUpgradeProfile profile, CancellationToken cancellationToken)
    {
        var (ns, name) = NameOf(profile);
        return await cluster.GetAsync(await ClusterVersionShadowDiscovery.ForAsync(cluster, profile, cancellationToken).ConfigureAwait(false), ns, name, cancellationToken).ConfigureAwait(false);
    }

    private static (string? Namespace, string Name) NameOf(ComponentUpgradeProfile profile) =>
        profile.Kind == ComponentUpgradeKind.ClusterModule ? (null, profile.ClusterModuleName) : (profile.ClusterVersionShadowNamespace, profile.ClusterVersionShadowName);

    private static string Describe(ComponentState s) =>
        $"{s.State}, asks for {s.Desired ?? "-"}, runs {s.Current ?? "-"}" + (s.Reason is { Length: > 0 } r ? $" ({r})" : "");

    private static void Set(JsonObject root, string dottedPath, JsonNode? value)
    {
        var parts = dottedPath.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = new JsonObject();
                node[part] = child;
            }

            node = child;
        }

        node[parts[^1]] = value;
    }
}
