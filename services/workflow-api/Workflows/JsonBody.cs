using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// Reads a JSON request body with the shared source-generated serializer, turning every way it can be
/// wrong into a clear ProblemDetails: 415 for another media type, 413 above the size limit, 400 for
/// malformed JSON, wrong types, unknown or duplicate fields.
/// </summary>
internal static class JsonBody
{
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (!IsJsonMediaType(request.ContentType))
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Send the body as application/json (UTF-8)."));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, 16 * 1024));
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        return (null, TooLarge(maxBytes));
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    return (null, TooLarge(maxBytes));
                }
            }

            if (length == 0)
            {
                return (null, BadBody("$", "A JSON body is required."));
            }

            var value = JsonSerializer.Deserialize(buffer.AsSpan(0, length), typeInfo);
            return value is null ? (null, BadBody("$", "The body must be a JSON object.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, BadBody(string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path, Describe(ex)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsJsonMediaType(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var isJson = mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.MediaType.Equals("application/merge-patch+json", StringComparison.OrdinalIgnoreCase);
        var charset = mediaType.Charset;
        return isJson && (!charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    // The serializer's messages name .NET types; say the same thing in the wire contract's terms.
    private static string Describe(JsonException ex) => ex.Message switch
    {
        var m when m.Contains("could not be mapped", StringComparison.Ordinal) => "Unknown field.",
        var m when m.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) => "Duplicate field.",
        var m when m.Contains("could not be converted", StringComparison.Ordinal) => "Wrong type or out-of-range value.",
        var m when m.Contains("Path:", StringComparison.Ordinal) || m.Contains("LineNumber", StringComparison.Ordinal)
            => "Malformed JSON.",
        var m => m,
    };

    private static ProblemHttpResult BadBody(string field, string message) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request body is not valid",
        detail: $"{field}: {message}",
        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    private static ProblemHttpResult TooLarge(int maxBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body must be at most {maxBytes} bytes.");
}
