using GlobalUpgrade.Errors;
using GlobalUpgrade.Etcd;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Port 2379 from where the synchronizer stands: it runs on the standby's control plane and connects from there to
/// the active cluster's etcd [doc: release-4.3 docs/en/upgrade/upgrade_global_cluster.mdx, install/global_dr.mdx], so the connection is opened by a standby
/// control-plane node (an SSH local forward), and what answers must be that cluster's etcd: its certificate issued
/// by the cluster's etcd CA (read from one of its control-plane nodes) and a member status asked with a client
/// certificate of the same node. The server name is not checked: through the tunnel the address is not the
/// member's. A workstation probe is only a fallback when the standby's node cannot be reached, and never passes.
/// </summary>
public static class EtcdPathCheck
{
    public const string CheckName = "EtcdReachableFromStandby";

    /// <param name="sessions">The connections to the nodes (one login per node for all endpoints).</param>
    /// <param name="standbyNode">The standby's control-plane node the connection starts from; this machine when local.</param>
    /// <param name="cluster">Whose etcd the endpoint is: "active" or "standby".</param>
    /// <param name="pkiNode">A control-plane node of that cluster, holding its etcd CA and a client certificate.</param>
    public static async Task<CheckResult> CheckAsync(
        RemoteSessions sessions,
        RemoteTarget standbyNode,
        string cluster,
        RemoteTarget pkiNode,
        EtcdNodePki pki,
        Uri endpoint,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var from = standbyNode.IsLocal ? "this machine (the standby's node: no -StandbyComputerName)" : $"the standby's node {standbyNode.DisplayName}";
        var said = new Said(cluster, endpoint, from, $"{pki.CaPath} on {pkiNode.DisplayName}", $"{pki.CertificatePath} on {pkiNode.DisplayName}");
        var (tls, clientProblem, pkiProblem) = await ReadPkiAsync(sessions, pkiNode, pki, cancellationToken).ConfigureAwait(false);
        if (tls is null)
        {
            return said.Result(CheckState.NotChecked, pkiProblem, $"Cannot tell whether the {cluster} cluster's etcd answers on {said.HostPort}: {pkiProblem}. Give the CA's path on the control-plane nodes (-EtcdSync @{{ EtcdCaPath = '…' }}) or fix the access, then run again.");
        }

        var options = new EtcdClientOptions(cluster, [endpoint], Timeout: timeout);
        IRemoteHost node;
        try
        {
            node = await RemoteSessions.OpenAsync(sessions, standbyNode, cancellationToken).ConfigureAwait(false);
        }
        catch (GlobalUpgradeException ex)
        {
            // The fallback: the same probe from this workstation, said as such — it is not the synchronizer's path.
            var here = await EtcdEndpointProbe.TestAsync(options, tls, through: endpoint, cancellationToken).ConfigureAwait(false);
            return said.Result(CheckState.NotChecked, $"probed from this workstation: {here.Actual}",
                $"Probed from this workstation, not from {from} ({ex.Message.TrimEnd('.')}): {here.Message} That is not the synchronizer's path, so port {endpoint.Port} is NOT CHECKED from the standby: fix the SSH access to the standby's node and run again.",
                here.Detail, seenFrom: "this workstation");
        }

        var (refusal, probe) = await EtcdProbeFromNode.ProbeAsync(node, options, tls, cancellationToken).ConfigureAwait(false);
        return probe is null
            ? said.Result(CheckState.Failed, refusal,
                $"Nothing answers on {said.HostPort} as seen from {from} ({refusal}): the synchronizer there cannot reach the {cluster} cluster's etcd. Forward port {endpoint.Port} (TCP) from the VIP to that cluster's control-plane nodes and open it to the standby, or give the etcd endpoints the standby reaches (-EtcdSync @{{ {(cluster == "standby" ? "StandbyEtcdEndpoint" : "ActiveEtcdEndpoint")} = … }}).")
            : Judge(said, probe, clientProblem);
    }

    private static CheckResult Judge(Said said, CheckResult probe, string? clientProblem)
    {
        var (cluster, hostPort, from, actual) = (said.Cluster, said.HostPort, said.From, probe.Actual ?? "");
        if (probe.Passed)
        {
            return said.Result(CheckState.Passed, actual, $"The {cluster} cluster's etcd answers on {hostPort} from {from}: {actual}. Its certificate was issued by {said.CaSource} (the server name is not checked through the SSH tunnel).", probe.Detail);
        }

        var verified = probe.Detail?.GetValueOrDefault("CertificateVerified") is true;
        var (state, message) = probe.Detail switch
        {
            // etcd answered, with errors or without a leader: the path is fine, the member is not.
            { } d when d.ContainsKey("Version") => (CheckState.Failed, $"{probe.Message} (asked from {from})"),
            { } d when d.GetValueOrDefault("CertificateSeen") is true && !verified => (CheckState.Failed,
                $"A TLS server answers on {hostPort} from {from}, but it is not the {cluster} cluster's etcd: {actual}. Check that {hostPort} leads to that cluster's etcd (port {said.Endpoint.Port} of its VIP forwarded to its control-plane nodes)."),
            // A TLS alert before any certificate was verified: a TLS server that refused the client certificate of
            // that cluster's etcd, which its etcd accepts.
            { } d when d.GetValueOrDefault("ServerAnswered") is true && !verified && clientProblem is null => (CheckState.Failed,
                $"A TLS server answers on {hostPort} from {from}, but it is not the {cluster} cluster's etcd: it refused the TLS handshake with that etcd's client certificate ({actual}). Check that {hostPort} leads to that cluster's etcd, and that {said.CertificateSource} is a client certificate of its etcd CA."),
            _ when verified && clientProblem is not null => (CheckState.NotChecked,
                $"A server with a certificate of the {cluster} cluster's etcd CA answers on {hostPort} from {from}, but it could not be asked for an etcd status: {clientProblem}. Give an etcd client certificate and key on the control-plane nodes (-EtcdSync @{{ EtcdCertificatePath = '…'; EtcdKeyPath = '…' }})."),
            _ when verified => (CheckState.Failed,
                $"A TLS server with a certificate of the {cluster} cluster's etcd CA answers on {hostPort} from {from}, but it does not answer as etcd: {actual}. Check that {hostPort} leads to etcd's client port, not to another service of the control plane."),
            _ => (CheckState.Failed, $"The {cluster} cluster's etcd does not answer on {hostPort} as seen from {from}: {probe.Message}"),
        };
        return said.Result(state, actual, message, probe.Detail);
    }

    /// <summary>The CA (required) and a client certificate with its key (wanted) from a node of the cluster; the key stays in memory.</summary>
    private static async Task<(EtcdTlsMaterial? Tls, string? ClientProblem, string? Problem)> ReadPkiAsync(RemoteSessions sessions, RemoteTarget node, EtcdNodePki pki, CancellationToken cancellationToken)
    {
        IRemoteHost host;
        try
        {
            host = await RemoteSessions.OpenAsync(sessions, node, cancellationToken).ConfigureAwait(false);
        }
        catch (GlobalUpgradeException ex)
        {
            return (null, null, $"the etcd CA could not be read from {node.DisplayName}: {ex.Message.TrimEnd('.')}");
        }

        var ca = await ReadAsync(host, pki.CaPath, cancellationToken).ConfigureAwait(false);
        if (ca.Text is null)
        {
            return (null, null, $"{pki.CaPath} could not be read on {node.DisplayName}: {ca.Error}");
        }

        var certificate = await ReadAsync(host, pki.CertificatePath, cancellationToken).ConfigureAwait(false);
        var key = await ReadAsync(host, pki.KeyPath, cancellationToken).ConfigureAwait(false);
        var clientProblem = certificate.Text is null ? $"{pki.CertificatePath} could not be read on {node.DisplayName}: {certificate.Error}"
            : key.Text is null ? $"{pki.KeyPath} could not be read on {node.DisplayName}: {key.Error}"
            : null;
        try
        {
            var tls = EtcdTlsMaterial.FromPem(ca.Text, $"{pki.CaPath} on {node.DisplayName}", certificate.Text, key.Text, $"{pki.CertificatePath} on {node.DisplayName}");
            return (tls, clientProblem, null);
        }
        catch (GlobalUpgradeException ex)
        {
            return (null, null, ex.Message.TrimEnd('.'));
        }
    }

    private static async Task<(string? Text, string Error)> ReadAsync(IRemoteHost host, string path, CancellationToken cancellationToken)
    {
        try
        {
            var (exitCode, output, error) = await host.RunAsync("cat -- " + RemoteHost.Quote(path), cancellationToken).ConfigureAwait(false);
            return exitCode == 0 ? (output, "") : (null, error.Trim().Length > 0 ? error.Trim() : $"exit code {exitCode}");
        }
        catch (GlobalUpgradeException ex)
        {
            return (null, ex.Message.TrimEnd('.'));
        }
    }

    /// <summary>What every result of one endpoint says: which cluster's etcd, where, seen from where, trusted how.</summary>
    private sealed record Said(string Cluster, Uri Endpoint, string From, string CaSource, string CertificateSource)
    {
        public string HostPort => $"{Endpoint.Host}:{Endpoint.Port}";

        public CheckResult Result(CheckState state, string? actual, string message, IReadOnlyDictionary<string, object?>? detail = null, string? seenFrom = null)
        {
            var all = detail is null ? [] : new Dictionary<string, object?>(detail);
            all["From"] = seenFrom ?? From;
            return new CheckResult
            {
                Check = CheckName,
                Target = $"{Cluster} etcd {HostPort}",
                State = state,
                Expected = $"the {Cluster} cluster's etcd answering on {HostPort} from {From}, its certificate issued by {CaSource}",
                Actual = actual,
                Message = message,
                Detail = all,
            };
        }
    }
}
