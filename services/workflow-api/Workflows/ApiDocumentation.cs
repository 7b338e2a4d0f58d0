using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The OpenAPI document (<c>/api/openapi/v1.json</c>) and an interactive reference (<c>/api/docs</c>), both under
/// <c>/api/</c> so that the load balancer routes them to the API like every other REST path.
/// </summary>
public static class ApiDocumentation
{
    /// <summary>Where the document is served.</summary>
    public const string DocumentPath = "/api/openapi/{documentName}.json";

    /// <summary>Adds the document generator.</summary>
    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Vapora workflow API";
            document.Info.Description =
                "Create workflows and post their status and progress; every accepted update is one new version, stored, then " +
                "published to the realtime gateways. Errors are application/problem+json. Authentication: a JWT bearer token; " +
                "writes need the scope workflows:write, reads workflows:read or the workflow's id in the 'workflows' claim. " +
                "A write answers with the state only to a caller that may read the workflow, else with a WriteReceipt.";
            WriteAnswers(document, "/api/workflows", HttpMethod.Post, StatusCodes.Status201Created);
            WriteAnswers(document, "/api/workflows/{id}", HttpMethod.Patch, StatusCodes.Status200OK);
            return Task.CompletedTask;
        }));
        return builder;
    }

    // A write's success answer is one of two shapes, by what the caller may read (ASP.NET Core keeps one per status).
    private static void WriteAnswers(OpenApiDocument document, string path, HttpMethod method, int status)
    {
        if (document.Paths.TryGetValue(path, out var item) && item.Operations?.TryGetValue(method, out var operation) == true
            && operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true
            && response.Content?.TryGetValue("application/json", out var content) == true)
        {
            content.Schema = new OpenApiSchema
            {
                OneOf = [new OpenApiSchemaReference(nameof(Vapora.Contracts.WorkflowState), document), new OpenApiSchemaReference(nameof(WriteReceipt), document)],
            };
        }
    }

    /// <summary>Maps the document and the reference page.</summary>
    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference("/api/docs", options => options
            .WithTitle("Vapora workflow API")
            .WithOpenApiRoutePattern(DocumentPath));
        return app;
    }
}
