namespace GlobalUpgrade.Simulator.Admin;

/// <summary>What the etcd-sync monitor's <c>/check</c> answers instead of the computed report (an HTML error page, a 500, a hang...).</summary>
public sealed class MonitorOverride
{
    public int Status { get; set; } = 200;

    public string? Body { get; set; }

    public string? ContentType { get; set; }

    /// <summary>Wait this long before answering (a hung monitor).</summary>
    public int HangMs { get; set; }

    /// <summary>Send only this many bytes of the body, then reset the connection.</summary>
    public int? TruncateBodyAt { get; set; }

    /// <summary>True clears the override.</summary>
    public bool Reset { get; set; }
}
