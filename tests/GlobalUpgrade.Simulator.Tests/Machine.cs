using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>A minimal typed Machine (platform.tkestack.io/v1) for GenericClient.</summary>
public sealed class Machine : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "platform.tkestack.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Machine";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public MachineSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public MachineStatus Status { get; set; } = new();
}

public sealed class MachineSpec
{
    [JsonPropertyName("ip")]
    public string Ip { get; set; } = "";

    [JsonPropertyName("role")]
    public string Role { get; set; } = "";

    [JsonPropertyName("clusterName")]
    public string ClusterName { get; set; } = "";
}

public sealed class MachineStatus
{
    [JsonPropertyName("phase")]
    public string Phase { get; set; } = "";

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}
