using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>History as it goes out: the stored bytes of each update joined into one JSON array, never encoded again.</summary>
public sealed class UpdateLogResultTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task The_stored_bytes_are_joined_into_a_json_array_as_they_are(int count)
    {
        // Bytes a fresh encoding would not give (spacing): the result must write what is stored, not re-encode it.
        var updates = Enumerable.Range(1, count)
            .Select(v => new StoredUpdate(Update(v), Encoding.UTF8.GetBytes($"{{ \"workflow_id\": \"wf_log\", \"version\": {v} }}")))
            .ToList();
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;
        var result = new UpdateLogResult(updates);

        await result.ExecuteAsync(http);

        Assert.Equal(200, http.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", http.Response.ContentType);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal(result.ContentType, http.Response.ContentType);
        var expected = "[" + string.Join(",", Enumerable.Range(1, count).Select(v => $"{{ \"workflow_id\": \"wf_log\", \"version\": {v} }}")) + "]";
        Assert.Equal(expected, Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public void The_endpoint_is_documented_as_answering_an_array_of_updates_as_json()
    {
        var builder = new RouteEndpointBuilder(_ => Task.CompletedTask, RoutePatternFactory.Parse("/history"), order: 0);

        UpdateLogResult.PopulateMetadata(typeof(UpdateLogResultTests).GetMethod(nameof(The_endpoint_is_documented_as_answering_an_array_of_updates_as_json))!, builder);

        var produces = Assert.IsAssignableFrom<IProducesResponseTypeMetadata>(Assert.Single(builder.Metadata));
        Assert.Equal(200, produces.StatusCode);
        Assert.Equal(typeof(WorkflowUpdate[]), produces.Type);
        Assert.Equal(["application/json"], produces.ContentTypes);
    }

    private static WorkflowUpdate Update(long version) => new()
    {
        WorkflowId = "wf_log",
        Version = version,
        Status = WorkflowStatus.Running,
        CurrentStep = (int)version,
        TotalSteps = 10,
        Timestamp = DateTimeOffset.UnixEpoch,
    };
}
