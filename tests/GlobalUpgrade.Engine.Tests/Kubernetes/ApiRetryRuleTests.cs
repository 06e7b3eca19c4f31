using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using GlobalUpgrade.Kubernetes;
using Xunit;

namespace GlobalUpgrade.Tests.Kubernetes;

/// <summary>The retry rule on its own: what counts as pushback, which failures and which writes are sent again.</summary>
public sealed class ApiRetryRuleTests
{
    private static HttpRequestMessage Request(string method, string path = "/api/v1/namespaces/a/configmaps", string? contentType = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri("https://10.0.0.1:6443" + path));
        if (contentType is not null)
        {
            request.Content = new StringContent("{}", MediaTypeHeaderValue.Parse(contentType));
        }

        return request;
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string? retryAfter = null)
    {
        var response = new HttpResponseMessage(status);
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    [Theory]
    [InlineData("GET", null, 429, true)]
    [InlineData("GET", null, 503, true)]
    [InlineData("POST", "application/json", 429, true)]
    [InlineData("POST", "application/json", 503, false)]
    [InlineData("PUT", "application/json", 503, true)]
    [InlineData("DELETE", null, 503, true)]
    [InlineData("PATCH", "application/merge-patch+json", 503, true)]
    [InlineData("PATCH", "application/strategic-merge-patch+json", 503, true)]
    [InlineData("PATCH", "application/json-patch+json", 503, false)]
    [InlineData("GET", null, 500, false)]
    [InlineData("GET", null, 502, false)]
    public void PushbackIsRetriedWhereTheRequestMayRepeat(string method, string? contentType, int status, bool retried)
    {
        using var request = Request(method, contentType: contentType);
        using var answer = Answer((HttpStatusCode)status, "1");
        Assert.Equal(retried, ApiRetryRule.ForAnswer(request, answer, 1, 0) is not null);
    }

    [Fact]
    public void RetryAfterIsSecondsOrADateElseABackoffThatGrows()
    {
        using var request = Request("GET");
        using var seconds = Answer(HttpStatusCode.TooManyRequests, "3");
        Assert.Equal(TimeSpan.FromSeconds(3), ApiRetryRule.ForAnswer(request, seconds, 1, 0.9)!.Delay);

        using var date = Answer(HttpStatusCode.ServiceUnavailable, "Wed, 02 Dec 2026 10:00:05 GMT");
        date.Headers.Date = DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(5), ApiRetryRule.ForAnswer(request, date, 1, 0)!.Delay);

        using var bare = Answer(HttpStatusCode.ServiceUnavailable);
        var delays = Enumerable.Range(1, 7).Select(n => ApiRetryRule.ForAnswer(request, bare, n, 0)!.Delay.TotalMilliseconds).ToList();
        Assert.Equal([250, 500, 1000, 2000, 2000, 2000, 2000], delays);
        Assert.InRange(ApiRetryRule.ForAnswer(request, bare, 1, 0.99)!.Delay.TotalMilliseconds, 250, 250 * 1.25);
    }

    [Fact]
    public void ThroughTheServiceProxyOnlyAnAdvisedWaitIsPushback()
    {
        using var proxy = Request("GET", "/api/v1/namespaces/cpaas-system/services/etcd-sync-monitor:8080/proxy/check");
        using var bare = Answer(HttpStatusCode.ServiceUnavailable);
        using var advised = Answer(HttpStatusCode.TooManyRequests, "1");
        Assert.Null(ApiRetryRule.ForAnswer(proxy, bare, 1, 0));
        Assert.NotNull(ApiRetryRule.ForAnswer(proxy, advised, 1, 0));
    }

    [Fact]
    public void AConnectionNotOpenedIsRetriedForAnyRequestOneCutOnlyForReads()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
        var cut = new HttpRequestException(HttpRequestError.ResponseEnded, "ended", new IOException("The response ended prematurely."));
        var reset = new HttpRequestException("reset", new IOException("read", new SocketException((int)SocketError.ConnectionReset)));
        var untrusted = new HttpRequestException(HttpRequestError.SecureConnectionError, "ssl", new AuthenticationException("untrusted"));
        using var get = Request("GET");
        using var post = Request("POST", contentType: "application/json");

        Assert.Contains("ConnectionRefused", ApiRetryRule.ForFailure(post, refused, 1, 0)!.Reason, StringComparison.Ordinal);
        Assert.NotNull(ApiRetryRule.ForFailure(get, cut, 1, 0));
        Assert.NotNull(ApiRetryRule.ForFailure(get, reset, 1, 0));
        Assert.Null(ApiRetryRule.ForFailure(post, cut, 1, 0));
        Assert.Null(ApiRetryRule.ForFailure(post, reset, 1, 0));
        Assert.Null(ApiRetryRule.ForFailure(get, untrusted, 1, 0));
        Assert.Null(ApiRetryRule.ForFailure(get, new TaskCanceledException("timeout", new TimeoutException()), 1, 0));
        Assert.Equal(ApiRetryRule.MaxConnectionAttempts, ApiRetryRule.ForFailure(get, refused, 1, 0)!.MaxAttempts);
    }
}
