namespace JitAdmission.Controller;

/// <summary>An API call failed in a way a retry may fix (server error, transport, throttling): the work queue backs off.</summary>
public sealed class ApiCallException : Exception
{
    public ApiCallException()
    {
    }

    public ApiCallException(string message)
        : base(message)
    {
    }

    public ApiCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
