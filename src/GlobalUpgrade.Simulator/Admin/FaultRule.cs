using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace GlobalUpgrade.Simulator.Admin;

/// <summary>A fault the admin API installs: which requests it hits and what it does to them.</summary>
public sealed class FaultRule
{
    /// <summary>Matched against the path plus query string (e.g. <c>watch=true</c> can be targeted).</summary>
    public string PathRegex { get; set; } = ".*";

    /// <summary>Null matches every method.</summary>
    public string? Method { get; set; }

    /// <summary>Answer with this status instead of serving the request.</summary>
    public int? Status { get; set; }

    /// <summary>Body for <see cref="Status"/>; a Kubernetes Status JSON when null.</summary>
    public string? Body { get; set; }

    public string? ContentType { get; set; }

    /// <summary>A Retry-After header for <see cref="Status"/>: seconds ("1") or an HTTP date, as API priority and fairness sends with 429.</summary>
    public string? RetryAfter { get; set; }

    /// <summary>Delay before the request is served (or failed).</summary>
    public int LatencyMs { get; set; }

    /// <summary>Abort a watch stream this long after it started.</summary>
    public int? DropWatchAfterMs { get; set; }

    /// <summary>Abort a watch stream after this many events.</summary>
    public int? DropWatchAfterEvents { get; set; }

    /// <summary>Reset the connection without an answer.</summary>
    public bool Reset { get; set; }

    /// <summary>Serve the real answer but cut it after this many bytes and reset the connection.</summary>
    public int? TruncateBodyAt { get; set; }

    /// <summary>Answer a list with no items and a fresh continue token every time (a list that never ends).</summary>
    public bool ContinueForever { get; set; }

    /// <summary>How many requests the fault hits; null means until it is removed.</summary>
    public int? Times { get; set; }

    /// <summary>Hits one matching request in this many (the Nth, 2Nth, …) and lets the others through: pushback at a steady rate.</summary>
    public int? Every { get; set; }

    /// <summary>Hits every matching request for this long after the fault is installed, then lapses: a restart window.</summary>
    public int? ForMs { get; set; }

    /// <summary>Matching requests seen so far (for <see cref="Every"/>).</summary>
    [JsonIgnore]
    internal long Seen { get; set; }

    /// <summary>When the fault lapses (for <see cref="ForMs"/>); set when it is installed.</summary>
    [JsonIgnore]
    internal DateTimeOffset? Until { get; set; }

    private Regex? regex;

    [JsonIgnore]
    internal Regex Regex => regex ??= new Regex(PathRegex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
