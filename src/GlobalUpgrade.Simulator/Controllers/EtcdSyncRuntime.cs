using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>
/// The etcd synchronizer on one cluster: bootstrap job (4.3.1+), deployment, its pods (one before 4.3, two from 4.3)
/// that turn Running, one of which leads (takes the lease from 4.3), connects to the active cluster and logs "Start
/// Sync update", the monitor service, and the mirror that copies the active cluster's objects while a leader runs. A
/// leader that cannot connect (endpoints, token, port 2379) logs why and retries, and never logs that line. A
/// deleted pod is replaced, as the deployment would do; a waiting replica takes over from a deleted leader.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The SemaphoreSlim never allocates a wait handle (no AvailableWaitHandle); it lives as long as the simulator.")]
internal sealed class EtcdSyncRuntime(SimCluster cluster, ControllerContext ctx, SimCluster? active)
{
    private readonly SemaphoreSlim mutex = new(1, 1);
    private bool installed;
    private string version = "";
    private string? leader;

    // The pods of the current installation: a deletion seen late (after an uninstall and a new install) is not replaced.
    private readonly HashSet<string> pods = new(StringComparer.Ordinal);
    private int leaderChanges;
    private CancellationTokenSource? mirror;

    private ObjectStore Store => cluster.Store;

    private Scenarios.DurationsScenario Durations => cluster.Scenario.Durations;

    // [doc release-4.1 UGC "Reinstall the etcd sync plugin"]: "Ensure pod is 1/1 Running" (one pod before 4.3);
    // [doc release-4.3 DRI "Step 3: Enable etcd Synchronization"]: "Verify the sync Pods are running on the standby
    // cluster and identify the current leader" (several pods, the lease holder leads).
    private int Replicas => cluster.Scenario.EtcdSync.Replicas ?? (PlatformLine.For(version).HasLeaderLease ? 2 : 1);

    private double RetrySeconds => Math.Max(Durations.PodStartSeconds, 0.5);

    public async Task InstallAsync(string version, bool instant)
    {
        await mutex.WaitAsync(ctx.Stopping);
        try
        {
            installed = true;
            this.version = version;
            if (PlatformLine.For(version).RunsBootstrapJob)
            {
                var job = EtcdSyncObjects.BootstrapJob(version);
                if (instant)
                {
                    EtcdSyncObjects.MarkComplete(job, DateTimeOffset.UtcNow);
                }

                Store.Upsert(ResourceTypes.Jobs, job);
                if (!instant)
                {
                    await ctx.Delay(Durations.BootstrapJobSeconds);
                    Store.Mutate(ResourceTypes.Jobs, EtcdSyncNames.Namespace, EtcdSyncNames.BootstrapJob, j =>
                    {
                        EtcdSyncObjects.MarkComplete(j, DateTimeOffset.UtcNow);
                        return j;
                    });
                }
            }

            Store.Upsert(ResourceTypes.Deployments, EtcdSyncObjects.Deployment(version));
            var replicas = Replicas;
            Store.Mutate(ResourceTypes.Deployments, EtcdSyncNames.Namespace, EtcdSyncNames.Deployment, d =>
            {
                d.Set("spec.replicas", replicas);
                d.Set("status.replicas", replicas);
                d.Set("status.updatedReplicas", replicas);
                return d;
            });
            Store.Upsert(ResourceTypes.Services, EtcdSyncObjects.MonitorService(cluster.Scenario.EtcdSync.MonitorPort));
        }
        finally
        {
            mutex.Release();
        }

        await Task.WhenAll(Enumerable.Range(0, Replicas).Select(_ => StartPodAsync(instant)));
    }

    public void OnPodDeleted(JsonObject pod)
    {
        if (pod.Namespace() != EtcdSyncNames.Namespace || pod.Labels().GetValueOrDefault(EtcdSyncNames.PodLabelKey) != EtcdSyncNames.PodLabelValue)
        {
            return;
        }

        ctx.Spawn(async () =>
        {
            await mutex.WaitAsync(ctx.Stopping);
            try
            {
                if (!installed || !pods.Remove(pod.Name()))
                {
                    return;
                }

                if (pod.Name() == leader)
                {
                    leader = null;
                    leaderChanges++;
                    cluster.Services.Remove(EtcdSyncNames.Namespace, EtcdSyncNames.MonitorService);
                }
            }
            finally
            {
                mutex.Release();
            }

            await StartPodAsync(instant: false);
        });
    }

    public async Task UninstallAsync()
    {
        await mutex.WaitAsync(ctx.Stopping);
        try
        {
            installed = false;
            pods.Clear();
            leader = null;
            if (mirror is not null)
            {
                await mirror.CancelAsync();
                mirror = null;
            }

            cluster.Services.Remove(EtcdSyncNames.Namespace, EtcdSyncNames.MonitorService);
            await ctx.Delay(Durations.PodStartSeconds / 2);
            TryDelete(ResourceTypes.Services, EtcdSyncNames.MonitorService);
            TryDelete(ResourceTypes.Deployments, EtcdSyncNames.Deployment);
            foreach (var pod in Store.List(ResourceTypes.Pods, EtcdSyncNames.Namespace).Items
                .Where(p => p.Labels().GetValueOrDefault(EtcdSyncNames.PodLabelKey) == EtcdSyncNames.PodLabelValue))
            {
                TryDelete(ResourceTypes.Pods, pod.Name());
            }

            TryDelete(ResourceTypes.Leases, EtcdSyncNames.Lease);
            TryDelete(ResourceTypes.Jobs, EtcdSyncNames.BootstrapJob);
        }
        finally
        {
            mutex.Release();
        }
    }

    private async Task StartPodAsync(bool instant)
    {
        var name = $"{EtcdSyncNames.Deployment}-{RandomName(10)}-{RandomName(5)}";
        var node = cluster.Scenario.Machines.FirstOrDefault(m => m.Role == "master")?.Name ?? "node-1";
        var pod = EtcdSyncObjects.Pod(name, version, node);
        if (instant)
        {
            EtcdSyncObjects.MarkRunning(pod, DateTimeOffset.UtcNow);
        }

        await mutex.WaitAsync(ctx.Stopping);
        try
        {
            if (!installed)
            {
                return;
            }

            Store.Create(ResourceTypes.Pods, pod, WriteMode.Raw);
            pods.Add(name);
        }
        finally
        {
            mutex.Release();
        }

        cluster.Logs.Append(EtcdSyncNames.Namespace, name, Line("I", $"starting etcd-sync {version}"));
        if (!instant && cluster.Scenario.EtcdSync.PodStuckReason is { Length: > 0 } stuck)
        {
            // A pod that never starts: it stays Pending, its container waiting with the scenario's reason.
            await ctx.Delay(Durations.PodStartSeconds);
            Store.Mutate(ResourceTypes.Pods, EtcdSyncNames.Namespace, name, p =>
            {
                p.Set("status.containerStatuses", new JsonArray(new JsonObject
                {
                    ["name"] = "etcd-sync",
                    ["ready"] = false,
                    ["restartCount"] = 0,
                    ["started"] = false,
                    ["image"] = p["spec"]?["containers"]?[0]?["image"]?.DeepClone(),
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = stuck, ["message"] = $"Back-off pulling image \"{p["spec"]?["containers"]?[0]?["image"]}\"" } },
                }));
                return p;
            });
            cluster.Logs.Append(EtcdSyncNames.Namespace, name, Line("E", $"container etcd-sync: {stuck}"));
            return;
        }

        if (!instant)
        {
            await ctx.Delay(Durations.PodStartSeconds);
            Store.Mutate(ResourceTypes.Pods, EtcdSyncNames.Namespace, name, p =>
            {
                EtcdSyncObjects.MarkRunning(p, DateTimeOffset.UtcNow);
                return p;
            });
        }

        // The plugin is installed once its pods run; leading and connecting go on in the pods themselves.
        ctx.Spawn(() => LeadAsync(name));
    }

    // One replica leads at a time; the others wait for the lease. The leader connects to the active cluster before
    // it syncs: until it can, it logs why and retries, never "Start Sync update" [doc release-4.3 DRI "Step 3: Enable
    // etcd Synchronization"]: `kubectl logs … "$leader_pod" | grep -E "Acquired leader lease|Start Sync update"`.
    private async Task LeadAsync(string name)
    {
        var line = PlatformLine.For(version);
        var waiting = false;
        while (true)
        {
            await mutex.WaitAsync(ctx.Stopping);
            try
            {
                if (!installed || Store.Get(ResourceTypes.Pods, EtcdSyncNames.Namespace, name) is null)
                {
                    return;
                }

                RefreshReadyReplicas();
                if (leader is null)
                {
                    leader = name;
                    if (line.HasLeaderLease)
                    {
                        Store.Upsert(ResourceTypes.Leases, EtcdSyncObjects.Lease(name, DateTimeOffset.UtcNow, leaderChanges));
                        cluster.Logs.Append(EtcdSyncNames.Namespace, name, Line("I", $"{EtcdSyncNames.AcquiredLeaderLine} {EtcdSyncNames.Namespace}/{EtcdSyncNames.Lease} holder={name}"));
                    }

                    break;
                }

                if (!waiting && line.HasLeaderLease)
                {
                    cluster.Logs.Append(EtcdSyncNames.Namespace, name, Line("I", $"attempting to acquire leader lease {EtcdSyncNames.Namespace}/{EtcdSyncNames.Lease}..."));
                    waiting = true;
                }
            }
            finally
            {
                mutex.Release();
            }

            await ctx.Delay(RetrySeconds);
        }

        while (active is not null && await CannotConnectAsync(active) is { } problem)
        {
            cluster.Logs.Append(EtcdSyncNames.Namespace, name, Line("E", $"cannot connect to the active cluster: {problem}; retrying"));
            await ctx.Delay(RetrySeconds);
            if (!installed || leader != name || Store.Get(ResourceTypes.Pods, EtcdSyncNames.Namespace, name) is null)
            {
                return;
            }
        }

        await mutex.WaitAsync(ctx.Stopping);
        try
        {
            if (!installed || leader != name || Store.Get(ResourceTypes.Pods, EtcdSyncNames.Namespace, name) is null)
            {
                return;
            }

            cluster.Logs.Append(EtcdSyncNames.Namespace, name, Line("I", EtcdSyncNames.StartSyncLine));
            var activeStore = active?.Store ?? Store;
            cluster.Services.Set(EtcdSyncNames.Namespace, EtcdSyncNames.MonitorService, (http, path) => MonitorBackend.HandleAsync(http, path, cluster, activeStore));
            if (active is not null && mirror is null)
            {
                mirror = CancellationTokenSource.CreateLinkedTokenSource(ctx.Stopping);
                var token = mirror.Token;
                ctx.Spawn(() => MirrorLoopAsync(active.Store, token));
            }
        }
        finally
        {
            mutex.Release();
        }
    }

    // The deployment's status counts the Ready pods, as the real controller does.
    private void RefreshReadyReplicas()
    {
        var ready = Store.List(ResourceTypes.Pods, EtcdSyncNames.Namespace).Items.Count(p =>
            p.Labels().GetValueOrDefault(EtcdSyncNames.PodLabelKey) == EtcdSyncNames.PodLabelValue && p.Str("status.phase") == "Running" && !p.IsDeleting());
        Store.Mutate(ResourceTypes.Deployments, EtcdSyncNames.Namespace, EtcdSyncNames.Deployment, d =>
        {
            d.Set("status.readyReplicas", ready);
            d.Set("status.availableReplicas", ready);
            return d;
        });
    }

    // Copies the active cluster's synced objects while a leader runs; never deletes (surplus keys stay for review).
    private async Task MirrorLoopAsync(ObjectStore activeStore, CancellationToken token)
    {
        var held = cluster.Scenario.EtcdSync.MissedUntilLeaderRestart.ToHashSet(StringComparer.Ordinal);
        while (!token.IsCancellationRequested)
        {
            string? leader;
            int changes;
            await mutex.WaitAsync(token);
            try
            {
                leader = this.leader;
                changes = leaderChanges;
            }
            finally
            {
                mutex.Release();
            }

            if (leader is not null)
            {
                var local = EtcdKeys.Synced(Store);
                var copied = 0;
                foreach (var (key, (type, obj)) in EtcdKeys.Synced(activeStore))
                {
                    if (changes == 0 && held.Contains(key))
                    {
                        continue;
                    }

                    var source = EtcdKeys.Comparable(obj);
                    if (local.TryGetValue(key, out var mine) && JsonNode.DeepEquals(EtcdKeys.Comparable(mine.Object), source))
                    {
                        continue;
                    }

                    Store.Upsert(type, source);
                    copied++;
                }

                if (copied > 0)
                {
                    cluster.Logs.Append(EtcdSyncNames.Namespace, leader, Line("I", $"synced {copied} keys from the active cluster"));
                }
            }

            await ctx.Delay(Durations.MirrorIntervalSeconds, token);
        }
    }

    // What keeps the synchronizer from connecting: the active etcd endpoints not set at their form path or one not
    // answering (EtcdSyncEndpoints), or (4.3.1+) the token secret missing or not holding the active cluster's
    // token. Null when it can connect.
    private async Task<string?> CannotConnectAsync(SimCluster activeCluster)
    {
        var line = PlatformLine.For(version);
        var config = Store.List(ResourceTypes.ModuleInfos).Items
            .FirstOrDefault(m => m.Labels().GetValueOrDefault(Plugins.ModuleNameLabel) == EtcdSyncNames.ModuleName)?["spec"]?["config"];
        var path = EndpointsPath(line);
        if (path is not null)
        {
            var endpoints = EtcdSyncEndpoints.Read(config.At(path));
            if (endpoints.Count == 0)
            {
                return $"no {PlatformLine.ActiveEtcdEndpoints} in the ModuleInfo's spec.config";
            }

            foreach (var endpoint in endpoints)
            {
                if (await EtcdSyncEndpoints.FailureAsync(endpoint, activeCluster.Scenario, cluster.Scenario.EtcdSync.ActiveEtcdUnreachable, ctx.Stopping) is { } failure)
                {
                    return $"etcd endpoint {endpoint}: {failure}";
                }
            }
        }

        return line.RequiresActiveToken && !ActiveTokenAccepted(activeCluster.Store)
            ? $"secret {EtcdSyncNames.Namespace}/{EtcdSyncNames.ActiveClusterTokenSecret} is missing or its token is rejected (401 Unauthorized)"
            : null;
    }

    // Where this version's form keeps the active endpoints: its published ModuleConfig's field of that label (a
    // snapshot's plugin has its own form), else the line's. Null when its form has no such field: nothing to judge
    // (a snapshot's form without the documented labels is reported by the seeder, FormLabelsNotFound).
    private string? EndpointsPath(PlatformLine line)
    {
        var published = Store.List(ResourceTypes.ModuleConfigs).Items.FirstOrDefault(c =>
            c.Labels().GetValueOrDefault(Plugins.ModuleNameLabel) == EtcdSyncNames.ModuleName && c.Str("spec.version") == version);
        if (published?["spec"]?["deployDescriptors"] is not JsonArray form)
        {
            return line.Field(PlatformLine.ActiveEtcdEndpoints)?.Path;
        }

        return form.OfType<JsonObject>().FirstOrDefault(d => d.Str("displayName") == PlatformLine.ActiveEtcdEndpoints)?.Str("path");
    }

    private bool ActiveTokenAccepted(ObjectStore activeStore)
    {
        var expected = SecretToken(activeStore, EtcdSyncNames.TokenSourceSecret);
        return expected is not null && SecretToken(Store, EtcdSyncNames.ActiveClusterTokenSecret) == expected;
    }

    private static string? SecretToken(ObjectStore store, string secret)
    {
        var data = store.Get(ResourceTypes.Secrets, EtcdSyncNames.Namespace, secret).Str("data.token");
        try
        {
            return data is null ? null : System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private void TryDelete(ResourceType type, string name)
    {
        try
        {
            Store.Delete(type, EtcdSyncNames.Namespace, name);
        }
        catch (ApiException e) when (e.Code == 404)
        {
        }
    }

    private static string Line(string level, string text) =>
        $"{level}{DateTime.UtcNow:MMdd HH:mm:ss.ffffff}       1 etcdsync.go:0] {text}";

    private static string RandomName(int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(length, alphabet, (span, a) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = a[Random.Shared.Next(a.Length)];
            }
        });
    }
}
