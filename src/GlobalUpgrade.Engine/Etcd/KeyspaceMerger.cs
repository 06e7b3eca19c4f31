using System.Text;
using GlobalUpgrade.Errors;
using Mvccpb;

namespace GlobalUpgrade.Etcd;

/// <summary>What the merge of two sorted key streams found.</summary>
internal sealed class MergeResult
{
    public List<string> Missed { get; } = [];

    public List<string> Surplus { get; } = [];

    public List<string> Changed { get; } = [];

    public long MissedCount { get; set; }

    public long SurplusCount { get; set; }

    public long ChangedCount { get; set; }

    public long PrimaryCompared { get; set; }

    public long StandbyCompared { get; set; }

    public long Excluded { get; set; }
}

/// <summary>
/// Merges two streams of pages of keys, each sorted ascending by raw key bytes (etcd's order), in one pass:
/// memory holds the current page of each side and the diff lists (capped at maxKeys each; counts count all).
/// Keys compare as bytes, ordinal — the way etcd orders them — and are rendered as UTF-8 only when listed.
/// </summary>
internal sealed class KeyspaceMerger(EtcdKeyMatcher exclusions, bool compareValues, int maxKeys)
{
    public async Task<MergeResult> MergeAsync(IAsyncEnumerable<IReadOnlyList<KeyValue>> primary, IAsyncEnumerable<IReadOnlyList<KeyValue>> standby, CancellationToken cancellationToken)
    {
        var result = new MergeResult();
        var p = new Cursor(primary, "primary", exclusions, cancellationToken);
        var s = new Cursor(standby, "standby", exclusions, cancellationToken);
        try
        {
            var hasP = await p.MoveNextAsync().ConfigureAwait(false);
            var hasS = await s.MoveNextAsync().ConfigureAwait(false);
            while (hasP && hasS)
            {
                var order = p.Current!.Key.Span.SequenceCompareTo(s.Current!.Key.Span);
                if (order < 0)
                {
                    Add(result.Missed, p.Current);
                    result.MissedCount++;
                    hasP = await p.MoveNextAsync().ConfigureAwait(false);
                }
                else if (order > 0)
                {
                    Add(result.Surplus, s.Current);
                    result.SurplusCount++;
                    hasS = await s.MoveNextAsync().ConfigureAwait(false);
                }
                else
                {
                    if (compareValues && !p.Current.Value.Span.SequenceEqual(s.Current.Value.Span))
                    {
                        Add(result.Changed, p.Current);
                        result.ChangedCount++;
                    }

                    hasP = await p.MoveNextAsync().ConfigureAwait(false);
                    hasS = await s.MoveNextAsync().ConfigureAwait(false);
                }
            }

            while (hasP)
            {
                Add(result.Missed, p.Current!);
                result.MissedCount++;
                hasP = await p.MoveNextAsync().ConfigureAwait(false);
            }

            while (hasS)
            {
                Add(result.Surplus, s.Current!);
                result.SurplusCount++;
                hasS = await s.MoveNextAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await p.DisposeAsync().ConfigureAwait(false);
            await s.DisposeAsync().ConfigureAwait(false);
        }

        result.PrimaryCompared = p.Compared;
        result.StandbyCompared = s.Compared;
        result.Excluded = p.Excluded + s.Excluded;
        return result;
    }

    private void Add(List<string> list, KeyValue kv)
    {
        if (list.Count < maxKeys)
        {
            list.Add(Encoding.UTF8.GetString(kv.Key.Span));
        }
    }

    /// <summary>Walks one side's pages key by key, skipping excluded keys and exact repeats, refusing keys out of order.</summary>
    private sealed class Cursor(IAsyncEnumerable<IReadOnlyList<KeyValue>> pages, string side, EtcdKeyMatcher exclusions, CancellationToken cancellationToken) : IAsyncDisposable
    {
        private readonly IAsyncEnumerator<IReadOnlyList<KeyValue>> enumerator = pages.GetAsyncEnumerator(cancellationToken);
        private IReadOnlyList<KeyValue>? page;
        private int index = -1;
        private Google.Protobuf.ByteString? previous;

        public KeyValue? Current { get; private set; }

        public long Compared { get; private set; }

        public long Excluded { get; private set; }

        public async ValueTask<bool> MoveNextAsync()
        {
            while (true)
            {
                index++;
                while (page is null || index >= page.Count)
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        Current = null;
                        return false;
                    }

                    page = enumerator.Current;
                    index = 0;
                }

                var kv = page[index];
                if (previous is not null)
                {
                    var order = kv.Key.Span.SequenceCompareTo(previous.Span);
                    if (order == 0)
                    {
                        continue; // the same key twice (e.g. repeated at a page boundary): count it once
                    }

                    if (order < 0)
                    {
                        throw new GlobalUpgradeException(
                            ErrorIds.EtcdKeyOrderViolated,
                            FailureCategory.InvalidData,
                            $"The {side} etcd returned key '{Encoding.UTF8.GetString(kv.Key.Span)}' after '{Encoding.UTF8.GetString(previous.Span)}', out of etcd's key order; the comparison cannot be trusted and was stopped.",
                            side);
                    }
                }

                previous = kv.Key;
                if (exclusions.IsExcluded(kv.Key.Span))
                {
                    Excluded++;
                    continue;
                }

                Compared++;
                Current = kv;
                return true;
            }
        }

        public ValueTask DisposeAsync() => enumerator.DisposeAsync();
    }
}
