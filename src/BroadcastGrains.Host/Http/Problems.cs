using Microsoft.AspNetCore.Http.HttpResults;

namespace BroadcastGrains.Host.Http;

/// <summary>
/// The problem+json answers the API gives, in one place so that titles stay consistent. Typed, so that endpoints
/// can declare them in their <c>Results&lt;…&gt;</c>; which statuses an endpoint can answer is its own metadata
/// (<c>ProducesProblem</c>), since one result type carries every status.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>
    /// 400 with <c>errors</c> keyed by field (CONTRACT §3). Written through <see cref="TypedResults.Problem(ProblemDetails)"/>
    /// like every other problem, so that the problem-details service adds the same members to all of them.
    /// </summary>
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid.",
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
        });

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static ProblemHttpResult ConnectionFailed(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Test Connection failed", detail: detail);

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: detail);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable", detail: detail);

    /// <summary>503 with the fixed reason word (<c>storage</c>, <c>commit_timeout</c>, …) as an extension member, for clients and logs.</summary>
    public static ProblemHttpResult Unavailable(string detail, string reason) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable", detail: detail,
            extensions: new Dictionary<string, object?> { ["reason"] = reason });
}
