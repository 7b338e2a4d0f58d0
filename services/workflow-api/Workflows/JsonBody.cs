using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// Reads a JSON request body with the shared source-generated serializer, turning every way it can be wrong into a
/// clear ProblemDetails: 415 for another media type, 413 above the size limit (enforced by Kestrel), 400 with
/// <c>errors</c> keyed by wire field name for malformed JSON, wrong types, unknown or repeated fields. The errors are
/// told apart by what System.Text.Json reports (the exception's inner exception, its path and the type's contract),
/// never by its message text.
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

        if (request.ContentLength == 0)
        {
            return (null, BadBody("$", "A JSON body is required."));
        }

        // Kestrel stops reading beyond the limit with a BadHttpRequestException (413), also for chunked bodies.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = maxBytes;
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, cancellationToken);
            return value is null ? (null, BadBody("$", "The body must be a JSON object.")) : (value, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            return (null, BadBody(field ?? "$", Describe(ex, field, typeInfo)));
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

    // The request types are flat objects, so a field is the one segment of "$.name".
    private static string? FieldOf(string? path) =>
        path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal) && path.IndexOfAny(['.', '['], 2) < 0 ? path[2..] : null;

    private static string Describe(JsonException ex, string? field, JsonTypeInfo typeInfo)
    {
        // The reader's own exception (a JsonException subtype) as inner exception: the text is not JSON.
        if (ex.InnerException is JsonException)
        {
            return $"Malformed JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).";
        }

        // A value that the property's converter could not read as its type (GetInt32, GetString, ...).
        if (ex.InnerException is FormatException or InvalidOperationException or OverflowException)
        {
            return "Wrong type or out-of-range value.";
        }

        if (field is null)
        {
            return "The body must be a JSON object.";
        }

        var property = typeInfo.Properties.FirstOrDefault(p => p.Name == field);
        if (property is null)
        {
            return "Unknown field.";
        }

        // A known field the serializer refused without a conversion error: it appears twice, or (for status) its
        // converter refused the value.
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type == typeof(WorkflowStatus)
            ? "Repeated field, or not one of pending, running, completed, failed, cancelled."
            : "Repeated field.";
    }

    private static ProblemHttpResult BadBody(string field, string message) => TypedResults.Problem(
        new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body is not valid",
            Detail = $"{field}: {message}",
        });

    private static ProblemHttpResult TooLarge(int maxBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body must be at most {maxBytes} bytes.");
}
