using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Vapora.Bench.Measurement;

namespace Vapora.Bench.Publishing;

/// <summary>
/// <c>--source rest</c>: each update is a <c>PATCH /api/workflows/{id}</c>, the full path (store, then publish).
/// The pacer stamps and queues; a fixed number of workers send, each on its own pooled HTTP connection, so the
/// rate does not depend on one request's round trip. The API assigns the versions. Given a recorder, it times each
/// accepted PATCH from its place in the schedule to its answer (the <c>writes</c> scenario), queueing included.
/// </summary>
internal sealed class RestPublisher : IUpdatePublisher
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly IReadOnlyList<string> _workflowIds;
    private readonly long[] _steps;
    private readonly long[] _accepted;
    private readonly Channel<(int Workflow, byte[] Body, long Stamp)> _queue =
        Channel.CreateUnbounded<(int, byte[], long)>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly LatencyRecorder? _answers;
    private readonly SendFailures _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private long _queued;
    private long _done;

    public RestPublisher(Uri apiBaseUrl, IReadOnlyList<string> workflowIds, int concurrency, LatencyRecorder? answers = null)
    {
        _answers = answers;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency })
        {
            BaseAddress = apiBaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        _workflowIds = workflowIds;
        _steps = new long[workflowIds.Count];
        _accepted = new long[workflowIds.Count];
        _workers = Enumerable.Range(0, concurrency).Select(_ => SendLoopAsync()).ToArray();
    }

    public long Failed => _failures.Count;

    public string? FirstError => _failures.First;

    public long Backlog => Interlocked.Read(ref _queued) - Interlocked.Read(ref _done);

    public void Publish(int workflow)
    {
        var step = ++_steps[workflow] % (UpdatePayload.TotalSteps + 1);
        var stamp = Stopwatch.GetTimestamp();
        var body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"status":"running","current_step":{{step}},"message":"{{stamp}}"}"""));
        Interlocked.Increment(ref _queued);
        _queue.Writer.TryWrite((workflow, body, stamp));
    }

    public long Accepted(int workflow) => Interlocked.Read(ref _accepted[workflow]);

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Backlog > 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task SendLoopAsync()
    {
        await Task.Yield();
        try
        {
            await foreach (var (workflow, body, stamp) in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{_workflowIds[workflow]}")
                    {
                        Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
                    };
                    using var response = await _http.SendAsync(request, _stop.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        _answers?.Record(stamp, Stopwatch.GetTimestamp());
                        Interlocked.Increment(ref _accepted[workflow]);
                    }
                    else
                    {
                        _failures.Record($"PATCH answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(_stop.Token)}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    _failures.Record("PATCH failed: " + ex.Message);
                }
                finally
                {
                    Interlocked.Increment(ref _done);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}
