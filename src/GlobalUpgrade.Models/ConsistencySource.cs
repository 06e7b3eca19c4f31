namespace GlobalUpgrade;

/// <summary>Which evidence of "the standby holds the primary's data" to use.</summary>
public enum ConsistencySource
{
    Monitor,
    Etcd,
    Both,
}
