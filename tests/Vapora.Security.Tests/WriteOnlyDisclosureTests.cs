using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Vapora.Security.Tests;

/// <summary>
/// Scopes that separate (issue 30, item 2): writing does not grant reading. A caller that may write but not read a
/// workflow (no <c>workflows:read</c>, the workflow not in its <c>workflows</c> claim) learns from a write the
/// workflow's id and the version its write made, never the state; a 412 names the current version only to a reader.
/// </summary>
public sealed class WriteOnlyDisclosureTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string WriteOnly => fixture.Tokens.Create("workflows:write", subject: "producer");

    [Fact]
    public async Task A_patch_by_a_write_only_token_answers_the_new_version_and_etag_not_the_state()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync("secret name");
        using var forbiddenRead = await SendAsync(HttpMethod.Get, $"api/workflows/{created.WorkflowId}", WriteOnly);

        using var patch = await SendAsync(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}", WriteOnly, """{"current_step":1,"message":"written"}""");
        using var byReader = await SendAsync(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}",
            fixture.Tokens.Create("workflows:write", workflows: [created.WorkflowId]), """{"current_step":2}""");

        Assert.Equal(HttpStatusCode.Forbidden, forbiddenRead.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("\"2\"", patch.Headers.ETag?.Tag);
        await AssertReceiptAsync(patch, created.WorkflowId, 2);
        // A token that may read the workflow (here by its claim) gets the state, as before.
        Assert.Equal("secret name", (await BodyAsync(byReader)).RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_stale_if_match_tells_the_current_version_only_to_a_caller_that_may_read_the_workflow()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        await fixture.ClientWith(fixture.AdminToken).ProgressAsync(created.WorkflowId, 1);

        using var blind = await SendAsync(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}", WriteOnly, """{"current_step":2}""", ifMatch: "\"999\"");
        using var reader = await SendAsync(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}", fixture.AdminToken, """{"current_step":2}""", ifMatch: "\"999\"");

        Assert.Equal(HttpStatusCode.PreconditionFailed, blind.StatusCode);
        Assert.Null(blind.Headers.ETag);
        var blindProblem = await BodyAsync(blind);
        Assert.False(blindProblem.RootElement.TryGetProperty("current_version", out _));
        Assert.DoesNotContain("version 2", blindProblem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PreconditionFailed, reader.StatusCode);
        Assert.Equal("\"2\"", reader.Headers.ETag?.Tag);
        Assert.Equal(2, (await BodyAsync(reader)).RootElement.GetProperty("current_version").GetInt64());
        Assert.Equal(2, (await fixture.ClientWith(fixture.AdminToken).HistoryAsync(created.WorkflowId)).Count);
    }

    [Fact]
    public async Task A_refused_change_does_not_tell_a_write_only_caller_the_stored_status_or_steps()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync(totalSteps: 3);
        using var tooFar = await SendAsync(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}", WriteOnly, """{"current_step":7}""");
        (await fixture.ClientWith(fixture.AdminToken).PatchAsync(created.WorkflowId, """{"status":"completed"}""")).Dispose();

        using var afterTerminal = await SendAsync(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}", WriteOnly, """{"status":"running"}""");

        Assert.Equal(HttpStatusCode.BadRequest, tooFar.StatusCode);
        Assert.DoesNotContain("(3)", (await BodyAsync(tooFar)).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, afterTerminal.StatusCode);
        Assert.DoesNotContain("completed", (await BodyAsync(afterTerminal)).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_create_and_its_replay_answer_a_write_only_token_with_the_id_and_version_one()
    {
        var key = "write-only-" + Guid.NewGuid().ToString("N");
        const string body = """{"name":"made by a producer","total_steps":4}""";

        using var created = await SendAsync(HttpMethod.Post, "api/workflows", WriteOnly, body, idempotencyKey: key);
        using var replayed = await SendAsync(HttpMethod.Post, "api/workflows", WriteOnly, body, idempotencyKey: key);
        using var byReader = await SendAsync(HttpMethod.Post, "api/workflows", fixture.AdminToken, body);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await BodyAsync(created)).RootElement.GetProperty("workflow_id").GetString()!;
        Assert.Equal($"/api/workflows/{id}", created.Headers.Location?.ToString());
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        await AssertReceiptAsync(created, id, 1);
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        Assert.True(replayed.Headers.Contains("Idempotent-Replayed"));
        await AssertReceiptAsync(replayed, id, 1);
        Assert.Equal("made by a producer", (await BodyAsync(byReader)).RootElement.GetProperty("name").GetString());
    }

    private static async Task AssertReceiptAsync(HttpResponseMessage response, string workflowId, long version)
    {
        using var body = await BodyAsync(response);
        Assert.Equal(["version", "workflow_id"], body.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(workflowId, body.RootElement.GetProperty("workflow_id").GetString());
        Assert.Equal(version, body.RootElement.GetProperty("version").GetInt64());
    }

    private static async Task<JsonDocument> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, string? body = null, string? ifMatch = null,
        string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return fixture.Api.Http.SendAsync(request, Ct);
    }
}
