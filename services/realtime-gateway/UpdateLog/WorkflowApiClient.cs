using System.Net;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.UpdateLog;

/// <summary>
/// Reads state and history from workflow-api over HTTP (retries, timeouts and circuit breaking come from the resilience
/// handler). What fails after them is counted by reason: the gateway→API hop has its own alert.
/// </summary>
internal sealed class WorkflowApiClient(HttpClient http, TimeProvider time, GatewayMetrics metrics) : IUpdateLog
{
    public async Task<WorkflowSnapshot?> GetStateAsync(string workflowId, CancellationToken cancellationToken)
    {
        var body = await GetAsync($"api/workflows/{workflowId}", cancellationToken);
        try
        {
            return ReadState(body, workflowId);
        }
        catch (UpdateLogUnavailableException)
        {
            metrics.ApiReadFailed("malformed");
            throw;
        }
    }

    public async Task<IReadOnlyList<UpdateFrame>?> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        var body = await GetAsync($"api/workflows/{workflowId}/history?after={afterVersion}&limit={limit}", cancellationToken);
        try
        {
            return body is null ? null : ParseHistory(body, workflowId, time.GetTimestamp());
        }
        catch (UpdateLogUnavailableException)
        {
            metrics.ApiReadFailed("malformed");
            throw;
        }
    }

    private WorkflowSnapshot? ReadState(byte[]? body, string workflowId)
    {
        if (body is null)
        {
            return null;
        }

        WorkflowState? state;
        try
        {
            state = JsonSerializer.Deserialize(body, VaporaJsonContext.Default.WorkflowState);
        }
        catch (JsonException ex)
        {
            throw new UpdateLogUnavailableException($"The API returned a state for {workflowId} that is not valid JSON.", ex);
        }

        if (state is null || !WorkflowUpdateHeader.TryRead(body, out var header) || header.WorkflowId != workflowId)
        {
            throw new UpdateLogUnavailableException($"The API returned a malformed state for {workflowId}.");
        }

        return new WorkflowSnapshot(new UpdateFrame(header, body, time.GetTimestamp()), state.Name, state.CreatedAt);
    }

    /// <summary>Splits the history array into one frame per element, copying each element's bytes as they are.</summary>
    internal static List<UpdateFrame> ParseHistory(byte[] body, string workflowId, long receivedAt)
    {
        var frames = new List<UpdateFrame>();
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new UpdateLogUnavailableException("The API's history is not a JSON array.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var element = body.AsSpan(start, (int)reader.BytesConsumed - start);
                if (!WorkflowUpdateHeader.TryRead(element, out var header) || header.WorkflowId != workflowId)
                {
                    throw new UpdateLogUnavailableException($"The API's history of {workflowId} holds a malformed update.");
                }

                frames.Add(new UpdateFrame(header, element.ToArray(), receivedAt));
            }
        }
        catch (JsonException ex)
        {
            throw new UpdateLogUnavailableException("The API's history is not valid JSON.", ex);
        }

        return frames;
    }

    private async Task<byte[]?> GetAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                metrics.ApiReadFailed("status");
                throw new UpdateLogUnavailableException($"The API answered {(int)response.StatusCode} to GET {path}.");
            }

            return await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException
            or Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            metrics.ApiReadFailed(ex is HttpRequestException or Polly.CircuitBreaker.BrokenCircuitException ? "unreachable" : "timeout");
            throw new UpdateLogUnavailableException($"The API did not answer GET {path}: {ex.Message}", ex);
        }
    }
}
