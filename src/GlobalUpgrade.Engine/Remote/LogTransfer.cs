using System.IO.Compression;
using System.Text;
using GlobalUpgrade.Errors;
using ZstdSharp;

namespace GlobalUpgrade.Remote;

/// <summary>
/// How a log copied from a node crosses the network: compressed there with the cheapest compressor the node has
/// (zstd, else gzip, else none), one frame per read of the log, and decompressed here as it arrives. A log is text
/// that repeats itself (tens of times smaller compressed): the SSH channel — encryption on the node, decryption and
/// MAC checks here — costs far more per byte than compressing it, and a slow link carries a fraction of the bytes.
/// Each frame ends with the read it compresses, so nothing waits in a compressor's buffer while the log is quiet.
/// </summary>
public static class LogTransfer
{
    private const string Header = "GU-ENCODING ";
    private const int MaxHeader = 64;

    /// <summary>
    /// The node's part (Scripts/log-pack.sh), sent ahead of a script that uses it: <c>gu_select_pack yes|no</c> chooses
    /// the compressor and announces it on the first line of stdout (no: this machine, nothing crosses a network, copies
    /// as it is); each <c>gu_pack</c> then copies its stdin to its stdout as one frame.
    /// </summary>
    public static string NodeFunctions => NodeScript.Text(NodeScript.LogPack);

    /// <summary>The log as written on the node, from what <see cref="NodeFunctions"/> sent; empty when it sent nothing.</summary>
    public static Stream Decode(Stream source)
    {
        var header = new List<byte>(MaxHeader);
        int next;
        while ((next = source.ReadByte()) >= 0 && next != '\n')
        {
            if (header.Count == MaxHeader)
            {
                throw Unexpected();
            }

            header.Add((byte)next);
        }

        if (next < 0 && header.Count == 0)
        {
            // The script ended before it followed anything (no log: the run never started).
            return Stream.Null;
        }

        var line = Encoding.ASCII.GetString(header.ToArray());
        return line.StartsWith(Header, StringComparison.Ordinal) ? line[Header.Length..] switch
        {
            "zstd" => new DecompressionStream(source, leaveOpen: true),
            "gzip" => new GZipStream(source, CompressionMode.Decompress, leaveOpen: true),
            "none" => source,
            _ => throw Unexpected(),
        } : throw Unexpected();
    }

    private static GlobalUpgradeException Unexpected() =>
        new(ErrorIds.RunStateInvalid, FailureCategory.InvalidData, "The node sent an unexpected answer while the run's log was copied.", null);
}
