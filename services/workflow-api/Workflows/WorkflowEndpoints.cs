using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Messaging;
using Vapora.ServiceDefaults.Security;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>The REST surface: create, update, read, list and history of workflows.</summary>
public static class WorkflowEndpoints
{
    /// <summary>Maps <c>/api/workflows</c>.</summary>
    public static IEndpointRouteBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/workflows").WithTags("Workflows").RequireAuthorization(AuthenticationExtensions.ReadPolicy);

        api.MapPost("/", CreateWorkflow).WithName(nameof(CreateWorkflow))
            .WithSummary("Create a workflow (version 1, pending); honours Idempotency-Key.")
            .Accepts<CreateWorkflowRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireAuthorization(AuthenticationExtensions.WritePolicy).RequireRateLimiting(RateLimitExtensions.WritePolicy);
        api.MapGet("/", ListWorkflows).WithName(nameof(ListWorkflows))
            .WithSummary("List workflows, newest first, optionally of one status; page with next_cursor.");
        api.MapGet("/{id}", GetWorkflow).WithName(nameof(GetWorkflow))
            .WithSummary("The current state; ETag is the version (If-None-Match gives 304).");
        api.MapPatch("/{id}", UpdateWorkflow).WithName(nameof(UpdateWorkflow))
            .WithSummary("Apply one update: status and/or progress and message. If-Match gives optimistic concurrency.")
            .Accepts<UpdateWorkflowRequest>("application/json", "application/merge-patch+json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireAuthorization(AuthenticationExtensions.WritePolicy).RequireRateLimiting(RateLimitExtensions.WritePolicy);
        api.MapGet("/{id}/history", GetHistory).WithName(nameof(GetHistory))
            .WithSummary("Updates with version > after, in version order (default limit 100, max 1000).");

        return app;
    }

    /// <summary>POST /api/workflows: a new workflow at version 1, status pending.</summary>
    public static async Task<Results<Created<WorkflowState>, ProblemHttpResult>> CreateWorkflow(
        HttpContext http, [AsParameters] WorkflowServices services)
    {
        string? key = null;
        if (http.Request.Headers.TryGetValue("Idempotency-Key", out var keyHeader))
        {
            key = keyHeader.ToString();
            if (services.Validator.ValidateIdempotencyKey(key) is { } keyError)
            {
                return Invalid("Idempotency-Key", keyError);
            }
        }

        var (request, problem) = await JsonBody.ReadAsync(http.Request, VaporaJsonContext.Default.CreateWorkflowRequest,
            services.Limits.Value.MaxBodyBytes, http.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (services.Validator.Validate(request!) is { Count: > 0 } errors)
        {
            return Invalid(errors);
        }

        var now = UtcTimestampJsonConverter.Truncate(services.Time.GetUtcNow());
        var workflow = new NewWorkflow(
            WorkflowIdGenerator.NewId(now), request!.Name!, request.TotalSteps ?? 0,
            string.IsNullOrEmpty(request.Message) ? null : request.Message, now,
            key, key is null ? null : Fingerprint(request));

        switch (await services.Store.CreateAsync(workflow, CancellationToken.None))
        {
            case CreateOutcome.Created created:
                services.Metrics.Accepted();
                ApiLog.Created(services.Logger, created.State.WorkflowId);
                await services.Dispatcher.DispatchAsync(created.FirstUpdate);
                http.Response.Headers.ETag = EntityTags.For(created.State.Version);
                return TypedResults.Created(LocationOf(created.State.WorkflowId), created.State);
            case CreateOutcome.Replayed replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                http.Response.Headers.ETag = EntityTags.For(replayed.State.Version);
                return TypedResults.Created(LocationOf(replayed.State.WorkflowId), replayed.State);
            case CreateOutcome.KeyReused reused:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Idempotency-Key reused",
                    detail: $"This Idempotency-Key created workflow {reused.ExistingWorkflowId} from a different request body.");
            default:
                throw new InvalidOperationException("Unknown create outcome.");
        }
    }

    /// <summary>PATCH /api/workflows/{id}: one accepted PATCH is exactly one new version.</summary>
    public static async Task<Results<Ok<WorkflowState>, ProblemHttpResult>> UpdateWorkflow(
        string id, HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!WorkflowIds.IsValid(id))
        {
            return InvalidId();
        }

        long? expectedVersion = null;
        if (http.Request.Headers.IfMatch is { Count: > 0 } ifMatch)
        {
            if (!EntityTags.TryParse(ifMatch.ToString(), out expectedVersion))
            {
                return Invalid("If-Match", "If-Match must be a version entity tag such as \"7\", or *.");
            }
        }

        var (request, problem) = await JsonBody.ReadAsync(http.Request, VaporaJsonContext.Default.UpdateWorkflowRequest,
            services.Limits.Value.MaxBodyBytes, http.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (services.Validator.Validate(request!) is { Count: > 0 } errors)
        {
            return Invalid(errors);
        }

        var change = new WorkflowChange(request!.Status, request.CurrentStep, request.TotalSteps, request.Message);
        // Not the request's token: once the store is asked, the write and its publish finish even if the client leaves.
        switch (await services.Store.UpdateAsync(id, change, expectedVersion, CancellationToken.None))
        {
            case UpdateOutcome.Applied applied:
                services.Metrics.Accepted();
                await services.Dispatcher.DispatchAsync(applied.Update);
                http.Response.Headers.ETag = EntityTags.For(applied.State.Version);
                return TypedResults.Ok(applied.State);
            case UpdateOutcome.NotFound:
                return NotFound(id);
            case UpdateOutcome.VersionMismatch mismatch:
                http.Response.Headers.ETag = EntityTags.For(mismatch.CurrentVersion);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    title: "Version mismatch",
                    detail: $"If-Match names version {expectedVersion}, but the workflow is at version {mismatch.CurrentVersion}.",
                    extensions: new Dictionary<string, object?> { ["current_version"] = mismatch.CurrentVersion });
            case UpdateOutcome.Rejected { Reason.Kind: ChangeRejectionKind.IllegalTransition } rejected:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Illegal status change",
                    detail: rejected.Reason.Detail);
            case UpdateOutcome.Rejected rejected:
                return Invalid(rejected.Reason.Field, rejected.Reason.Detail);
            case UpdateOutcome.Contended:
                ApiLog.Contended(services.Logger, id);
                http.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Too many concurrent writers",
                    detail: "Other writers kept taking the next version of this workflow; retry shortly.");
            default:
                throw new InvalidOperationException("Unknown update outcome.");
        }
    }

    /// <summary>GET /api/workflows/{id}: the current state; ETag is the version.</summary>
    public static async Task<Results<Ok<WorkflowState>, StatusCodeHttpResult, ProblemHttpResult>> GetWorkflow(
        string id, HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!WorkflowIds.IsValid(id))
        {
            return InvalidId();
        }

        if (!services.Access.CanRead(http.User, id))
        {
            return Forbidden(id);
        }

        var state = await services.Store.GetAsync(id, http.RequestAborted);
        if (state is null)
        {
            return NotFound(id);
        }

        var etag = EntityTags.For(state.Version);
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch is { Count: > 0 } ifNoneMatch
            && EntityTags.TryParse(ifNoneMatch.ToString(), out var seen) && (seen is null || seen == state.Version))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(state);
    }

    /// <summary>GET /api/workflows?status=&amp;limit=&amp;cursor=: newest first, paged.</summary>
    public static async Task<Results<Ok<WorkflowPage>, ProblemHttpResult>> ListWorkflows(
        string? status, string? limit, string? cursor, HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!services.Access.CanReadAll(http.User))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: $"Listing workflows needs the scope {WorkflowClaims.ReadScope}.");
        }

        var limits = services.Limits.Value;
        WorkflowStatus? statusFilter = null;
        if (status is not null)
        {
            if (!WorkflowStatusRules.TryParseWireName(status, out var parsed))
            {
                return Invalid("status", "status must be one of pending, running, completed, failed, cancelled.");
            }

            statusFilter = parsed;
        }

        if (!TryParseLimit(limit, limits.DefaultPageSize, limits.MaxPageSize, out var pageSize))
        {
            return Invalid("limit", $"limit must be an integer from 1 to {limits.MaxPageSize}.");
        }

        if (cursor is not null && !WorkflowIds.IsValid(cursor))
        {
            return Invalid("cursor", "cursor must be a next_cursor value from a previous page.");
        }

        var page = await services.Store.ListAsync(statusFilter, cursor, pageSize, http.RequestAborted);
        return TypedResults.Ok(new WorkflowPage { Items = page.Items, NextCursor = page.NextCursor });
    }

    /// <summary>GET /api/workflows/{id}/history?after=N&amp;limit=M: updates after version N, in version order.</summary>
    public static async Task<Results<UpdateLogResult, ProblemHttpResult>> GetHistory(
        string id, string? after, string? limit, HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!WorkflowIds.IsValid(id))
        {
            return InvalidId();
        }

        if (!services.Access.CanRead(http.User, id))
        {
            return Forbidden(id);
        }

        var afterVersion = 0L;
        if (after is not null && (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterVersion)))
        {
            return Invalid("after", "after must be a version: an integer of 0 or more.");
        }

        var limits = services.Limits.Value;
        if (!TryParseLimit(limit, limits.DefaultHistoryLimit, limits.MaxHistoryLimit, out var count))
        {
            return Invalid("limit", $"limit must be an integer from 1 to {limits.MaxHistoryLimit}.");
        }

        return await services.Store.GetHistoryAsync(id, afterVersion, count, http.RequestAborted) switch
        {
            HistoryOutcome.Found found => new UpdateLogResult(found.Updates),
            _ => NotFound(id),
        };
    }

    private static bool TryParseLimit(string? value, int defaultValue, int max, out int limit)
    {
        if (value is null)
        {
            limit = defaultValue;
            return true;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max;
    }

    private static string LocationOf(string id) => "/api/workflows/" + id;

    // Distinguishes a retry (same body) from a different request that reuses an Idempotency-Key.
    private static string Fingerprint(CreateWorkflowRequest request)
    {
        var text = string.Join('\u001f', request.Name, request.TotalSteps?.ToString(CultureInfo.InvariantCulture) ?? "", request.Message ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static ProblemHttpResult NotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Workflow not found",
        detail: $"There is no workflow {id}.");

    private static ProblemHttpResult Forbidden(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Forbidden",
        detail: $"This token does not allow reading workflow {id}.");

    private static ProblemHttpResult InvalidId() =>
        Invalid("id", $"A workflow id is {WorkflowIds.FormatDescription}.");

    private static ProblemHttpResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    private static ProblemHttpResult Invalid(Dictionary<string, string[]> errors) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request is not valid",
        detail: string.Join(" ", errors.SelectMany(e => e.Value)),
        extensions: new Dictionary<string, object?> { ["errors"] = errors });
}

/// <summary>What every workflow handler needs, injected as one parameter.</summary>
public sealed record WorkflowServices(
    IWorkflowStore Store,
    UpdateDispatcher Dispatcher,
    WorkflowRequestValidator Validator,
    IOptions<WorkflowLimits> Limits,
    ApiMetrics Metrics,
    WorkflowAccess Access,
    TimeProvider Time,
    ILogger<WorkflowServices> Logger);
