using System.Net.Http;
using GlobalUpgrade.Errors;
using k8s;
using k8s.KubeConfigModels;

namespace GlobalUpgrade.Kubernetes;

/// <summary>Builds a KubernetesClient for one kubeconfig context, with bounded timeouts, pushback ridden out (<see cref="ApiRetryRule"/>) and request tracing.</summary>
public static class KubeClientFactory
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(60);

    public static (IKubernetes Client, ClusterEndpoint Endpoint) Create(string kubeconfigPath, string? contextName, TimeSpan? connectTimeout = null, TimeSpan? requestTimeout = null)
    {
        var config = KubeconfigReader.Load(kubeconfigPath);
        var context = KubeconfigReader.FindContext(config, contextName, kubeconfigPath);
        var clusterEntry = config.Clusters?.FirstOrDefault(c => c.Name == context.ContextDetails?.Cluster);

        KubernetesClientConfiguration clientConfig;
        try
        {
            clientConfig = KubernetesClientConfiguration.BuildConfigFromConfigObject(config, context.Name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new GlobalUpgradeException(
                ErrorIds.KubeconfigInvalid,
                FailureCategory.InvalidData,
                $"Context '{context.Name}' of kubeconfig '{kubeconfigPath}' cannot be used: {ex.Message.Split('\n')[0]}. Fix its cluster and user entries.",
                context.Name,
                ex);
        }

        if (clientConfig.SkipTlsVerify)
        {
            // Never skip verification silently: the operator must give the CA instead.
            throw new GlobalUpgradeException(
                ErrorIds.CertificateNotTrusted,
                FailureCategory.SecurityError,
                $"Context '{context.Name}' of kubeconfig '{kubeconfigPath}' sets insecure-skip-tls-verify. GlobalUpgrade always verifies the API server; set certificate-authority-data to the cluster's CA instead.",
                context.Name);
        }

        var endpoint = new ClusterEndpoint(
            kubeconfigPath,
            context.Name,
            new Uri(clientConfig.Host),
            context.ContextDetails?.User,
            DescribeCa(clusterEntry, kubeconfigPath));

        var timeout = connectTimeout ?? DefaultConnectTimeout;
        var budget = requestTimeout ?? DefaultRequestTimeout;
        clientConfig.HttpClientTimeout = budget;
        clientConfig.FirstMessageHandlerSetup = handler =>
        {
            if (handler is SocketsHttpHandler sockets)
            {
                sockets.ConnectTimeout = timeout;
            }
        };

        // Outermost first: each attempt is traced and its answer's shape checked like the first one's.
        return (new k8s.Kubernetes(clientConfig, new ApiRetryHandler(context.Name, budget), new RequestTracingHandler(context.Name), new AnswerShapeHandler(endpoint)), endpoint);
    }

    private static string DescribeCa(Cluster? cluster, string kubeconfigPath)
    {
        var details = cluster?.ClusterEndpoint;
        if (!string.IsNullOrEmpty(details?.CertificateAuthorityData))
        {
            return $"certificate-authority-data of cluster '{cluster!.Name}' in {kubeconfigPath}";
        }

        if (!string.IsNullOrEmpty(details?.CertificateAuthority))
        {
            return $"certificate-authority file '{details.CertificateAuthority}' of cluster '{cluster!.Name}'";
        }

        return "the system's trusted CAs (the kubeconfig gives no certificate-authority)";
    }
}
