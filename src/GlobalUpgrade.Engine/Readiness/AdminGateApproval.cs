namespace GlobalUpgrade.Readiness;

/// <summary>What Approve-GlobalUpgradeGate did with one gate: its prerequisite as checked, the acknowledgement, and the preflight's AdminAckRequired read again.</summary>
public sealed record AdminGateApproval
{
    public required string Cluster { get; init; }

    public required string Gate { get; init; }

    public string? Description { get; init; }

    /// <summary>What the gate requires, in words.</summary>
    public required string Requires { get; init; }

    /// <summary>True: every prerequisite check Passed; false: one Failed; null: not (all) checked.</summary>
    public bool? PrerequisiteMet { get; init; }

    public IReadOnlyList<CheckResult> Prerequisite { get; init; } = [];

    /// <summary>admin-acks holds the gate as "true" now.</summary>
    public bool Acknowledged { get; init; }

    /// <summary>It was acknowledged before this call (nothing written).</summary>
    public bool AlreadyAcknowledged { get; init; }

    /// <summary>Acknowledged with -Force while the prerequisite was not met; recorded on admin-acks.</summary>
    public bool Forced { get; init; }

    /// <summary>The preflight's AdminAckRequired as the Cluster Version Operator reports it after the write (NotChecked without data).</summary>
    public CheckResult? AdminAckRequired { get; init; }

    public required string Message { get; init; }
}
