using Microsoft.AspNetCore.Diagnostics;

namespace BroadcastGrains.Host.Http;

/// <summary>
/// Kestrel reports a client's broken request by throwing <see cref="BadHttpRequestException"/> from the body read:
/// a body below the minimum data rate (408), malformed chunking (400), a body over the server's limit (413).
/// Left to the exception handler it became a 500, which tells the client the fault is ours; this answers with
/// the status Kestrel chose. Kestrel closes such a connection after the response.
/// </summary>
public sealed class BadHttpRequestHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted) return false;
        var title = bad.StatusCode == StatusCodes.Status408RequestTimeout ? "Request timeout" : "Bad request";
        await Results.Problem(statusCode: bad.StatusCode, title: title, detail: bad.Message).ExecuteAsync(httpContext);
        return true;
    }
}
