using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GlobalUpgrade.EtcdSync;

/// <summary>What Install-EtcdSync asks for. The token is never part of it: it is read from the primary when written.</summary>
public sealed record EtcdSyncInstallRequest
{
    public required ClusterConnection Primary { get; init; }

    public required ClusterConnection Standby { get; init; }

    public required PlatformProfile Profile { get; init; }

    public required string ActiveClusterVip { get; init; }

    public IReadOnlyList<Uri>? ActiveEtcdEndpoints { get; init; }

    public IReadOnlyList<Uri>? StandbyEtcdEndpoints { get; init; }

    public int? DataCheckInterval { get; init; }

    public string? Version { get; init; }

    public string? ModuleName { get; init; }

    /// <summary>-Config: keys passed to ModuleInfo spec.config as they are (they win over the named parameters).</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Config { get; init; }

    public bool SkipEndpointCheck { get; init; }

    /// <summary>The standby's VIP for its default etcd endpoint, when the caller knows it (the runbook's Preflight); else read from its ProductBase.</summary>
    public string? StandbyVip { get; init; }

    public IEtcdEndpointCheck EndpointCheck { get; init; } = new EtcdProbeEndpointCheck();

    public TimeSpan EndpointTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public EtcdSyncProfile Details => Profile.EtcdSyncDetails;
}

public enum PlannedChange
{
    None,
    Create,
    Update,
}

/// <summary>What an install would change, decided before anything is written (so -WhatIf can say it, and a re-run can skip it).</summary>
public sealed record EtcdSyncInstallPlan(
    EtcdSyncInstallRequest Request,
    string ModuleName,
    string Version,
    JsonObject Config,
    string? ExistingModuleInfo,
    PlannedChange ModuleInfoChange,
    PlannedChange TokenSecretChange,
    IReadOnlyList<Uri> ActiveEtcdEndpoints,
    IReadOnlyList<Uri> StandbyEtcdEndpoints)
{
    public bool HasChanges => ModuleInfoChange != PlannedChange.None || TokenSecretChange != PlannedChange.None;

    public string Describe()
    {
        var parts = new List<string>();
        if (TokenSecretChange != PlannedChange.None)
        {
            parts.Add($"{(TokenSecretChange == PlannedChange.Create ? "create" : "update")} secret {Request.Details.Namespace}/{Request.Details.ActiveClusterTokenSecret} from the primary's {Request.Details.Namespace}/{Request.Details.TokenSourceSecret} token");
        }

        if (ModuleInfoChange != PlannedChange.None)
        {
            parts.Add($"{(ModuleInfoChange == PlannedChange.Create ? "create a ModuleInfo" : $"update ModuleInfo {ExistingModuleInfo}")} for plugin {ModuleName} {Version} with config {{{string.Join(", ", Config.Select(p => $"{p.Key}={p.Value?.ToJsonString()}"))}}}, then restart its leader pod once");
        }

        return parts.Count == 0 ? "nothing to change" : string.Join("; ", parts);
    }
}

/// <summary>
/// Installs the 4.x etcd synchronizer plugin on the standby as the DR docs describe: port 2379 of both VIPs checked,
/// the primary's token copied into the standby's token secret, a ModuleInfo with the required labels and the
/// ModuleConfig's version, then event-driven waits (bootstrap job, ModuleInfo Running, pod 1/1, leader logging
/// "Start Sync update"), and one restart of the leader so objects with ownerReferences are synced again.
/// </summary>
public static class EtcdSyncInstaller
{
    public static async Task<EtcdSyncInstallPlan> PlanAsync(EtcdSyncInstallRequest request, CancellationToken cancellationToken)
    {
        var standby = request.Standby;
        var details = request.Details;
        var log = OperationLog.Current;
        if (request.Profile.EtcdSync != EtcdSyncKind.StandbyPlugin)
        {
            throw new GlobalUpgradeException(
                ErrorIds.EtcdSyncUnsupportedVersion,
                FailureCategory.InvalidOperation,
                $"'{standby.Name}' runs ACP {request.Profile.Version}: Install-EtcdSync installs the 4.0+ plugin on the standby. Before 4.0 the synchronizer is installed on the primary ({request.Profile.EtcdSync}); upgrade both clusters first, then install.",
                standby.Name);
        }

        var active = request.ActiveEtcdEndpoints is { Count: > 0 } a ? a : [EtcdUri(request.ActiveClusterVip, details.EtcdPort)];
        var standbyEndpoints = request.StandbyEtcdEndpoints is { Count: > 0 } s ? s : [EtcdUri(request.StandbyVip ?? await StandbyVipAsync(standby, cancellationToken).ConfigureAwait(false), details.EtcdPort)];
        if (!request.SkipEndpointCheck)
        {
            var checks = await Task.WhenAll(active.Concat(standbyEndpoints).Select(e => request.EndpointCheck.CheckAsync(e, request.EndpointTimeout, cancellationToken))).ConfigureAwait(false);
            var failed = checks.Where(c => !c.Passed).ToList();
            if (failed.Count > 0)
            {
                throw new GlobalUpgradeException(
                    ErrorIds.EtcdEndpointUnreachable,
                    FailureCategory.ConnectionError,
                    $"The synchronizer needs etcd on both clusters, and {string.Join("; ", failed.Select(f => f.Message))} Nothing was changed. (-SkipEndpointCheck skips this check.)",
                    string.Join(",", failed.Select(f => f.Target)));
            }

            log.Verbose($"etcd endpoints reachable: {string.Join(", ", checks.Select(c => $"{c.Target} ({c.Actual})"))}");
        }

        var module = await EtcdSyncPlugin.ResolveModuleNameAsync(standby, request.Profile, request.ModuleName, cancellationToken).ConfigureAwait(false);
        var moduleConfig = await EtcdSyncPlugin.FindModuleConfigAsync(standby, module, request.Version, cancellationToken).ConfigureAwait(false);
        var version = EtcdSyncPlugin.VersionOf(moduleConfig)!;
        var config = BuildConfig(JsonPath.Node(moduleConfig, "spec.config") as JsonObject, request, active, standbyEndpoints, JsonPath.Name(moduleConfig));

        var existing = await EtcdSyncPlugin.FindModuleInfosAsync(standby, module, details, cancellationToken).ConfigureAwait(false);
        if (existing.Count > 1)
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdSyncAmbiguous, FailureCategory.InvalidData, $"Cluster '{standby.Name}' has {existing.Count} ModuleInfos of plugin {module}: {string.Join(", ", existing.Select(JsonPath.Name))}. Remove the extra ones (Uninstall-EtcdSync removes all) first.", standby.Name);
        }

        var current = existing.Count > 0 ? existing[0] : null;
        if (current is not null && JsonPath.String(current, "metadata.deletionTimestamp") is not null)
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdSyncAmbiguous, FailureCategory.InvalidOperation, $"ModuleInfo {JsonPath.Name(current)} of plugin {module} on '{standby.Name}' is being deleted. Wait for Uninstall-EtcdSync to finish, then install.", standby.Name);
        }

        var infoChange = current is null ? PlannedChange.Create
            : SameSpec(current, version, config) ? PlannedChange.None
            : PlannedChange.Update;
        var tokenChange = await TokenChangeAsync(request, cancellationToken).ConfigureAwait(false);
        return new EtcdSyncInstallPlan(request, module, version, config, current is null ? null : JsonPath.Name(current), infoChange, tokenChange, active, standbyEndpoints);
    }

    public static async Task<EtcdSyncInstallation> ExecuteAsync(EtcdSyncInstallPlan plan, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = plan.Request;
        var standby = request.Standby;
        var details = request.Details;
        var budget = new WaitBudget(timeout);
        var log = OperationLog.Current;
        var selector = EtcdSyncPlugin.ModuleInfoSelector(plan.ModuleName, details);

        if (!plan.HasChanges)
        {
            log.Verbose($"[{standby.Name}] plugin {plan.ModuleName} {plan.Version} is installed as asked and the token secret is current: nothing to change; checking that it syncs");
            var (currentLeader, since) = await EtcdSyncWaits.LeaderSyncingAsync(standby, details, null, budget, cancellationToken).ConfigureAwait(false);
            var info = await EtcdSyncWaits.ModuleInfoRunningAsync(standby, selector, plan.Version, budget, cancellationToken).ConfigureAwait(false);
            return Result(plan, info, currentLeader, since, changed: false);
        }

        if (plan.TokenSecretChange != PlannedChange.None)
        {
            await WriteTokenSecretAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (plan.ModuleInfoChange == PlannedChange.Create)
        {
            var body = new JsonObject
            {
                ["apiVersion"] = AcpResources.ModuleInfos.ApiVersion,
                ["kind"] = "ModuleInfo",
                ["metadata"] = new JsonObject
                {
                    ["generateName"] = $"{details.PluginClusterName}-{plan.ModuleName}-",
                    ["labels"] = new JsonObject
                    {
                        [EtcdSyncProfile.ClusterNameLabel] = details.PluginClusterName,
                        [EtcdSyncProfile.ModuleNameLabel] = plan.ModuleName,
                        [EtcdSyncProfile.ModuleTypeLabel] = EtcdSyncProfile.ModuleTypePlugin,
                    },
                },
                ["spec"] = new JsonObject { ["version"] = plan.Version, ["config"] = plan.Config.DeepClone() },
            };
            log.Verbose($"[{standby.Name}] creating a ModuleInfo for plugin {plan.ModuleName} {plan.Version} ({selector})");
            await standby.CallAsync("creating the etcd synchronizer ModuleInfo", (c, ct) =>
                c.CustomObjects.CreateClusterCustomObjectAsync(body, AcpResources.ModuleInfos.Group, AcpResources.ModuleInfos.Version, AcpResources.ModuleInfos.Plural, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }
        else if (plan.ModuleInfoChange == PlannedChange.Update)
        {
            var patch = new JsonObject { ["spec"] = new JsonObject { ["version"] = plan.Version, ["config"] = plan.Config.DeepClone() } };
            log.Verbose($"[{standby.Name}] updating ModuleInfo {plan.ExistingModuleInfo}: version {plan.Version} and config");
            await standby.CallAsync($"updating ModuleInfo {plan.ExistingModuleInfo}", (c, ct) =>
                c.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), AcpResources.ModuleInfos.Group, AcpResources.ModuleInfos.Version, AcpResources.ModuleInfos.Plural, plan.ExistingModuleInfo, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        if (NeedsBootstrapJob(plan))
        {
            await EtcdSyncWaits.JobCompleteAsync(standby, details.Namespace, details.BootstrapJob, budget, cancellationToken).ConfigureAwait(false);
        }

        await EtcdSyncWaits.ModuleInfoRunningAsync(standby, selector, plan.Version, budget, cancellationToken).ConfigureAwait(false);
        await EtcdSyncWaits.PodReadyAsync(standby, details.Namespace, details.PodLabelSelector, null, budget, cancellationToken).ConfigureAwait(false);
        var (leader, _) = await EtcdSyncWaits.LeaderSyncingAsync(standby, details, null, budget, cancellationToken).ConfigureAwait(false);

        // [doc] Once syncing, delete the leader pod once so objects with ownerReferences are synced again.
        var (successor, startedAt) = await RestartLeaderAsync(standby, details, leader, budget, cancellationToken).ConfigureAwait(false);
        var final = await EtcdSyncWaits.ModuleInfoRunningAsync(standby, selector, plan.Version, budget, cancellationToken).ConfigureAwait(false);
        return Result(plan, final, successor, startedAt, changed: true);
    }

    /// <summary>Deletes the leader pod and waits for a new leader that is Ready and logs "Start Sync update".</summary>
    public static async Task<(string Leader, DateTimeOffset? SyncStartedAt)> RestartLeaderAsync(ClusterConnection cluster, EtcdSyncProfile details, string leader, WaitBudget budget, CancellationToken cancellationToken)
    {
        OperationLog.Current.Verbose($"[{cluster.Name}] deleting the etcd-sync leader pod {details.Namespace}/{leader}");
        await cluster.CallAsync($"deleting pod {details.Namespace}/{leader}", async (c, ct) =>
        {
            try
            {
                await c.CoreV1.DeleteNamespacedPodAsync(leader, details.Namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        return await EtcdSyncWaits.LeaderSyncingAsync(cluster, details, leader, budget, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The named parameters mapped onto the keys the ModuleConfig declares ([assumed] names from the profile), then -Config as is.</summary>
    internal static JsonObject BuildConfig(JsonObject? declared, EtcdSyncInstallRequest request, IReadOnlyList<Uri> active, IReadOnlyList<Uri> standby, string moduleConfigName)
    {
        var details = request.Details;
        var schema = declared?["properties"] as JsonObject ?? declared ?? [];
        var config = new JsonObject();

        void Map(string parameter, IReadOnlyList<string> candidates, JsonNode value, bool list = false)
        {
            string key;
            if (schema.Count == 0)
            {
                key = candidates[0];
            }
            else
            {
                key = candidates.Select(c => schema.Select(p => p.Key).FirstOrDefault(k => Normalize(k) == Normalize(c))).FirstOrDefault(k => k is not null)
                    ?? throw new GlobalUpgradeException(
                        ErrorIds.EtcdSyncConfigKeyUnknown,
                        FailureCategory.InvalidData,
                        $"ModuleConfig {moduleConfigName} declares the config keys {string.Join(", ", schema.Select(p => p.Key))}, and none of them is the one for {parameter} (tried {string.Join(", ", candidates)}). Pass the value under its real key with -Config @{{ '<key>' = ... }}.",
                        moduleConfigName);
            }

            var shape = schema[key];
            if (list && !(shape is JsonArray || JsonPath.String(shape, "type") == "array"))
            {
                value = string.Join(",", value.AsArray().Select(v => v!.GetValue<string>()));
            }

            config[key] = value;
        }

        Map("-ActiveClusterVip", details.ActiveClusterVipKeys, request.ActiveClusterVip);
        Map("-ActiveEtcdEndpoint", details.ActiveEtcdEndpointsKeys, new JsonArray(active.Select(u => (JsonNode)u.ToString().TrimEnd('/')).ToArray()), list: true);
        Map("-StandbyEtcdEndpoint", details.StandbyEtcdEndpointsKeys, new JsonArray(standby.Select(u => (JsonNode)u.ToString().TrimEnd('/')).ToArray()), list: true);
        Map("-ActiveClusterTokenSecret", details.ActiveClusterTokenSecretKeys, details.ActiveClusterTokenSecret);
        if (request.DataCheckInterval is { } interval)
        {
            Map("-DataCheckInterval", details.DataCheckIntervalKeys, interval);
        }

        foreach (var (key, value) in request.Config ?? new Dictionary<string, JsonNode?>())
        {
            config[key] = value?.DeepClone();
        }

        return config;
    }

    private static string Normalize(string key) => new(key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static bool SameSpec(JsonObject moduleInfo, string version, JsonObject config) =>
        EtcdSyncPlugin.SameVersion(JsonPath.String(moduleInfo, "spec.version"), version)
        && JsonPath.Node(moduleInfo, "spec.config") is JsonObject current
        && config.All(p => JsonNode.DeepEquals(current[p.Key], p.Value));

    private static bool NeedsBootstrapJob(EtcdSyncInstallPlan plan) =>
        PlatformVersion.TryParse(plan.Version, out var v)
            ? new Version(v.Major, v.Minor, v.Patch) >= plan.Request.Details.BootstrapJobSince
            : plan.Request.Profile.HasEtcdSyncBootstrapJob;

    private static EtcdSyncInstallation Result(EtcdSyncInstallPlan plan, JsonObject info, string leader, DateTimeOffset? since, bool changed) => new()
    {
        Cluster = plan.Request.Standby.Name,
        ModuleInfo = JsonPath.Name(info),
        ModuleName = plan.ModuleName,
        Version = JsonPath.String(info, "status.version") ?? plan.Version,
        Phase = JsonPath.String(info, "status.phase"),
        LeaderPod = leader,
        SyncStartedAt = since,
        Changed = changed,
    };

    private static Uri EtcdUri(string host, int port) =>
        new($"https://{(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host)}:{port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The standby's VIP: ProductBase spec.alternativeURLs (https://&lt;standby VIP&gt; [doc]), else spec.platformURL, else the API server's host.</summary>
    private static async Task<string> StandbyVipAsync(ClusterConnection standby, CancellationToken cancellationToken) =>
        (await ProductBase.ReadAsync(standby, cancellationToken).ConfigureAwait(false))?.UrlHosts().FirstOrDefault()
        ?? standby.Endpoint.Server.Host.Trim('[', ']');

    private static async Task<byte[]> ReadPrimaryTokenAsync(EtcdSyncInstallRequest request, CancellationToken cancellationToken)
    {
        var details = request.Details;
        var secret = await ReadSecretAsync(request.Primary, details.Namespace, details.TokenSourceSecret, cancellationToken).ConfigureAwait(false);
        return secret?.Data?.TryGetValue("token", out var token) == true && token is { Length: > 0 }
            ? token
            : throw new GlobalUpgradeException(
                ErrorIds.ActiveClusterTokenMissing,
                FailureCategory.ObjectNotFound,
                $"The primary '{request.Primary.Name}' has no secret {details.Namespace}/{details.TokenSourceSecret} with a key 'token'; the standby's synchronizer needs that token to read the primary.",
                request.Primary.Name);
    }

    private static async Task<PlannedChange> TokenChangeAsync(EtcdSyncInstallRequest request, CancellationToken cancellationToken)
    {
        var details = request.Details;
        var token = await ReadPrimaryTokenAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReadSecretAsync(request.Standby, details.Namespace, details.ActiveClusterTokenSecret, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return PlannedChange.Create;
            }

            return current.Data?.TryGetValue("token", out var held) == true && held is not null && CryptographicOperations.FixedTimeEquals(held, token)
                ? PlannedChange.None
                : PlannedChange.Update;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(token);
        }
    }

    private static async Task WriteTokenSecretAsync(EtcdSyncInstallRequest request, CancellationToken cancellationToken)
    {
        var details = request.Details;
        var standby = request.Standby;
        var token = await ReadPrimaryTokenAsync(request, cancellationToken).ConfigureAwait(false);
        var name = details.ActiveClusterTokenSecret;
        OperationLog.Current.Verbose($"[{standby.Name}] writing secret {details.Namespace}/{name} (key 'token') with the token of the primary's {details.Namespace}/{details.TokenSourceSecret}");
        try
        {
            await WriteSecretAsync(standby, details, name, token, cancellationToken).ConfigureAwait(false);
        }
        catch (GlobalUpgradeException ex) when (ex.InnerException is not null)
        {
            // The failed request (and so the exception chain) carries the token: keep only the message.
            throw new GlobalUpgradeException(ex.ErrorId, ex.Category, ex.Message, ex.Target);
        }
        catch (HttpOperationException ex)
        {
            throw KubeErrorTranslator.FromStatus(ex.Response?.StatusCode ?? 0, ex.Response?.Content, standby.Endpoint, $"writing secret {details.Namespace}/{name}", inner: null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(token);
        }
    }

    private static Task WriteSecretAsync(ClusterConnection standby, EtcdSyncProfile details, string name, byte[] token, CancellationToken cancellationToken) =>
        standby.CallAsync($"writing secret {details.Namespace}/{name}", async (c, ct) =>
        {
            var existing = await ReadSecretAsync(standby, details.Namespace, name, ct).ConfigureAwait(false);
            if (existing is null)
            {
                var secret = new V1Secret
                {
                    ApiVersion = "v1",
                    Kind = "Secret",
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = details.Namespace },
                    Type = "Opaque",
                    Data = new Dictionary<string, byte[]> { ["token"] = token },
                };
                await c.CoreV1.CreateNamespacedSecretAsync(secret, details.Namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            else
            {
                existing.Data ??= new Dictionary<string, byte[]>();
                existing.Data["token"] = token;
                await c.CoreV1.ReplaceNamespacedSecretAsync(existing, name, details.Namespace, cancellationToken: ct).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    private static Task<V1Secret?> ReadSecretAsync(ClusterConnection cluster, string ns, string name, CancellationToken cancellationToken) =>
        cluster.CallAsync($"reading secret {ns}/{name}", async (c, ct) =>
        {
            try
            {
                return await c.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken)!;
}
