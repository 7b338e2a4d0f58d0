using Microsoft.Extensions.Options;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>Checks request bodies against the contract and the configured limits; errors are keyed by JSON field.</summary>
public sealed class WorkflowRequestValidator(IOptions<WorkflowLimits> options)
{
    private readonly WorkflowLimits _limits = options.Value;

    /// <summary>Errors of a create request; empty when it is valid.</summary>
    public Dictionary<string, string[]> Validate(CreateWorkflowRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            errors["name"] = ["name is required (1-200 characters)."];
        }
        else
        {
            CheckText(errors, "name", request.Name, _limits.MaxNameLength, allowLineBreaks: false);
        }

        if (request.TotalSteps is { } total)
        {
            CheckTotalSteps(errors, total);
        }

        if (request.Message is not null)
        {
            CheckText(errors, "message", request.Message, _limits.MaxMessageLength, allowLineBreaks: true);
        }

        return errors;
    }

    /// <summary>Errors of a PATCH request; empty when it is valid.</summary>
    public Dictionary<string, string[]> Validate(UpdateWorkflowRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Status is null && request.CurrentStep is null && request.TotalSteps is null && request.Message is null)
        {
            errors["$"] = ["Give at least one of status, current_step, total_steps, message."];
            return errors;
        }

        if (request.TotalSteps is { } total)
        {
            CheckTotalSteps(errors, total);
        }

        if (request.CurrentStep is { } step)
        {
            if (step < 0)
            {
                errors["current_step"] = ["current_step must be 0 or more."];
            }
            else if (request.TotalSteps is { } t && step > t)
            {
                errors["current_step"] = [$"current_step ({step}) must not exceed total_steps ({t})."];
            }
        }

        if (request.Message is not null)
        {
            CheckText(errors, "message", request.Message, _limits.MaxMessageLength, allowLineBreaks: true);
        }

        return errors;
    }

    /// <summary>Errors of an Idempotency-Key header value; null when it is valid.</summary>
    public string? ValidateIdempotencyKey(string key)
    {
        if (key.Length == 0 || key.Length > _limits.MaxIdempotencyKeyLength)
        {
            return $"Idempotency-Key must be 1-{_limits.MaxIdempotencyKeyLength} characters.";
        }

        foreach (var c in key)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return "Idempotency-Key must be printable ASCII without spaces.";
            }
        }

        return null;
    }

    private void CheckTotalSteps(Dictionary<string, string[]> errors, int total)
    {
        if (total < 0 || total > _limits.MaxTotalSteps)
        {
            errors["total_steps"] = [$"total_steps must be between 0 and {_limits.MaxTotalSteps}."];
        }
    }

    private static void CheckText(Dictionary<string, string[]> errors, string field, string value, int maxLength, bool allowLineBreaks)
    {
        if (value.Length > maxLength)
        {
            errors[field] = [$"{field} must be at most {maxLength} characters."];
            return;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                errors[field] = [$"{field} contains an unpaired UTF-16 surrogate."];
                return;
            }

            if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                errors[field] = [$"{field} must not contain control characters."];
                return;
            }
        }
    }
}
