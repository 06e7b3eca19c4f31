namespace GlobalUpgrade.Simulator.Store;

/// <summary>A failure the API answers with a Kubernetes <c>Status</c> body.</summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, ResourceType? type = null, string? name = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Type = type;
        Name = name;
    }

    public int Code { get; }

    public string Reason { get; }

    public ResourceType? Type { get; }

    public string? Name { get; }

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedResource} \"{name}\" not found", type, name);

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedResource} \"{name}\" already exists", type, name);

    public static ApiException Conflict(ResourceType type, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            type, name);

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Invalid(ResourceType type, string name, string message) =>
        new(422, "Invalid", $"{type.Kind}.{(type.IsCore ? "" : type.Group)} \"{name}\" is invalid: {message}", type, name);

    public static ApiException Gone(string message) => new(410, "Expired", message);
}
