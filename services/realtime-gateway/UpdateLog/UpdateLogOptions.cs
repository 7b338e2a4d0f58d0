using System.ComponentModel.DataAnnotations;

namespace Vapora.RealtimeGateway.UpdateLog;

/// <summary>How the gateway reads workflow-api's update log (section <c>Gateway</c>, keys <c>Gateway__WorkflowApiUrl</c> …).</summary>
public sealed class UpdateLogOptions
{
    /// <summary>Configuration section (shared with the gateway's other options: the keys are the documented ones).</summary>
    public const string SectionName = "Gateway";

    /// <summary>Base URL of workflow-api, whose state and history endpoints are the update log (<c>Gateway__WorkflowApiUrl</c>).</summary>
    [Required]
    public Uri? WorkflowApiUrl { get; set; }

    /// <summary>Bearer token the gateway presents to workflow-api for state and history (a service token with <c>workflows:read</c>).</summary>
    public string? ApiAccessToken { get; set; }

    /// <summary>History entries fetched per request when catching up or repairing a gap (the API allows up to 1000).</summary>
    [Range(1, 1000)]
    public int CatchUpPageSize { get; set; } = 1000;
}
