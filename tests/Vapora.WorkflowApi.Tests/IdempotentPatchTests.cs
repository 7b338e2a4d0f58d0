using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// A PATCH with an <c>Idempotency-Key</c> (issue 25, finding 9): a retry after a lost answer, same key and body, is not
/// applied again; it replays the first answer. The same key with another request is a 422 and changes nothing.
/// </summary>
public sealed class IdempotentPatchTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_patch_retried_with_its_key_is_applied_once_and_the_retry_replays_the_first_answer()
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 10);
        var key = NewKey();
        const string body = """{"current_step":1,"message":"once"}""";

        using var first = await PatchAsync(created.WorkflowId, body, key);
        await fixture.Client.ProgressAsync(created.WorkflowId, 2); // Another writer moves on before the retry.
        using var retry = await PatchAsync(created.WorkflowId, body, key);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retry.StatusCode));
        Assert.Equal(("\"2\"", "\"2\""), (first.Headers.ETag?.Tag, retry.Headers.ETag?.Tag));
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await retry.Content.ReadAsStringAsync(Ct));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        var history = await fixture.Client.HistoryAsync(created.WorkflowId);
        Assert.Equal([1L, 2, 3], history.Select(u => u.Version));
        Assert.Single(history, u => u.CurrentStep == 1);
    }

    [Fact]
    public async Task Concurrent_retries_of_one_keyed_patch_store_one_version()
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 10);
        var key = NewKey();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PatchAsync(created.WorkflowId, """{"current_step":4}""", key)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.All(answers, a => Assert.Equal("\"2\"", a.Headers.ETag?.Tag));
        Assert.Equal(5, answers.Count(a => a.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal([1L, 2], (await fixture.Client.HistoryAsync(created.WorkflowId)).Select(u => u.Version));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task The_key_of_a_patch_sent_with_another_body_another_workflow_or_on_a_create_is_a_422_and_stores_nothing()
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 10);
        var other = await fixture.Client.CreateAsync(totalSteps: 10);
        var key = NewKey();
        using var first = await PatchAsync(created.WorkflowId, """{"current_step":1}""", key);

        using var otherBody = await PatchAsync(created.WorkflowId, """{"current_step":2}""", key);
        using var otherWorkflow = await PatchAsync(other.WorkflowId, """{"current_step":1}""", key);
        using var otherIfMatch = await PatchAsync(created.WorkflowId, """{"current_step":1}""", key, ifMatch: "\"1\"");
        using var onCreate = await PostAsync("""{"name":"made with a patch's key"}""", key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        foreach (var refused in new[] { otherBody, otherWorkflow, otherIfMatch, onCreate })
        {
            var problem = await refused.Content.ReadAsStringAsync(Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)refused.StatusCode} {problem}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("wf_", problem, StringComparison.Ordinal);
        }

        Assert.Equal([1L, 2], (await fixture.Client.HistoryAsync(created.WorkflowId)).Select(u => u.Version));
        Assert.Equal([1L], (await fixture.Client.HistoryAsync(other.WorkflowId)).Select(u => u.Version));
    }

    [Fact]
    public async Task A_keyed_patch_that_is_refused_is_refused_again_on_retry_and_stores_nothing()
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 3);
        var key = NewKey();

        using var tooFar = await PatchAsync(created.WorkflowId, """{"current_step":7}""", key);
        using var again = await PatchAsync(created.WorkflowId, """{"current_step":7}""", key);
        using var stale = await PatchAsync(created.WorkflowId, """{"current_step":1}""", NewKey(), ifMatch: "\"5\"");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.PreconditionFailed),
            (tooFar.StatusCode, again.StatusCode, stale.StatusCode));
        Assert.Equal([1L], (await fixture.Client.HistoryAsync(created.WorkflowId)).Select(u => u.Version));
    }

    private static string NewKey() => "patch-" + Guid.NewGuid().ToString("N");

    private Task<HttpResponseMessage> PatchAsync(string id, string body, string key, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{id}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return fixture.Api.Http.SendAsync(request, Ct);
    }

    private Task<HttpResponseMessage> PostAsync(string body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return fixture.Api.Http.SendAsync(request, Ct);
    }
}
