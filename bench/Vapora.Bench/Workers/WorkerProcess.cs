using System.Diagnostics;
using System.Text.Json;

namespace Vapora.Bench.Workers;

/// <summary>One worker as the coordinator sees it: the same harness binary in <c>worker</c> mode, one command at a time.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _turn = new(1, 1);

    private WorkerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public static WorkerProcess Start()
    {
        var dll = typeof(WorkerProcess).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            // Errors of the worker go to the coordinator's terminal.
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("worker");
        return new WorkerProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start a harness worker"));
    }

    /// <summary>Sends one command and waits for its answer; a worker's error becomes an exception here.</summary>
    public async Task<WorkerReply> SendAsync(WorkerRequest request, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request, WorkerMessages.Json).AsMemory(), cancellationToken);
            await _process.StandardInput.FlushAsync(cancellationToken);
            var line = await _process.StandardOutput.ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException($"harness worker {Pid} exited (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
            var reply = JsonSerializer.Deserialize<WorkerReply>(line, WorkerMessages.Json)!;
            return reply.Error is null ? reply : throw new InvalidOperationException($"harness worker {Pid}: {reply.Error}");
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await SendAsync(new WorkerRequest(WorkerMessages.Close), timeout.Token);
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException)
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }

        _process.Dispose();
        _turn.Dispose();
    }
}
