using System.Net;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
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
    public IReadOnlyList<string> HelmCommands => HelmReleaseNamespaces.Select(ns => $"helm3 del {PlatformProfile.HelmEraRelease} -n {ns}").ToList();

    /// <summary>For ShouldProcess and -Verbose: what goes, where.</summary>
    public string Describe() => Profile.EtcdSync switch
    {
        EtcdSyncKind.HelmRelease => $"the 3.16 Helm-era etcd synchronizer on '{Host.Name}': {string.Join(", ", HelmObjects.Select(o => $"{Singular(o.Kind)} {o.Namespace}/{o.Name}"))}{(HelmReleaseNamespaces.Count == 0 ? "" : $"; Helm release {PlatformProfile.HelmEraRelease} in {string.Join(", ", HelmReleaseNamespaces)}")}",
        _ => $"the etcd synchronizer plugin '{ModuleName}' on '{Host.Name}': ModuleInfo {string.Join(", ", ModuleInfos)}",
    };

    private static string Singular(KubeKind kind) => kind == KubeKind.Secrets ? "secret" : kind == KubeKind.ConfigMaps ? "config map" : kind == KubeKind.Deployments ? "deployment" : kind.Name;
}

/// <summary>
/// Removes the etcd synchronizer the way the running platform version needs [doc: upgrade_global_cluster.mdx]:
/// 4.x the plugin on the standby, 3.18 the EtcdSync plugin on the primary, 3.16 the Helm-era objects on the primary.
/// Deletes, then waits (watch) until the objects and the synchronizer's pods are gone. Never touches etcd keys.
/// </summary>
public static class EtcdSyncUninstaller
{
    public static async Task<EtcdSyncUninstallPlan> PlanAsync(ClusterConnection host, PlatformProfile profile, string? moduleName, CancellationToken cancellationToken)
    {
        var details = profile.EtcdSyncDetails;
        if (profile.EtcdSync == EtcdSyncKind.HelmRelease)
        {
            var objects = new List<(KubeKind, string, string)>();
            foreach (var name in PlatformProfile.HelmEraConfigMapsAndSecrets)
            {
                foreach (var kind in new[] { KubeKind.ConfigMaps, KubeKind.Secrets })
                {
                    if (await ExistsAsync(host, kind, PlatformProfile.HelmEraNamespace, name, cancellationToken).ConfigureAwait(false))
                    {
                        objects.Add((kind, PlatformProfile.HelmEraNamespace, name));
                    }
                }
            }

            if (await ExistsAsync(host, KubeKind.Deployments, PlatformProfile.HelmEraNamespace, PlatformProfile.HelmEraDeployment, cancellationToken).ConfigureAwait(false))
            {
                objects.Add((KubeKind.Deployments, PlatformProfile.HelmEraNamespace, PlatformProfile.HelmEraDeployment));
            }

            // Helm 3 keeps a release as secrets labelled owner=helm,name=<release> in the release's namespace.
            var releases = new List<string>();
            foreach (var ns in PlatformProfile.HelmEraReleaseNamespaces)
            {
                var found = await ResourceWatcher.ListAllAsync(host.Client, KubeKind.Secrets, new ListArgs(ns, $"owner=helm,name={PlatformProfile.HelmEraRelease}", null), cancellationToken).ConfigureAwait(false);
                if (JsonPath.Objects(found.Items, "items").Any())
                {
                    releases.Add(ns);
                }
            }

            return new EtcdSyncUninstallPlan(host, profile, null, [], objects, releases);
        }

        var module = await EtcdSyncPlugin.ResolveModuleNameAsync(host, profile, moduleName, cancellationToken).ConfigureAwait(false);
        var infos = await EtcdSyncPlugin.FindModuleInfosAsync(host, module, details, cancellationToken).ConfigureAwait(false);
        return new EtcdSyncUninstallPlan(host, profile, module, infos.Select(JsonPath.Name).ToList(), [], []);
    }

    /// <summary>
    /// Carries out the plan. <paramref name="runOnNode"/> runs shell commands on a control-plane node of the host
    /// (3.16's helm3 del) and returns its exit code (127: helm3 not found), where it ran and its stderr; without it the Helm part is an error that lists the commands to run by hand.
    /// </summary>
    public static async Task ExecuteAsync(EtcdSyncUninstallPlan plan, TimeSpan timeout, Func<IReadOnlyList<string>, CancellationToken, Task<(int ExitCode, string Where, string Error)>>? runOnNode, CancellationToken cancellationToken)
    {
        var host = plan.Host;
        var details = plan.Profile.EtcdSyncDetails;
        var budget = new WaitBudget(timeout);
        var log = OperationLog.Current;
        if (plan.Profile.EtcdSync == EtcdSyncKind.HelmRelease)
        {
            foreach (var (kind, ns, name) in plan.HelmObjects)
            {
                log.Verbose($"[{host.Name}] deleting {kind} {ns}/{name}");
                await DeleteAsync(host, kind, ns, name, cancellationToken).ConfigureAwait(false);
            }

            if (plan.HelmObjects.Any(o => o.Kind == KubeKind.Deployments))
            {
                await ResourceWatcher.WaitAsync(host, KubeKind.Deployments, new ListArgs(PlatformProfile.HelmEraNamespace, null, $"metadata.name={PlatformProfile.HelmEraDeployment}"), new WaitCondition
                {
                    Description = $"deployment {PlatformProfile.HelmEraNamespace}/{PlatformProfile.HelmEraDeployment} to be gone",
                    IsDone = items => items.Count == 0,
                }, budget.Remaining, cancellationToken).ConfigureAwait(false);
            }

            if (plan.HelmReleaseNamespaces.Count > 0)
            {
                var byHand = $"The config maps, secrets and deployment of the 3.16 etcd synchronizer were removed from '{host.Name}', but its Helm release is still installed in {string.Join(", ", plan.HelmReleaseNamespaces)}; removing it needs helm3 on a control-plane node of '{host.Name}'";
                if (runOnNode is null)
                {
                    throw new GlobalUpgradeException(ErrorIds.HelmReleaseRemovalNeedsNode, FailureCategory.InvalidOperation, $"{byHand}. Run there: {string.Join("; ", plan.HelmCommands)}", host.Name);
                }

                log.Verbose($"[{host.Name}] removing the Helm release on a control-plane node: {string.Join("; ", plan.HelmCommands)}");
                var (exitCode, where, error) = await runOnNode(plan.HelmCommands, cancellationToken).ConfigureAwait(false);
                if (exitCode == 127)
                {
                    throw new GlobalUpgradeException(ErrorIds.HelmReleaseRemovalNeedsNode, FailureCategory.InvalidOperation, $"{byHand}, and {where} has no helm3. Give -ComputerName <control-plane node>, or run there: {string.Join("; ", plan.HelmCommands)}", host.Name);
                }

                if (exitCode != 0)
                {
                    throw new GlobalUpgradeException(ErrorIds.RemoteCommandFailed, FailureCategory.InvalidOperation, $"{byHand}; on {where} '{string.Join("; ", plan.HelmCommands)}' failed (exit code {exitCode}): {error.Trim()}", host.Name);
                }
            }

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

    private static async Task<bool> ExistsAsync(ClusterConnection host, KubeKind kind, string ns, string name, CancellationToken cancellationToken)
    {
        var found = await host.CallAsync($"listing {kind} {ns}/{name}", (c, ct) => ResourceWatcher.ListAllAsync(c, kind, new ListArgs(ns, null, $"metadata.name={name}"), ct), cancellationToken).ConfigureAwait(false);
        return JsonPath.Objects(found.Items, "items").Any();
    }

    private static Task DeleteAsync(ClusterConnection host, KubeKind kind, string ns, string name, CancellationToken cancellationToken) =>
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
