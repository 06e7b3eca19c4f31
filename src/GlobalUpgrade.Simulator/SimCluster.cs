using GlobalUpgrade.Simulator.Admin;
using GlobalUpgrade.Simulator.Api;
using GlobalUpgrade.Simulator.Scenarios;
using GlobalUpgrade.Simulator.Store;

namespace GlobalUpgrade.Simulator;

/// <summary>One simulated cluster: its endpoint, credentials, objects and test hooks.</summary>
public sealed class SimCluster
{
    internal SimCluster(string name, ClusterScenario scenario, TimeProvider time, int historyLimit)
    {
        Name = name;
        Scenario = scenario;
        Token = RandomToken();
        ForbiddenToken = string.IsNullOrEmpty(scenario.ForbiddenToken) ? RandomToken() : scenario.ForbiddenToken;
        Store = new ObjectStore(name, time, historyLimit);
    }

    /// <summary>The context, cluster and user name in the kubeconfig: primary, standby or global.</summary>
    public string Name { get; }

    public Uri Server { get; internal set; } = new("https://127.0.0.1/");

    /// <summary>The bearer token of the admin user.</summary>
    public string Token { get; }

    /// <summary>A token that authenticates but is denied every resource request (403).</summary>
    public string ForbiddenToken { get; }

    public ObjectStore Store { get; }

    public PodLogs Logs { get; } = new();

    public RequestLog Requests { get; } = new();

    public FaultInjector Faults { get; } = new();

    /// <summary>In-process backends reached through the API server's service proxy, by <c>namespace/name</c>.</summary>
    public ServiceBackends Services { get; } = new();

    public ClusterScenario Scenario { get; }

    /// <summary>Set by <c>POST /_sim/monitor</c>: replaces the etcd-sync monitor's computed <c>/check</c> answer.</summary>
    public MonitorOverride? MonitorOverride { get; set; }

    internal int Port { get; set; }

    private static string RandomToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
}
