using GlobalUpgrade.Consistency;
using GlobalUpgrade.Errors;
using GlobalUpgrade.EtcdSync;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using GlobalUpgrade.Upgrade;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>
/// The documented procedures as runbook steps (seed; acp/README.md): the global DR order and the standard one.
/// Every step is safe to run again after a crash: it looks at the clusters (and at its own outputs in the journal)
/// before it changes anything, and re-attaches to detached work instead of starting it twice.
/// </summary>
public static class UpgradeRunbooks
{
    public const string DrRunbook = "GlobalDrUpgrade";
    public const string StandardRunbook = "GlobalUpgrade";

    public static IReadOnlyList<StepDefinition> Build(RunbookRequest request, PlatformProfile sourceProfile, IReadOnlyDictionary<string, TimeSpan>? estimates = null)
    {
        var known = UpgradeSteps.Estimates(estimates);
        TimeSpan Estimate(string step) => known[step];
        var primary = request.Primary.Name;
        if (!request.IsDr)
        {
            return
            [
                new(UpgradeSteps.Preflight, primary, Estimate(UpgradeSteps.Preflight), (ctx, ct) => PreflightAsync(request, ctx, ct)),
                new(UpgradeSteps.ImageSync, primary, Estimate(UpgradeSteps.ImageSync), (ctx, ct) => ImageSyncAsync(request, request.Primary, request.PrimaryTarget, ctx, ct)),
                new(UpgradeSteps.Upgrade, primary, Estimate(UpgradeSteps.Upgrade), (ctx, ct) => UpgradeAsync(request, request.Primary, request.PrimaryTarget, ctx, ct)),
                new(UpgradeSteps.PostChecks, primary, Estimate(UpgradeSteps.PostChecks), (ctx, ct) => PostChecksAsync(request, ctx, ct)),
            ];
        }

        var standby = request.Standby!.Name;
        var both = $"{primary},{standby}";
        var syncHost = sourceProfile.EtcdSyncHost == ClusterRole.Standby ? standby : primary;
        return
        [
            new(UpgradeSteps.Preflight, both, Estimate(UpgradeSteps.Preflight), (ctx, ct) => PreflightAsync(request, ctx, ct)),
            new(UpgradeSteps.ImageSync, standby, Estimate(UpgradeSteps.ImageSync), (ctx, ct) => ImageSyncAsync(request, request.Standby, request.StandbyTarget, ctx, ct)),
            new(UpgradeSteps.ImageSync, primary, Estimate(UpgradeSteps.ImageSync), (ctx, ct) => ImageSyncAsync(request, request.Primary, request.PrimaryTarget, ctx, ct)),
            new(UpgradeSteps.UninstallEtcdSync, syncHost, Estimate(UpgradeSteps.UninstallEtcdSync), (ctx, ct) => UninstallEtcdSyncAsync(request, sourceProfile, ctx, ct)),
            new(UpgradeSteps.UpgradeStandby, standby, Estimate(UpgradeSteps.UpgradeStandby), (ctx, ct) => UpgradeAsync(request, request.Standby, request.StandbyTarget, ctx, ct)),
            new(UpgradeSteps.UpgradePrimary, primary, Estimate(UpgradeSteps.UpgradePrimary), (ctx, ct) => UpgradePrimaryAsync(request, ctx, ct)),
            new(UpgradeSteps.CheckEtcdPorts, both, Estimate(UpgradeSteps.CheckEtcdPorts), (ctx, ct) => CheckEtcdPortsAsync(request, ctx, ct)),
            new(UpgradeSteps.InstallEtcdSync, standby, Estimate(UpgradeSteps.InstallEtcdSync), (ctx, ct) => InstallEtcdSyncAsync(request, ctx, ct)),
            new(UpgradeSteps.VerifySync, standby, Estimate(UpgradeSteps.VerifySync), (ctx, ct) => VerifySyncAsync(request, ctx, ct)),
            new(UpgradeSteps.PostChecks, both, Estimate(UpgradeSteps.PostChecks), (ctx, ct) => PostChecksAsync(request, ctx, ct)),
        ];
    }

    /// <summary>The journal entries for a new runbook.</summary>
    public static JournalDocument NewJournal(RunbookRequest request, IReadOnlyList<StepDefinition> steps)
    {
        var inputs = request.DescribeInputs();
        return new JournalDocument
        {
            Runbook = request.IsDr ? DrRunbook : StandardRunbook,
            TargetVersion = request.TargetVersion,
            Inputs = inputs,
            InputsDigest = RunbookJournal.Digest(inputs),
            Steps = steps.Select(s => new JournalStep { Name = s.Name, Cluster = s.Cluster, State = StepState.Pending }).ToList(),
        };
    }

    private static async Task<StepOutcome> PreflightAsync(RunbookRequest request, StepContext ctx, CancellationToken ct)
    {
        var clusters = request.IsDr ? new[] { request.Primary, request.Standby! } : [request.Primary];
        var target = PlatformVersion.Parse(request.TargetVersion);
        var versions = await Task.WhenAll(clusters.Select(c => PlatformVersionReader.ReadAsync(c, ct))).ConfigureAwait(false);
        for (var i = 0; i < clusters.Length; i++)
        {
            var from = PlatformVersion.Parse(versions[i]);
            if (from.CompareTo(target) != 0 && !UpgradePaths.IsSupported(from, target, out var reason))
            {
                throw new GlobalUpgradeException(ErrorIds.UnsupportedUpgradePath, FailureCategory.InvalidOperation,
                    $"{clusters[i].Name} runs {from} and cannot be upgraded to {target}: {reason}. Nothing was changed.", clusters[i].Name);
            }
        }

        IReadOnlyList<CheckResult> checks = request.IsDr
            ? await DrConsistencyChecker.RunAsync(new DrConsistencyRequest(request.Primary, request.Standby!, ConsistencySource.Monitor, EtcdSyncProfile.Default, SyncMonitorClient.DefaultTimeout, Keyspace: null), ct).ConfigureAwait(false)
            : await Task.WhenAll(
                ClusterStateChecks.MachinesRunningAsync(request.Primary, ct),
                ClusterStateChecks.PluginsSettledAsync(request.Primary, ct),
                ClusterStateChecks.ComponentsSettledAsync(request.Primary, ct)).ConfigureAwait(false);
        var all = checks.ToList();
        if (request.IsDr)
        {
            all.Add(await AlternativeUrlCheckAsync(request, ct).ConfigureAwait(false));
        }

        ctx.SetOutput("checks", ChecksJson(all));
        var failed = all.Where(c => !c.Passed).ToList();
        return failed.Count == 0
            ? StepOutcome.Succeeded($"{all.Count} checks passed; {string.Join(", ", clusters.Select((c, i) => $"{c.Name} runs {versions[i]}"))}; target {request.TargetVersion}.")
            : new StepOutcome(StepState.Failed, $"{failed.Count} of {all.Count} checks failed: {string.Join(" | ", failed.Select(f => $"{f.Check} on {f.Target}: {f.Message}"))} Fix them, then run again with -Resume.");
    }

    private static async Task<CheckResult> AlternativeUrlCheckAsync(RunbookRequest request, CancellationToken ct)
    {
        var productBase = await ProductBase.ReadAsync(request.Standby!, ct).ConfigureAwait(false);
        var urls = productBase?.AlternativeUrls ?? [];
        var expected = $"https://{request.EffectiveStandbyVip}";
        var found = productBase?.ListsAlternativeUrl(request.EffectiveStandbyVip) == true;
        return new CheckResult
        {
            Check = "StandbyAlternativeUrl",
            Target = request.Standby.Name,
            Passed = found,
            Expected = expected,
            Actual = urls.Count == 0 ? "none" : string.Join(", ", urls),
            Message = found
                ? $"The standby's ProductBase lists {expected} in spec.alternativeURLs."
                : $"The standby's ProductBase spec.alternativeURLs lacks {expected} (it has {(urls.Count == 0 ? "none" : string.Join(", ", urls))}); add it before upgrading the standby, or give the right -StandbyVip.",
        };
    }

    private static async Task<StepOutcome> ImageSyncAsync(RunbookRequest request, ClusterConnection? cluster, Remote.RemoteTarget target, StepContext ctx, CancellationToken ct)
    {
        var store = ImageSyncStore.Default;
        var secrets = request.RegistryCredential?.Password is { Length: > 0 } password ? new[] { password } : [];
        var follow = new FollowOptions { Secrets = secrets, Timeout = request.StepTimeout };
        ImageSyncRun run;
        if (ctx.Output("runId")?.ToString() is { Length: > 0 } runId && store.Find(runId) is { } recorded)
        {
            OperationLog.Current.Verbose($"[{cluster!.Name}] re-attaching to image sync run {runId}.");
            run = recorded.State == ImageSyncState.Running
                ? await ImageSyncService.FollowAsync(recorded, ImageSyncService.TargetOf(recorded, target.Credential), follow, store, ct).ConfigureAwait(false)
                : recorded;
            if (run.State != ImageSyncState.Succeeded)
            {
                throw new GlobalUpgradeException(ErrorIds.ImageSyncFailed, FailureCategory.InvalidOperation, $"The image sync of {cluster.Name} (run {run.Id}) ended {run.State}. Last lines: {string.Join(" / ", run.LastLines ?? [])}", cluster.Name);
            }
        }
        else if (ImageSyncLedger.LastSucceeded(cluster!.Name, request.PackagePathOf(cluster), store) is { } done)
        {
            ctx.SetOutput("runId", done.Id);
            return StepOutcome.Skipped($"A successful image sync of {request.PackagePathOf(cluster)} for {cluster.Name} is on record (run {done.Id}, {done.FinishedAt:yyyy-MM-dd HH:mm}).");
        }
        else
        {
            run = await ImageSyncService.StartAsync(new ImageSyncRequest { Target = target, Cluster = cluster.Name, PackagePath = request.PackagePathOf(cluster), Registry = request.Registry, RegistryCredential = request.RegistryCredential, RunRoot = request.RunRoot }, store, ct).ConfigureAwait(false);
            ctx.SetOutput("runId", run.Id);
            run = await ImageSyncService.FollowAsync(run, target, follow, store, ct).ConfigureAwait(false);
        }

        return StepOutcome.Succeeded($"Images of {run.PackagePath} synced for {cluster!.Name} (run {run.Id}, log {run.LogPath}).");
    }

    private static async Task<StepOutcome> UninstallEtcdSyncAsync(RunbookRequest request, PlatformProfile profile, StepContext ctx, CancellationToken ct)
    {
        var host = profile.EtcdSyncHost == ClusterRole.Standby ? request.Standby! : request.Primary;
        var plan = await EtcdSyncUninstaller.PlanAsync(host, profile, request.EtcdSync.ModuleName, ct).ConfigureAwait(false);
        if (plan.NothingToDo)
        {
            return StepOutcome.Succeeded($"The etcd synchronizer is not installed on {host.Name} (already removed).");
        }

        // The gate of the whole procedure: never remove the synchronizer while the standby lacks data.
        var failed = await EtcdSyncGuard.FailedChecksAsync(request.Primary, request.Standby!, profile.EtcdSyncDetails, SyncMonitorClient.DefaultTimeout, ct).ConfigureAwait(false);
        if (failed.Count > 0)
        {
            ctx.SetOutput("checks", ChecksJson(failed));
            throw new GlobalUpgradeException(ErrorIds.StandbyNotConsistent, FailureCategory.InvalidOperation,
                $"The etcd synchronizer was NOT removed: {EtcdSyncGuard.Describe(failed)} Fix this (Restart-EtcdSync cures missed keys; surplus keys need review), then run again with -Resume.", host.Name);
        }

        ctx.Issue($"uninstall {plan.Describe()}");
        await EtcdSyncUninstaller.ExecuteAsync(plan, request.StepTimeout, runOnNode: null, ct).ConfigureAwait(false);
        return StepOutcome.Succeeded($"Removed {plan.Describe()}.");
    }

    private static async Task<StepOutcome> UpgradeAsync(RunbookRequest request, ClusterConnection? cluster, Remote.RemoteTarget target, StepContext ctx, CancellationToken ct)
    {
        var run = await UpgradeService.StartAsync(new UpgradeRequest
        {
            Target = target,
            Cluster = cluster!,
            PackagePath = request.PackagePathOf(cluster!),
            TargetVersion = request.TargetVersion,
            Timeout = request.StepTimeout,
            RunRoot = request.RunRoot,
        }, UpgradeRunStore.Default, ct).ConfigureAwait(false);
        ctx.SetOutput("upgradeRunId", run.Id);
        if (run.State != UpgradeRunState.Succeeded)
        {
            throw new GlobalUpgradeException(ErrorIds.UpgradeFailed, FailureCategory.InvalidOperation, $"The upgrade of {cluster!.Name} ended {run.State}: {run.Message}", cluster.Name);
        }

        return StepOutcome.Succeeded($"{cluster!.Name} upgraded from {run.FromVersion} to {run.ToVersion} (run {run.Id}): {run.Message}");
    }

    private static async Task<StepOutcome> UpgradePrimaryAsync(RunbookRequest request, StepContext ctx, CancellationToken ct)
    {
        // Safety rule 3: the standby first. Re-read it: the journal alone is not proof.
        var standbyStep = ctx.Journal.Step(UpgradeSteps.UpgradeStandby, request.Standby!.Name);
        var standbyVersion = await PlatformVersionReader.ReadAsync(request.Standby, ct).ConfigureAwait(false);
        if (standbyStep.State != StepState.Succeeded || !Versions.Same(standbyVersion, request.TargetVersion))
        {
            throw new GlobalUpgradeException(ErrorIds.StandbyNotUpgraded, FailureCategory.InvalidOperation,
                $"The primary is upgraded only after the standby: the standby {request.Standby.Name} runs {standbyVersion} (step UpgradeStandby is {standbyStep.State}), not {request.TargetVersion}.", request.Primary.Name);
        }

        return await UpgradeAsync(request, request.Primary, request.PrimaryTarget, ctx, ct).ConfigureAwait(false);
    }

    private static async Task<StepOutcome> CheckEtcdPortsAsync(RunbookRequest request, StepContext ctx, CancellationToken ct)
    {
        if (request.EtcdSync.SkipEndpointCheck)
        {
            return StepOutcome.Skipped("Skipped on request (-EtcdSync @{ SkipEndpointCheck = $true }).");
        }

        var endpoints = Endpoints(request).ToList();
        var check = new TcpEndpointCheck();
        var results = await Task.WhenAll(endpoints.Select(e => check.CheckAsync(e, TimeSpan.FromSeconds(10), ct))).ConfigureAwait(false);
        ctx.SetOutput("checks", ChecksJson(results));
        var failed = results.Where(r => !r.Passed).ToList();
        return failed.Count == 0
            ? StepOutcome.Succeeded($"Port 2379 answers on {string.Join(", ", endpoints.Select(e => e.Authority))}.")
            : new StepOutcome(StepState.Failed, $"{string.Join(" ", failed.Select(f => f.Message))} Then run again with -Resume.");
    }

    private static IEnumerable<Uri> Endpoints(RunbookRequest request)
    {
        var vip = request.EtcdSync.ActiveClusterVip ?? throw MissingVip();
        return (request.EtcdSync.ActiveEtcdEndpoints ?? [new Uri($"https://{vip}:2379")])
            .Concat(request.EtcdSync.StandbyEtcdEndpoints ?? [new Uri($"https://{request.EffectiveStandbyVip}:2379")]);
    }

    private static async Task<StepOutcome> InstallEtcdSyncAsync(RunbookRequest request, StepContext ctx, CancellationToken ct)
    {
        var version = PlatformVersion.Parse(await PlatformVersionReader.ReadAsync(request.Standby!, ct).ConfigureAwait(false));
        var plan = await EtcdSyncInstaller.PlanAsync(new EtcdSyncInstallRequest
        {
            Primary = request.Primary,
            Standby = request.Standby!,
            Profile = PlatformProfile.For(version),
            ActiveClusterVip = request.EtcdSync.ActiveClusterVip ?? throw MissingVip(),
            ActiveEtcdEndpoints = request.EtcdSync.ActiveEtcdEndpoints,
            StandbyEtcdEndpoints = request.EtcdSync.StandbyEtcdEndpoints,
            DataCheckInterval = request.EtcdSync.DataCheckInterval,
            Version = request.EtcdSync.Version,
            ModuleName = request.EtcdSync.ModuleName,
            Config = request.EtcdSync.Config,
            SkipEndpointCheck = request.EtcdSync.SkipEndpointCheck,
        }, ct).ConfigureAwait(false);
        ctx.Issue($"install etcd synchronizer {plan.ModuleName} {plan.Version} on {request.Standby!.Name}");
        var installation = await EtcdSyncInstaller.ExecuteAsync(plan, request.StepTimeout, ct).ConfigureAwait(false);
        ctx.SetOutput("leaderPod", installation.LeaderPod ?? "");
        return StepOutcome.Succeeded($"{installation.ModuleName} {installation.Version} is {installation.Phase} on {installation.Cluster}; leader {installation.LeaderPod} started syncing at {installation.SyncStartedAt:HH:mm:ss}.");
    }

    private static async Task<StepOutcome> VerifySyncAsync(RunbookRequest request, StepContext ctx, CancellationToken ct)
    {
        var standby = request.Standby!;
        var deadline = DateTimeOffset.Now + request.VerifySyncTimeout;
        var restarted = ctx.Output("restarted")?.Value<bool>() == true;
        while (true)
        {
            EtcdSyncStatus? status = null;
            try
            {
                status = await SyncMonitorClient.ReadViaProxyAsync(standby, EtcdSyncProfile.Default, SyncMonitorClient.DefaultTimeout, ct).ConfigureAwait(false);
            }
            catch (GlobalUpgradeException ex) when (DateTimeOffset.Now < deadline)
            {
                // The monitor may still be starting after the install: an unknown state is retried, never taken as in sync.
                OperationLog.Current.Verbose($"[{standby.Name}] sync state unknown yet: {ex.Message}");
            }

            if (status is not null)
            {
                ctx.SetOutput("checks", ChecksJson([DrConsistencyChecker.FromSyncStatus(status)]));
                if (status.IsInSync)
                {
                    return StepOutcome.Succeeded($"The standby is in sync: no missed and no surplus keys{(restarted ? " (after one leader restart)" : "")}.");
                }

                if (status.SurplusCount > 0)
                {
                    return new StepOutcome(StepState.Failed, $"The standby has {status.SurplusCount} surplus keys (e.g. {string.Join(", ", status.SurplusKeys.Take(5))}). They are never deleted by this runbook: review them with the operations team, then run again with -Resume.");
                }

                if (!restarted)
                {
                    // The documented cure for missed keys: restart the synchronizer's leader, once.
                    ctx.Issue("restart etcd synchronizer leader");
                    var profile = PlatformProfile.For(PlatformVersion.Parse(await PlatformVersionReader.ReadAsync(standby, ct).ConfigureAwait(false)));
                    var leader = await EtcdSyncRestarter.ReadLeaderAsync(standby, profile, ct).ConfigureAwait(false);
                    await EtcdSyncRestarter.RestartAsync(standby, profile, leader, request.EtcdSync.ModuleName, request.StepTimeout, ct).ConfigureAwait(false);
                    ctx.SetOutput("restarted", true);
                    restarted = true;
                    continue;
                }
            }

            if (DateTimeOffset.Now >= deadline)
            {
                return new StepOutcome(StepState.Failed, status is null
                    ? $"The sync state of {standby.Name} stayed UNKNOWN for {request.VerifySyncTimeout}: the monitor did not answer. Check the etcd-sync pods, then -Resume."
                    : $"The standby still misses {status.MissedCount} keys (e.g. {string.Join(", ", status.MissedKeys.Take(5))}) after a leader restart and {request.VerifySyncTimeout}. Contact support before going on; -Resume re-checks.");
            }

            // The monitor recomputes its report on its own interval; nothing to watch, so wait a little.
            await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        }
    }

    private static async Task<StepOutcome> PostChecksAsync(RunbookRequest request, StepContext ctx, CancellationToken ct)
    {
        var clusters = request.IsDr ? new[] { request.Primary, request.Standby! } : [request.Primary];
        var checks = new List<CheckResult>();
        foreach (var cluster in clusters)
        {
            checks.AddRange(await Task.WhenAll(
                ClusterStateChecks.MachinesRunningAsync(cluster, ct),
                ClusterStateChecks.PluginsSettledAsync(cluster, ct),
                ClusterStateChecks.ComponentsSettledAsync(cluster, ct)).ConfigureAwait(false));
            var version = await PlatformVersionReader.ReadAsync(cluster, ct).ConfigureAwait(false);
            checks.Add(new CheckResult
            {
                Check = "PlatformVersion",
                Target = cluster.Name,
                Passed = Versions.Same(version, request.TargetVersion),
                Expected = request.TargetVersion,
                Actual = version,
                Message = $"{cluster.Name} runs {version}.",
            });
        }

        ctx.SetOutput("checks", ChecksJson(checks));
        var failed = checks.Where(c => !c.Passed).ToList();
        return failed.Count == 0
            ? StepOutcome.Succeeded($"All {checks.Count} post-upgrade checks passed.")
            : new StepOutcome(StepState.Failed, $"{failed.Count} post-upgrade checks failed: {string.Join(" | ", failed.Select(f => $"{f.Check} on {f.Target}: {f.Message}"))}");
    }

    private static JArray ChecksJson(IEnumerable<CheckResult> checks) =>
        new(checks.Select(c => new JObject { ["check"] = c.Check, ["target"] = c.Target, ["passed"] = c.Passed, ["expected"] = c.Expected, ["actual"] = c.Actual, ["message"] = c.Message }));

    private static GlobalUpgradeException MissingVip() => new(
        ErrorIds.EtcdSyncOptionsMissing,
        FailureCategory.InvalidArgument,
        "Re-installing the etcd synchronizer needs the primary's VIP: pass -EtcdSync @{ ActiveClusterVip = '<primary VIP>' } (and the etcd endpoints if they are not <VIP>:2379).");
}
