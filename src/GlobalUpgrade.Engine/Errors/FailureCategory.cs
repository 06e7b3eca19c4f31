namespace GlobalUpgrade.Errors;

/// <summary>
/// Why an operation failed, named after PowerShell's ErrorCategory values so the cmdlet layer can map them
/// one to one without the engine depending on PowerShell.
/// </summary>
public enum FailureCategory
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    ObjectNotFound,
    ConnectionError,
    SecurityError,
    PermissionDenied,
    AuthenticationError,
    OperationTimeout,
    ResourceUnavailable,
    NotInstalled,
    OperationStopped,
    ProtocolError,
    ResourceExists,
}
