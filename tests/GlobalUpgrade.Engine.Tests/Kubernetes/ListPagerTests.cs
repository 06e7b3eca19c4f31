using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using Xunit;

namespace GlobalUpgrade.Tests.Kubernetes;

public sealed class ListPagerTests
{
    private static Task<(List<JsonObject> Items, string? ResourceVersion)> Read(Func<string?, JsonObject?> page) =>
        ListPager.ReadAllAsync((token, _) => Task.FromResult(page(token)), "The API server x:6443 (context 'c')", "listing machines", default);

    [Fact]
    public async Task FollowsTokensToTheEnd()
    {
        var (items, version) = await Read(token => JsonNode.Parse(token is null
            ? """{"metadata":{"continue":"p2","resourceVersion":"7"},"items":[{"metadata":{"name":"a"}}]}"""
            : """{"metadata":{},"items":[{"metadata":{"name":"b"}}]}""")!.AsObject());
        Assert.Equal(["a", "b"], items.Select(JsonPath.Name));
        Assert.Equal("7", version);
    }

    [Fact]
    public async Task ATokenThatNeverEndsFailsAfterTheCap()
    {
        var pages = 0;
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => Read(_ => JsonNode.Parse($$"""{"metadata":{"continue":"t{{++pages}}"},"items":[]}""")!.AsObject()));
        Assert.Equal(ErrorIds.ListPagingExceeded, ex.ErrorId);
        Assert.Equal(ListPager.MaxPages, pages);
    }

    [Fact]
    public async Task ARepeatedTokenFailsAtOnce()
    {
        var pages = 0;
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => Read(_ => { pages++; return JsonNode.Parse("""{"metadata":{"continue":"same"},"items":[]}""")!.AsObject(); }));
        Assert.Equal(ErrorIds.ListPagingExceeded, ex.ErrorId);
        Assert.Equal(2, pages);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"kind":"MachineList","items":{}}""")]
    [InlineData("""{"kind":"Status","message":"ok"}""")]
    public async Task APageThatIsNotAListIsUnreadable(string body)
    {
        var ex = await Assert.ThrowsAsync<GlobalUpgradeException>(() => Read(_ => JsonNode.Parse(body)!.AsObject()));
        Assert.Equal(ErrorIds.ServerAnswerUnreadable, ex.ErrorId);
        Assert.Contains("x:6443", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NullItemsIsAnEmptyList() =>
        Assert.Empty((await Read(_ => JsonNode.Parse("""{"items":null}""")!.AsObject())).Items);
}
