using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Validation;

namespace GlobalUpgrade.Etcd;

/// <summary>How to reach one etcd cluster: its member endpoints, TLS files, an optional etcd user, a per-call timeout.</summary>
/// <param name="Role">How messages name this side: 'primary', 'standby', 'endpoint'.</param>
public sealed record EtcdClientOptions(
    string Role,
    IReadOnlyList<Uri> Endpoints,
    string? CertificatePath = null,
    string? KeyPath = null,
    string? CaPath = null,
    string? UserName = null,
    string? Password = null,
    TimeSpan? Timeout = null)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public TimeSpan EffectiveTimeout => Timeout ?? DefaultTimeout;

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{Role} {string.Join(", ", Endpoints)}";
}

/// <summary>The TLS files of one side, loaded and checked before any network call.</summary>
public sealed class EtcdTlsMaterial
{
    private EtcdTlsMaterial(X509Certificate2? clientCertificate, X509Certificate2Collection? trustedCas, string? caPath, string? certificatePath)
    {
        ClientCertificate = clientCertificate;
        TrustedCas = trustedCas;
        CaPath = caPath;
        CertificatePath = certificatePath;
    }

    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The CAs that must have issued the server's certificate; null = the system's trust store.</summary>
    public X509Certificate2Collection? TrustedCas { get; }

    public string? CaPath { get; }

    public string? CertificatePath { get; }

    /// <summary>How messages name the trust anchor used to verify the server.</summary>
    public string CaDescription => CaPath is null ? "the system trust store (no CA file given)" : $"the CA file {CaPath}";

    /// <summary>Checks the endpoints and loads the files; bad arguments throw with a stable id.</summary>
    public static EtcdTlsMaterial Load(EtcdClientOptions options)
    {
        if (options.Endpoints.Count == 0)
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdEndpointInvalid, FailureCategory.InvalidArgument, $"No {options.Role} etcd endpoint was given.", options.Role);
        }

        var anyTls = false;
        foreach (var endpoint in options.Endpoints)
        {
            HostInput.EtcdEndpoint(endpoint, $"The {options.Role} etcd endpoint");
            anyTls |= endpoint.Scheme == Uri.UriSchemeHttps;
        }

        var hasFiles = options.CertificatePath is not null || options.KeyPath is not null || options.CaPath is not null;
        if (hasFiles && !anyTls)
        {
            throw new GlobalUpgradeException(
                ErrorIds.EtcdEndpointInvalid,
                FailureCategory.InvalidArgument,
                $"TLS files were given for the {options.Role} etcd, but its endpoint {options.Endpoints[0]} is http://. ACP's etcd speaks TLS: use https://<host>:2379.",
                options.Endpoints[0].ToString());
        }

        if (options.KeyPath is not null && options.CertificatePath is null)
        {
            throw new GlobalUpgradeException(
                ErrorIds.EtcdTlsOptionsIncomplete,
                FailureCategory.InvalidArgument,
                $"A key file was given for the {options.Role} etcd without its certificate: pass the client certificate too (on an ACP control-plane node, e.g. /etc/kubernetes/pki/apiserver-etcd-client.crt and .key).",
                options.KeyPath);
        }

        X509Certificate2? client = null;
        if (options.CertificatePath is not null)
        {
            RequireFile(options.CertificatePath, "client certificate", options.Role);
            if (options.KeyPath is not null)
            {
                RequireFile(options.KeyPath, "client key", options.Role);
            }

            try
            {
                client = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
            }
            catch (CryptographicException ex)
            {
                var what = options.KeyPath is null
                    ? $"{options.CertificatePath} holds no PEM certificate with its private key; pass the key file too"
                    : $"{options.CertificatePath} and {options.KeyPath} are not a PEM certificate and its matching private key";
                throw new GlobalUpgradeException(ErrorIds.EtcdCertificateInvalid, FailureCategory.InvalidArgument, $"The {options.Role} etcd client certificate cannot be used: {what} ({ex.Message}).", options.CertificatePath, ex);
            }
        }

        X509Certificate2Collection? cas = null;
        if (options.CaPath is not null)
        {
            RequireFile(options.CaPath, "CA", options.Role);
            cas = [];
            try
            {
                cas.ImportFromPemFile(options.CaPath);
            }
            catch (CryptographicException ex)
            {
                throw new GlobalUpgradeException(ErrorIds.EtcdCertificateInvalid, FailureCategory.InvalidArgument, $"The {options.Role} etcd CA file {options.CaPath} is not a PEM certificate ({ex.Message}).", options.CaPath, ex);
            }

            if (cas.Count == 0)
            {
                throw new GlobalUpgradeException(ErrorIds.EtcdCertificateInvalid, FailureCategory.InvalidArgument, $"The {options.Role} etcd CA file {options.CaPath} holds no PEM certificate.", options.CaPath);
            }
        }

        return new EtcdTlsMaterial(client, cas, options.CaPath, options.CertificatePath);
    }

    /// <summary>
    /// TLS material read from somewhere else than this machine's files (a node's PKI, read over SSH): the CA, and
    /// the client certificate with its key when both came. Nothing is written to disk; unusable PEM throws.
    /// </summary>
    /// <param name="caSource">How messages name where the CA came from (e.g. "/etc/kubernetes/pki/etcd/ca.crt on node-1").</param>
    public static EtcdTlsMaterial FromPem(string caPem, string caSource, string? certificatePem = null, string? keyPem = null, string? certificateSource = null)
    {
        X509Certificate2Collection cas = [];
        try
        {
            cas.ImportFromPem(caPem);
        }
        catch (CryptographicException ex)
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdCertificateInvalid, FailureCategory.InvalidData, $"The etcd CA {caSource} is not a PEM certificate ({ex.Message}).", caSource, ex);
        }

        if (cas.Count == 0)
        {
            throw new GlobalUpgradeException(ErrorIds.EtcdCertificateInvalid, FailureCategory.InvalidData, $"The etcd CA {caSource} holds no PEM certificate.", caSource);
        }

        X509Certificate2? client = null;
        if (certificatePem is not null && keyPem is not null)
        {
            try
            {
                client = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            }
            catch (CryptographicException ex)
            {
                throw new GlobalUpgradeException(ErrorIds.EtcdCertificateInvalid, FailureCategory.InvalidData, $"The etcd client certificate {certificateSource} and its key are not a PEM certificate and its matching private key ({ex.Message}).", certificateSource, ex);
            }
        }

        return new EtcdTlsMaterial(client, cas, caSource, client is null ? null : certificateSource);
    }

    private static void RequireFile(string path, string what, string role) =>
        FileInput.Existing(path, $"The {role} etcd {what} file", ErrorIds.EtcdCertificateFileNotFound);
}
