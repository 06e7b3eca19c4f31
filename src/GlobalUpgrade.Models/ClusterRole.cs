namespace GlobalUpgrade;

/// <summary>The part a connected global cluster plays in the upgrade.</summary>
public enum ClusterRole
{
    Standalone,
    Primary,
    Standby,
}
