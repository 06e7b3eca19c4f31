using System.Diagnostics;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Kubernetes;

/// <summary>Tells -Verbose which request goes to which server. Headers (the bearer token) are never logged.</summary>
internal sealed class RequestTracingHandler(string context) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Ambient, not the engine context: the handler is shared by every command of the session that uses the connection.
        var log = OperationLog.Current;
        log.Verbose($"[{context}] {request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)}{RedactedQuery(request.RequestUri)}");
        var watch = Stopwatch.StartNew();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        log.Debug($"[{context}] {(int)response.StatusCode} {request.Method} {request.RequestUri?.AbsolutePath} in {watch.ElapsedMilliseconds} ms");
        return response;
    }

    // Query strings hold selectors and resourceVersions, never secrets, but keep them short.
    private static string RedactedQuery(Uri? uri) => uri is null || uri.Query.Length == 0 ? "" : uri.Query.Length > 200 ? uri.Query[..200] + "…" : uri.Query;
}
