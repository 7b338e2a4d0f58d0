using System.Buffers;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// Writes history as a JSON array by joining the stored update bytes: each update was encoded once,
/// when it was accepted, and is never encoded again.
/// </summary>
public sealed class UpdateLogResult(IReadOnlyList<StoredUpdate> updates)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var writer = response.BodyWriter;
        writer.Write("["u8);
        for (var i = 0; i < updates.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }

            writer.Write(updates[i].Json.Span);
        }

        writer.Write("]"u8);
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(WorkflowUpdate[]), ["application/json"]));
}
