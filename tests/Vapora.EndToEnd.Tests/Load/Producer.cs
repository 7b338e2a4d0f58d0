using System.Net.Http.Json;
using System.Text;
using Vapora.Contracts;

namespace Vapora.EndToEnd.Tests.Load;

/// <summary>
/// Posts one workflow's updates through the load balancer, one at a time, at a steady pace. A failed request
/// (API down, 502 from the balancer) is retried until it is accepted.
/// </summary>
internal sealed class Producer(string workflowId, HttpClient http, int updates, TimeSpan interval)
{
    private long _acknowledged;
    private int _posted;

    public string WorkflowId { get; } = workflowId;

    /// <summary>The highest version the API confirmed.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Updates accepted so far.</summary>
    public int Posted => Volatile.Read(ref _posted);

    public int Retries { get; private set; }

    /// <summary>Makes the next update carry <paramref name="message"/> (used to trigger the API's test fault hook).</summary>
    public string? NextMessage
    {
        get => Volatile.Read(ref _nextMessage);
        set => Volatile.Write(ref _nextMessage, value);
    }

    private string? _nextMessage;

    public async Task RunAsync(CancellationToken stop)
    {
        var next = DateTime.UtcNow;
        for (var step = 1; step <= updates; step++)
        {
            var message = $"step {step}";
            while (true)
            {
                // A marked message is sent once: if it crashes the API, the retry carries the ordinary message.
                if (Interlocked.Exchange(ref _nextMessage, null) is { } marked)
                {
                    message = marked;
                }

                stop.ThrowIfCancellationRequested();
                try
                {
                    using var content = new StringContent($$"""{"status":"running","current_step":{{step}},"message":"{{message}}"}""", Encoding.UTF8, "application/json");
                    using var response = await http.PatchAsync($"api/workflows/{WorkflowId}", content, stop);
                    if ((int)response.StatusCode is 429 or 503 && message != $"step {step}")
                    {
                        // Refused without storing anything: send the marked message again.
                        Retries++;
                        await Task.Delay(TimeSpan.FromMilliseconds(50), stop);
                        continue;
                    }

                    if (response.IsSuccessStatusCode)
                    {
                        var state = await response.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState, stop);
                        Interlocked.Exchange(ref _acknowledged, state!.Version);
                        Interlocked.Increment(ref _posted);
                        break;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
                {
                }

                message = $"step {step}";

                Retries++;
                await Task.Delay(TimeSpan.FromMilliseconds(50), stop);
            }

            next += interval;
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, stop);
            }
        }
    }
}
