using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Storage:RequestTimeout bounds a whole request, whatever number of store calls it makes.</summary>
public sealed class RequestDeadlineTests(StallingStoreApiFixture fixture) : IClassFixture<StallingStoreApiFixture>
{
    // Under Storage:OperationTimeout: no single call times out, their sum does.
    private const int StallMs = 900;

    // What the machine may add to the deadline before the answer arrives; below the 2.7 s the calls would take.
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(600);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServiceProcess Api => fixture.Api;

    [Fact]
    public async Task A_patch_at_a_store_that_stalls_on_every_call_answers_503_with_retry_after_within_the_deadline_and_a_retry_with_if_match_applies_it_once()
    {
        var client = new WorkflowApiClient(Api.Http);
        var created = await client.CreateAsync("stalled patch");
        const string body = """{"current_step":1,"message":"applied once"}""";

        var (stalled, elapsed) = await SendAsync(Patch(created.WorkflowId, body, ifMatch: 1, StallMs));
        var afterwards = await client.HistoryAsync(created.WorkflowId);
        using var retry = await Api.Http.SendAsync(Patch(created.WorkflowId, body, ifMatch: 1), Ct);
        var metrics = await Api.MetricsAsync();

        await AssertStoreUnavailableAsync(stalled);
        Assert.True(elapsed < StallingStoreApiFixture.RequestTimeout + Margin, $"answered after {elapsed}");
        // Nothing half-done: the old version, or the new one stored once (the deadline passed while its summary moved).
        Assert.Contains(afterwards.Count, new[] { 1, 2 });
        Assert.Equal(Enumerable.Range(1, afterwards.Count).Select(v => (long)v), afterwards.Select(u => u.Version));
        // The retry with If-Match applies the change if it was not stored, and is refused if it was: never twice.
        Assert.Equal(afterwards.Count == 1 ? HttpStatusCode.OK : HttpStatusCode.PreconditionFailed, retry.StatusCode);
        var history = await client.HistoryAsync(created.WorkflowId);
        Assert.Equal([1L, 2], history.Select(u => u.Version));
        Assert.Equal("applied once", history[1].Message);
        // The list converges too (the outbox relay moves a summary the deadline cut).
        await Poll.UntilAsync(async () => (await ListedAsync(created.WorkflowId)).Version == 2, TimeSpan.FromSeconds(15),
            "the workflow's summary to reach version 2");
        Assert.True(metrics.Value("vapora_api_store_errors_total", "operation=\"request_deadline\"") >= 1);
        Assert.Contains("(Storage:RequestTimeout); it gets 503", Api.Log(), StringComparison.Ordinal);
        Assert.DoesNotContain("An unhandled exception has occurred", Api.Log(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_create_at_a_store_that_stalls_answers_503_within_the_deadline_and_a_retry_with_its_idempotency_key_gives_one_workflow()
    {
        var key = "deadline-" + Guid.NewGuid().ToString("N");
        const string body = """{"name":"stalled create","total_steps":4}""";

        var (stalled, elapsed) = await SendAsync(Create(body, key, StallMs));
        using var retry = await Api.Http.SendAsync(Create(body, key), Ct);
        using var again = await Api.Http.SendAsync(Create(body, key), Ct);

        await AssertStoreUnavailableAsync(stalled);
        Assert.True(elapsed < StallingStoreApiFixture.RequestTimeout + Margin, $"answered after {elapsed}");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var first = await StateAsync(retry);
        Assert.Equal(first.WorkflowId, (await StateAsync(again)).WorkflowId);
        Assert.Equal([1L], (await new WorkflowApiClient(Api.Http).HistoryAsync(first.WorkflowId)).Select(u => u.Version));
    }

    // The deadline fires inside the append, before the call's own bound: the store call's cancellation reaches the
    // handler before anything else hears of the deadline. The request timeouts middleware used before took the
    // cancellation for someone else's and the request got 500. (How soon the 503 comes is the first test's subject.)
    [Fact]
    public async Task A_patch_whose_deadline_passes_inside_its_append_answers_503_and_a_retry_with_if_match_applies_it_once()
    {
        var client = new WorkflowApiClient(Api.Http);
        var created = await client.CreateAsync("deadline inside the append");
        const string body = """{"current_step":1,"message":"applied once"}""";

        var (stalled, _) = await SendAsync(Delayed(Patch(created.WorkflowId, body, ifMatch: 1), "read_latest=800;append=5000"));
        using var retry = await Api.Http.SendAsync(Patch(created.WorkflowId, body, ifMatch: 1), Ct);

        await AssertStoreUnavailableAsync(stalled);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal([1L, 2], (await client.HistoryAsync(created.WorkflowId)).Select(u => u.Version));
    }

    [Fact]
    public async Task A_keyed_create_whose_deadline_passes_inside_its_append_answers_503_and_its_retry_finishes_it()
    {
        var key = "deadline-append-" + Guid.NewGuid().ToString("N");
        const string body = """{"name":"deadline inside the append","total_steps":2}""";

        var (stalled, _) = await SendAsync(Delayed(Create(body, key), "claim_key=800;append=5000"));
        using var retry = await Api.Http.SendAsync(Create(body, key), Ct);

        await AssertStoreUnavailableAsync(stalled);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var state = await StateAsync(retry);
        Assert.Equal([1L], (await new WorkflowApiClient(Api.Http).HistoryAsync(state.WorkflowId)).Select(u => u.Version));
    }

    [Fact]
    public async Task A_request_whose_store_calls_fit_in_the_deadline_is_answered_whole_and_the_list_is_current_at_once()
    {
        var client = new WorkflowApiClient(Api.Http);
        var created = await client.CreateAsync("slow but in time");

        // Three calls of 500 ms: 1.5 s of the 2 s deadline.
        var (patched, elapsed) = await SendAsync(Patch(created.WorkflowId, """{"current_step":2,"message":"in time"}""", ifMatch: 1, 500));
        var state = await StateAsync(patched);
        using var history = await Api.Http.SendAsync(Delayed(new HttpRequestMessage(HttpMethod.Get, $"api/workflows/{created.WorkflowId}/history"), 500), Ct);

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        // A timer may fire up to a millisecond before the stopwatch says its time is up (a fresh clone measured
        // 1499.57 ms for the three delays): the bound proves the store was slowed, not the timers' resolution.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(1450), $"the store was not slowed ({elapsed})");
        Assert.Equal(2, state.Version);
        Assert.Equal("\"2\"", patched.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.Equal([1L, 2], JsonSerializer.Deserialize(await history.Content.ReadAsStringAsync(Ct), VaporaJsonContext.Default.IReadOnlyListWorkflowUpdate)!.Select(u => u.Version));
        Assert.Equal(state, await ListedAsync(created.WorkflowId));
    }

    private static async Task AssertStoreUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Store unavailable", problem.RootElement.GetProperty("title").GetString());
    }

    private async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            var watch = Stopwatch.StartNew();
            var response = await Api.Http.SendAsync(request, Ct).WaitAsync(TimeSpan.FromSeconds(15), Ct);
            await response.Content.LoadIntoBufferAsync(Ct);
            return (response, watch.Elapsed);
        }
    }

    private async Task<WorkflowState> ListedAsync(string id)
    {
        var page = JsonSerializer.Deserialize(await Api.Http.GetStringAsync("api/workflows?limit=500", Ct), VaporaJsonContext.Default.WorkflowPage)!;
        return page.Items.Single(s => s.WorkflowId == id);
    }

    private static async Task<WorkflowState> StateAsync(HttpResponseMessage response) =>
        JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(Ct), VaporaJsonContext.Default.WorkflowState)!;

    private static HttpRequestMessage Patch(string id, string json, long ifMatch, int? stallMs = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{id}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{ifMatch}\""));
        return Delayed(request, stallMs);
    }

    private static HttpRequestMessage Create(string json, string idempotencyKey, int? stallMs = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return Delayed(request, stallMs);
    }

    private static HttpRequestMessage Delayed(HttpRequestMessage request, int? stallMs) =>
        stallMs is { } ms ? Delayed(request, ms.ToString(System.Globalization.CultureInfo.InvariantCulture)) : request;

    private static HttpRequestMessage Delayed(HttpRequestMessage request, string stalls)
    {
        request.Headers.Add(StallingStoreApiFixture.DelayHeader, stalls);
        return request;
    }
}
