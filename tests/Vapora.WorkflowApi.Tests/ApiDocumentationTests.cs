using System.Text.Json;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The OpenAPI document tells a write's two answers apart (issue 30, item 2).</summary>
public sealed class ApiDocumentationTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData("/api/workflows", "post", "201")]
    [InlineData("/api/workflows/{id}", "patch", "200")]
    public async Task A_write_is_documented_as_answering_the_state_or_a_receipt(string path, string method, string status)
    {
        using var document = JsonDocument.Parse(await fixture.Api.Http.GetStringAsync("api/openapi/v1.json", TestContext.Current.CancellationToken));

        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);
        var answers = operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("oneOf").EnumerateArray().Select(s => s.GetProperty("$ref").GetString());

        Assert.Equal(["#/components/schemas/WorkflowState", "#/components/schemas/WriteReceipt"], answers);
        Assert.Contains("only when the caller may read", operation.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("WriteReceipt").GetProperty("properties")
            .TryGetProperty("workflow_id", out _));
    }
}
