using System.Net;
using System.Text;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using GlobalUpgrade.Platform;
using GlobalUpgrade.Reporting;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Reads the etcd synchronizer's /check report: through the standby API server's service proxy (works from any
/// workstation) or straight from a monitor URI (on a node). Every failure to read the whole report is an error;
/// a report is never assumed.
/// </summary>
public static class SyncMonitorClient
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly HttpClient DirectClient = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public static async Task<EtcdSyncStatus> ReadViaProxyAsync(ClusterConnection standby, EtcdSyncProfile profile, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var serviceName = $"{profile.Namespace}/{profile.MonitorService}";
        V1Service service;
        try
        {
            service = await ReadServiceAsync(standby, profile, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTimeout(ex, deadline, cancellationToken))
        {
            // The deadline covers the whole read; the API server's slowness counts against it like the monitor's.
            throw TimedOut($"service {serviceName} on {standby.Name}", timeout, ex);
        }

        var port = profile.MonitorPort ?? service.Spec?.Ports?.FirstOrDefault()?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var serviceRef = port is null ? profile.MonitorService : $"{profile.MonitorService}:{port}";
        var source = $"{standby.Endpoint.Server.GetLeftPart(UriPartial.Authority)}/api/v1/namespaces/{profile.Namespace}/services/{serviceRef}/proxy/{profile.MonitorPath}";
        OperationLog.Current.Verbose($"[{standby.Name}] reading the etcd sync report through the service proxy: {source}");
        try
        {
            var response = await standby.Client.CoreV1.ConnectGetNamespacedServiceProxyWithPathWithHttpMessagesAsync(
                serviceRef, profile.Namespace, profile.MonitorPath, cancellationToken: deadline.Token).ConfigureAwait(false);
            using (response)
            {
                return await ParseAsync(response.Body, standby.Name, source, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (HttpOperationException ex)
        {
            throw new GlobalUpgradeException(
                ErrorIds.SyncMonitorUnavailable,
                FailureCategory.ResourceUnavailable,
                $"The etcd sync monitor behind {source} answered {(int)(ex.Response?.StatusCode ?? 0)} {ex.Response?.StatusCode}: {KubeErrorTranslator.StatusMessage(ex.Response?.Content)}. The sync state is UNKNOWN. Check the etcd-sync pods: Get-EtcdSyncStatus reads a report only from a running synchronizer.",
                source,
                ex);
        }
        catch (Exception ex) when (IsTimeout(ex, deadline, cancellationToken))
        {
            throw TimedOut(source, timeout, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw CutOff(source, ex);
        }
    }

    public static async Task<EtcdSyncStatus> ReadDirectAsync(Uri monitorUri, string clusterName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var uri = monitorUri.AbsolutePath is "" or "/" ? new Uri(monitorUri, "/check") : monitorUri;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        OperationLog.Current.Verbose($"GET {uri}");
        try
        {
            using var response = await DirectClient.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
                throw new GlobalUpgradeException(
                    ErrorIds.SyncMonitorUnavailable,
                    FailureCategory.ResourceUnavailable,
                    $"The etcd sync monitor {uri} answered {(int)response.StatusCode} {response.StatusCode}: {KubeErrorTranslator.StatusMessage(body)}. The sync state is UNKNOWN.",
                    uri.ToString());
            }

            var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            return await ParseAsync(stream, clusterName, uri.ToString(), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTimeout(ex, deadline, cancellationToken))
        {
            throw TimedOut(uri.ToString(), timeout, ex);
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Net.Sockets.SocketException socket)
        {
            throw new GlobalUpgradeException(
                ErrorIds.SyncMonitorUnavailable,
                FailureCategory.ConnectionError,
                $"Cannot reach the etcd sync monitor {uri} ({socket.SocketErrorCode}). The sync state is UNKNOWN. On a node, use the clusterIP of service cpaas-system/etcd-sync-monitor; from a workstation, leave out -MonitorUri to go through the API server.",
                uri.ToString(),
                ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw CutOff(uri.ToString(), ex);
        }
    }

    private static async Task<V1Service> ReadServiceAsync(ClusterConnection standby, EtcdSyncProfile profile, CancellationToken cancellationToken) =>
        await standby.CallAsync(
            $"reading service {profile.Namespace}/{profile.MonitorService}",
            async (client, ct) =>
            {
                try
                {
                    return await client.CoreV1.ReadNamespacedServiceAsync(profile.MonitorService, profile.Namespace, cancellationToken: ct).ConfigureAwait(false);
                }
                catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
            },
            cancellationToken).ConfigureAwait(false)
            ?? throw new GlobalUpgradeException(
                ErrorIds.SyncMonitorNotFound,
                FailureCategory.ObjectNotFound,
                $"Cluster '{standby.Name}' has no service {profile.Namespace}/{profile.MonitorService}: the etcd synchronizer is not installed or not running there, so the sync state is UNKNOWN. Install it (Install-EtcdSync) or run against the standby.",
                standby.Name);

    private static async Task<EtcdSyncStatus> ParseAsync(Stream body, string cluster, string source, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        var report = await SyncCheckParser.ParseAsync(reader, source, cancellationToken).ConfigureAwait(false);
        return new EtcdSyncStatus
        {
            Cluster = cluster,
            IsInSync = report.MissedKeys.Count == 0 && report.SurplusKeys.Count == 0,
            MissedKeys = report.MissedKeys,
            SurplusKeys = report.SurplusKeys,
            CheckedAt = DateTimeOffset.Now,
            Source = source,
        };
    }

    private static bool IsTimeout(Exception ex, CancellationTokenSource deadline, CancellationToken caller) =>
        ex is OperationCanceledException && deadline.IsCancellationRequested && !caller.IsCancellationRequested;

    private static GlobalUpgradeException TimedOut(string source, TimeSpan timeout, Exception inner) => new(
        ErrorIds.SyncMonitorTimeout,
        FailureCategory.OperationTimeout,
        $"The etcd sync report from {source} did not arrive whole within {timeout.TotalSeconds:0} s. The sync state is UNKNOWN. Retry with a larger -TimeoutSec, or check the etcd-sync pods.",
        source,
        inner);

    private static GlobalUpgradeException CutOff(string source, Exception inner) => new(
        ErrorIds.SyncMonitorUnavailable,
        FailureCategory.ResourceUnavailable,
        $"The etcd sync report from {source} was cut off ({inner.Message}). The sync state is UNKNOWN; retry.",
        source,
        inner);
}
