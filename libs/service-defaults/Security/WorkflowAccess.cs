using System.Security.Claims;

namespace Vapora.ServiceDefaults.Security;

/// <summary>Per-workflow access checks that honour <c>Auth:Mode</c> (with <c>none</c> everything is allowed).</summary>
public sealed class WorkflowAccess(AuthMode mode)
{
    /// <summary>True when authentication is off.</summary>
    public bool IsOpen => mode.IsOff;

    /// <summary>May <paramref name="user"/> read <paramref name="workflowId"/>?</summary>
    public bool CanRead(ClaimsPrincipal user, string workflowId) =>
        mode.IsOff || (user.Identity?.IsAuthenticated == true && WorkflowClaims.CanRead(user, workflowId));

    /// <summary>May <paramref name="user"/> read any workflow at all? (A connection is admitted only then.)</summary>
    public bool CanReadAny(ClaimsPrincipal user) =>
        mode.IsOff || (user.Identity?.IsAuthenticated == true && WorkflowClaims.CanReadAny(user));

    /// <summary>May <paramref name="user"/> list (read every) workflow?</summary>
    public bool CanReadAll(ClaimsPrincipal user) =>
        mode.IsOff || (user.Identity?.IsAuthenticated == true && WorkflowClaims.CanReadAll(user));

    /// <summary>Is <paramref name="user"/> authenticated (or is authentication off)?</summary>
    public bool IsAuthenticated(ClaimsPrincipal user) => mode.IsOff || user.Identity?.IsAuthenticated == true;
}
