using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>The <c>Idempotency-Key</c> header of a create, and what tells a retry from another request reusing it.</summary>
internal static class IdempotencyKeys
{
    public const string HeaderName = "Idempotency-Key";

    /// <summary>
    /// The key, or null without one. The header is one value: sent twice (which ASP.NET Core, like any proxy allowed to
    /// merge repeated fields, presents as <c>k1,k2</c>) or with a comma, it is refused, since no single key can be
    /// told from it, and nothing is stored.
    /// </summary>
    public static bool TryRead(HttpRequest request, WorkflowRequestValidator validator, out string? key, out ValidationProblem? problem)
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

        key = values[0];
        return true;
    }

    /// <summary>A hash of the request body, to tell a retry (same body) from another request reusing the key.</summary>
    public static string Fingerprint(CreateWorkflowRequest request)
    {
        var text = string.Join('\u001f', request.Name, request.TotalSteps?.ToString(CultureInfo.InvariantCulture) ?? "", request.Message ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
