using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Models;

namespace GlobalUpgrade.EtcdSync;

/// <summary>Whether the credentials the synchronizer's bootstrap job last used are still the primary's. <see cref="Changed"/> null: not known.</summary>
public sealed record EtcdSyncCredentialsState(bool? Changed, string Reason);

/// <summary>
/// [doc master upgrade/upgrade_global_cluster.mdx, last step] "If the active-cluster token or the remote etcd-ca changes
/// later, run the plugin upgrade or reinstall workflow again so that the etcd-sync-bootstrap hook refreshes the runtime
/// credentials and certificates." When the bootstrap job runs, SHA-256 digests of the primary's token and etcd CA are
/// recorded as annotations of the standby's token secret (the object that holds the token itself; never the values);
/// a later comparison says whether either changed.
/// </summary>
public static class EtcdSyncCredentials
{
    public const string TokenDigestAnnotation = "globalupgrade.alauda.io/active-token-sha256";
    public const string CaDigestAnnotation = "globalupgrade.alauda.io/remote-etcd-ca-sha256";

    /// <summary>Compares the primary's token and etcd CA with the digests recorded when the bootstrap job last ran.</summary>
    public static async Task<EtcdSyncCredentialsState> CompareAsync(ClusterConnection primary, ClusterConnection standby, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var secret = await ReadSecretAsync(standby, details.Namespace, details.ActiveClusterTokenSecret, cancellationToken).ConfigureAwait(false);
        var recordedToken = Annotation(secret, TokenDigestAnnotation);
        var recordedCa = Annotation(secret, CaDigestAnnotation);
        if (recordedToken is null || recordedCa is null)
        {
            return new(null, $"no record of the credentials the bootstrap job last used (secret {details.Namespace}/{details.ActiveClusterTokenSecret} on '{standby.Name}' has no digests): Install-EtcdSync -RefreshCredentials runs the reinstall workflow once and records them");
        }

        var (token, ca) = await CurrentDigestsAsync(primary, details, cancellationToken).ConfigureAwait(false);
        var changed = new List<string>();
        if (!FixedTimeEquals(recordedToken, token))
        {
            changed.Add($"the primary's token ({details.Namespace}/{details.TokenSourceSecret})");
        }

        if (!FixedTimeEquals(recordedCa, ca))
        {
            changed.Add($"the primary's etcd CA ({details.RemoteEtcdCaSecret})");
        }

        return changed.Count == 0
            ? new(false, $"the primary's token and etcd CA are those the bootstrap job last used")
            : new(true, $"{string.Join(" and ", changed)} changed since the bootstrap job last ran: run Install-EtcdSync -RefreshCredentials (the reinstall workflow) so that etcd-sync-bootstrap refreshes the runtime credentials and certificates");
    }

    /// <summary>For Get-EtcdSyncStatus: <see cref="CompareAsync"/> where it applies, else why it is not known; a failed read is reported, not thrown.</summary>
    public static async Task<EtcdSyncCredentialsState> StateAsync(ClusterConnection? primary, ClusterConnection standby, PlatformProfile profile, CancellationToken cancellationToken)
    {
        if (!profile.EtcdSyncLine.HasBootstrapJob)
        {
            return new(null, $"the synchronizer of ACP {profile.EtcdSyncLine.Name} has no bootstrap job or token secret");
        }

        if (primary is null)
        {
            return new(null, "the primary is not connected: connect it (Connect-GlobalCluster -Role Primary) to compare its token and etcd CA");
        }

        try
        {
            return await CompareAsync(primary, standby, profile.EtcdSyncDetails, cancellationToken).ConfigureAwait(false);
        }
        catch (Errors.GlobalUpgradeException ex)
        {
            return new(null, $"not compared: {ex.Message}");
        }
    }

    /// <summary>Records the digests of the primary's current token and etcd CA on the standby's token secret (after the bootstrap job ran).</summary>
    public static async Task RecordAsync(ClusterConnection primary, ClusterConnection standby, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var (token, ca) = await CurrentDigestsAsync(primary, details, cancellationToken).ConfigureAwait(false);
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [TokenDigestAnnotation] = token, [CaDigestAnnotation] = ca } } };
        OperationLog.Current.Verbose($"[{standby.Name}] recording the digests of the primary's token and etcd CA on secret {details.Namespace}/{details.ActiveClusterTokenSecret}");
        await standby.CallAsync($"annotating secret {details.Namespace}/{details.ActiveClusterTokenSecret}", (c, ct) =>
            c.CoreV1.PatchNamespacedSecretAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), details.ActiveClusterTokenSecret, details.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string Token, string Ca)> CurrentDigestsAsync(ClusterConnection primary, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var tokenSecret = await ReadSecretAsync(primary, details.Namespace, details.TokenSourceSecret, cancellationToken).ConfigureAwait(false);
        var token = Digest(tokenSecret?.Data is { } tokenData && tokenData.TryGetValue("token", out var value) ? value : null);
        var parts = details.RemoteEtcdCaSecret.Split('/', 2);
        var caSecret = await ReadSecretAsync(primary, parts[0], parts[1], cancellationToken).ConfigureAwait(false);

        // Every key of the CA secret, in order: which key holds the certificate is not published.
        var ca = caSecret?.Data is { Count: > 0 } data
            ? Digest(data.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => Encoding.UTF8.GetBytes(p.Key + "\n").Concat(p.Value ?? []).Concat("\n"u8.ToArray())).ToArray())
            : "absent";
        return (token, ca);
    }

    private static string Digest(byte[]? value) => value is null ? "absent" : "sha256:" + Convert.ToHexString(SHA256.HashData(value)).ToLowerInvariant();

    private static string? Annotation(V1Secret? secret, string key) =>
        secret?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(key, out var value) ? value : null;

    private static bool FixedTimeEquals(string a, string b) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static Task<V1Secret?> ReadSecretAsync(ClusterConnection cluster, string ns, string name, CancellationToken cancellationToken) =>
        ActiveClusterTokenSecret.ReadSecretAsync(cluster, ns, name, cancellationToken);
}
