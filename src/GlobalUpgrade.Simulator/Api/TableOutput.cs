using System.Globalization;
using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>
/// Server-side printing (<c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>), which <c>kubectl get</c>
/// asks for: the columns it shows are the server's. Pods get the built-in printer's columns (NAME, READY, STATUS,
/// RESTARTS, AGE; IP and NODE with -o wide); the ACP kinds their CRD's additionalPrinterColumns; any other kind
/// NAME and AGE, the API server's default for a CRD without printer columns.
/// </summary>
internal static class TableOutput
{
    private static readonly PrinterColumn NameColumn = new("Name", "string", "Name must be unique within a namespace.", (o, _) => o.Name(), Format: "name");
    private static readonly PrinterColumn AgeColumn = new("Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", (o, now) => Age(o, now));

    private static readonly PrinterColumn[] PodColumns =
    [
        NameColumn,
        new("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.", (o, _) => PodReady(o)),
        new("Status", "string", "The aggregate status of the containers in this pod.", (o, _) => PodStatus(o)),
        new("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", (o, _) => PodRestarts(o)),
        AgeColumn,
        new("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", (o, _) => o.Str("status.podIP") ?? "<none>", Priority: 1),
        new("Node", "string", "NodeName is a request to schedule this pod onto a specific node.", (o, _) => o.Str("spec.nodeName") ?? "<none>", Priority: 1),
    ];

    // [doc release-4.3 docs/shared/crds/cluster.alauda.io_moduleinfoes.yaml] additionalPrinterColumns.
    private static readonly PrinterColumn[] ModuleInfoColumns =
    [
        NameColumn,
        PrinterColumn.FromJsonPath("Cluster", @".metadata.labels.cpaas\.io/cluster-name"),
        PrinterColumn.FromJsonPath("Module", @".metadata.labels.cpaas\.io/module-name"),
        PrinterColumn.FromJsonPath("Display_Name", @".metadata.annotations.cpaas\.io/display-name"),
        PrinterColumn.FromJsonPath("Status", ".status.phase"),
        PrinterColumn.FromJsonPath("Target_Version", ".spec.version"),
        PrinterColumn.FromJsonPath("Current_Version", ".status.version"),
        PrinterColumn.FromJsonPath("New_Version", ".status.availableVersions[0].version"),
    ];

    // [doc release-4.3 docs/shared/crds/product-base.yaml] additionalPrinterColumns (the same in v1alpha1 and v1alpha2).
    private static readonly PrinterColumn[] ProductBaseColumns =
    [
        NameColumn,
        PrinterColumn.FromJsonPath("Status", ".status.phase"),
        PrinterColumn.FromJsonPath("Version", ".status.version"),
        PrinterColumn.FromJsonPath("Ready", ".status.conditions[?(@.type=='Ready')].status"),
    ];

    /// <summary>True when the client asked for a meta.k8s.io/v1 Table (kubectl offers it first, plain JSON last).</summary>
    public static bool Wanted(HttpRequest request) =>
        request.Headers.Accept.SelectMany(h => (h ?? "").Split(','))
            .Select(m => m.Split(';').Select(p => p.Trim()).ToList())
            .Any(p => p.Contains("as=Table") && p.Contains("g=meta.k8s.io") && p.Contains("v=v1"));

    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> objects, string? resourceVersion, string? continueToken = null, bool includeObject = false)
    {
        var columns = ColumnsOf(type);
        var now = DateTimeOffset.UtcNow;
        var meta = new JsonObject();
        if (resourceVersion is not null)
        {
            meta["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            meta["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = meta,
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)c.Definition()).ToArray()),
            ["rows"] = new JsonArray(objects.Select(o => (JsonNode)new JsonObject
            {
                ["cells"] = new JsonArray(columns.Select(c => c.Cell(o, now)).ToArray()),
                ["object"] = includeObject ? o.DeepClone() : PartialMetadata(o),
            }).ToArray()),
        };
    }

    private static PrinterColumn[] ColumnsOf(ResourceType type) => type.Resource switch
    {
        "pods" when type.IsCore => PodColumns,
        "moduleinfoes" when type.Group == ResourceTypes.ModuleInfos.Group => ModuleInfoColumns,
        "productbases" when type.Group == ResourceTypes.ProductBases.Group => ProductBaseColumns,
        _ => [NameColumn, AgeColumn],
    };

    // Without includeObject=Object the rows carry the object's metadata only, as PartialObjectMetadata.
    private static JsonObject PartialMetadata(JsonObject o) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = o["metadata"]?.DeepClone(),
    };

    private static string PodReady(JsonObject pod)
    {
        var total = (pod["spec"]?["containers"] as JsonArray)?.Count ?? 0;
        var ready = (pod["status"]?["containerStatuses"] as JsonArray ?? []).Count(s => s?["ready"]?.GetValue<bool>() == true);
        return $"{ready}/{total}";
    }

    // kubectl's printPod: the phase, or a waiting/terminated container's reason, or Terminating when deleted.
    private static string PodStatus(JsonObject pod)
    {
        var reason = pod.Str("status.reason") ?? pod.Str("status.phase") ?? "Unknown";
        foreach (var s in pod["status"]?["containerStatuses"] as JsonArray ?? [])
        {
            if (s.Str("state.waiting.reason") is { Length: > 0 } waiting)
            {
                reason = waiting;
            }
            else if (s?["state"]?["terminated"] is { } terminated)
            {
                reason = terminated.Str("reason") ?? "Error";
            }
        }

        return pod.IsDeleting() ? "Terminating" : reason;
    }

    private static string PodRestarts(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray ?? []).Sum(s => s?["restartCount"]?.GetValue<int>() ?? 0).ToString(CultureInfo.InvariantCulture);

    private static string Age(JsonObject o, DateTimeOffset now) =>
        DateTimeOffset.TryParse(o.Str("metadata.creationTimestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
            ? HumanDuration(now - created)
            : "<unknown>";

    // apimachinery's duration.HumanDuration, the AGE column's format.
    internal static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 120)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        }

        if (minutes < 180)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        var days = hours / 24;
        if (hours < 24 * 8)
        {
            return hours % 24 == 0 ? $"{days}d" : $"{days}d{hours % 24}h";
        }

        return days < 365 * 2 ? $"{days}d" : $"{days / 365}y{days % 365}d";
    }
}
