namespace GlobalUpgrade.EtcdSync;

/// <summary>The two key lists of a fully parsed /check body.</summary>
public sealed record SyncCheckReport(IReadOnlyList<string> MissedKeys, IReadOnlyList<string> SurplusKeys);
