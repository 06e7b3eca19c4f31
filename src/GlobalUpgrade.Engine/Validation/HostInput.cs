using System.Globalization;
using GlobalUpgrade.Errors;

namespace GlobalUpgrade.Validation;

/// <summary>
/// The one check of a host given by the user (a VIP, a registry address). The rule: a bare DNS name or IP address,
/// never a URL. A scheme is rejected, not stripped: "https://x" as a VIP is a sign the value was copied from the wrong
/// field, and the error says exactly what to give instead.
/// </summary>
public static class HostInput
{
    /// <summary>A bare host name or IP address (IPv6 with or without brackets); returns it trimmed.</summary>
    public static string Host(string? value, string parameter)
    {
        var host = value?.Trim() ?? "";
        if (host.Length == 0)
        {
            throw Invalid(ErrorIds.HostInvalid, value, parameter, "it is empty");
        }

        if (host.Contains("://", StringComparison.Ordinal))
        {
            throw Invalid(ErrorIds.HostInvalid, value, parameter, $"it is a URL; give the bare host or IP, e.g. '{BareHost(host)}'");
        }

        if (Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            throw Invalid(ErrorIds.HostInvalid, value, parameter, "it is not a DNS name or an IP address");
        }

        return host;
    }

    /// <summary>
    /// An external registry and its login as one input (Invoke-GlobalImageSync and the runbooks): a credential needs its
    /// registry (-Registry without a credential is fine: upgrade.sh 4.3+ reads cpaas-system/registry-admin), and the
    /// registry must be host[:port]. Null when no registry is given.
    /// </summary>
    public static string? RegistryWithCredential(string? registry, bool hasCredential, string registryParameter, string credentialParameter)
    {
        if (hasCredential && registry is null)
        {
            throw new GlobalUpgradeException(ErrorIds.RegistryMissing, FailureCategory.InvalidArgument,
                $"{credentialParameter} is only used with {registryParameter} (an external registry).", credentialParameter);
        }

        return registry is null ? null : Registry(registry, registryParameter);
    }

    /// <summary>A registry address as upgrade.sh takes it: host[:port][/path], no scheme, no spaces.</summary>
    public static string Registry(string value, string parameter)
    {
        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw Invalid(ErrorIds.RegistryInvalid, value, parameter, $"it is a URL; give host[:port] without a scheme, e.g. '{BareHost(value)}'");
        }

        if (value.Length == 0 || value.Any(char.IsWhiteSpace))
        {
            throw Invalid(ErrorIds.RegistryInvalid, value, parameter, "it is empty or contains spaces; give host[:port], e.g. 'registry.example.com:5000'");
        }

        var authority = value.Split('/', 2)[0];
        var port = "";
        var host = authority;
        var colon = authority.LastIndexOf(':');
        if (colon > 0 && !authority.EndsWith(']'))
        {
            host = authority[..colon];
            port = authority[(colon + 1)..];
        }

        if (Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown || (colon > 0 && (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number == 0)))
        {
            throw Invalid(ErrorIds.RegistryInvalid, value, parameter, "it is not host[:port] (a DNS name or IP address, then an optional port 1-65535)");
        }

        return value;
    }

    /// <summary>An etcd client endpoint: http(s)://host[:port], no path (etcd's gRPC has none); returns it.</summary>
    public static Uri EtcdEndpoint(Uri endpoint, string parameter)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps) || endpoint.Host.Length == 0 || endpoint.AbsolutePath.Length > 1)
        {
            throw Invalid(
                ErrorIds.EtcdEndpointInvalid,
                endpoint.OriginalString,
                parameter,
                "it is not an etcd endpoint; use https://<host>:2379 (ACP's etcd, with client certificates) or http://<host>:<port> for an etcd without TLS");
        }

        return endpoint;
    }

    private static string BareHost(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri.Authority : "10.0.0.10";

    private static GlobalUpgradeException Invalid(string id, string? value, string parameter, string reason) =>
        new(id, FailureCategory.InvalidArgument, $"{parameter} '{value}' is not valid: {reason}.", value);
}
