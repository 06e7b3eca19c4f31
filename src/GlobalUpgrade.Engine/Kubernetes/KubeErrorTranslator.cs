using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using GlobalUpgrade.Errors;
using k8s.Autorest;

namespace GlobalUpgrade.Kubernetes;

/// <summary>
/// Turns what the HTTP stack and KubernetesClient throw into errors an operator can act on: which server, which
/// user, which CA, and what to do. Everything else passes through unchanged.
/// </summary>
public static class KubeErrorTranslator
{
    public static Exception Translate(Exception ex, ClusterEndpoint endpoint, string what, CancellationToken callerToken)
    {
        if (ex is GlobalUpgradeException)
        {
            return ex;
        }

        if (ex is OperationCanceledException && callerToken.IsCancellationRequested)
        {
            return ex;
        }

        if (ex is HttpOperationException http)
        {
            return FromStatus(http.Response?.StatusCode ?? 0, http.Response?.Content, endpoint, what, http);
        }

        if (ExceptionChain.Find<AuthenticationException>(ex) is { } tls)
        {
            return new GlobalUpgradeException(
                ErrorIds.CertificateNotTrusted,
                FailureCategory.SecurityError,
                $"The TLS certificate of {endpoint.Server} (context '{endpoint.Context}') is not trusted: it was checked against {endpoint.CaSource}. Put the cluster's CA in the kubeconfig (certificate-authority-data); verification is never skipped.",
                endpoint.Context,
                tls);
        }

        // Checked before sockets: a cancelled read may carry the aborted socket underneath, and a slow server is not
        // an unreachable one. A connect timeout (TCP or TLS handshake not done in time) may be a firewall; an
        // answer that did not come in time is a slow server — each message says which.
        if (ex is OperationCanceledException or TimeoutException || ExceptionChain.Find<TimeoutException>(ex) is not null)
        {
            var connecting = ExceptionChain.Of(ex).Any(e => e.Message.Contains("ConnectTimeout", StringComparison.Ordinal));
            return new GlobalUpgradeException(
                ErrorIds.ServerTimeout,
                FailureCategory.OperationTimeout,
                connecting
                    ? $"The API server {endpoint.HostAndPort} of context '{endpoint.Context}' did not complete the connection (TCP and TLS handshake) within the connect timeout while {what}. Check the address in the kubeconfig and the VPN/firewall, or raise -ConnectTimeoutSec."
                    : $"The API server {endpoint.HostAndPort} of context '{endpoint.Context}' accepted the request but did not answer in time while {what}. It may be overloaded or the network path slow; retry, or give Connect-GlobalCluster a larger -RequestTimeoutSec.",
                endpoint.Context,
                ex);
        }

        if (ExceptionChain.Find<SocketException>(ex) is { } socket)
        {
            return new GlobalUpgradeException(
                ErrorIds.ServerUnreachable,
                FailureCategory.ConnectionError,
                $"Cannot reach the API server {endpoint.HostAndPort} of context '{endpoint.Context}' ({socket.SocketErrorCode}) while {what}. Check the address in the kubeconfig, the VPN/firewall, and that port {endpoint.Server.Port} is open.",
                endpoint.Context,
                ex);
        }

        if (ExceptionChain.Find<JsonException>(ex) is { } json)
        {
            return AnswerUnreadable(endpoint, what, $"a body that is not the JSON expected ({json.Message.Split('.')[0]})", ex);
        }

        if (ex is HttpRequestException request)
        {
            return new GlobalUpgradeException(
                ErrorIds.ServerUnreachable,
                FailureCategory.ConnectionError,
                $"The request to {endpoint.HostAndPort} (context '{endpoint.Context}') failed while {what}: {request.Message}",
                endpoint.Context,
                ex);
        }

        if (ExceptionChain.Find<IOException>(ex) is { } cut)
        {
            // The answer started and then the connection dropped: nothing of it is used.
            return new GlobalUpgradeException(
                ErrorIds.ServerUnreachable,
                FailureCategory.ConnectionError,
                $"The answer of {endpoint.HostAndPort} (context '{endpoint.Context}') was cut off while {what} ({cut.Message}). Nothing was concluded from it; check the network path to the API server and retry.",
                endpoint.Context,
                ex);
        }

        return ex;
    }

    public static GlobalUpgradeException FromStatus(HttpStatusCode status, string? body, ClusterEndpoint endpoint, string what, Exception? inner)
    {
        var user = endpoint.User ?? "(unnamed user)";
        return status switch
        {
            HttpStatusCode.Unauthorized => new GlobalUpgradeException(
                ErrorIds.Unauthorized,
                FailureCategory.AuthenticationError,
                $"The API server {endpoint.HostAndPort} rejected the credentials of user '{user}' (context '{endpoint.Context}') with 401 Unauthorized while {what}. Renew the token or certificate of that user in the kubeconfig.",
                endpoint.Context,
                inner),
            HttpStatusCode.Forbidden => new GlobalUpgradeException(
                ErrorIds.Forbidden,
                FailureCategory.PermissionDenied,
                $"User '{user}' (context '{endpoint.Context}') is not allowed to do this on {endpoint.HostAndPort} (403 Forbidden) while {what}: {StatusMessage(body)}. Use a platform administrator's kubeconfig.",
                endpoint.Context,
                inner),
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => new GlobalUpgradeException(
                ErrorIds.ApiRequestFailed,
                FailureCategory.ResourceUnavailable,
                $"The API server {endpoint.HostAndPort} (context '{endpoint.Context}') pushed back with {(int)status} {status} while {what}: {StatusMessage(body)}. It is overloaded or restarting; what was safe to repeat was retried for as long as its Retry-After and the request timeout allowed. Wait and run it again, or give Connect-GlobalCluster a larger -RequestTimeoutSec.",
                endpoint.Context,
                inner),
            _ => new GlobalUpgradeException(
                ErrorIds.ApiRequestFailed,
                FailureCategory.InvalidOperation,
                $"The API server {endpoint.HostAndPort} (context '{endpoint.Context}') answered {(int)status} {status} while {what}: {StatusMessage(body)}",
                endpoint.Context,
                inner),
        };
    }

    /// <summary>Who answered, for messages: "The API server host:port (context 'x')".</summary>
    public static string Describe(ClusterEndpoint endpoint) => $"The API server {endpoint.HostAndPort} (context '{endpoint.Context}')";

    /// <summary>A success status whose body is not what the API promises (HTML from a proxy, nothing, a non-list).</summary>
    public static GlobalUpgradeException AnswerUnreadable(ClusterEndpoint endpoint, string what, string answer, Exception? inner) =>
        AnswerUnreadable(Describe(endpoint), what, answer, inner, endpoint.Context);

    public static GlobalUpgradeException AnswerUnreadable(string server, string what, string answer, Exception? inner, object? target = null) => new(
        ErrorIds.ServerAnswerUnreadable,
        FailureCategory.InvalidData,
        $"{server} answered with {answer} while {what}, not a Kubernetes API object. Nothing was concluded from it. Check that the kubeconfig's server is the API server itself and not a web proxy or login page in front of it, and retry.",
        target ?? server,
        inner);

    /// <summary>The message of a Kubernetes Status body, or the start of whatever else came back.</summary>
    public static string StatusMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(no message)";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var message))
            {
                return message.GetString() ?? "(no message)";
            }
        }
        catch (JsonException)
        {
        }

        var text = body.Trim();
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
