using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;
using Vapora.ServiceDefaults.Security;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>The REST surface: create, update, read, list and history of workflows.</summary>
public static class WorkflowEndpoints
{
    /// <summary>Maps <c>/api/workflows</c>.</summary>
    public static IEndpointRouteBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/workflows").WithTags("Workflows").RequireAuthorization(AuthenticationExtensions.ReadPolicy)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.WithRequestTimeout(RequestDeadline.PolicyName);
        api.AddEndpointFilter(RequestDeadline.SettleAsync);

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
    public static async Task<Results<Created<WorkflowState>, ValidationProblem, ProblemHttpResult>> CreateWorkflow(
        HttpContext http, [AsParameters] WorkflowServices services)
    {
        string? key = null;
        if (http.Request.Headers.TryGetValue("Idempotency-Key", out var keyHeader))
        {
            key = keyHeader.ToString();
            if (services.Validator.ValidateIdempotencyKey(key) is { } keyError)
            {
                return WorkflowProblems.Invalid("Idempotency-Key", keyError);
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
            return WorkflowProblems.Invalid(errors);
        }

        var now = UtcTimestampJsonConverter.Truncate(services.Time.GetUtcNow());
        var workflow = new NewWorkflow(
            WorkflowIdGenerator.NewId(now), request!.Name!, request.TotalSteps ?? 0,
            string.IsNullOrEmpty(request.Message) ? null : request.Message, now,
            key, key is null ? null : Fingerprint(request));

        // Not the request's token: once the store is asked, the write goes on even if the client leaves; only the
        // request's deadline stops it (before it is stored, or while its summary moves: the relay moves it then).
        switch (await services.Store.CreateAsync(workflow, RequestDeadline.Of(http)))
        {
            case CreateOutcome.Created created:
                services.Metrics.Accepted();
                ApiLog.Created(services.Logger, created.First.WorkflowId);
                await PublishAsync(http, services, created.First.Update, created.SummaryCurrent);
                http.Response.Headers.ETag = EntityTags.For(created.First.Version);
                return TypedResults.Created(LocationOf(created.First.WorkflowId), created.State);
            case CreateOutcome.Replayed replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                http.Response.Headers.ETag = EntityTags.For(replayed.State.Version);
                return TypedResults.Created(LocationOf(replayed.State.WorkflowId), replayed.State);
            case CreateOutcome.KeyReused reused:
                return WorkflowProblems.KeyReused(reused.ExistingWorkflowId);
            default:
                throw new InvalidOperationException("Unknown create outcome.");
        }
    }

    /// <summary>PATCH /api/workflows/{id}: one accepted PATCH is exactly one new version.</summary>
    public static async Task<Results<Ok<WorkflowState>, ValidationProblem, ProblemHttpResult>> UpdateWorkflow(
        string id, HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!WorkflowIds.IsValid(id))
        {
            return WorkflowProblems.InvalidId();
        }

        long? expectedVersion = null;
        if (http.Request.Headers.IfMatch is { Count: > 0 } ifMatch && !EntityTags.TryParseIfMatch(ifMatch, out expectedVersion))
        {
            return WorkflowProblems.Invalid("If-Match", "If-Match must be one version entity tag such as \"7\", or *.");
        }

        var (request, problem) = await JsonBody.ReadAsync(http.Request, VaporaJsonContext.Default.UpdateWorkflowRequest,
            services.Limits.Value.MaxBodyBytes, http.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (services.Validator.Validate(request!) is { Count: > 0 } errors)
        {
            return WorkflowProblems.Invalid(errors);
        }

        var change = new WorkflowChange(request!.Status, request.CurrentStep, request.TotalSteps, request.Message);
        // Not the request's token: once the store is asked, the write goes on even if the client leaves; only the
        // request's deadline stops it (before it is stored, or while its summary moves: the relay moves it then).
        switch (await services.Store.UpdateAsync(id, change, expectedVersion, RequestDeadline.Of(http)))
        {
            case UpdateOutcome.Applied applied:
                services.Metrics.Accepted();
                await PublishAsync(http, services, applied.Entry.Update, applied.SummaryCurrent);
                http.Response.Headers.ETag = EntityTags.For(applied.Entry.Version);
                return TypedResults.Ok(applied.State);
            case UpdateOutcome.NotFound:
                return WorkflowProblems.NotFound(id);
            case UpdateOutcome.VersionMismatch mismatch:
                http.Response.Headers.ETag = EntityTags.For(mismatch.CurrentVersion);
                return WorkflowProblems.VersionMismatch(expectedVersion, mismatch.CurrentVersion);
            case UpdateOutcome.Rejected { Reason.Kind: ChangeRejectionKind.IllegalTransition } rejected:
                return WorkflowProblems.IllegalTransition(rejected.Reason.Detail);
            case UpdateOutcome.Rejected rejected:
                return WorkflowProblems.Invalid(rejected.Reason.Field, rejected.Reason.Detail);
            case UpdateOutcome.Contended:
                http.Response.Headers.RetryAfter = "1";
                return WorkflowProblems.Contended();
            default:
                throw new InvalidOperationException("Unknown update outcome.");
        }
    }

    /// <summary>GET /api/workflows/{id}: the current state; ETag is the version.</summary>
    public static async Task<Results<Ok<WorkflowState>, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> GetWorkflow(
        string id, HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!WorkflowIds.IsValid(id))
        {
            return WorkflowProblems.InvalidId();
        }

        if (!services.Access.CanRead(http.User, id))
        {
            return WorkflowProblems.Forbidden(id);
        }

        var state = await services.Store.GetAsync(id, http.RequestAborted);
        if (state is null)
        {
            return WorkflowProblems.NotFound(id);
        }

        http.Response.Headers.ETag = EntityTags.For(state.Version);
        return EntityTags.IfNoneMatchHolds(http.Request.Headers.IfNoneMatch, state.Version)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(state);
    }

    /// <summary>GET /api/workflows?status=&amp;limit=&amp;cursor=: newest first, paged.</summary>
    public static async Task<Results<Ok<WorkflowPage>, ValidationProblem, ProblemHttpResult>> ListWorkflows(
        string? status, string? limit, string? cursor, HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!services.Access.CanReadAll(http.User))
        {
            return WorkflowProblems.ListForbidden();
        }

        var limits = services.Limits.Value;
        WorkflowStatus? statusFilter = null;
        if (status is not null)
        {
            if (!WorkflowStatusRules.TryParseWireName(status, out var parsed))
            {
                return WorkflowProblems.Invalid("status", "status must be one of pending, running, completed, failed, cancelled.");
            }

            statusFilter = parsed;
        }

        if (!TryParseLimit(limit, limits.DefaultPageSize, limits.MaxPageSize, out var pageSize))
        {
            return WorkflowProblems.Invalid("limit", $"limit must be an integer from 1 to {limits.MaxPageSize}.");
        }

        if (cursor is not null && !WorkflowIds.IsValid(cursor))
        {
            return WorkflowProblems.Invalid("cursor", "cursor must be a next_cursor value from a previous page.");
        }

        return TypedResults.Ok(await services.Store.ListAsync(statusFilter, cursor, pageSize, http.RequestAborted));
    }

    /// <summary>GET /api/workflows/{id}/history?after=N&amp;limit=M: updates after version N, in version order.</summary>
    public static async Task<Results<UpdateLogResult, ValidationProblem, ProblemHttpResult>> GetHistory(
        string id, string? after, string? limit, HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!WorkflowIds.IsValid(id))
        {
            return WorkflowProblems.InvalidId();
        }

        if (!services.Access.CanRead(http.User, id))
        {
            return WorkflowProblems.Forbidden(id);
        }

        var afterVersion = 0L;
        if (after is not null && (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterVersion)))
        {
            return WorkflowProblems.Invalid("after", "after must be a version: an integer of 0 or more.");
        }

        var limits = services.Limits.Value;
        if (!TryParseLimit(limit, limits.DefaultHistoryLimit, limits.MaxHistoryLimit, out var count))
        {
            return WorkflowProblems.Invalid("limit", $"limit must be an integer from 1 to {limits.MaxHistoryLimit}.");
        }

        return await services.Store.GetHistoryAsync(id, afterVersion, count, http.RequestAborted) switch
        {
            HistoryOutcome.Found found => new UpdateLogResult(found.Updates),
            _ => WorkflowProblems.NotFound(id),
        };
    }

    // A stored update is published whatever the deadline (the publish has its own bound, Publishing:PublishTimeout).
    // The deadline stops first, so a publish that ends after it does not turn a stored write into a 503; had it passed
    // already, the answer is 503 once the update is published (the outbox relay would publish it otherwise).
    private static async Task PublishAsync(HttpContext http, WorkflowServices services, StoredUpdate update, bool summaryCurrent)
    {
        var inTime = RequestDeadline.TryStop(http);
        await services.Dispatcher.DispatchAsync(update, summaryCurrent);
        if (!inTime)
        {
            RequestDeadline.ThrowPassed(http);
        }
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
}

/// <summary>What every workflow handler needs, injected as one parameter.</summary>
public sealed record WorkflowServices(
    WorkflowStore Store,
    UpdateDispatcher Dispatcher,
    WorkflowRequestValidator Validator,
    IOptions<WorkflowLimits> Limits,
    ApiMetrics Metrics,
    WorkflowAccess Access,
    TimeProvider Time,
    ILogger<WorkflowServices> Logger);
