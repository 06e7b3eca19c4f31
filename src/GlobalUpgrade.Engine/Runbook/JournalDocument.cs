using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace GlobalUpgrade.Runbook;

/// <summary>The runbook journal as stored on disk (JSON). Holds no secret: inputs are summarised and digested.</summary>
public sealed class JournalDocument
{
    public const int CurrentFormat = 1;

    [JsonProperty("format")]
    public int Format { get; set; } = CurrentFormat;

    /// <summary>"GlobalDrUpgrade" or "GlobalUpgrade".</summary>
    [JsonProperty("runbook")]
    public string Runbook { get; set; } = "";

    [JsonProperty("targetVersion")]
    public string TargetVersion { get; set; } = "";

    /// <summary>SHA-256 of the canonical, non-secret inputs: a resume with other inputs is refused unless forced.</summary>
    /// <summary>The version the clusters ran when the runbook began: it decides the steps (e.g. where the synchronizer lives).</summary>
    [JsonProperty("sourceVersion")]
    public string SourceVersion { get; set; } = "";

    [JsonProperty("inputsDigest")]
    public string InputsDigest { get; set; } = "";

    [JsonProperty("inputs")]
    public JObject Inputs { get; set; } = new();

    /// <summary>
    /// The [assumed] facts the run was told otherwise (-Assumption), by name. Not part of the digest: a correction may
    /// come with -Resume; a resume without -Assumption keeps these.
    /// </summary>
    [JsonProperty("assumptions")]
    public JObject Assumptions { get; set; } = new();

    [JsonProperty("createdAt")]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonProperty("updatedAt")]
    public DateTimeOffset UpdatedAt { get; set; }

    [JsonProperty("steps")]
    public List<JournalStep> Steps { get; set; } = [];
}

public sealed class JournalStep
{
    [JsonProperty("name")]
    public string Name { get; set; } = "";

    [JsonProperty("cluster")]
    public string Cluster { get; set; } = "";

    [JsonProperty("state")]
    public StepState State { get; set; }

    [JsonProperty("startedAt")]
    public DateTimeOffset? StartedAt { get; set; }

    [JsonProperty("finishedAt")]
    public DateTimeOffset? FinishedAt { get; set; }

    [JsonProperty("message")]
    public string? Message { get; set; }

    [JsonProperty("attempts")]
    public int Attempts { get; set; }

    /// <summary>Non-secret outputs: run ids to re-attach to, versions, check results.</summary>
    [JsonProperty("outputs")]
    public JObject Outputs { get; set; } = new();
}
