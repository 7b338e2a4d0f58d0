using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Vapora.Contracts;
using Vapora.ServiceDefaults.Security;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The <c>Idempotency-Key</c> header of a create or a PATCH, whose subject it belongs to, and what tells a retry from
/// another request reusing it.
/// </summary>
internal static class IdempotencyKeys
{
    public const string HeaderName = "Idempotency-Key";

    /// <summary>
    /// The key with its subject, or null without one. The header is one value: sent twice (which ASP.NET Core, like any
    /// proxy allowed to merge repeated fields, presents as <c>k1,k2</c>) or with a comma, it is refused, since no single
    /// key can be told from it, and nothing is stored. A key belongs to the token's subject (<c>sub</c>, else its
    /// <c>client_id</c>), or to <c>anonymous</c> when authentication is off: another subject's key is another key. A
    /// token with neither cannot send one.
    /// </summary>
    public static bool TryRead(HttpRequest request, WorkflowRequestValidator validator, WorkflowAccess access, out SubjectKey? key, out ValidationProblem? problem)
    {
        key = null;
        problem = null;
        if (!request.Headers.TryGetValue(HeaderName, out var values))
        {
            return true;
        }

        if (values.Count != 1 || values[0]!.Contains(',', StringComparison.Ordinal))
        {
            problem = WorkflowProblems.Invalid(HeaderName, "Send one Idempotency-Key header with one key (no commas).");
            return false;
        }

        if (validator.ValidateIdempotencyKey(values[0]!) is { } error)
        {
            problem = WorkflowProblems.Invalid(HeaderName, error);
            return false;
        }

        if (SubjectOf(request.HttpContext.User, access) is not { } subject)
        {
            problem = WorkflowProblems.Invalid(HeaderName,
                "An Idempotency-Key belongs to the token's subject: this token has no sub (nor client_id) claim. Send the request without the key, or with a token that names its subject.");
            return false;
        }

        key = new SubjectKey(subject, values[0]!);
        return true;
    }

    /// <summary>A hash of a create's body, to tell a retry (same body) from another request reusing the key.</summary>
    public static string Fingerprint(CreateWorkflowRequest request) =>
        Hash(request.Name, request.TotalSteps?.ToString(CultureInfo.InvariantCulture) ?? "", request.Message ?? "");

    /// <summary>A hash of a PATCH: its workflow, its If-Match and its body (a key reused on another workflow is another request).</summary>
    public static string Fingerprint(string workflowId, long? expectedVersion, UpdateWorkflowRequest request) =>
        Hash("PATCH", workflowId, expectedVersion?.ToString(CultureInfo.InvariantCulture) ?? "*", request.Status?.ToWireName() ?? "",
            request.CurrentStep?.ToString(CultureInfo.InvariantCulture) ?? "", request.TotalSteps?.ToString(CultureInfo.InvariantCulture) ?? "",
            request.Message is null ? "" : "m" + request.Message);

    private static string? SubjectOf(ClaimsPrincipal user, WorkflowAccess access)
    {
        if (access.IsOpen)
        {
            return SubjectKey.Anonymous;
        }

        return user.FindFirst("sub")?.Value is { Length: > 0 } subject ? "sub:" + subject
            : user.FindFirst("client_id")?.Value is { Length: > 0 } client ? "client:" + client
            : null;
    }

    private static string Hash(params string?[] fields) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', fields))));
}
