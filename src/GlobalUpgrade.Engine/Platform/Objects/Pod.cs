using System.Text.Json.Nodes;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Platform.Objects;

/// <summary>A pod as the waits and health checks see it (the synchronizer's pods, GitOps pods, Helm-era mirror pods).</summary>
public sealed record Pod
{
    /// <summary>One entry of status.containerStatuses.</summary>
    public sealed record Container(string? Name, bool Ready, string? WaitingReason, string? WaitingMessage, string? TerminatedReason);

    public required ObjectMeta Meta { get; init; }

    public string Name => Meta.Name;

    public string? Phase { get; init; }

    /// <summary>status.reason (Evicted, ...).</summary>
    public string? Reason { get; init; }

    public IReadOnlyList<Container> Containers { get; init; } = [];

    /// <summary>Running, not terminating, and every container ready (at least one).</summary>
    public bool IsReady => Phase == "Running" && !Meta.IsDeleting && Containers.Count > 0 && Containers.All(c => c.Ready);

    /// <summary>"pod x: Pending, 0/1 ready, etcd-sync waiting: ImagePullBackOff (message), terminating".</summary>
    public string Describe()
    {
        var waiting = Containers.Where(c => c.WaitingReason is not null)
            .Select(c => $", {c.Name} waiting: {c.WaitingReason}{(c.WaitingMessage is null ? "" : $" ({c.WaitingMessage})")}");
        return $"pod {Name}: {Phase ?? "no phase"}, {Containers.Count(c => c.Ready)}/{Math.Max(Containers.Count, 1)} ready{string.Concat(waiting)}{(Meta.IsDeleting ? ", terminating" : "")}";
    }

    public static Pod From(JsonObject obj) => new()
    {
        Meta = ObjectMeta.Of(obj),
        Phase = JsonPath.String(obj, "status.phase"),
        Reason = JsonPath.String(obj, "status.reason"),
        Containers = JsonPath.Objects(obj, "status.containerStatuses")
            .Select(c => new Container(JsonPath.String(c, "name"), JsonPath.Bool(c, "ready") == true, JsonPath.String(c, "state.waiting.reason"), JsonPath.String(c, "state.waiting.message"), JsonPath.String(c, "state.terminated.reason")))
            .ToList(),
    };
}
