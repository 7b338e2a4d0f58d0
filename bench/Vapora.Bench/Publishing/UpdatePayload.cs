using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Vapora.Contracts;

namespace Vapora.Bench.Publishing;

/// <summary>
/// The update every target carries: a Vapora <see cref="WorkflowUpdate"/> whose <c>message</c> is the send time in
/// Stopwatch ticks. Publisher and receivers live in the harness process, so the receiver subtracts it from its own clock.
/// </summary>
internal static class UpdatePayload
{
    /// <summary>total_steps of every benchmark workflow; current_step cycles through it.</summary>
    public const int TotalSteps = 1000;

    public static WorkflowUpdate Create(string workflowId, long version) => new()
    {
        WorkflowId = workflowId,
        Version = version,
        Status = WorkflowStatus.Running,
        CurrentStep = (int)(version % (TotalSteps + 1)),
        TotalSteps = TotalSteps,
        Message = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture),
        Timestamp = DateTimeOffset.UtcNow,
    };

    /// <summary>UTF-8 JSON exactly as workflow-api publishes it (same source-generated serializer).</summary>
    public static byte[] Encode(string workflowId, long version) =>
        JsonSerializer.SerializeToUtf8Bytes(Create(workflowId, version), VaporaJsonContext.Default.WorkflowUpdate);
}
