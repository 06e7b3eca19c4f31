using System.Text.Json.Nodes;
using GlobalUpgrade.Simulator.Store;
using Microsoft.AspNetCore.Http;

namespace GlobalUpgrade.Simulator.Api;

/// <summary>Builds and writes the <c>Status</c> objects the real API server answers errors with.</summary>
public static class KubeStatus
{
    public static JsonObject Failure(int code, string reason, string message, ResourceType? type = null, string? name = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (type is not null || name is not null)
        {
            var details = new JsonObject();
            if (name is not null)
            {
                details["name"] = name;
            }

            if (type is not null)
            {
                if (!type.IsCore)
                {
                    details["group"] = type.Group;
                }

                details["kind"] = type.Resource;
            }

            status["details"] = details;
        }

        return status;
    }

    public static JsonObject Failure(ApiException e) => Failure(e.Code, e.Reason, e.Message, e.Type, e.Name);

    public static JsonObject Success(ResourceType type, JsonObject obj) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = new JsonObject
        {
            ["name"] = obj.Name(),
            ["group"] = type.Group,
            ["kind"] = type.Resource,
            ["uid"] = obj.Str("metadata.uid"),
        },
    };

    /// <summary>The reason the real server gives for a bare status code.</summary>
    public static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    };

    public static Task WriteAsync(HttpContext ctx, JsonObject status)
    {
        ctx.Response.StatusCode = status["code"]?.GetValue<int>() ?? 500;
        return WriteJsonAsync(ctx, status);
    }

    public static Task WriteAsync(HttpContext ctx, int code, string message) =>
        WriteAsync(ctx, Failure(code, ReasonFor(code), message));

    public static async Task WriteJsonAsync(HttpContext ctx, JsonNode body)
    {
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(JsonText.Options), ctx.RequestAborted);
    }
}
