using Microsoft.Extensions.Options;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>What every workflow handler needs, injected as one parameter.</summary>
public sealed record WorkflowServices(
    UpdateWriter Writer,
    WorkflowRules Rules,
    WorkflowRequestValidator Validator,
    IOptions<WorkflowLimits> Limits,
    Vapora.ServiceDefaults.Security.WorkflowAccess Access,
    TimeProvider Time);
