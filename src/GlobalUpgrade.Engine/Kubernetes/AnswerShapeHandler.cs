using System.Net;
using System.Text;

namespace GlobalUpgrade.Kubernetes;

/// <summary>
/// Refuses a success answer to an API call that is not an API object: a login page or proxy error page sent with
/// 200 OK, or an empty body. Left to the client, those surface as a JSON parser's exception (or as "nothing
/// there"); here they become one error that says what the server sent. Pod logs and the service proxy carry
/// other content and are let through.
/// </summary>
internal sealed class AnswerShapeHandler(ClusterEndpoint endpoint) : DelegatingHandler
{
    private const int Shown = 160;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NoContent || !ExpectsApiObject(request.RequestUri))
        {
            return response;
        }

        var type = response.Content.Headers.ContentType?.MediaType;
        var length = response.Content.Headers.ContentLength;
        if (type is not null && type.Contains("json", StringComparison.OrdinalIgnoreCase) && length != 0)
        {
            return response;
        }

        using (response)
        {
            var start = length == 0 ? "" : await ReadStartAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var status = $"{(int)response.StatusCode} {response.StatusCode}";
            var answer = start.Length == 0
                ? $"{status} and an empty body"
                : $"{status} and {type ?? "a body without a content type"} ('{start}')";
            throw KubeErrorTranslator.AnswerUnreadable(endpoint, $"{request.Method} {request.RequestUri?.AbsolutePath}", answer, null);
        }
    }

    private static bool ExpectsApiObject(Uri? uri)
    {
        var path = uri?.AbsolutePath ?? "";
        return (path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/version", StringComparison.Ordinal))
            && !path.Contains("/proxy", StringComparison.Ordinal)
            && !path.EndsWith("/log", StringComparison.Ordinal);
    }

    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[Shown * 2];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false) is var n && n > 0)
        {
            read += n;
        }

        var text = new StringBuilder();
        foreach (var c in Encoding.UTF8.GetString(buffer, 0, read).Trim())
        {
            text.Append(char.IsControl(c) ? ' ' : c);
        }

        return text.Length > Shown ? text.ToString(0, Shown) + "…" : text.ToString();
    }
}
