using System.Net.Http.Headers;
using k8s;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>Starts an in-process simulator and builds real KubernetesClient instances from its kubeconfig.</summary>
public sealed class SimHost : IAsyncDisposable
{
    private readonly string dir;

    private SimHost(AcpSimulator sim, string dir)
    {
        Sim = sim;
        this.dir = dir;
    }

    public AcpSimulator Sim { get; }

    public static async Task<SimHost> StartAsync(string scenario = "healthy", bool dr = true, double timeScale = 0.05, string snapshot = "")
    {
        var dir = Path.Combine(Path.GetTempPath(), "acp-sim-tests", Guid.NewGuid().ToString("N"));
        var sim = await AcpSimulator.StartAsync(new SimulatorOptions
        {
            Dr = dr,
            Scenario = scenario,
            SnapshotPath = snapshot,
            KubeconfigPath = Path.Combine(dir, "sim.kubeconfig"),
            TimeScale = timeScale,
            BookmarkInterval = TimeSpan.FromMilliseconds(300),
        });
        return new SimHost(sim, dir);
    }

    public Kubernetes Client(string context)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Sim.KubeconfigPath, currentContext: context);
        return new Kubernetes(config);
    }

    /// <summary>A plain HttpClient that trusts the simulator's CA, with the cluster's admin token.</summary>
    public HttpClient Http(string cluster, string? token = null)
    {
        var c = Sim.Clusters[cluster];
        var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Sim.CaCertificatePath);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return cert is not null && chain.Build(cert);
            },
        };
        var http = new HttpClient(handler) { BaseAddress = c.Server, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? c.Token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await Sim.DisposeAsync();
        try
        {
            Directory.Delete(dir, true);
        }
        catch (IOException)
        {
        }
    }
}
