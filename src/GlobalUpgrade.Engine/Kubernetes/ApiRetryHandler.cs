using System.Diagnostics;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Kubernetes;

/// <summary>
/// Rides out an API server's pushback for every request of a connection (reads, lists, watches, writes, logs, the
/// service proxy) by <see cref="ApiRetryRule"/>, within the request's budget: no wait that would end past
/// <paramref name="budget"/> (the request timeout) is started, and the caller's token ends any wait. When it gives
/// up, the caller gets the last answer or failure as it came, so errors read as they would without retries.
/// -Verbose says what was sent again and why.
/// </summary>
internal sealed class ApiRetryHandler(string context, TimeSpan budget) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // Sent again as it was: buffered once, so every attempt carries the same body.
            await request.Content.LoadIntoBufferAsync().ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        for (var attempts = 1; ; attempts++)
        {
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (!Allows(ApiRetryRule.ForFailure(request, ex, attempts, Random.Shared.NextDouble()), request, attempts, clock, out var wait))
                {
                    throw;
                }

                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!Allows(ApiRetryRule.ForAnswer(request, response, attempts, Random.Shared.NextDouble()), request, attempts, clock, out var delay))
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool Allows(RetryDecision? decision, HttpRequestMessage request, int attempts, Stopwatch clock, out TimeSpan wait)
    {
        wait = decision?.Delay ?? TimeSpan.Zero;
        if (decision is null)
        {
            return false;
        }

        var what = $"[{context}] {request.Method} {request.RequestUri?.AbsolutePath}";
        // Ambient, not the engine context: the handler is shared by every command of the session that uses the connection.
        var log = OperationLog.Current;
        if (attempts >= decision.MaxAttempts)
        {
            log.Verbose($"{what}: {decision.Reason}; giving up after {attempts} attempts");
            return false;
        }

        if (clock.Elapsed + wait > budget)
        {
            log.Verbose($"{what}: {decision.Reason}; giving up after {attempts} attempts in {clock.Elapsed.TotalSeconds:0.#} s, as waiting {wait.TotalSeconds:0.#} s more would pass the request timeout of {budget.TotalSeconds:0.#} s");
            return false;
        }

        log.Verbose($"{what}: {decision.Reason}; retrying in {wait.TotalSeconds:0.##} s (attempt {attempts + 1} of {decision.MaxAttempts})");
        return true;
    }
}
