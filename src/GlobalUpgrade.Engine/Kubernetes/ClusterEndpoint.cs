namespace GlobalUpgrade.Kubernetes;

/// <summary>What the error messages may say about a connection: names and addresses, never credentials.</summary>
public sealed record ClusterEndpoint(string Kubeconfig, string Context, Uri Server, string? User, string CaSource)
{
    public string HostAndPort => $"{Server.Host}:{Server.Port}";
}
