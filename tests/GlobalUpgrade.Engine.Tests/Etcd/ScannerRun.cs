using System.Threading.Channels;
using GlobalUpgrade.Etcd;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>Runs a scanner to the end the way the comparer does, pages drained as they come, and keeps the keys it read.</summary>
internal static class ScannerRun
{
    public static async Task<List<byte[]>> ReadKeysAsync(KeyspaceScanner scanner)
    {
        var pages = Channel.CreateUnbounded<KeyPage>();
        var keys = new List<byte[]>();
        var draining = Task.Run(async () =>
        {
            await foreach (var page in pages.Reader.ReadAllAsync())
            {
                for (var i = 0; i < page.Count; i++)
                {
                    keys.Add(page.Key(i).ToArray());
                }

                page.Release();
            }
        });
        try
        {
            await scanner.RunAsync(pages.Writer, default);
        }
        finally
        {
            pages.Writer.Complete();
            await draining;
        }

        return keys;
    }
}
