using System.Collections;

namespace GlobalUpgrade;

/// <summary>
/// -EtcdSync of Invoke-GlobalDrUpgrade: Install-EtcdSync's parameters for the re-install, typed so that a hashtable
/// with an unknown key or a value of the wrong type is refused instead of being read loosely.
/// Write it as a hashtable: <c>@{ ActiveClusterVip = '10.0.0.10'; SkipEndpointCheck = $true }</c>.
/// </summary>
public sealed class EtcdSyncOptions
{
    /// <summary>The primary's VIP ("Active Global Cluster VIP"); required to re-install the synchronizer.</summary>
    public string? ActiveClusterVip { get; set; }

    /// <summary>The primary's etcd endpoints; default: https://&lt;ActiveClusterVip&gt;:2379.</summary>
    public Uri[]? ActiveEtcdEndpoint { get; set; }

    /// <summary>The standby's etcd endpoints; default: https://&lt;standby VIP&gt;:2379.</summary>
    public Uri[]? StandbyEtcdEndpoint { get; set; }

    public int? DataCheckInterval { get; set; }

    /// <summary>The plugin version to install; default: the one the upgraded platform offers.</summary>
    public string? Version { get; set; }

    public string? ModuleName { get; set; }

    /// <summary>Keys passed to the plugin's spec.config as they are (Install-EtcdSync -Config).</summary>
    public IDictionary? Config { get; set; }

    /// <summary>
    /// The etcd CA on each cluster's control-plane nodes (read over SSH by CheckEtcdPorts to prove that what answers
    /// on 2379 is that cluster's etcd); default /etc/kubernetes/pki/etcd/ca.crt.
    /// </summary>
    public string? EtcdCaPath { get; set; }

    /// <summary>An etcd client certificate on each cluster's control-plane nodes, to ask etcd for its status; default /etc/kubernetes/pki/apiserver-etcd-client.crt.</summary>
    public string? EtcdCertificatePath { get; set; }

    /// <summary>Its private key (read into memory only); default /etc/kubernetes/pki/apiserver-etcd-client.key.</summary>
    public string? EtcdKeyPath { get; set; }

    /// <summary>Skip the port 2379 checks (CheckEtcdPorts and the installer's own).</summary>
    public bool SkipEndpointCheck { get; set; }
}
