using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;

namespace GlobalUpgrade.Kubernetes;

/// <summary>Send the request again after <see cref="Delay"/>, at most <see cref="MaxAttempts"/> times in all; <see cref="Reason"/> says why.</summary>
internal sealed record RetryDecision(TimeSpan Delay, string Reason, int MaxAttempts);

/// <summary>
/// The one rule for sending a request to an API server again, like client-go does. Pushback (429 Too Many Requests
/// from API priority and fairness, 503 Service Unavailable from a server that is restarting or a load balancer in
/// front of it) is retried after the server's Retry-After (seconds or an HTTP date), or after an exponential
/// backoff with jitter where it gives none. A connection that could not be opened is retried for every request
/// (nothing was sent); one cut before the answer only for reads (a write may have been applied). Which writes
/// repeat: a 429 was refused before it ran, so every request repeats; after a 503 or a cut only what is idempotent
/// (PUT, DELETE, a merge patch that sets values) repeats, never a create (POST) or a JSON patch. Through the
/// service proxy, a 429/503 without Retry-After is the backend's own answer and is left to the caller.
/// </summary>
internal static class ApiRetryRule
{
    /// <summary>Attempts in all (the first included) for a request that is pushed back.</summary>
    public const int MaxPushbackAttempts = 8;

    /// <summary>Attempts in all for a connection that fails: enough for a load balancer to pick another server.</summary>
    public const int MaxConnectionAttempts = 4;

    private static readonly TimeSpan BackoffBase = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan BackoffCap = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ConnectionBackoffBase = TimeSpan.FromMilliseconds(50);

    private enum Repeat
    {
        /// <summary>A read: repeating it changes nothing.</summary>
        Safe,

        /// <summary>A write whose repeat leaves the same state (PUT, DELETE, a merge patch).</summary>
        Idempotent,

        /// <summary>A write that must not run twice (a create, a JSON patch).</summary>
        Once,
    }

    /// <summary>Whether an answer is pushback to ride out; <paramref name="attempts"/> made so far, <paramref name="jitter"/> in [0, 1).</summary>
    public static RetryDecision? ForAnswer(HttpRequestMessage request, HttpResponseMessage response, int attempts, double jitter)
    {
        var status = response.StatusCode;
        if (status is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
        {
            return null;
        }

        var advised = AdvisedDelay(response.Headers);
        if (status == HttpStatusCode.ServiceUnavailable && Kind(request) == Repeat.Once)
        {
            return null;
        }

        if (advised is null && IsServiceProxy(request))
        {
            return null;
        }

        var answer = $"{(int)status} {status}";
        return advised is { } wait
            ? new RetryDecision(wait, $"{answer}, Retry-After {Seconds(wait)}", MaxPushbackAttempts)
            : new RetryDecision(Backoff(BackoffBase, attempts, jitter), $"{answer} without Retry-After, backing off", MaxPushbackAttempts);
    }

    /// <summary>Whether a failure to get an answer is worth another attempt.</summary>
    public static RetryDecision? ForFailure(HttpRequestMessage request, Exception failure, int attempts, double jitter)
    {
        if (failure is OperationCanceledException || ExceptionChain.Find<AuthenticationException>(failure) is not null)
        {
            return null;
        }

        var delay = Backoff(ConnectionBackoffBase, attempts, jitter);
        if (failure is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
        {
            return new RetryDecision(delay, $"the connection could not be opened ({Describe(failure)})", MaxConnectionAttempts);
        }

        var cut = failure switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError } => true,
            HttpRequestException { HttpRequestError: HttpRequestError.Unknown } or IOException => ExceptionChain.Find<IOException>(failure) is not null || ExceptionChain.Find<SocketException>(failure) is not null,
            _ => false,
        };
        return cut && Kind(request) == Repeat.Safe
            ? new RetryDecision(delay, $"the connection was cut before the answer ({Describe(failure)})", MaxConnectionAttempts)
            : null;
    }

    /// <summary>Retry-After as seconds or as an HTTP date (against the server's own Date when it sends one).</summary>
    public static TimeSpan? AdvisedDelay(HttpResponseHeaders headers)
    {
        var header = headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - (headers.Date ?? DateTimeOffset.UtcNow);
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static Repeat Kind(HttpRequestMessage request)
    {
        var method = request.Method;
        if (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options)
        {
            return Repeat.Safe;
        }

        if (method == HttpMethod.Put || method == HttpMethod.Delete)
        {
            return Repeat.Idempotent;
        }

        // A merge patch (and its strategic and apply forms) sets values; a JSON patch may append to a list.
        var type = request.Content?.Headers.ContentType?.MediaType;
        return method == HttpMethod.Patch && type is "application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/apply-patch+yaml"
            ? Repeat.Idempotent
            : Repeat.Once;
    }

    private static bool IsServiceProxy(HttpRequestMessage request) =>
        request.RequestUri?.AbsolutePath.Contains("/proxy", StringComparison.Ordinal) == true;

    private static TimeSpan Backoff(TimeSpan first, int attempts, double jitter)
    {
        var exponential = first.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempts - 1));
        return TimeSpan.FromMilliseconds(Math.Min(BackoffCap.TotalMilliseconds, exponential) * (1 + (0.25 * jitter)));
    }

    private static string Seconds(TimeSpan wait) => $"{wait.TotalSeconds:0.#}s";

    private static string Describe(Exception failure)
    {
        var socket = ExceptionChain.Find<SocketException>(failure);
        return socket is not null ? socket.SocketErrorCode.ToString() : (failure.InnerException ?? failure).Message;
    }
}
