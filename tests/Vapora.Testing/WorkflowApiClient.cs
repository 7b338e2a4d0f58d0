using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vapora.Contracts;

namespace Vapora.Testing;

/// <summary>Drives workflow-api's REST endpoints from tests.</summary>
public sealed class WorkflowApiClient(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<WorkflowState> CreateAsync(string name = "test workflow", int totalSteps = 100)
    {
        using var response = await http.PostAsJsonAsync("api/workflows",
            new CreateWorkflowRequest { Name = name, TotalSteps = totalSteps }, VaporaJsonContext.Default.CreateWorkflowRequest);
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState))!;
    }

    public async Task<WorkflowState> UpdateAsync(string id, UpdateWorkflowRequest request)
    {
        using var response = await PatchAsync(id, JsonSerializer.Serialize(request, VaporaJsonContext.Default.UpdateWorkflowRequest));
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState))!;
    }

    /// <summary>A progress update: running, at <paramref name="step"/>.</summary>
    public Task<WorkflowState> ProgressAsync(string id, int step, string? message = null) =>
        UpdateAsync(id, new UpdateWorkflowRequest { Status = WorkflowStatus.Running, CurrentStep = step, Message = message });

    public Task<HttpResponseMessage> PatchAsync(string id, string json, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{id}")
        {
            Content = new StringContent(json, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return http.SendAsync(request);
    }

    public async Task<IReadOnlyList<WorkflowUpdate>> HistoryAsync(string id, long after = 0, int limit = 1000)
    {
        using var response = await http.GetAsync($"api/workflows/{id}/history?after={after}&limit={limit}");
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(VaporaJsonContext.Default.IReadOnlyListWorkflowUpdate))!;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new HttpRequestException($"Expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
