namespace GlobalUpgrade.Simulator.Controllers;

/// <summary>Parses platform versions written as <c>v4.3.1</c>, <c>4.3</c> or <c>v4.3.1-rc.2</c>.</summary>
public static class VersionText
{
    public static Version Parse(string? text)
    {
        var core = (text ?? "").Trim().TrimStart('v', 'V').Split('-', '+')[0];
        var parts = core.Split('.').Select(p => int.TryParse(p, out var n) ? n : 0).Concat([0, 0]).Take(3).ToArray();
        return new Version(parts[0], parts[1], parts[2]);
    }
}
