namespace GlobalUpgrade.Platform;

/// <summary>Where a kind of object lives in the Kubernetes API.</summary>
public sealed record AcpResource(string Group, string Version, string Plural, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
