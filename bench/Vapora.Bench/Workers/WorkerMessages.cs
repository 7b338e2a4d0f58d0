using System.Text.Json;
using Vapora.Bench.Clients;

namespace Vapora.Bench.Workers;

/// <summary>One command from the coordinator to a worker: a JSON line on the worker's standard input.</summary>
internal sealed record WorkerRequest(string Op, ConnectPlan? Plan = null, int First = 0, int Count = 0, int Workflows = 0, int Concurrency = 0,
    long At = 0, int Stalled = 0, long[]? Accepted = null);

/// <summary>A worker's answer: one JSON line on its standard output.</summary>
internal sealed record WorkerReply(string? Error = null, double Seconds = 0, long Value = 0, FleetResult? Result = null);

/// <summary>The operations and the wire format (one JSON object per line) shared by both sides.</summary>
internal static class WorkerMessages
{
    public const string Connect = "connect";
    public const string WindowStart = "window_start";
    public const string WindowEnd = "window_end";
    public const string Stall = "stall";
    public const string Delivered = "delivered";
    public const string Result = "result";
    public const string Close = "close";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
