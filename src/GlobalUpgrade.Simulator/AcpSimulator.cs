using System.Net;
using GlobalUpgrade.Simulator.Admin;
using GlobalUpgrade.Simulator.Api;
using GlobalUpgrade.Simulator.Controllers;
using GlobalUpgrade.Simulator.Hosting;
using GlobalUpgrade.Simulator.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GlobalUpgrade.Simulator;

/// <summary>
/// A fake ACP <c>global</c> cluster (or DR pair) on loopback HTTPS: one Kestrel port per cluster, a generated CA,
/// a kubeconfig with one context per cluster, and controllers that play the platform.
/// </summary>
public sealed class AcpSimulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CertificateAuthority ca;
    private readonly CancellationTokenSource stopping;
    private readonly ControllerHost controllers;
    private int stopped;

    private AcpSimulator(WebApplication app, CertificateAuthority ca, CancellationTokenSource stopping, ControllerHost controllers,
        IReadOnlyDictionary<string, SimCluster> clusters, string kubeconfigPath, string caPath)
    {
        this.app = app;
        this.ca = ca;
        this.stopping = stopping;
        this.controllers = controllers;
        Clusters = clusters;
        KubeconfigPath = kubeconfigPath;
        CaCertificatePath = caPath;
    }

    public string KubeconfigPath { get; }

    /// <summary>The snapshot the clusters were seeded from; null for a scenario.</summary>
    public SnapshotSeeder? Snapshot { get; private init; }

    /// <summary>PEM of the generated CA, written next to the kubeconfig.</summary>
    public string CaCertificatePath { get; }

    /// <summary>The simulated clusters by context name: <c>primary</c>/<c>standby</c>, or <c>global</c>.</summary>
    public IReadOnlyDictionary<string, SimCluster> Clusters { get; }

    public static async Task<AcpSimulator> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = string.IsNullOrEmpty(options.SnapshotPath) ? null : SnapshotSeeder.Load(options.SnapshotPath);
        var names = snapshot?.ClusterNames ?? (options.Dr ? ["primary", "standby"] : ["global"]);
        var scenarios = snapshot?.Scenarios ?? ScenarioLoader.Load(options.Scenario, names);
        var clusters = names.Select(n => new SimCluster(n, scenarios[n], TimeProvider.System, options.WatchHistoryLimit)).ToList();
        if (snapshot is not null)
        {
            clusters.ForEach(snapshot.Seed);
            snapshot.Link(clusters.ToDictionary(c => c.Name));
        }
        else
        {
            clusters.ForEach(ScenarioSeeder.Seed);
            if (options.Dr)
            {
                ScenarioSeeder.LinkDrPair(clusters[0], clusters[1]);
            }
        }

        var ca = CertificateAuthority.Create();
        var stopping = new CancellationTokenSource();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoopHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        var listeners = new List<(SimCluster Cluster, ListenOptions Listen)>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            foreach (var c in clusters)
            {
                k.Listen(IPAddress.Loopback, 0, l =>
                {
                    l.Protocols = HttpProtocols.Http1; // connection resets and dropped watches behave simply on HTTP/1.1
                    l.UseHttps(ca.ServerCertificate);
                    listeners.Add((c, l));
                });
            }
        });

        var app = builder.Build();
        var admin = new AdminApi();
        var byPort = new Dictionary<int, ClusterEndpoint>();
        app.Run(ctx => byPort.TryGetValue(ctx.Connection.LocalPort, out var endpoint)
            ? endpoint.HandleAsync(ctx)
            : KubeStatus.WriteAsync(ctx, 404, "unknown cluster port"));
        await app.StartAsync(ct);

        // Kestrel writes the bound ephemeral port back into each ListenOptions.
        foreach (var (c, l) in listeners)
        {
            c.Port = l.IPEndPoint!.Port;
            c.Server = new Uri($"https://127.0.0.1:{c.Port}/");
            byPort[c.Port] = new ClusterEndpoint(c, admin, options.BookmarkInterval, stopping.Token);
        }

        var kubeconfig = string.IsNullOrEmpty(options.KubeconfigPath)
            ? Path.Combine(Path.GetTempPath(), $"acp-sim-{Guid.NewGuid():N}.kubeconfig")
            : Path.GetFullPath(options.KubeconfigPath);
        var caPath = Path.Combine(Path.GetDirectoryName(kubeconfig)!, Path.GetFileNameWithoutExtension(kubeconfig) + "-ca.crt");
        Directory.CreateDirectory(Path.GetDirectoryName(kubeconfig)!);
        await File.WriteAllTextAsync(caPath, ca.CaPem, ct);
        KubeconfigWriter.Write(kubeconfig, ca.CaPem, clusters, clusters[0].Name);

        var byName = clusters.ToDictionary(c => c.Name);
        var controllers = new ControllerHost(byName, options.TimeScale, stopping.Token);
        controllers.Start();
        return new AcpSimulator(app, ca, stopping, controllers, byName, kubeconfig, caPath) { Snapshot = snapshot };
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        // Streams (watches, log follows) end first so Kestrel does not wait for them.
        await stopping.CancelAsync();
        await controllers.StopAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        ca.Dispose();
        stopping.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
