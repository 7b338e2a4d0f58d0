using System.Net;
using System.Net.Http.Json;
using Vapora.Client;
using Vapora.Contracts;

namespace Vapora.Deployment.Tests.Compose;

/// <summary>
/// One workflow, created through the balancer, watched by clients of each transport (the .NET client, which resumes
/// after the last version it delivered), and updated by a producer one PATCH at a time.
/// </summary>
public sealed class WatchedWorkflow
{
    private readonly HttpClient _http;
    private readonly List<WorkflowWatcher> _watchers = [];
    private long _acknowledged = 1;

    private WatchedWorkflow(string id, HttpClient http)
    {
        Id = id;
        _http = http;
    }

    public string Id { get; }

    /// <summary>The highest version the API confirmed.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public IReadOnlyList<WorkflowWatcher> Watchers => _watchers;

    public static async Task<WatchedWorkflow> CreateAsync(HttpClient http, string name, int steps, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/workflows", new CreateWorkflowRequest { Name = name, TotalSteps = steps },
            VaporaJsonContext.Default.CreateWorkflowRequest, cancellationToken);
        response.EnsureSuccessStatusCode();
        var state = (await response.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState, cancellationToken))!;
        return new WatchedWorkflow(state.WorkflowId, http);
    }

    /// <summary>Starts a client on <paramref name="transport"/> through the balancer at <paramref name="baseUrl"/>.</summary>
    public void Watch(Uri baseUrl, StreamTransport transport, CancellationToken stop)
    {
        var stream = new WorkflowStreamClient(new WorkflowClientOptions
        {
            BaseUrl = baseUrl,
            Transports = [transport],
            MaxReconnectAttempts = null,
            MaxBackoff = TimeSpan.FromSeconds(2),
        }).Watch(Id);
        _watchers.Add(new WorkflowWatcher(stream, transport, stop));
    }

    /// <summary>
    /// Posts updates (steps 1, 2, …) until <paramref name="stop"/> fires, each retried until the API confirms it:
    /// If-Match makes a retry of an update that was stored after all answer 412 instead of storing it twice.
    /// </summary>
    public async Task ProduceAsync(TimeSpan interval, CancellationToken stop)
    {
        for (var step = 1; !stop.IsCancellationRequested; step++)
        {
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{Id}")
                {
                    Content = JsonContent.Create(new UpdateWorkflowRequest { Status = WorkflowStatus.Running, CurrentStep = step, Message = $"step {step}" },
                        VaporaJsonContext.Default.UpdateWorkflowRequest),
                };
                request.Headers.TryAddWithoutValidation("If-Match", $"\"{Acknowledged}\"");
                try
                {
                    // Not cancelled by stop: an update under way is finished, so Acknowledged stays exact.
                    using var response = await _http.SendAsync(request, CancellationToken.None);
                    if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.PreconditionFailed)
                    {
                        Interlocked.Exchange(ref _acknowledged, Acknowledged + 1);
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // The balancer or the API away for a moment: the same update again.
                }

                await Task.Delay(interval, CancellationToken.None);
            }

            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
