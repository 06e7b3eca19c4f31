namespace GlobalUpgrade.Platform;

/// <summary>
/// The 3.16 Helm-era etcd synchronizer on the primary and how the docs remove it, in their order: `helm3 del` on a
/// control-plane node once per namespace, then the config maps, secrets and deployment, then check that no
/// etcd-mirror pod remains [doc: release-4.0 docs/en/upgrade/upgrade_global_cluster.mdx, tab "Upgrading from 3.16"].
/// </summary>
public static class HelmEraEtcdSync
{
    public const string Release = "etcd-sync";

    /// <summary>The namespaces the release may live in; `helm3 del` runs once per namespace.</summary>
    public static readonly IReadOnlyList<string> ReleaseNamespaces = ["default", "cpaas-system"];

    public const string Namespace = "kube-system";

    /// <summary>Deleted as config maps and as secrets (`kubectl delete configmaps,secret`).</summary>
    public static readonly IReadOnlyList<string> ConfigMapsAndSecrets = ["etcd-master-mirror-cert", "etcd-slave-mirror-cert", "etcd-sync-env", "etcd-sync-ignore-text"];

    public const string Deployment = "etcd-mirror-etcd-mirror";

    /// <summary>`kubectl get pod -n kube-system | grep etcd-mirror` must print nothing at the end.</summary>
    public const string PodNamePart = "etcd-mirror";

    public static string DeleteCommand(string ns) => $"helm3 del {Release} -n {ns}";
}
