using System.Collections;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>
/// Binds a hashtable to a typed options parameter (e.g. -EtcdSync to <see cref="EtcdSyncOptions"/>) through
/// <see cref="HashtableInput.ToOptions"/>. A failure at binding would surface under PowerShell's own id
/// (ParameterArgumentTransformationError); so a rejected hashtable binds as an empty placeholder that carries the
/// failure, and the cmdlet raises it with its stable id through <see cref="Accepted{T}"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TypedOptionsAttribute(string parameter, Type type, string unknownId, string invalidId) : ArgumentTransformationAttribute
{
    private static readonly ConditionalWeakTable<object, GlobalUpgradeException> Rejected = new();

    public string Parameter => parameter;

    public Type Type => type;

    public string UnknownId => unknownId;

    public string InvalidId => invalidId;

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = HashtableInput.Unwrap(inputData);
        if (value is null || type.IsInstanceOfType(value))
        {
            return value;
        }

        try
        {
            return value is IDictionary table
                ? HashtableInput.ToOptions(table, type, parameter, unknownId, invalidId)
                : throw new GlobalUpgradeException(invalidId, FailureCategory.InvalidArgument, $"-{parameter} takes a hashtable of {type.Name}'s properties, not '{value}'.", value);
        }
        catch (GlobalUpgradeException ex)
        {
            var placeholder = Activator.CreateInstance(type)!;
            Rejected.Add(placeholder, ex);
            return placeholder;
        }
    }

    /// <summary>The bound options, or the failure the hashtable was rejected with.</summary>
    public static T? Accepted<T>(T? options)
        where T : class =>
        options is not null && Rejected.TryGetValue(options, out var failure) ? throw failure : options;
}
