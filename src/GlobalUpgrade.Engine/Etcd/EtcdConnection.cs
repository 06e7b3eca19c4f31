using System.Diagnostics;
using System.Text;
using Etcdserverpb;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Reporting;
using Google.Protobuf;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// The range reads of one scan against one etcd cluster, shared by the windows read at the same time: one gRPC
/// channel (HTTP/2 carries the concurrent requests), logged in once. A member that fails is replaced by the next
/// endpoint of the same cluster; requests that were in flight on it are retried there. When no endpoint is left,
/// or the failure is the cluster's (compacted revision, credentials, permissions), every request fails with the
/// same <see cref="EtcdScanFailure"/>.
/// </summary>
internal sealed class EtcdConnection(EtcdClientOptions options, EtcdTlsMaterial tls, bool withValues, int pageSize, PageBuffers buffers) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly List<string> failures = [];
    private EtcdClient? client;
    private int endpointIndex;
    private EtcdScanFailure? fatal;
    private int requests;
    private long keysWalked;

    /// <summary>The endpoint that is (or was last) answering.</summary>
    public Uri Endpoint => options.Endpoints[Math.Min(endpointIndex, options.Endpoints.Count - 1)];

    public int Requests => Volatile.Read(ref requests);

    public long KeysWalked => Interlocked.Read(ref keysWalked);

    /// <summary>
    /// Reads [start, end) at <paramref name="revision"/> (0: the newest, linearizable), at most <paramref name="limit"/> keys.
    /// No SortOrder: etcd returns a range in ascending key order by construction (its index is a B-tree), and asking
    /// for a sort makes etcd 3.4 read the whole remaining range for every page. The merge checks the order.
    /// </summary>
    public async Task<KeyPage> RangeAsync(ByteString start, ByteString end, int limit, long revision, CancellationToken cancellationToken, bool countOnly = false)
    {
        var request = new RangeRequest
        {
            Key = start,
            RangeEnd = end,
            Limit = limit,
            KeysOnly = !withValues,
            CountOnly = countOnly,
            Revision = revision,

            // Later pages read the fixed revision, which any member that has it answers alike without a raft round.
            Serializable = revision != 0,
        };
        while (true)
        {
            var current = await ClientAsync(revision, cancellationToken).ConfigureAwait(false);
            try
            {
                if (Requests == 0)
                {
                    EtcdTrace.Mark($"{options.Role}: first request sent");
                }

                var started = Stopwatch.GetTimestamp();
                var page = await current.RangePageAsync(request, buffers, cancellationToken).ConfigureAwait(false);
                if (Interlocked.Increment(ref requests) == 1)
                {
                    EtcdTrace.Mark($"{options.Role}: first page received");
                }

                Interlocked.Add(ref keysWalked, page.Total);
                OperationLog.Current.Debug($"{options.Role}: range from '{Shorten(start)}' to '{Shorten(end)}' → {page.Count} of {page.Total} keys in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms");
                return page;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not GlobalUpgradeException)
            {
                await FailedAsync(current, ex, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        client?.Dispose();
        gate.Dispose();
    }

    private async Task<EtcdClient> ClientAsync(long revision, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (fatal is not null)
            {
                throw fatal;
            }

            while (client is null)
            {
                var opened = EtcdClient.Open(options.Endpoints[endpointIndex], tls, options.EffectiveTimeout);
                EtcdTrace.Mark($"{options.Role}: gRPC channel created");
                OperationLog.Current.Verbose($"Reading the {options.Role} etcd at {opened.Endpoint} ({(withValues ? "keys and values" : "keys only")}, pages of {pageSize} keys{(revision == 0 ? "" : $", at revision {revision}")}).");
                try
                {
                    if (options.UserName is not null)
                    {
                        await opened.AuthenticateAsync(options.UserName, options.Password ?? "", cancellationToken).ConfigureAwait(false);
                    }

                    client = opened;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not GlobalUpgradeException)
                {
                    Record(opened, ex);
                }
            }

            return client;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task FailedAsync(EtcdClient failed, Exception ex, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (fatal is not null)
            {
                throw fatal;
            }

            if (ReferenceEquals(client, failed))
            {
                client = null;
                Record(failed, ex);
            }

            // Else another request already replaced this member: retry on the new one.
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Notes a member's failure and moves to the next endpoint, or fails the scan when none is left (caller holds the gate).</summary>
    private void Record(EtcdClient failed, Exception ex)
    {
        var failure = EtcdFailure.Describe(ex, failed);
        failures.Add($"{failed.Endpoint}: {failure.Message}");
        OperationLog.Current.Verbose($"The {options.Role} etcd at {failed.Endpoint} failed: {failure.Message}");
        failed.Dispose();
        var clusterWide = failure.Category is FailureCategory.InvalidOperation or FailureCategory.AuthenticationError or FailureCategory.PermissionDenied;
        if (clusterWide || endpointIndex + 1 >= options.Endpoints.Count)
        {
            fatal = new EtcdScanFailure(failure, string.Join(" | ", failures), ex);
            throw fatal;
        }

        endpointIndex++;
    }

    private static string Shorten(ByteString key)
    {
        var text = Encoding.UTF8.GetString(key.Span).Replace("\0", "\\0", StringComparison.Ordinal);
        return text.Length <= 80 ? text : text[..77] + "...";
    }
}

/// <summary>A scan's request failed on every endpoint (or cluster-wide); the scanner tells how far it got.</summary>
internal sealed class EtcdScanFailure(EtcdFailure last, string tried, Exception inner) : Exception(last.Message, inner)
{
    public EtcdFailure Last { get; } = last;

    /// <summary>Every endpoint tried and what it answered, for the message.</summary>
    public string Tried { get; } = tried;
}
