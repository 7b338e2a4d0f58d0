using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// An Idempotency-Key is one value: two header lines (which ASP.NET Core hands over as <c>k1,k2</c>, as a proxy may
/// merge them too) or one with a comma are refused, and nothing is stored (issue 30, item 8).
/// </summary>
public sealed class IdempotencyKeyHeaderTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Idempotency-Key: k1\r\nIdempotency-Key: k2\r\n")]
    [InlineData("Idempotency-Key: k1,k2\r\n")]
    public async Task More_than_one_key_is_a_400_problem_and_stores_nothing(string headers)
    {
        var name = "two keys " + Guid.NewGuid().ToString("N");

        var (status, body) = await PostRawAsync(headers, $$"""{"name":"{{name}}"}""");

        Assert.True(status == 400, $"{status} {body}");
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), body);
        var page = JsonSerializer.Deserialize(await fixture.Api.Http.GetStringAsync("api/workflows?limit=100", Ct), VaporaJsonContext.Default.WorkflowPage)!;
        Assert.DoesNotContain(page.Items, s => s.Name == name);
    }

    [Fact]
    public async Task One_key_on_one_header_line_still_creates_and_replays()
    {
        var key = "one-" + Guid.NewGuid().ToString("N");

        var (first, firstBody) = await PostRawAsync($"Idempotency-Key: {key}\r\n", """{"name":"one key"}""");
        var (again, againBody) = await PostRawAsync($"Idempotency-Key: {key}\r\n", """{"name":"one key"}""");

        Assert.Equal((201, 201), (first, again));
        Assert.Equal(firstBody, againBody);
    }

    // HttpClient would join two values of a header into one line; a proxy or another client may send two lines.
    // HTTP/1.0: the answer ends with the connection, unchunked.
    private async Task<(int Status, string Body)> PostRawAsync(string headers, string json)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Api.BaseUrl.Host, fixture.Api.BaseUrl.Port, Ct);
        await using var stream = tcp.GetStream();
        var content = Encoding.UTF8.GetBytes(json);
        var head = $"POST /api/workflows HTTP/1.0\r\nHost: {fixture.Api.BaseUrl.Authority}\r\nContent-Type: application/json\r\n"
            + $"{headers}Content-Length: {content.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        await stream.WriteAsync(content, Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }
}
