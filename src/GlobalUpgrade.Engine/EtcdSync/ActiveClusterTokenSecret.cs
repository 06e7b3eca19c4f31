using System.Net;
using System.Security.Cryptography;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// The standby's secret etcd-sync-active-cluster-token (key token), holding the token of the primary's k8sadmin
/// secret [doc: release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx tab "4.3.1+"]. Only a form with "Active Global
/// Cluster Token Secret" uses it; the token is never logged, and compared in constant time.
/// </summary>
public static class ActiveClusterTokenSecret
{
    public static async Task<PlannedChange> ChangeAsync(ClusterConnection primary, ClusterConnection standby, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var token = await ReadPrimaryTokenAsync(primary, details, cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await ReadSecretAsync(standby, details.Namespace, details.ActiveClusterTokenSecret, cancellationToken).ConfigureAwait(false);
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

    public static async Task WriteAsync(ClusterConnection primary, ClusterConnection standby, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var token = await ReadPrimaryTokenAsync(primary, details, cancellationToken).ConfigureAwait(false);
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

    private static async Task<byte[]> ReadPrimaryTokenAsync(ClusterConnection primary, EtcdSyncProfile details, CancellationToken cancellationToken)
    {
        var secret = await ReadSecretAsync(primary, details.Namespace, details.TokenSourceSecret, cancellationToken).ConfigureAwait(false);
        return secret?.Data?.TryGetValue("token", out var token) == true && token is { Length: > 0 }
            ? token
            : throw new GlobalUpgradeException(
                ErrorIds.ActiveClusterTokenMissing,
                FailureCategory.ObjectNotFound,
                $"The primary '{primary.Name}' has no secret {details.Namespace}/{details.TokenSourceSecret} with a key 'token'; the standby's synchronizer needs that token to read the primary.",
                primary.Name);
    }

    private static Task<bool> WriteSecretAsync(ClusterConnection standby, EtcdSyncProfile details, string name, byte[] token, CancellationToken cancellationToken) =>
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

    /// <summary>A secret, or null when it does not exist.</summary>
    internal static Task<V1Secret?> ReadSecretAsync(ClusterConnection cluster, string ns, string name, CancellationToken cancellationToken) =>
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
