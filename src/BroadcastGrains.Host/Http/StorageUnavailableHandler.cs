using System.Globalization;
using BroadcastGrains.Grains.Postgres;
using Microsoft.AspNetCore.Diagnostics;

namespace BroadcastGrains.Host.Http;

/// <summary>
/// Storage trouble on any endpoint (a destination PATCH while PostgreSQL is down, a grain that cannot read its
/// state) is a 503 with Retry-After, not a 500: the request can simply be retried. Anything else is left to the
/// default handler, so real bugs stay 500.
/// </summary>
public sealed partial class StorageUnavailableHandler(IProblemDetailsService problems, ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (StorageFaults.AsUnavailable(exception) is not { } unavailable) return false;
        LogUnavailable(logger, exception, context.Request.Method, context.Request.Path.Value ?? "");
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = unavailable.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = unavailable.Message,
                Extensions = { ["reason"] = unavailable.Reason },
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: storage is unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception ex, string method, string path);
}
