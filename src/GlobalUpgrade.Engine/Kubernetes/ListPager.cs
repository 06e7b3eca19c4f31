using System.Diagnostics;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Platform.Objects;

namespace GlobalUpgrade.Kubernetes;

/// <summary>
/// Follows a list's continue tokens until it ends — the one loop that does, for every list we read. Bounded, so a
/// server whose token never runs out fails the call instead of paging forever: at most <see cref="MaxPages"/>
/// pages (50,000 objects at 500 a page, far beyond any kind we list), at most <see cref="Deadline"/>, and never
/// the same token twice. A page that is not a list (no items array: a "{}" body) is refused, so an empty set is
/// always one the server said is empty.
/// </summary>
public static class ListPager
{
    internal static int MaxPages { get; set; } = 100;

    internal static TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(5);

    /// <param name="fetch">Reads one page from a continue token (null: the first page).</param>
    /// <param name="server">Who answers, for messages: "The API server host:port (context 'x')".</param>
    public static async Task<(List<JsonObject> Items, string? ResourceVersion)> ReadAllAsync(
        Func<string?, CancellationToken, Task<JsonObject?>> fetch, string server, string what, CancellationToken cancellationToken)
    {
        var items = new List<JsonObject>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        string? resourceVersion = null;
        string? token = null;
        for (var pages = 1; ; pages++)
        {
            var page = await fetch(token, cancellationToken).ConfigureAwait(false);
            if (page is null || !page.TryGetPropertyValue("items", out var list) || list is not (JsonArray or null))
            {
                var text = page?.ToJsonString() ?? "";
                throw KubeErrorTranslator.AnswerUnreadable(server, what, $"a page that is not a list (no items array): '{(text.Length > 120 ? text[..120] + "…" : text)}'", null);
            }

            var answer = ObjectList.From(page);
            resourceVersion ??= answer.ResourceVersion;
            items.AddRange(answer.Items.Select(o => (JsonObject)o.DeepClone()));
            token = answer.Continue;
            if (string.IsNullOrEmpty(token))
            {
                return (items, resourceVersion);
            }

            if (!seen.Add(token))
            {
                throw Exceeded(server, what, $"the server sent the same continue token twice after {pages} pages ({items.Count} objects), so the list would never end");
            }

            if (pages >= MaxPages || clock.Elapsed > Deadline)
            {
                throw Exceeded(server, what, $"the list did not end within {(pages >= MaxPages ? $"{MaxPages} pages" : $"{Deadline.TotalMinutes:0} minutes")} ({pages} pages, {items.Count} objects): its continue token never runs out");
            }
        }
    }

    private static GlobalUpgradeException Exceeded(string server, string what, string why) => new(
        ErrorIds.ListPagingExceeded,
        FailureCategory.OperationTimeout,
        $"{server} kept paging while {what}: {why}. Nothing was concluded from the partial list. Check the API server (and any proxy in front of it) and retry.",
        server);
}
