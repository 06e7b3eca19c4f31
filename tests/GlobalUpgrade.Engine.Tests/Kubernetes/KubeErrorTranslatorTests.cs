using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;
using Xunit;

namespace GlobalUpgrade.Tests.Kubernetes;

public sealed class KubeErrorTranslatorTests
{
    private static readonly ClusterEndpoint Endpoint = new("/tmp/kc", "primary", new Uri("https://10.1.2.3:6443"), "admin", "certificate-authority-data of cluster 'c'");

    [Fact]
    public void StatusMessageReadsKubernetesStatusAndCutsAnythingElse()
    {
        Assert.Equal("pods \"x\" is forbidden", KubeErrorTranslator.StatusMessage("""{"kind":"Status","message":"pods \"x\" is forbidden"}"""));
        Assert.StartsWith("<html>", KubeErrorTranslator.StatusMessage("<html>" + new string('x', 1000)), StringComparison.Ordinal);
        Assert.True(KubeErrorTranslator.StatusMessage("<html>" + new string('x', 1000)).Length < 250);
        Assert.Equal("(no message)", KubeErrorTranslator.StatusMessage(" "));
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, ErrorIds.Unauthorized, FailureCategory.AuthenticationError)]
    [InlineData(HttpStatusCode.Forbidden, ErrorIds.Forbidden, FailureCategory.PermissionDenied)]
    [InlineData(HttpStatusCode.InternalServerError, ErrorIds.ApiRequestFailed, FailureCategory.InvalidOperation)]
    public void StatusCodesMapToStableIdsNamingUserAndServer(HttpStatusCode status, string id, FailureCategory category)
    {
        var ex = KubeErrorTranslator.FromStatus(status, null, Endpoint, "listing machines", null);
        Assert.Equal(id, ex.ErrorId);
        Assert.Equal(category, ex.Category);
        Assert.Contains("10.1.2.3:6443", ex.Message, StringComparison.Ordinal);
        if (status != HttpStatusCode.InternalServerError)
        {
            Assert.Contains("'admin'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TransportFailuresSayWhatWentWrongAndWhere()
    {
        var tls = KubeErrorTranslator.Translate(new HttpRequestException("ssl", new AuthenticationException("rejected")), Endpoint, "x", default);
        var refused = KubeErrorTranslator.Translate(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)), Endpoint, "x", default);
        var timeout = KubeErrorTranslator.Translate(new TaskCanceledException("t", new TimeoutException()), Endpoint, "x", default);

        Assert.Equal(ErrorIds.CertificateNotTrusted, Assert.IsType<GlobalUpgradeException>(tls).ErrorId);
        Assert.Contains("certificate-authority-data", tls.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorIds.ServerUnreachable, Assert.IsType<GlobalUpgradeException>(refused).ErrorId);
        Assert.Contains("ConnectionRefused", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorIds.ServerTimeout, Assert.IsType<GlobalUpgradeException>(timeout).ErrorId);
    }

    [Fact]
    public void ARequestTimeoutIsServerTimeoutEvenWithAnAbortedSocketUnderneath()
    {
        var aborted = new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 2 seconds elapsing.",
            new TimeoutException("timeout", new IOException("read", new SocketException((int)SocketError.OperationAborted))));
        var ex = Assert.IsType<GlobalUpgradeException>(KubeErrorTranslator.Translate(aborted, Endpoint, "listing machines", default));
        Assert.Equal(ErrorIds.ServerTimeout, ex.ErrorId);
        Assert.DoesNotContain("firewall", ex.Message, StringComparison.OrdinalIgnoreCase);

        var connect = Assert.IsType<GlobalUpgradeException>(KubeErrorTranslator.Translate(
            new TaskCanceledException("x", new TimeoutException("A connection could not be established within the configured ConnectTimeout.")), Endpoint, "x", default));
        Assert.Equal(ErrorIds.ServerTimeout, connect.ErrorId);
        Assert.Contains("-ConnectTimeoutSec", connect.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABodyThatIsNotJsonIsServerAnswerUnreadable()
    {
        var json = new System.Text.Json.JsonException("'<' is an invalid start of a value. LineNumber: 0");
        var ex = Assert.IsType<GlobalUpgradeException>(KubeErrorTranslator.Translate(json, Endpoint, "listing machines", default));
        Assert.Equal(ErrorIds.ServerAnswerUnreadable, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidData, ex.Category);
    }

    [Fact]
    public void CallerCancellationIsNotDisguisedAsATimeout()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var cancelled = new OperationCanceledException(cts.Token);
        Assert.Same(cancelled, KubeErrorTranslator.Translate(cancelled, Endpoint, "x", cts.Token));
    }
}
