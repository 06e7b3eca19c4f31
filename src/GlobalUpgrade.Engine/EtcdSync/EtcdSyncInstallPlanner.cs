using System.Globalization;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Platform.Objects;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Decides an install without changing anything: port 2379 of both VIPs, the plugin version (the standby's line unless
/// -Version), the form of that version's line, and whether the ModuleInfo and (4.3.1+ only) the token secret change.
/// </summary>
public static class EtcdSyncInstallPlanner
{
    public static async Task<EtcdSyncInstallPlan> PlanAsync(EtcdSyncInstallRequest request, CancellationToken cancellationToken)
    {
        var standby = request.Standby;
        var details = request.Details;
        if (request.Profile.EtcdSync != EtcdSyncKind.StandbyPlugin)
        {
            throw new GlobalUpgradeException(
                ErrorIds.EtcdSyncUnsupportedVersion,
                FailureCategory.InvalidOperation,
                $"'{standby.Name}' runs ACP {request.Profile.Version}: Install-EtcdSync installs the 4.0+ plugin on the standby. Before 4.0 the synchronizer is installed on the primary ({request.Profile.EtcdSync}); upgrade both clusters first, then install.",
                standby.Name);
        }

        var active = request.ActiveEtcdEndpoints is { Count: > 0 } a ? a : [EtcdUri(request.ActiveClusterVip, details.EtcdPort)];
        var standbyEndpoints = request.StandbyEtcdEndpoints is { Count: > 0 } s ? s : [EtcdUri(request.StandbyVip ?? ProductBase.StandbyVipOf(standby, await ProductBase.ReadAsync(standby, cancellationToken).ConfigureAwait(false)), details.EtcdPort)];
        if (!request.SkipEndpointCheck)
        {
            await CheckEndpointsAsync(request, active.Concat(standbyEndpoints), cancellationToken).ConfigureAwait(false);
        }

        var module = await EtcdSyncPlugin.ResolveModuleNameAsync(standby, request.Profile, request.ModuleName, cancellationToken).ConfigureAwait(false);
        var moduleConfig = await EtcdSyncPlugin.SelectModuleConfigAsync(standby, module, request.Version, request.Profile.Version, cancellationToken).ConfigureAwait(false);
        var version = EtcdSyncPlugin.VersionOf(moduleConfig)!;
        await EtcdEncryptionGuard.CheckAsync(request.Primary, standby, details, module, version, cancellationToken).ConfigureAwait(false);

        // The form, bootstrap job and leader are the plugin's: its own line (the platform's, unless -Version said otherwise).
        var line = PlatformLine.Of(version)?.EtcdSync ?? request.Profile.EtcdSyncLine;
        if (request.StandbyEtcdEndpoints is { Count: > 0 } && !line.Form.Contains(EtcdSyncFormField.StandbyEtcdEndpoints))
        {
            OperationLog.Current.Warning($"-StandbyEtcdEndpoint is not written: the install form of plugin {module} {version} (ACP {line.Name}) has no \"{EtcdSyncFormFields.Label(EtcdSyncFormField.StandbyEtcdEndpoints)}\".");
        }

        var config = EtcdSyncForm.Build(moduleConfig, line, details, new EtcdSyncFormValues
        {
            ActiveClusterVip = request.ActiveClusterVip,
            ActiveEtcdEndpoints = active,
            // [doc] "Use the default value unless the local etcd service is exposed through a different endpoint": only when given.
            StandbyEtcdEndpoints = request.StandbyEtcdEndpoints is { Count: > 0 } ? standbyEndpoints : null,
            ActiveClusterTokenSecret = details.ActiveClusterTokenSecret,
            DataCheckInterval = request.DataCheckInterval,
            Config = request.Config,
        });

        var existing = (await EtcdSyncPlugin.FindModuleInfosAsync(standby, module, details, cancellationToken).ConfigureAwait(false)).Select(ModuleInfo.From).ToList();
        if (existing.Count > 1)
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdSyncAmbiguous, FailureCategory.InvalidData, $"Cluster '{standby.Name}' has {existing.Count} ModuleInfos of plugin {module}: {string.Join(", ", existing.Select(i => i.Name))}. Remove the extra ones (Uninstall-EtcdSync removes all) first.", standby.Name);
        }

        var current = existing.Count > 0 ? existing[0] : null;
        if (current is { Meta.IsDeleting: true })
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdSyncAmbiguous, FailureCategory.InvalidOperation, $"ModuleInfo {current.Name} of plugin {module} on '{standby.Name}' is being deleted. Wait for Uninstall-EtcdSync to finish, then install.", standby.Name);
        }

        var infoChange = current is null ? PlannedChange.Create
            : EtcdSyncPlugin.SameVersion(current.SpecVersion, version) && EtcdSyncForm.Holds(current.Config, config) ? PlannedChange.None
            : PlannedChange.Update;

        // [doc] Only the 4.3.1+ form has the token secret: otherwise the primary's k8sadmin is never read.
        var tokenChange = line.HasTokenSecret
            ? await ActiveClusterTokenSecret.ChangeAsync(request.Primary, standby, details, cancellationToken).ConfigureAwait(false)
            : PlannedChange.None;

        // [doc master UGC] A changed token or remote etcd-ca needs the upgrade or reinstall workflow again, for the bootstrap hook.
        var credentials = line.HasBootstrapJob && current is not null
            ? await EtcdSyncCredentials.CompareAsync(request.Primary, standby, details, cancellationToken).ConfigureAwait(false)
            : null;
        var reinstall = request.RefreshCredentials && credentials is { Changed: not false } && infoChange != PlannedChange.Create;
        if (reinstall)
        {
            await RequireConsistentAsync(request, cancellationToken).ConfigureAwait(false);
            infoChange = PlannedChange.Create;
        }

        return new EtcdSyncInstallPlan(request, line, module, version, config, current?.Name, infoChange, tokenChange)
        {
            // [doc master UGC] Only where the token secret replaces them; a reinstalled ModuleInfo is written without them.
            LegacyTokenKeys = line.HasTokenSecret && !reinstall && current is not null ? LegacyTokenConfig.Find(current.Config, details) : [],
            Credentials = credentials,
            Reinstall = reinstall,
            RunsBootstrap = line.HasBootstrapJob && (infoChange == PlannedChange.Create || !EtcdSyncPlugin.SameVersion(current?.SpecVersion, version)),
        };
    }

    /// <summary>docs/safety.md rule 2: a reinstall removes the plugin first, so it must pass the removal's DR consistency checks.</summary>
    private static async Task RequireConsistentAsync(EtcdSyncInstallRequest request, CancellationToken cancellationToken)
    {
        var failed = await EtcdSyncGuard.FailedChecksAsync(request.Primary, request.Standby, request.Details, SyncMonitorClient.DefaultTimeout, cancellationToken).ConfigureAwait(false);
        if (failed.Count > 0)
        {
            throw new GlobalUpgradeException(
                ErrorIds.StandbyNotConsistent,
                FailureCategory.InvalidOperation,
                $"Refusing to reinstall the etcd synchronizer to refresh its credentials: {failed.Count} DR consistency check(s) failed, and removing it while the standby misses keys can make owner references resolve wrongly and delete workload clusters' Machines. Nothing was changed. Fix these first (Restart-EtcdSync often cures missed keys):{Environment.NewLine}{EtcdSyncGuard.Describe(failed)}",
                request.Standby.Name);
        }
    }

    private static async Task CheckEndpointsAsync(EtcdSyncInstallRequest request, IEnumerable<Uri> endpoints, CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(endpoints.Select(e => request.EndpointCheck.CheckAsync(e, request.EndpointTimeout, cancellationToken))).ConfigureAwait(false);
        var failed = checks.Where(c => !c.Passed).ToList();
        if (failed.Count > 0)
        {
            throw new GlobalUpgradeException(
                ErrorIds.EtcdEndpointUnreachable,
                FailureCategory.ConnectionError,
                $"The synchronizer needs etcd on both clusters, and {string.Join("; ", failed.Select(f => f.Message))} Nothing was changed. (-SkipEndpointCheck skips this check.)",
                string.Join(",", failed.Select(f => f.Target)));
        }

        OperationLog.Current.Verbose($"etcd endpoints reachable: {string.Join(", ", checks.Select(c => $"{c.Target} ({c.Actual})"))}");
    }

    private static Uri EtcdUri(string host, int port) =>
        new($"https://{(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host)}:{port.ToString(CultureInfo.InvariantCulture)}");
}
