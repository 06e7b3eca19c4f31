using System.Text;
using GlobalUpgrade.Etcd;
using Xunit;

namespace GlobalUpgrade.Tests.Etcd;

public sealed class EtcdKeyMatcherTests
{
    private static readonly string[] Sources = ["doc", "assumed"];

    private static readonly EtcdKeyMatcher Default = new(EtcdExclusions.DefaultRules);

    [Theory]
    [InlineData("/registry/pods/kube-system/coredns-1", true)]
    [InlineData("/registry/configmaps/cpaas-system/x", true)]
    [InlineData("/registry/cert-manager.io/certificates/cert-manager/c1", true)]
    [InlineData("/registry/apps.kubevirt.io/vms/kubevirt/vm1", true)]
    [InlineData("/registry/services/specs/kube-system/kube-dns", true)]
    [InlineData("/registry/services/endpoints/default/kubernetes", true)]
    [InlineData("/registry/namespaces/kube-system", true)]
    [InlineData("/registry/namespaces/operators", true)]
    [InlineData("/registry/events/app/e1", true)]
    [InlineData("/registry/leases/kube-node-lease/n1", true)]
    [InlineData("/registry/masterleases/10.0.0.1", true)]
    [InlineData("/registry/apiregistration.k8s.io/apiservices/v1.apps", true)]
    [InlineData("/registry/minions/node-1", true)]
    [InlineData("/registry/pods/app/web-1", false)]
    [InlineData("/registry/namespaces/app", false)]
    [InlineData("/registry/services/specs/app/web", false)]
    [InlineData("/registry/platform.tkestack.io/machines/m1", false)]
    [InlineData("/registry/cluster.alauda.io/clustermodules/global", false)]
    [InlineData("/registry/operators.coreos.com/operators/my-operator", false)] // resource named like an excluded namespace
    [InlineData("/registry/kube-system", false)]
    [InlineData("/registry/pods/kube-systemx/a", false)]
    [InlineData("/other/pods/kube-system/a", false)]
    [InlineData("", false)]
    public void DefaultList(string key, bool excluded) =>
        Assert.Equal(excluded, Default.IsExcluded(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void DefaultListIsTaggedAndHasTheDocumentedNamespaces()
    {
        Assert.All(EtcdExclusions.Default, r => Assert.Contains(r.Source, Sources));
        Assert.Equal(14, EtcdExclusions.Default.Count(r => r.Source == "doc" && r.Rule.StartsWith("namespace:", StringComparison.Ordinal)));
    }

    [Fact]
    public void GivenRulesReplaceTheDefaults()
    {
        var matcher = new EtcdKeyMatcher(["/registry/pods/", "namespace:team-a"]);
        Assert.True(matcher.IsExcluded("/registry/pods/app/a"u8));
        Assert.True(matcher.IsExcluded("/registry/configmaps/team-a/c"u8));
        Assert.False(matcher.IsExcluded("/registry/configmaps/kube-system/c"u8));
    }

    [Theory]
    [InlineData("registry/events/")]
    [InlineData("namespace:")]
    [InlineData("namespace:a/b")]
    public void BadRulesAreRefused(string rule) => Assert.Throws<ArgumentException>(() => new EtcdKeyMatcher([rule]));
}
