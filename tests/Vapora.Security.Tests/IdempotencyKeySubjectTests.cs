using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Vapora.Security.Tests;

/// <summary>
/// Idempotency keys belong to their subject (issue 30, item 3): the same key sent by another subject is another key,
/// so it neither replays nor refuses what the first subject made, and a 422 names no workflow.
/// </summary>
public sealed class IdempotencyKeySubjectTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private const string Scopes = "workflows:write workflows:read";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string WriterA => fixture.Tokens.Create(Scopes, subject: "writer-a");

    private string WriterB => fixture.Tokens.Create(Scopes, subject: "writer-b");

    [Fact]
    public async Task Another_subject_sending_the_same_key_and_body_creates_a_workflow_of_its_own()
    {
        var key = NewKey();
        const string body = """{"name":"same key, two writers"}""";

        using var byA = await SendAsync(HttpMethod.Post, "api/workflows", WriterA, body, key);
        using var byB = await SendAsync(HttpMethod.Post, "api/workflows", WriterB, body, key);
        using var againByA = await SendAsync(HttpMethod.Post, "api/workflows", WriterA, body, key);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created), (byA.StatusCode, byB.StatusCode, againByA.StatusCode));
        var (a, b, again) = (await IdAsync(byA), await IdAsync(byB), await IdAsync(againByA));
        Assert.NotEqual(a, b);
        Assert.False(byB.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(a, again);
        Assert.True(againByA.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_key_reused_with_another_body_is_a_422_that_names_no_workflow_and_another_subject_may_use_it()
    {
        var key = NewKey();

        using var byA = await SendAsync(HttpMethod.Post, "api/workflows", WriterA, """{"name":"first body"}""", key);
        using var reused = await SendAsync(HttpMethod.Post, "api/workflows", WriterA, """{"name":"second body"}""", key);
        using var byB = await SendAsync(HttpMethod.Post, "api/workflows", WriterB, """{"name":"second body"}""", key);

        Assert.Equal(HttpStatusCode.Created, byA.StatusCode);
        var problem = await reused.Content.ReadAsStringAsync(Ct);
        Assert.True(reused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)reused.StatusCode} {problem}");
        Assert.DoesNotContain(await IdAsync(byA), problem, StringComparison.Ordinal);
        Assert.DoesNotContain("wf_", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, byB.StatusCode);
    }

    [Fact]
    public async Task A_patch_key_of_another_subject_is_another_key_and_applies()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync(totalSteps: 10);
        var key = NewKey();
        var path = $"api/workflows/{created.WorkflowId}";

        using var byA = await SendAsync(HttpMethod.Patch, path, WriterA, """{"current_step":1}""", key);
        using var byB = await SendAsync(HttpMethod.Patch, path, WriterB, """{"current_step":1}""", key);

        Assert.Equal(("\"2\"", "\"3\""), (byA.Headers.ETag?.Tag, byB.Headers.ETag?.Tag));
        Assert.False(byB.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(3, (await fixture.ClientWith(fixture.AdminToken).HistoryAsync(created.WorkflowId)).Count);
    }

    [Fact]
    public async Task A_key_from_a_token_without_a_subject_is_a_400_and_stores_nothing()
    {
        var name = "no subject " + Guid.NewGuid().ToString("N");

        using var refused = await SendAsync(HttpMethod.Post, "api/workflows", fixture.Tokens.Create(Scopes, subject: ""), $$"""{"name":"{{name}}"}""", NewKey());

        var problem = await refused.Content.ReadAsStringAsync(Ct);
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{(int)refused.StatusCode} {problem}");
        Assert.Contains("sub", problem, StringComparison.Ordinal);
        var page = await fixture.ClientWith(fixture.AdminToken).Http.GetStringAsync("api/workflows?limit=100", Ct);
        Assert.DoesNotContain(name, page, StringComparison.Ordinal);
    }

    private static string NewKey() => "subject-" + Guid.NewGuid().ToString("N");

    private static async Task<string> IdAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.GetProperty("workflow_id").GetString()!;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, string body, string key)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("Idempotency-Key", key);
        return fixture.Api.Http.SendAsync(request, Ct);
    }
}
