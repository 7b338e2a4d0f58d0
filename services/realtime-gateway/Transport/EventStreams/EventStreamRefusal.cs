using Vapora.Contracts;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>
/// An event stream that ends before it began is an HTTP error with a ProblemDetails body: the status says what the
/// <see cref="CloseReason"/> says (400, 401, 403, 404; 503 with <c>Retry-After</c> for every "resume" reason, which a load
/// balancer may also retry on another replica), and the body carries <c>close_code</c> and <c>resume</c>, so a client
/// decides with the same table as for a close event or a WebSocket close.
/// </summary>
internal static class EventStreamRefusal
{
    public static Task WriteAsync(HttpContext http, CloseReason reason)
    {
        var status = StatusOf(reason);
        var headers = http.Response.Headers;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            headers.RetryAfter = reason.Code == CloseReason.TryAgainLater.Code ? "5" : "1";
        }
        else if (status == StatusCodes.Status401Unauthorized)
        {
            headers.WWWAuthenticate = reason == CloseReason.Unauthorized ? "Bearer" : "Bearer error=\"invalid_token\"";
        }

        return TypedResults.Problem(
            detail: reason.Reason,
            statusCode: status,
            title: TitleOf(status),
            extensions: new Dictionary<string, object?> { ["close_code"] = reason.Code, ["resume"] = reason.Resume }).ExecuteAsync(http);
    }

    /// <summary>The HTTP status for a stream that cannot begin.</summary>
    public static int StatusOf(CloseReason reason) => reason.Code switch
    {
        _ when reason.Resume => StatusCodes.Status503ServiceUnavailable,
        _ when reason.Code == CloseReason.Unauthorized.Code => StatusCodes.Status401Unauthorized,
        _ when reason.Code == CloseReason.Forbidden.Code => StatusCodes.Status403Forbidden,
        _ when reason.Code == CloseReason.NotFound.Code => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Workflow not found",
        StatusCodes.Status503ServiceUnavailable => "Try again",
        _ => "Bad request",
    };
}
