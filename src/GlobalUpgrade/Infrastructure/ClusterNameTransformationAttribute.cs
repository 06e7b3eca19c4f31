using System.Collections;
using System.Management.Automation;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>Lets -Cluster take a name or a GlobalCluster object (what Connect-/Get-GlobalCluster return).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ClusterNameTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value switch
        {
            string s => s,
            GlobalCluster cluster => cluster.Name,
            IEnumerable many => many.Cast<object>().Select(item => (string)Transform(engineIntrinsics, item)).ToArray(),
            _ => value?.ToString() ?? string.Empty,
        };
    }
}
