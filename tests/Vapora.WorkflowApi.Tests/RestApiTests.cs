using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The REST surface against a real workflow-api process and a real Redis.</summary>
public sealed class RestApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http => fixture.Api.Http;

    [Fact]
    public async Task Create_returns_201_with_location_etag_and_the_pending_state()
    {
        using var response = await Http.PostAsync("api/workflows", Json("""{"name":"deploy api","total_steps":4,"message":"queued"}"""), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var state = (await response.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState, Ct))!;
        Assert.Equal($"/api/workflows/{state.WorkflowId}", response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.StartsWith("wf_", state.WorkflowId, StringComparison.Ordinal);
        Assert.Equal((1L, WorkflowStatus.Pending, 0, 4, "queued", "deploy api"),
            (state.Version, state.Status, state.CurrentStep, state.TotalSteps, state.Message, state.Name));
    }

    [Fact]
    public async Task Get_returns_the_state_with_its_version_as_etag_and_honours_if_none_match()
    {
        var created = await fixture.Client.CreateAsync();
        await fixture.Client.ProgressAsync(created.WorkflowId, 1);

        using var response = await Http.GetAsync($"api/workflows/{created.WorkflowId}", Ct);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"api/workflows/{created.WorkflowId}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", "\"2\"");
        using var notModified = await Http.SendAsync(conditional, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Patch_applies_one_update_as_exactly_one_new_version()
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 10);

        var a = await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Running });
        var b = await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { CurrentStep = 3, Message = "step 3" });
        var c = await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { Message = "" });

        Assert.Equal((2L, WorkflowStatus.Running, 0), (a.Version, a.Status, a.CurrentStep));
        Assert.Equal((3L, WorkflowStatus.Running, 3, "step 3"), (b.Version, b.Status, b.CurrentStep, b.Message));
        Assert.Equal((4L, (string?)null), (c.Version, c.Message));
        Assert.Equal([1L, 2, 3, 4], (await fixture.Client.HistoryAsync(created.WorkflowId)).Select(u => u.Version));
    }

    [Fact]
    public async Task Patch_publishes_the_stored_bytes_to_the_workflows_channel_behind_a_trace_parent()
    {
        var created = await fixture.Client.CreateAsync();
        var redis = await fixture.Redis.AdminAsync();
        var received = new List<byte[]>();
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(WorkflowChannels.NameFor(created.WorkflowId)));
        queue.OnMessage(m => { lock (received) { received.Add(m.Message!); } });

        await fixture.Client.ProgressAsync(created.WorkflowId, 5, "five");
        await Poll.UntilAsync(() => { lock (received) { return received.Count == 1; } }, TimeSpan.FromSeconds(10), "the update on the channel");
        await queue.UnsubscribeAsync();

        using var history = await Http.GetAsync($"api/workflows/{created.WorkflowId}/history?after=1", Ct);
        var historyBytes = await history.Content.ReadAsByteArrayAsync(Ct);
        var (traceParent, json) = BackplaneMessage.Split(received[0]);
        Assert.Equal("[" + Encoding.UTF8.GetString(json.Span) + "]", Encoding.UTF8.GetString(historyBytes));
        Assert.Equal(2, JsonSerializer.Deserialize(json.Span, VaporaJsonContext.Default.WorkflowUpdate)!.Version);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", traceParent);
    }

    [Fact]
    public async Task A_traceparent_sent_with_a_patch_continues_on_the_channel()
    {
        var created = await fixture.Client.CreateAsync();
        var redis = await fixture.Redis.AdminAsync();
        var received = new List<byte[]>();
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(WorkflowChannels.NameFor(created.WorkflowId)));
        queue.OnMessage(m => { lock (received) { received.Add(m.Message!); } });
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}") { Content = Json("""{"current_step":1}""") };
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        using var response = await Http.SendAsync(request, Ct);
        await Poll.UntilAsync(() => { lock (received) { return received.Count == 1; } }, TimeSpan.FromSeconds(10), "the update on the channel");
        await queue.UnsubscribeAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith($"00-{traceId}-", BackplaneMessage.Split(received[0]).TraceParent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_and_the_reference_page_are_served()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("api/openapi/v1.json", Ct));
        using var page = await Http.GetAsync("api/docs", Ct);

        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/workflows/{id}/history", out _));
        Assert.True(paths.GetProperty("/api/workflows/{id}").TryGetProperty("patch", out _));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task History_pages_after_a_version_and_is_empty_at_the_latest()
    {
        var created = await fixture.Client.CreateAsync();
        for (var step = 1; step <= 5; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        var page = await fixture.Client.HistoryAsync(created.WorkflowId, after: 2, limit: 2);
        var latest = await fixture.Client.HistoryAsync(created.WorkflowId, after: 6);

        Assert.Equal([3L, 4], page.Select(u => u.Version));
        Assert.Empty(latest);
    }

    [Fact]
    public async Task A_stale_if_match_gets_412_with_the_current_version()
    {
        var created = await fixture.Client.CreateAsync();
        await fixture.Client.ProgressAsync(created.WorkflowId, 1);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}") { Content = Json("""{"current_step":2}""") };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");

        using var response = await Http.SendAsync(request, Ct);

        await AssertProblemAsync(response, HttpStatusCode.PreconditionFailed);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        Assert.Equal(2, (await fixture.Client.HistoryAsync(created.WorkflowId)).Count);
    }

    [Fact]
    public async Task An_update_after_a_terminal_status_is_a_409_conflict()
    {
        var created = await fixture.Client.CreateAsync();
        await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Cancelled });

        using var response = await fixture.Client.PatchAsync(created.WorkflowId, """{"status":"running"}""");

        await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(2, (await fixture.Client.HistoryAsync(created.WorkflowId)).Count);
    }

    [Fact]
    public async Task An_idempotency_key_returns_the_same_workflow_on_retry_and_422_for_another_body()
    {
        var key = Guid.NewGuid().ToString();

        using var first = await PostWithKeyAsync(key, """{"name":"once"}""");
        using var retry = await PostWithKeyAsync(key, """{"name":"once"}""");
        using var other = await PostWithKeyAsync(key, """{"name":"different"}""");

        var a = (await first.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState, Ct))!;
        var b = (await retry.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState, Ct))!;
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(a, b);
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        await AssertProblemAsync(other, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task The_list_filters_by_status_and_pages_with_a_cursor()
    {
        var marker = "list-" + Guid.NewGuid().ToString("N");
        var created = new List<WorkflowState>();
        for (var i = 0; i < 3; i++)
        {
            var state = await fixture.Client.CreateAsync(marker);
            await fixture.Client.UpdateAsync(state.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Failed });
            created.Add(state);
        }

        var page = (await Http.GetFromJsonAsync("api/workflows?status=failed&limit=2", VaporaJsonContext.Default.WorkflowPage, Ct))!;
        var next = (await Http.GetFromJsonAsync($"api/workflows?status=failed&limit=2&cursor={page.NextCursor}", VaporaJsonContext.Default.WorkflowPage, Ct))!;

        Assert.Equal(2, page.Items.Count);
        Assert.All(page.Items.Concat(next.Items), s => Assert.Equal(WorkflowStatus.Failed, s.Status));
        Assert.Contains(created[^1].WorkflowId, page.Items.Select(s => s.WorkflowId));
        Assert.DoesNotContain(next.Items, s => page.Items.Any(p => p.WorkflowId == s.WorkflowId));
    }

    public static TheoryData<string, string, string, HttpStatusCode> BadPatches => new()
    {
        { "malformed JSON", """{"current_step":""", "application/json", HttpStatusCode.BadRequest },
        { "not an object", """[1,2]""", "application/json", HttpStatusCode.BadRequest },
        { "empty body", "", "application/json", HttpStatusCode.BadRequest },
        { "null body", "null", "application/json", HttpStatusCode.BadRequest },
        { "no field", "{}", "application/json", HttpStatusCode.BadRequest },
        { "unknown field", """{"current_step":1,"admin":true}""", "application/json", HttpStatusCode.BadRequest },
        { "duplicate field", """{"current_step":1,"current_step":2}""", "application/json", HttpStatusCode.BadRequest },
        { "wrong type", """{"current_step":"3"}""", "application/json", HttpStatusCode.BadRequest },
        { "huge number", """{"current_step":99999999999999999999}""", "application/json", HttpStatusCode.BadRequest },
        { "fraction", """{"current_step":1.5}""", "application/json", HttpStatusCode.BadRequest },
        { "negative step", """{"current_step":-1}""", "application/json", HttpStatusCode.BadRequest },
        { "step above total", """{"current_step":11}""", "application/json", HttpStatusCode.BadRequest },
        { "step above new total", """{"current_step":5,"total_steps":4}""", "application/json", HttpStatusCode.BadRequest },
        { "unknown status", """{"status":"paused"}""", "application/json", HttpStatusCode.BadRequest },
        { "numeric status", """{"status":1}""", "application/json", HttpStatusCode.BadRequest },
        { "back to pending", """{"status":"pending"}""", "application/json", HttpStatusCode.Conflict },
        { "control character", "{\"message\":\"a\\u0000b\"}", "application/json", HttpStatusCode.BadRequest },
        { "lone surrogate", "{\"message\":\"\\ud800\"}", "application/json", HttpStatusCode.BadRequest },
        { "message too long", "{\"message\":\"" + new string('m', 2001) + "\"}", "application/json", HttpStatusCode.BadRequest },
        { "plain text", """{"current_step":1}""", "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "form", "current_step=1", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType },
        { "body too large", "{\"message\":\"" + new string('m', 70_000) + "\"}", "application/json", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadPatches))]
    public async Task Bad_patches_get_a_problem_details_and_change_nothing(string _, string body, string contentType, HttpStatusCode expected)
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 10);
        await fixture.Client.ProgressAsync(created.WorkflowId, 2);
        var before = await Http.GetStringAsync($"api/workflows/{created.WorkflowId}/history", Ct);

        using var response = await fixture.Client.PatchAsync(created.WorkflowId, body, contentType);

        await AssertProblemAsync(response, expected);
        Assert.Equal(before, await Http.GetStringAsync($"api/workflows/{created.WorkflowId}/history", Ct));
    }

    public static TheoryData<string, string, HttpStatusCode> BadCreates => new()
    {
        { "missing name", """{"total_steps":3}""", HttpStatusCode.BadRequest },
        { "blank name", """{"name":"   "}""", HttpStatusCode.BadRequest },
        { "name too long", "{\"name\":\"" + new string('n', 201) + "\"}", HttpStatusCode.BadRequest },
        { "newline in name", """{"name":"a\nb"}""", HttpStatusCode.BadRequest },
        { "negative total", """{"name":"a","total_steps":-2}""", HttpStatusCode.BadRequest },
        { "huge total", """{"name":"a","total_steps":2000000000}""", HttpStatusCode.BadRequest },
        { "unknown field", """{"name":"a","version":9}""", HttpStatusCode.BadRequest },
        { "name not a string", """{"name":42}""", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Bad_creates_get_a_problem_details_and_store_nothing(string _, string body, HttpStatusCode expected)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await PostWithKeyAsync(marker, body);

        await AssertProblemAsync(response, expected);
        // The same key with a valid body now creates a workflow: the bad request left nothing behind.
        using var valid = await PostWithKeyAsync(marker, """{"name":"valid"}""");
        Assert.Equal(HttpStatusCode.Created, valid.StatusCode);
        Assert.False(valid.Headers.Contains("Idempotent-Replayed"));
    }

    [Theory]
    [InlineData("api/workflows/wf_unknown", HttpStatusCode.NotFound)]
    [InlineData("api/workflows/wf_unknown/history", HttpStatusCode.NotFound)]
    [InlineData("api/workflows/bad*id", HttpStatusCode.BadRequest)]
    [InlineData("api/workflows/wf_x/history?after=-1", HttpStatusCode.BadRequest)]
    [InlineData("api/workflows/wf_x/history?after=abc", HttpStatusCode.BadRequest)]
    [InlineData("api/workflows/wf_x/history?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("api/workflows/wf_x/history?limit=1001", HttpStatusCode.BadRequest)]
    [InlineData("api/workflows?status=paused", HttpStatusCode.BadRequest)]
    [InlineData("api/workflows?limit=9999", HttpStatusCode.BadRequest)]
    [InlineData("api/workflows?cursor=$gt", HttpStatusCode.BadRequest)]
    [InlineData("api/nothing-here", HttpStatusCode.NotFound)]
    public async Task Bad_reads_get_a_problem_details(string path, HttpStatusCode expected)
    {
        using var response = await Http.GetAsync(path, Ct);

        await AssertProblemAsync(response, expected);
    }

    [Fact]
    public async Task A_bad_if_match_header_is_a_400()
    {
        var created = await fixture.Client.CreateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}") { Content = Json("""{"current_step":1}""") };
        request.Headers.TryAddWithoutValidation("If-Match", "\"abc\"");

        using var response = await Http.SendAsync(request, Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    public static TheoryData<string, string> PatchErrorFields => new()
    {
        { """{"current_step":-1}""", "current_step" },
        { """{"current_step":1,"admin":true}""", "admin" },
        { """{"current_step":1,"current_step":2}""", "current_step" },
        { """{"current_step":"3"}""", "current_step" },
        { """{"status":"paused"}""", "status" },
        { "{\"message\":\"a\\u0000b\"}", "message" },
        { """[1,2]""", "$" },
        { """{"current_step":1} trailing""", "$" },
    };

    [Theory]
    [MemberData(nameof(PatchErrorFields))]
    public async Task A_bad_field_is_named_by_its_wire_name_in_errors(string body, string field)
    {
        var created = await fixture.Client.CreateAsync();

        using var response = await fixture.Client.PatchAsync(created.WorkflowId, body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.False(string.IsNullOrWhiteSpace(errors.GetProperty(field)[0].GetString()));
    }

    [Theory]
    [InlineData("W/\"2\"", HttpStatusCode.OK)]
    [InlineData("2", HttpStatusCode.OK)]
    [InlineData("*", HttpStatusCode.OK)]
    [InlineData("\"1\"", HttpStatusCode.PreconditionFailed)]
    [InlineData("\"2\", \"3\"", HttpStatusCode.BadRequest)]
    [InlineData("\"2", HttpStatusCode.BadRequest)]
    public async Task If_match_takes_one_strong_or_weak_version_tag_a_bare_version_or_a_star(string ifMatch, HttpStatusCode expected)
    {
        var created = await fixture.Client.CreateAsync();
        await fixture.Client.ProgressAsync(created.WorkflowId, 1);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}") { Content = Json("""{"current_step":2}""") };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);

        using var response = await Http.SendAsync(request, Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 3 : 2, (await fixture.Client.HistoryAsync(created.WorkflowId)).Count);
    }

    [Fact]
    public async Task A_chunked_body_above_the_limit_is_refused_with_413_and_changes_nothing()
    {
        var created = await fixture.Client.CreateAsync();
        var body = Encoding.UTF8.GetBytes("{\"message\":\"" + new string('m', 70_000) + "\"}");
        // No Content-Length: the size is only known while reading.
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Http.SendAsync(request, Ct);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Single(await fixture.Client.HistoryAsync(created.WorkflowId));
    }

    [Fact]
    public async Task If_none_match_listing_the_current_version_gets_304()
    {
        var created = await fixture.Client.CreateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/workflows/{created.WorkflowId}");
        request.Headers.TryAddWithoutValidation("If-None-Match", "\"7\", W/\"1\"");
        using var stale = new HttpRequestMessage(HttpMethod.Get, $"api/workflows/{created.WorkflowId}");
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"7\"");

        using var response = await Http.SendAsync(request, Ct);
        using var changed = await Http.SendAsync(stale, Ct);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    private Task<HttpResponseMessage> PostWithKeyAsync(string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        return Http.SendAsync(request, Ct);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()));
    }
}
