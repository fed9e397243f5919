namespace BroadcastGrains.Host.Http;

/// <summary>The problem+json answers the API gives, in one place so that titles stay consistent.</summary>
public static class Problems
{
    public static IResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The request is invalid.", detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult ConnectionFailed(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Test Connection failed", detail: detail);

    public static IResult TooLarge(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: detail);

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static IResult Unavailable(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable", detail: detail);

    /// <summary>503 with the fixed reason word (<c>storage</c>, <c>commit_timeout</c>, …) as an extension member, for clients and logs.</summary>
    public static IResult Unavailable(string detail, string reason) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable", detail: detail,
            extensions: new Dictionary<string, object?> { ["reason"] = reason });
}
