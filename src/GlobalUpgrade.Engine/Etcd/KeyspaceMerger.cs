using System.Text;
using GlobalUpgrade.Errors;

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
/// Keys compare as bytes, ordinal — the way etcd orders them — straight from the pages' buffers; a key becomes a
/// string only when it is listed. A page is released as soon as the merge has passed it.
/// </summary>
internal sealed class KeyspaceMerger(EtcdKeyMatcher exclusions, bool compareValues, int maxKeys)
{
    public async Task<MergeResult> MergeAsync(IAsyncEnumerable<KeyPage> primary, IAsyncEnumerable<KeyPage> standby, CancellationToken cancellationToken)
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
                // The synchronous part of a step: most keys are equal on both sides and within the current pages.
                var order = p.Key.SequenceCompareTo(s.Key);
                if (order < 0)
                {
                    Add(result.Missed, p);
                    result.MissedCount++;
                    hasP = p.TryMoveNext() || await p.MoveNextAsync().ConfigureAwait(false);
                }
                else if (order > 0)
                {
                    Add(result.Surplus, s);
                    result.SurplusCount++;
                    hasS = s.TryMoveNext() || await s.MoveNextAsync().ConfigureAwait(false);
                }
                else
                {
                    if (compareValues && !p.Value.SequenceEqual(s.Value))
                    {
                        Add(result.Changed, p);
                        result.ChangedCount++;
                    }

                    hasP = p.TryMoveNext() || await p.MoveNextAsync().ConfigureAwait(false);
                    hasS = s.TryMoveNext() || await s.MoveNextAsync().ConfigureAwait(false);
                }
            }

            while (hasP)
            {
                Add(result.Missed, p);
                result.MissedCount++;
                hasP = p.TryMoveNext() || await p.MoveNextAsync().ConfigureAwait(false);
            }

            while (hasS)
            {
                Add(result.Surplus, s);
                result.SurplusCount++;
                hasS = s.TryMoveNext() || await s.MoveNextAsync().ConfigureAwait(false);
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

    private void Add(List<string> list, Cursor cursor)
    {
        if (list.Count < maxKeys)
        {
            list.Add(cursor.KeyText);
        }
    }

    /// <summary>Walks one side's pages key by key, skipping excluded keys and exact repeats, refusing keys out of order.</summary>
    private sealed class Cursor(IAsyncEnumerable<KeyPage> pages, string side, EtcdKeyMatcher exclusions, CancellationToken cancellationToken) : IAsyncDisposable
    {
        private readonly IAsyncEnumerator<KeyPage> enumerator = pages.GetAsyncEnumerator(cancellationToken);
        private KeyPage? page;
        private int index = -1;

        // The key before the current one when it was on an earlier (released) page: a copy, grown as needed.
        private byte[] previousKey = new byte[256];
        private int previousLength = -1;

        public ReadOnlySpan<byte> Key => page!.Key(index);

        public ReadOnlySpan<byte> Value => page!.Value(index);

        public string KeyText => page!.KeyText(index);

        public long Compared { get; private set; }

        public long Excluded { get; private set; }

        /// <summary>Moves to the next key of the current page, if it has one that counts.</summary>
        public bool TryMoveNext()
        {
            while (page is not null && index + 1 < page.Count)
            {
                index++;
                if (Accept())
                {
                    return true;
                }
            }

            return false;
        }

        public async ValueTask<bool> MoveNextAsync()
        {
            while (true)
            {
                if (TryMoveNext())
                {
                    return true;
                }

                if (page is not null)
                {
                    if (page.Count > 0)
                    {
                        Remember(page.LastKey);
                    }

                    page.Release();
                    page = null;
                }

                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    return false;
                }

                page = enumerator.Current;
                index = -1;
            }
        }

        public async ValueTask DisposeAsync()
        {
            page?.Release();
            page = null;
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        /// <summary>Checks the order of the key at index against the one before it; false to skip it.</summary>
        private bool Accept()
        {
            var key = page!.Key(index);
            var previous = index > 0 ? page.Key(index - 1) : previousLength >= 0 ? previousKey.AsSpan(0, previousLength) : default;
            if (index > 0 || previousLength >= 0)
            {
                var order = key.SequenceCompareTo(previous);
                if (order == 0)
                {
                    return false; // the same key twice (e.g. repeated at a page boundary): count it once
                }

                if (order < 0)
                {
                    throw new GlobalUpgradeException(
                        ErrorIds.EtcdKeyOrderViolated,
                        FailureCategory.InvalidData,
                        $"The {side} etcd returned key '{Encoding.UTF8.GetString(key)}' after '{Encoding.UTF8.GetString(previous)}', out of etcd's key order; the comparison cannot be trusted and was stopped.",
                        side);
                }
            }

            if (exclusions.IsExcluded(key))
            {
                Excluded++;
                return false;
            }

            Compared++;
            return true;
        }

        private void Remember(ReadOnlySpan<byte> key)
        {
            if (key.Length > previousKey.Length)
            {
                previousKey = new byte[key.Length * 2];
            }

            key.CopyTo(previousKey);
            previousLength = key.Length;
        }
    }
}
