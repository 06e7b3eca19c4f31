using System.Text.Encodings.Web;
using System.Text.Json;

namespace GlobalUpgrade.Simulator.Store;

/// <summary>Serializer settings for what goes on the wire: readable quotes and non-ASCII, like Go's encoder.</summary>
public static class JsonText
{
    public static JsonSerializerOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
