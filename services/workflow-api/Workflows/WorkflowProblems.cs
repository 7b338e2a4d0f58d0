using Microsoft.AspNetCore.Http.HttpResults;
using Vapora.Contracts;
using Vapora.ServiceDefaults.Security;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>The REST API's error answers, each a ProblemDetails; input errors carry <c>errors</c> keyed by wire field name.</summary>
internal static class WorkflowProblems
{
    public const string InvalidTitle = "The request is not valid";

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.SelectMany(e => e.Value)), title: InvalidTitle);

    public static ValidationProblem InvalidId() => Invalid("id", $"A workflow id is {WorkflowIds.FormatDescription}.");

    public static ProblemHttpResult NotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Workflow not found",
        detail: $"There is no workflow {id}.");

    public static ProblemHttpResult Forbidden(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Forbidden",
        detail: $"This token does not allow reading workflow {id}.");

    public static ProblemHttpResult ListForbidden() => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Forbidden",
        detail: $"Listing workflows needs the scope {WorkflowClaims.ReadScope}.");

    // The earlier request is not named: the key is the caller's own, yet what it made may be a workflow the caller
    // may not read.
    public static ProblemHttpResult KeyReused() => TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency-Key reused",
        detail: "This Idempotency-Key was used for a different request (another body, workflow, If-Match or method). Use a new key for a new request.");

    /// <summary>412; the current version only for a caller that may read the workflow.</summary>
    public static ProblemHttpResult VersionMismatch(long? expected, long? current) => current is { } version
        ? TypedResults.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "Version mismatch",
            detail: $"If-Match names version {expected}, but the workflow is at version {version}.",
            extensions: new Dictionary<string, object?> { ["current_version"] = version })
        : TypedResults.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "Version mismatch",
            detail: $"If-Match names version {expected}, which is not the workflow's current version.");

    public static ProblemHttpResult IllegalTransition(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Illegal status change",
        detail: detail);

    public static ProblemHttpResult Contended() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Too many concurrent writers",
        detail: "Other writers kept taking the next version of this workflow; retry shortly.");
}
