using System.Diagnostics;
using System.Threading.Channels;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Etcd;

/// <summary>What Compare-EtcdKeyspace asks for.</summary>
public sealed record EtcdKeyspaceRequest(
    EtcdClientOptions Primary,
    EtcdClientOptions Standby,
    string Prefix,
    IReadOnlyList<string> Exclusions,
    bool CompareValues = false,
    int PageSize = EtcdKeyspaceRequest.DefaultPageSize,
    int MaxKeys = EtcdKeyspaceRequest.DefaultMaxKeys)
{
    public const string DefaultPrefix = EtcdExclusions.StorageRoot;

    /// <summary>Keys per range request when reading keys only (a few MB per page even for long keys).</summary>
    public const int DefaultPageSize = 10000;

    /// <summary>Keys per range request when values are read too (Kubernetes objects are a few KB each, at most 1.5 MB).</summary>
    public const int DefaultValuePageSize = 500;

    public const int DefaultMaxKeys = 10000;

    /// <summary>Windows of the keyspace read at the same time per side (tests vary it).</summary>
    internal int WindowsInFlight { get; init; } = KeyspaceScanner.DefaultWindowsInFlight;

    /// <summary>The bytes a keys-only request asks for at most (tests vary it).</summary>
    internal int MaxPageBytes { get; init; } = KeyspaceScanner.DefaultMaxPageBytes;

    /// <summary>
    /// Where earlier comparisons in this session found each cluster's keys (none: every comparison learns it anew); a
    /// comparison that completes leaves its own there.
    /// </summary>
    public KeyspaceLayouts? Layouts { get; init; }

    /// <summary>Whether excluded ranges are left unread (the default) or read and dropped by the merge (tests compare both).</summary>
    internal bool SkipExcludedRanges { get; init; } = true;
}

/// <summary>
/// Compares the keyspaces of two etcd clusters: both are read concurrently in pages, each pinned to one revision,
/// and the two sorted streams are merged as they arrive, so memory is bounded by a few pages and the diff lists.
/// </summary>
public static class EtcdKeyspaceComparer
{
    private const int PrefetchPages = 1;

    public static Task<EtcdKeyspaceDiff> CompareAsync(EtcdKeyspaceRequest request, CancellationToken cancellationToken) =>
        CompareAsync(request, null, cancellationToken);

    internal static async Task<EtcdKeyspaceDiff> CompareAsync(EtcdKeyspaceRequest request, ScanHooks? hooks, CancellationToken cancellationToken)
    {
        EtcdTrace.Mark("engine: comparison called");
        if (string.IsNullOrEmpty(request.Prefix))
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdEndpointInvalid, FailureCategory.InvalidArgument, "The key prefix is empty: give one, e.g. '/registry/'.", request.Prefix);
        }

        EtcdKeyMatcher matcher;
        try
        {
            matcher = new EtcdKeyMatcher(request.Exclusions);
        }
        catch (ArgumentException ex)
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdExclusionInvalid, FailureCategory.InvalidArgument, ex.Message, request.Exclusions, ex);
        }

        var primaryTls = EtcdTlsMaterial.Load(request.Primary);
        var standbyTls = EtcdTlsMaterial.Load(request.Standby);

        var log = OperationLog.Current;
        if (request.Exclusions.Count == 0)
        {
            log.Verbose("No exclusions: every key under the prefix is compared.");
        }
        else
        {
            log.Verbose($"Excluding {request.Exclusions.Count} rules (a key prefix, or every object of a namespace):");
            foreach (var rule in request.Exclusions)
            {
                log.Verbose("  " + EtcdExclusions.Describe(rule));
            }
        }

        var watch = Stopwatch.StartNew();
        var buffers = new PageBuffers();

        // Excluded keys are not asked for at all where a range holds nothing else; the merge drops the rest.
        var excluded = matcher.IsEmpty || !request.SkipExcludedRanges ? null : new ExcludedRanges(matcher);
        KeyspaceScanner ScannerFor(EtcdClientOptions side, EtcdTlsMaterial tls, int activityId) =>
            new(side, tls, request.Prefix, request.CompareValues, request.PageSize, activityId, buffers)
            {
                Hooks = hooks,
                WindowsInFlight = request.WindowsInFlight,
                MaxPageBytes = request.MaxPageBytes,
                Excluded = excluded,
                Layout = request.Layouts?.Find(side, request.Prefix, request.CompareValues, request.PageSize),
            };

        var primary = ScannerFor(request.Primary, primaryTls, 1);
        var standby = ScannerFor(request.Standby, standbyTls, 2);
        using var scope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var primaryPages = NewChannel();
        var standbyPages = NewChannel();
        var primaryTask = ProduceAsync(primary, primaryPages.Writer, scope);
        var standbyTask = ProduceAsync(standby, standbyPages.Writer, scope);

        MergeResult merged;
        try
        {
            var merger = new KeyspaceMerger(matcher, request.CompareValues, request.MaxKeys);
            merged = await merger.MergeAsync(primaryPages.Reader.ReadAllAsync(scope.Token), standbyPages.Reader.ReadAllAsync(scope.Token), scope.Token).ConfigureAwait(false);
            await Task.WhenAll(primaryTask, standbyTask).ConfigureAwait(false);
            EtcdTrace.Mark("engine: both sides read and merged");
        }
        catch (Exception ex) when (ex is not GlobalUpgradeException)
        {
            await scope.CancelAsync().ConfigureAwait(false);
            await Settle(primaryTask, standbyTask).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            // A scan that failed is the cause; the merge only saw its pages stop.
            var cause = new[] { primaryTask, standbyTask }.Select(t => t.Exception?.GetBaseException()).OfType<GlobalUpgradeException>().FirstOrDefault();
            if (cause is not null)
            {
                throw cause;
            }

            throw;
        }
        finally
        {
            await scope.CancelAsync().ConfigureAwait(false);
            await Settle(primaryTask, standbyTask).ConfigureAwait(false);
        }

        watch.Stop();
        foreach (var (side, scanner) in new[] { (request.Primary, primary), (request.Standby, standby) })
        {
            if (scanner.ReadLayout is { } layout)
            {
                request.Layouts?.Remember(side, request.Prefix, request.CompareValues, request.PageSize, layout);
            }
        }

        var excludedCount = merged.Excluded + primary.KeysSkipped + standby.KeysSkipped;
        if (merged.PrimaryCompared == 0 && merged.StandbyCompared == 0)
        {
            // Two empty sides agree, but nothing was compared: a mistyped prefix must not read as "in sync".
            throw new GlobalUpgradeException(
                ErrorIds.EtcdKeyspaceEmpty,
                FailureCategory.ObjectNotFound,
                $"Neither etcd holds a key under the prefix '{request.Prefix}'{(excludedCount > 0 ? $" that is not excluded ({excludedCount:N0} excluded)" : "")}: nothing was compared. ACP's Kubernetes keys start with '/registry/'; check -Prefix and -Exclude.",
                request.Prefix);
        }

        var diff = new EtcdKeyspaceDiff
        {
            MissedKeys = merged.Missed,
            SurplusKeys = merged.Surplus,
            ChangedKeys = merged.Changed,
            MissedCount = merged.MissedCount,
            SurplusCount = merged.SurplusCount,
            ChangedCount = merged.ChangedCount,
            PrimaryCount = merged.PrimaryCompared,
            StandbyCount = merged.StandbyCompared,
            ExcludedCount = excludedCount,
            PrimaryRevision = primary.Revision,
            StandbyRevision = standby.Revision,
            PrimaryEndpoint = primary.Endpoint.ToString(),
            StandbyEndpoint = standby.Endpoint.ToString(),
            Duration = watch.Elapsed,
            ValuesCompared = request.CompareValues,
            MaxKeys = request.MaxKeys,
            Prefix = request.Prefix,
            Exclusions = request.Exclusions.ToArray(),
        };
        log.Verbose($"Read {primary.KeysRead:N0} keys from the primary (revision {primary.Revision}) and {standby.KeysRead:N0} from the standby (revision {standby.Revision}) in {watch.Elapsed.TotalSeconds:N1} s; {excludedCount:N0} excluded ({primary.KeysSkipped + standby.KeysSkipped:N0} of them not read: their ranges were skipped).");
        log.Debug($"Range requests: {primary.Requests} to the primary (etcd walked {primary.KeysWalked:N0} index entries), {standby.Requests} to the standby ({standby.KeysWalked:N0}).");
        if (diff.IsTruncated)
        {
            log.Warning($"The key lists are cut at {request.MaxKeys} keys each (-MaxKeys): {diff.MissedCount:N0} missed, {diff.SurplusCount:N0} surplus and {diff.ChangedCount:N0} changed keys in all.");
        }

        return diff;
    }

    private static Channel<KeyPage> NewChannel() =>
        Channel.CreateBounded<KeyPage>(new BoundedChannelOptions(PrefetchPages) { SingleReader = true, SingleWriter = true });

    private static async Task ProduceAsync(KeyspaceScanner scanner, ChannelWriter<KeyPage> writer, CancellationTokenSource scope)
    {
        await Task.Yield();
        try
        {
            await scanner.RunAsync(writer, scope.Token).ConfigureAwait(false);
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(ex);
            if (!scope.IsCancellationRequested)
            {
                // Stop the other side and the merge at once: the comparison cannot complete.
                await scope.CancelAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static async Task Settle(params Task[] tasks)
    {
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            // Observed by the caller through the tasks themselves.
        }
    }
}
