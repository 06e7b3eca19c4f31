using Xunit;

namespace GlobalUpgrade.Tests.Etcd;

/// <summary>
/// Two real etcd servers (a "primary" and a "standby") with TLS and client-certificate auth, plus plain HTTP
/// listeners, holding keys that differ in known ways.
/// </summary>
public sealed class EtcdPairFixture : IAsyncLifetime
{
    public static readonly string LongCommonKey = "/registry/configmaps/app/" + new string('x', 1500);
    public static readonly string LongMissedKey = "/registry/configmaps/app/" + new string('y', 1200);
    public const string NonAsciiCommonKey = "/registry/configmaps/app/配置-ü";
    public const string NonAsciiMissedKey = "/registry/secrets/app/ключ-🔑";

    /// <summary>In the primary only (and not excluded).</summary>
    public static readonly string[] Missed =
    [
        "/registry/apps.example.io/widgets/app/missed-2",
        LongMissedKey,
        "/registry/operators.coreos.com/operators/cluster-scoped-named-like-an-excluded-namespace",
        "/registry/pods/app/missed-1",
        NonAsciiMissedKey,
    ];

    /// <summary>In the standby only (and not excluded).</summary>
    public static readonly string[] Surplus = ["/registry/pods/app/surplus-1"];

    public const string ChangedKey = "/registry/configmaps/app/changed";

    /// <summary>Keys that differ but are excluded by the default list: (key, on the primary?).</summary>
    public static readonly (string Key, bool Primary)[] ExcludedDifferences =
    [
        ("/registry/pods/kube-system/only-primary", true),
        ("/registry/events/app/e1", false),
        ("/registry/namespaces/cpaas-system", true),
        ("/registry/cert-manager.io/certificates/cert-manager/c1", true),
        ("/registry/services/specs/kube-system/svc", false),
        ("/registry/leases/kube-node-lease/node-1", true),
    ];

    public const int CommonCount = 60;

    public EtcdTestPki Pki { get; } = new();

    public EtcdTestServer Primary { get; private set; } = null!;

    public EtcdTestServer Standby { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var starting = new[] { EtcdTestServer.StartAsync(Pki, "primary"), EtcdTestServer.StartAsync(Pki, "standby") };
        await Task.WhenAll(starting);
        (Primary, Standby) = (starting[0].Result, starting[1].Result);

        var common = Enumerable.Range(0, CommonCount).Select(i => ($"/registry/pods/app/p{i:D3}", $"pod {i}"))
            .Append((LongCommonKey, "long"))
            .Append((NonAsciiCommonKey, "non-ascii"))
            .Append(("/registry/namespaces/app", "ns"))
            .Append(("/registry/pods/kube-system/both", "excluded but on both"))
            .ToList();
        await Primary.PutAsync(common.Append((ChangedKey, "v1")).Concat(Missed.Select(k => (k, "m")))
            .Concat(ExcludedDifferences.Where(e => e.Primary).Select(e => (e.Key, "x"))));
        await Standby.PutAsync(common.Append((ChangedKey, "v2")).Concat(Surplus.Select(k => (k, "s")))
            .Concat(ExcludedDifferences.Where(e => !e.Primary).Select(e => (e.Key, "x"))));
    }

    public async Task DisposeAsync()
    {
        if (Primary is not null)
        {
            await Primary.DisposeAsync();
        }

        if (Standby is not null)
        {
            await Standby.DisposeAsync();
        }

        Pki.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<EtcdPairFixture>
{
    public const string Name = "etcd pair";
}
