namespace GlobalUpgrade.Consistency;

/// <summary>The names of the DR consistency checks (the Check column; Pester suites and the runbook match on them).</summary>
public static class CheckNames
{
    public const string StandbyInSync = nameof(StandbyInSync);
    public const string StandbyKeyspaceMatches = nameof(StandbyKeyspaceMatches);
    public const string MachinesRunning = nameof(MachinesRunning);
    public const string PluginsSettled = nameof(PluginsSettled);
    public const string ComponentsSettled = nameof(ComponentsSettled);
    public const string PlatformVersionsMatch = nameof(PlatformVersionsMatch);
}
