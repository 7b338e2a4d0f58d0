using System.Security.Claims;

namespace Vapora.ServiceDefaults.Security;

/// <summary>
/// What a token allows. Writes need the scope <c>workflows:write</c>. Reading a workflow needs the scope
/// <c>workflows:read</c> (every workflow) or the workflow's id in the <c>workflows</c> claim (a JSON array or a
/// space-separated string).
/// </summary>
public static class WorkflowClaims
{
    /// <summary>Scope that allows every write.</summary>
    public const string WriteScope = "workflows:write";

    /// <summary>Scope that allows reading every workflow.</summary>
    public const string ReadScope = "workflows:read";

    /// <summary>Claim listing the workflows a token may read.</summary>
    public const string WorkflowsClaim = "workflows";

    /// <summary>True when the principal may create and update workflows.</summary>
    public static bool CanWrite(ClaimsPrincipal user) => Scopes(user).Contains(WriteScope);

    /// <summary>True when the principal may read every workflow (and list them).</summary>
    public static bool CanReadAll(ClaimsPrincipal user) => Scopes(user).Contains(ReadScope);

    /// <summary>True when the principal may read at least one workflow (the read scope, or an id in its claim).</summary>
    public static bool CanReadAny(ClaimsPrincipal user) => CanReadAll(user) || Values(user, WorkflowsClaim).Count > 0;

    /// <summary>True when the principal may read <paramref name="workflowId"/>.</summary>
    public static bool CanRead(ClaimsPrincipal user, string workflowId) =>
        CanReadAll(user) || Values(user, WorkflowsClaim).Contains(workflowId);

    private static HashSet<string> Scopes(ClaimsPrincipal user) => Values(user, "scope", "scp");

    private static HashSet<string> Values(ClaimsPrincipal user, params string[] types) =>
        user.Claims
            .Where(c => types.Contains(c.Type, StringComparer.Ordinal))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
}
