using System.Net;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Remote;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Autorest;

namespace GlobalUpgrade.EtcdSync;

/// <summary>What Uninstall-EtcdSync would remove, found before anything is changed (so -WhatIf can say it).</summary>
public sealed record EtcdSyncUninstallPlan(
    ClusterConnection Host,
    PlatformProfile Profile,
    string? ModuleName,
    IReadOnlyList<string> ModuleInfos,
    IReadOnlyList<(KubeKind Kind, string Namespace, string Name)> HelmObjects,
    IReadOnlyList<string> HelmReleaseNamespaces)
{
    public bool NothingToDo => ModuleInfos.Count == 0 && HelmObjects.Count == 0 && HelmReleaseNamespaces.Count == 0;

    /// <summary>The commands an operator runs on a control-plane node to remove the 3.16 Helm release.</summary>
    public IReadOnlyList<string> HelmCommands => HelmReleaseNamespaces.Select(HelmEraEtcdSync.DeleteCommand).ToList();

    /// <summary>For ShouldProcess and -Verbose: what goes, where.</summary>
    public string Describe() => Profile.EtcdSync switch
    {
        EtcdSyncKind.HelmRelease => $"the 3.16 Helm-era etcd synchronizer on '{Host.Name}': {(HelmReleaseNamespaces.Count == 0 ? "" : $"Helm release {HelmEraEtcdSync.Release} in {string.Join(", ", HelmReleaseNamespaces)}; ")}{string.Join(", ", HelmObjects.Select(o => $"{Singular(o.Kind)} {o.Namespace}/{o.Name}"))}",
        _ => $"the etcd synchronizer plugin '{ModuleName}' on '{Host.Name}': ModuleInfo {string.Join(", ", ModuleInfos)}",
    };

    private static string Singular(KubeKind kind) => kind == KubeKind.Secrets ? "secret" : kind == KubeKind.ConfigMaps ? "config map" : kind == KubeKind.Deployments ? "deployment" : kind.Name;
}

/// <summary>
/// Removes the etcd synchronizer the way the running platform version needs [doc: upgrade_global_cluster.mdx]:
/// 4.x the plugin on the standby, 3.18 the EtcdSync plugin on the primary, 3.16 the Helm release (on a control-plane
/// node), then the Helm-era objects on the primary, in the docs' order (<see cref="HelmEraEtcdSync"/>).
/// Deletes, then waits (watch) until the objects and the synchronizer's pods are gone. Never touches etcd keys.
/// </summary>
public static class EtcdSyncUninstaller
{
    public static async Task<EtcdSyncUninstallPlan> PlanAsync(ClusterConnection host, PlatformProfile profile, string? moduleName, CancellationToken cancellationToken)
    {
        var details = profile.EtcdSyncDetails;
        if (profile.EtcdSyncLine.RemovedAsHelmRelease)
        {
            var objects = new List<(KubeKind, string, string)>();
            foreach (var name in HelmEraEtcdSync.ConfigMapsAndSecrets)
            {
                foreach (var kind in new[] { KubeKind.ConfigMaps, KubeKind.Secrets })
                {
                    if (await ExistsAsync(host, kind, HelmEraEtcdSync.Namespace, name, cancellationToken).ConfigureAwait(false))
                    {
                        objects.Add((kind, HelmEraEtcdSync.Namespace, name));
                    }
                }
            }

            if (await ExistsAsync(host, KubeKind.Deployments, HelmEraEtcdSync.Namespace, HelmEraEtcdSync.Deployment, cancellationToken).ConfigureAwait(false))
            {
                objects.Add((KubeKind.Deployments, HelmEraEtcdSync.Namespace, HelmEraEtcdSync.Deployment));
            }

            // Helm 3 keeps a release as secrets labelled owner=helm,name=<release> in the release's namespace.
            var releases = new List<string>();
            foreach (var ns in HelmEraEtcdSync.ReleaseNamespaces)
            {
                var found = await ResourceWatcher.ListAllAsync(host.Client, KubeKind.Secrets, new ListArgs(ns, $"owner=helm,name={HelmEraEtcdSync.Release}", null), cancellationToken).ConfigureAwait(false);
                if (ObjectList.ItemsOf(found.Items).Any())
                {
                    releases.Add(ns);
                }
            }

            return new EtcdSyncUninstallPlan(host, profile, null, [], objects, releases);
        }

        var module = await EtcdSyncPlugin.ResolveModuleNameAsync(host, profile, moduleName, cancellationToken).ConfigureAwait(false);
        var infos = await EtcdSyncPlugin.FindModuleInfosAsync(host, module, details, cancellationToken).ConfigureAwait(false);
        return new EtcdSyncUninstallPlan(host, profile, module, infos.Select(ObjectMeta.NameOf).ToList(), [], []);
    }

    /// <summary>
    /// Carries out the plan. <paramref name="runOnNode"/> is the control-plane node of the host (this machine or SSH)
    /// where 3.16's `helm3 del` runs; without it a plan with a Helm release fails before anything is changed, listing
    /// the commands to run by hand.
    /// </summary>
    public static async Task ExecuteAsync(EtcdSyncUninstallPlan plan, TimeSpan timeout, RemoteTarget? runOnNode, CancellationToken cancellationToken)
    {
        var host = plan.Host;
        var details = plan.Profile.EtcdSyncDetails;
        var budget = new WaitBudget(timeout);
        var log = OperationLog.Current;
        if (plan.Profile.EtcdSyncLine.RemovedAsHelmRelease)
        {
            await RemoveHelmEraAsync(plan, runOnNode, budget, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var name in plan.ModuleInfos)
        {
            log.Verbose($"[{host.Name}] deleting ModuleInfo {name} (plugin {plan.ModuleName})");
            await host.CallAsync($"deleting ModuleInfo {name}", async (c, ct) =>
            {
                try
                {
                    await c.CustomObjects.DeleteClusterCustomObjectAsync(AcpResources.ModuleInfos.Group, AcpResources.ModuleInfos.Version, AcpResources.ModuleInfos.Plural, name, cancellationToken: ct).ConfigureAwait(false);
                }
                catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
                {
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        // The ModuleInfo carries a finalizer: it is gone only when the platform has torn the plugin down.
        await EtcdSyncWaits.ModuleInfosGoneAsync(host, EtcdSyncPlugin.ModuleInfoSelector(plan.ModuleName!, details), budget, cancellationToken).ConfigureAwait(false);
        await EtcdSyncWaits.PodsGoneAsync(host, details.Namespace, details.PodLabelSelector, budget, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>[doc] release-4.0 upgrade_global_cluster.mdx, tab "Upgrading from 3.16": helm3 del, then the objects, then no etcd-mirror pod.</summary>
    private static async Task RemoveHelmEraAsync(EtcdSyncUninstallPlan plan, RemoteTarget? node, WaitBudget budget, CancellationToken cancellationToken)
    {
        var host = plan.Host;
        var log = OperationLog.Current;
        if (plan.HelmReleaseNamespaces.Count > 0)
        {
            var needsNode = $"The 3.16 etcd synchronizer's Helm release is installed on '{host.Name}' in {string.Join(", ", plan.HelmReleaseNamespaces)}; the docs remove it first, with helm3 on a control-plane node of '{host.Name}'. Nothing was changed";
            if (node is null)
            {
                throw new GlobalUpgradeException(ErrorIds.HelmReleaseRemovalNeedsNode, FailureCategory.InvalidOperation, $"{needsNode}. Give the node (-ComputerName), or run there: {string.Join("; ", plan.HelmCommands)}", host.Name);
            }

            log.Verbose($"[{host.Name}] removing the Helm release on {node.DisplayName}: {string.Join("; ", plan.HelmCommands)}");
            using var remote = await RemoteHost.OpenAsync(node, cancellationToken).ConfigureAwait(false);
            var script = "command -v helm3 >/dev/null 2>&1 || exit 127\nset -e\n" + string.Join("\n", plan.HelmCommands) + "\n";
            var (exitCode, _, error) = await remote.RunAsync(script, cancellationToken).ConfigureAwait(false);
            var where = node.DisplayName;
            if (exitCode == 127)
            {
                throw new GlobalUpgradeException(ErrorIds.HelmReleaseRemovalNeedsNode, FailureCategory.InvalidOperation, $"{needsNode}: {where} has no helm3. Give -ComputerName <control-plane node>, or run there: {string.Join("; ", plan.HelmCommands)}", host.Name);
            }

            if (exitCode != 0)
            {
                throw new GlobalUpgradeException(ErrorIds.RemoteCommandFailed, FailureCategory.InvalidOperation, $"Removing the 3.16 etcd synchronizer's Helm release from '{host.Name}': on {where} '{string.Join("; ", plan.HelmCommands)}' failed (exit code {exitCode}): {error.Trim()}. The config maps, secrets and deployment were not touched.", host.Name);
            }
        }

        foreach (var (kind, ns, name) in plan.HelmObjects)
        {
            log.Verbose($"[{host.Name}] deleting {kind} {ns}/{name}");
            await DeleteAsync(host, kind, ns, name, cancellationToken).ConfigureAwait(false);
        }

        if (plan.HelmObjects.Any(o => o.Kind == KubeKind.Deployments))
        {
            await ResourceWatcher.WaitAsync(host, KubeKind.Deployments, new ListArgs(HelmEraEtcdSync.Namespace, null, $"metadata.name={HelmEraEtcdSync.Deployment}"), new WaitCondition
            {
                Description = $"deployment {HelmEraEtcdSync.Namespace}/{HelmEraEtcdSync.Deployment} to be gone",
                IsDone = items => items.Count == 0,
            }, budget.Remaining, cancellationToken).ConfigureAwait(false);
        }

        // The docs end with `kubectl get pod -n kube-system | grep etcd-mirror`, which must print nothing.
        static IEnumerable<JsonObject> Mirrors(IReadOnlyList<JsonObject> pods) => pods.Where(p => ObjectMeta.NameOf(p).Contains(HelmEraEtcdSync.PodNamePart, StringComparison.Ordinal));
        await ResourceWatcher.WaitAsync(host, KubeKind.Pods, new ListArgs(HelmEraEtcdSync.Namespace, null, null), new WaitCondition
        {
            Description = $"no pod named *{HelmEraEtcdSync.PodNamePart}* in {HelmEraEtcdSync.Namespace}",
            IsDone = items => !Mirrors(items).Any(),
            DescribeState = items => EtcdSyncWaits.DescribePods(Mirrors(items).ToList()),
        }, budget.Remaining, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> ExistsAsync(ClusterConnection host, KubeKind kind, string ns, string name, CancellationToken cancellationToken)
    {
        var found = await host.CallAsync($"listing {kind} {ns}/{name}", (c, ct) => ResourceWatcher.ListAllAsync(c, kind, new ListArgs(ns, null, $"metadata.name={name}"), ct), cancellationToken).ConfigureAwait(false);
        return ObjectList.ItemsOf(found.Items).Any();
    }

    private static Task<bool> DeleteAsync(ClusterConnection host, KubeKind kind, string ns, string name, CancellationToken cancellationToken) =>
        host.CallAsync($"deleting {kind} {ns}/{name}", async (c, ct) =>
        {
            try
            {
                if (kind == KubeKind.ConfigMaps)
                {
                    await c.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
                }
                else if (kind == KubeKind.Secrets)
                {
                    await c.CoreV1.DeleteNamespacedSecretAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
                }
                else if (kind == KubeKind.Deployments)
                {
                    await c.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
                }
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
            }

            return true;
        }, cancellationToken);
}
