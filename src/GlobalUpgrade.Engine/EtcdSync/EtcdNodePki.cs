namespace GlobalUpgrade.EtcdSync;

/// <summary>
/// Where a cluster's etcd CA and an etcd client certificate lie on its control-plane nodes. The defaults are
/// kubeadm's layout, which ACP's control-plane nodes are taken to follow [assumed]; -EtcdSync overrides them.
/// </summary>
public sealed record EtcdNodePki(string CaPath, string CertificatePath, string KeyPath)
{
    public const string DefaultCaPath = "/etc/kubernetes/pki/etcd/ca.crt";

    public const string DefaultCertificatePath = "/etc/kubernetes/pki/apiserver-etcd-client.crt";

    public const string DefaultKeyPath = "/etc/kubernetes/pki/apiserver-etcd-client.key";

    public static EtcdNodePki Default { get; } = new(DefaultCaPath, DefaultCertificatePath, DefaultKeyPath);

    public static EtcdNodePki From(EtcdSyncOptions options) => new(
        options.EtcdCaPath ?? DefaultCaPath,
        options.EtcdCertificatePath ?? DefaultCertificatePath,
        options.EtcdKeyPath ?? DefaultKeyPath);
}
