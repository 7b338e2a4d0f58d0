using System.Diagnostics;
using System.Text;

namespace Vapora.Testing;

/// <summary>
/// <c>curl -N</c> reading a Server-Sent Events stream as a real process: a client that is none of ours. The status
/// line and headers are parsed from <c>curl -i</c>'s output, then the events (see <see cref="EventStreamReader"/>); an
/// answer that is not an event stream is kept whole as <see cref="Body"/>. Stopped on dispose, by its own PID.
/// </summary>
public sealed class CurlEventStream : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _status = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly StringBuilder _body = new();
    private readonly Task<string> _errors;
    private readonly Task _pump;

    private CurlEventStream(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
        _pump = PumpAsync();
    }

    public EventStreamReader Events { get; } = new();

    /// <summary>Response headers (names in lower case; the last value of a repeated header).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The whole body of an answer that is not an event stream (a ProblemDetails), once curl is done.</summary>
    public string Body
    {
        get
        {
            lock (_body)
            {
                return _body.ToString();
            }
        }
    }

    /// <summary>Starts <c>curl -sS -N -i</c> on <paramref name="url"/> with extra request headers.</summary>
    public static CurlEventStream Start(Uri url, IReadOnlyDictionary<string, string>? headers = null)
    {
        var info = new ProcessStartInfo("curl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-sS", "-N", "-i", "--http1.1", url.ToString() })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            info.ArgumentList.Add("-H");
            info.ArgumentList.Add($"{name}: {value}");
        }

        return new CurlEventStream(Process.Start(info) ?? throw new InvalidOperationException("curl did not start (apt-get install -y curl)."));
    }

    /// <summary>The HTTP status curl received.</summary>
    public Task<int> StatusAsync(TimeSpan? timeout = null) => _status.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));

    /// <summary>Waits until curl is done (the response ended or the connection dropped).</summary>
    public Task EndedAsync(TimeSpan? timeout = null) => _pump.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await _pump.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _process.Dispose();
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        var output = _process.StandardOutput;
        try
        {
            var statusLine = await output.ReadLineAsync(_stop.Token);
            if (statusLine is null || !int.TryParse(statusLine.Split(' ').ElementAtOrDefault(1), out var status))
            {
                _status.TrySetException(new InvalidDataException($"curl got no HTTP answer: {statusLine} {await _errors.WaitAsync(TimeSpan.FromSeconds(5))}"));
                return;
            }

            while (await output.ReadLineAsync(_stop.Token) is { Length: > 0 } header)
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    Headers[header[..colon].Trim()] = header[(colon + 1)..].Trim();
                }
            }

            _status.TrySetResult(status);
            if (Headers.TryGetValue("content-type", out var type) && type.StartsWith("text/event-stream", StringComparison.Ordinal))
            {
                await Events.RunAsync(output, _stop.Token);
                return;
            }

            var body = await output.ReadToEndAsync(_stop.Token);
            lock (_body)
            {
                _body.Append(body);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            _status.TrySetException(ex);
        }
        finally
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
