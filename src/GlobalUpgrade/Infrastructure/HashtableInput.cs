using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using System.Text.Json.Nodes;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Upgrade;

namespace GlobalUpgrade.Commands.Infrastructure;

/// <summary>
/// The one way hashtable parameters are read (-EtcdSync, -Config, -Estimate, -Assumption): keys as text,
/// values unwrapped from PSObject, and every failure a GlobalUpgradeException with its stable id, so the cmdlet
/// (through Require) writes an ErrorRecord naming the key — never a cast exception.
/// </summary>
public static class HashtableInput
{
    /// <summary>The entries with text keys and unwrapped values.</summary>
    public static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary? table) =>
        (table ?? new Hashtable()).Cast<DictionaryEntry>().Select(e => KeyValuePair.Create(Convert.ToString(Unwrap(e.Key), CultureInfo.InvariantCulture) ?? "", Unwrap(e.Value)));

    public static object? Unwrap(object? value) => value is PSObject p ? p.BaseObject : value;

    /// <summary>Values as text, a list as comma-separated text; keys compared without case.</summary>
    public static Dictionary<string, string?> ToStrings(IDictionary? table)
    {
        static string? Text(object? value) => Unwrap(value) is IEnumerable list and not string
            ? string.Join(",", list.Cast<object?>().Select(Text))
            : Convert.ToString(Unwrap(value), CultureInfo.InvariantCulture);
        return Entries(table).ToDictionary(e => e.Key, e => Text(e.Value), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// -Assumption (<see cref="Platform.PlatformAssumptions"/>) with the values of older parameters that name one
    /// assumption each (e.g. -MonitorPort); such a parameter, when given, wins over the same name in the table.
    /// </summary>
    public static Dictionary<string, string?> ToAssumptions(IDictionary? table, params (string Name, string? Value)[] parameters)
    {
        var overrides = ToStrings(table);
        foreach (var (name, value) in parameters.Where(p => p.Value is not null))
        {
            overrides[name] = value;
        }

        return overrides;
    }

    /// <summary>Values as JSON (-Config): numbers, booleans and strings as they are, lists as arrays, hashtables as objects.</summary>
    public static Dictionary<string, JsonNode?>? ToJson(IDictionary? table) =>
        table is null ? null : Entries(table).ToDictionary(e => e.Key, e => Json(e.Value), StringComparer.Ordinal);

    /// <summary>-Estimate: durations by step name, checked against the known names (InvalidEstimate).</summary>
    public static Dictionary<string, TimeSpan>? ToEstimates(IDictionary? table)
    {
        if (table is null)
        {
            return null;
        }

        var result = Entries(table).ToDictionary(e => e.Key, e => UpgradeSteps.ParseEstimate(e.Key, e.Value), StringComparer.OrdinalIgnoreCase);
        _ = UpgradeSteps.Estimates(result);
        return result;
    }

    /// <summary>
    /// A hashtable as a typed options object: each key must name a settable property (else <paramref name="unknownId"/>)
    /// and each value must be of its type (else <paramref name="invalidId"/>). Stricter than PowerShell's own cast
    /// where that one guesses: 'no' is not a boolean, 1.5 not a whole number, 'host:2379' not a URI.
    /// </summary>
    public static object ToOptions(IDictionary table, Type type, string parameter, string unknownId, string invalidId)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        var options = Activator.CreateInstance(type)!;
        foreach (var (key, value) in Entries(table))
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase))
                ?? throw new GlobalUpgradeException(unknownId, FailureCategory.InvalidArgument,
                    $"-{parameter} has an unknown key '{key}'. Known: {string.Join(", ", properties.Select(p => p.Name))}.", key);
            try
            {
                property.SetValue(options, As(value, property.PropertyType));
            }
            catch (Exception ex) when (ex is InvalidCastException or FormatException or PSInvalidCastException or UriFormatException or OverflowException)
            {
                throw new GlobalUpgradeException(invalidId, FailureCategory.InvalidArgument,
                    $"-{parameter} key '{property.Name}' is '{Describe(value)}', which is not {Expected(property.PropertyType)}.", property.Name, ex);
            }
        }

        return options;
    }

    private static object? As(object? value, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (value is null)
        {
            return target.IsValueType && target == type ? throw new InvalidCastException("null") : null;
        }

        if (target == typeof(bool))
        {
            return value switch { bool b => b, SwitchParameter s => s.IsPresent, _ => throw new InvalidCastException() };
        }

        if (target == typeof(int))
        {
            return value switch
            {
                int i => i,
                long or short or byte or uint or ushort or sbyte => Convert.ToInt32(value, CultureInfo.InvariantCulture),
                string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => throw new InvalidCastException(),
            };
        }

        if (target == typeof(Uri))
        {
            return AbsoluteUri(value);
        }

        if (target == typeof(Uri[]))
        {
            return (value is IEnumerable many and not string ? many.Cast<object?>().Select(Unwrap) : [value]).Select(AbsoluteUri).ToArray();
        }

        if (target == typeof(IDictionary))
        {
            return value as IDictionary ?? throw new InvalidCastException();
        }

        return LanguagePrimitives.ConvertTo(value, target, CultureInfo.InvariantCulture);
    }

    private static Uri AbsoluteUri(object? value) => value switch
    {
        Uri { IsAbsoluteUri: true } uri => uri,
        string s when Uri.TryCreate(s, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" => uri,
        _ => throw new InvalidCastException(),
    };

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(bool) => "$true or $false",
        var t when t == typeof(int) => "a whole number",
        var t when t == typeof(Uri) => "an absolute URI such as https://10.0.0.10:2379",
        var t when t == typeof(Uri[]) => "one or more absolute URIs such as https://10.0.0.10:2379",
        var t when t == typeof(IDictionary) => "a hashtable",
        var t => $"a {t.Name}",
    };

    private static string Describe(object? value) => value switch
    {
        null => "$null",
        IEnumerable many and not string => string.Join(", ", many.Cast<object?>().Select(o => Convert.ToString(Unwrap(o), CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static JsonNode? Json(object? value) => Unwrap(value) switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        IDictionary map => new JsonObject(Entries(map).Select(e => KeyValuePair.Create(e.Key, Json(e.Value)))),
        IEnumerable list => new JsonArray(list.Cast<object?>().Select(Json).ToArray()),
        var other => JsonValue.Create(other.ToString()),
    };
}
