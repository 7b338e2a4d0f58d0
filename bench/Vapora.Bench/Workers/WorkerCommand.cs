using System.Text.Json;
using Vapora.Bench.Clients;

namespace Vapora.Bench.Workers;

/// <summary>
/// <c>worker</c> (started by the harness, not by people): holds a share of a run's clients in its own process, so one
/// process's GC pauses and socket limit are not the whole harness's. Reads one command per line on standard input and
/// answers each with one line on standard output; ends when told to or when its input closes (the coordinator died).
/// </summary>
internal static class WorkerCommand
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var input = new StreamReader(Console.OpenStandardInput());
        await using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        ClientFleet? fleet = null;
        try
        {
            while (await input.ReadLineAsync(cancellationToken) is { } line)
            {
                var request = JsonSerializer.Deserialize<WorkerRequest>(line, WorkerMessages.Json)!;
                WorkerReply reply;
                try
                {
                    if (request.Op == WorkerMessages.Connect)
                    {
                        fleet = await ClientFleet.ConnectAsync(request.Plan!, request.First, request.Count, request.Workflows, request.Concurrency,
                            worker: true, connected: null, cancellationToken);
                        reply = new WorkerReply(Seconds: fleet.ConnectTime.TotalSeconds);
                    }
                    else
                    {
                        reply = await HandleAsync(fleet, request);
                    }
                }
                catch (Exception ex)
                {
                    reply = new WorkerReply(Error: ex.GetBaseException().Message);
                }

                await output.WriteLineAsync(JsonSerializer.Serialize(reply, WorkerMessages.Json));
                if (request.Op == WorkerMessages.Close)
                {
                    break;
                }
            }
        }
        finally
        {
            if (fleet is not null)
            {
                await fleet.DisposeAsync();
            }
        }

        return 0;
    }

    private static async Task<WorkerReply> HandleAsync(ClientFleet? fleet, WorkerRequest request)
    {
        if (request.Op == WorkerMessages.Close)
        {
            return new WorkerReply();
        }

        if (fleet is null)
        {
            throw new InvalidOperationException($"'{request.Op}' before 'connect'");
        }

        switch (request.Op)
        {
            case WorkerMessages.WindowStart:
                await fleet.StartWindowAsync(request.At);
                return new WorkerReply();
            case WorkerMessages.WindowEnd:
                await fleet.EndWindowAsync(request.At);
                return new WorkerReply();
            case WorkerMessages.Stall:
                await fleet.StallAsync(request.Stalled);
                return new WorkerReply();
            case WorkerMessages.Delivered:
                return new WorkerReply(Value: await fleet.DeliveredAsync());
            case WorkerMessages.Result:
                return new WorkerReply(Result: await fleet.ResultAsync(request.Accepted!));
            default:
                throw new InvalidOperationException($"unknown worker operation '{request.Op}'");
        }
    }
}
