using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;
using Xunit;

namespace GlobalUpgrade.Tests.Kubernetes;

public sealed class JsonPathTests
{
    private static readonly JsonObject Sample = JsonNode.Parse("""
        {"metadata":{"name":"m1","labels":{"a":"1","b":"2"}},
         "spec":{"ip":"10.0.0.1","replicas":3,"paused":false,"count":"7"},
         "status":{"conditions":[{"type":"Ready"},{"type":"Stalled"}, 5]}}
        """)!.AsObject();

    [Fact]
    public void ReadsNestedFieldsAndToleratesAbsentParents()
    {
        Assert.Equal("m1", JsonPath.Name(Sample));
        Assert.Equal("10.0.0.1", JsonPath.String(Sample, "spec.ip"));
        Assert.Null(JsonPath.String(Sample, "spec.absent.deeper"));
        Assert.Null(JsonPath.String(Sample, "metadata.name.deeper"));
        Assert.Equal(3, JsonPath.Int64(Sample, "spec.replicas"));
        Assert.Equal(7, JsonPath.Int64(Sample, "spec.count"));
        Assert.False(JsonPath.Bool(Sample, "spec.paused"));
    }

    [Fact]
    public void ArraysAndMapsSkipWhatIsNotAnObject()
    {
        Assert.Equal(["Ready", "Stalled"], JsonPath.Objects(Sample, "status.conditions").Select(c => JsonPath.String(c, "type")));
        Assert.Empty(JsonPath.Objects(Sample, "status.absent"));
        Assert.Equal("2", JsonPath.StringMap(Sample, "metadata.labels")["b"]);
        Assert.Empty(JsonPath.StringMap(Sample, "metadata.annotations"));
    }
}
