using Xunit;

namespace GlobalUpgrade.Simulator.Tests;

/// <summary>
/// A fact that needs the platform schemas in <c>../shared/acp</c>. A fresh clone has no <c>../shared</c>: there the
/// test reports itself skipped with the reason. Under CI (env <c>CI=true</c>) the schemas are required, so the test
/// runs and fails on the missing folder instead of hiding behind a skip.
/// </summary>
public sealed class AcpSchemaFactAttribute : FactAttribute
{
    public AcpSchemaFactAttribute()
    {
        var acp = SchemaCatalog.FindAcpDirectory();
        if (!Directory.Exists(acp) && !RunsInCi())
        {
            Skip = $"the platform schemas are not beside the repository ({acp} is missing); CI (CI=true) requires them";
        }
    }

    private static bool RunsInCi() => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
