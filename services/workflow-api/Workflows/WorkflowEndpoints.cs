using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Vapora.Contracts;
using Vapora.ServiceDefaults.Security;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The REST surface: create, update, read, list and history of workflows. Writes go through <see cref="UpdateWriter"/>
/// (store, then publish), reads through <see cref="WorkflowRules"/>. A write answers with the workflow's state only to a
/// caller that may read it; a write-only caller gets a <see cref="WriteReceipt"/> (the workflow and the version it
/// made, also as ETag), and a 412 without the current version.
/// </summary>
public static class WorkflowEndpoints
{
    /// <summary>Maps <c>/api/workflows</c>.</summary>
    public static IEndpointRouteBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/workflows").WithTags("Workflows").RequireAuthorization(AuthenticationExtensions.ReadPolicy)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.AddEndpointFilter<RequestDeadlineFilter>();

        api.MapPost("/", CreateWorkflow).WithName(nameof(CreateWorkflow))
            .WithSummary("Create a workflow (version 1, pending); honours Idempotency-Key.")
            .WithDescription(WriteAnswerDescription + " " + KeyDescription)
            .Accepts<CreateWorkflowRequest>("application/json")
            .Produces<WriteReceipt>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireAuthorization(AuthenticationExtensions.WritePolicy).RequireRateLimiting(RateLimitExtensions.WritePolicy);
        api.MapGet("/", ListWorkflows).WithName(nameof(ListWorkflows))
            .WithSummary("List workflows, newest first, optionally of one status; page with next_cursor.");
        api.MapGet("/{id}", GetWorkflow).WithName(nameof(GetWorkflow))
            .WithSummary("The current state; ETag is the version (If-None-Match gives 304).");
        api.MapPatch("/{id}", UpdateWorkflow).WithName(nameof(UpdateWorkflow))
            .WithSummary("Apply one update: status and/or progress and message. If-Match gives optimistic concurrency; honours Idempotency-Key.")
            .WithDescription(WriteAnswerDescription + " A 412 names the current version (current_version, and as ETag) only to a caller that "
                + "may read the workflow; a 409 or 400 for a caller that may not read it does not name the stored status or steps. An If-Match "
                + "naming a version above the current one is retried while the store may not show it yet (Storage:ContentionTimeout), then 412. "
                + KeyDescription)
            .Accepts<UpdateWorkflowRequest>("application/json", "application/merge-patch+json")
            .Produces<WriteReceipt>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireAuthorization(AuthenticationExtensions.WritePolicy).RequireRateLimiting(RateLimitExtensions.WritePolicy);
        api.MapGet("/{id}/history", GetHistory).WithName(nameof(GetHistory))
            .WithSummary("Updates with version > after, in version order (default limit 100, max 1000).");

        return app;
    }

    private const string KeyDescription =
        "With an Idempotency-Key the write is done once: a retry with the same key and request (method, workflow, If-Match, body) answers "
        + "as the first did, with Idempotent-Replayed: true; the same key with another request is a 422 that names nothing, and nothing is stored. "
        + "A key belongs to the token's subject (sub, else client_id; anonymous without authentication): another subject's key is another key. "
        + "Keys expire after Retention:IdempotencyKeyLifetime (24 h). Idempotency-Key is one header with one value: repeated, or with a comma, "
        + "it is a 400 and nothing is stored; so is a key from a token without a subject.";

    private const string WriteAnswerDescription =
        "The answer carries the workflow's state (WorkflowState) only when the caller may read the workflow (scope workflows:read, "
        + "or its id in the token's workflows claim); a caller that may only write gets a WriteReceipt {workflow_id, version} instead. "
        + "Either way the ETag is the version the write made.";

    /// <summary>POST /api/workflows: a new workflow at version 1, status pending.</summary>
    public static async Task<Results<Created<WorkflowState>, Created<WriteReceipt>, ValidationProblem, ProblemHttpResult>> CreateWorkflow(
        HttpContext http, [AsParameters] WorkflowServices services)
    {
        if (!IdempotencyKeys.TryRead(http.Request, services.Validator, services.Access, out var key, out var keyProblem))
        {
            return keyProblem!;
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
            key is { } subjectKey ? new IdempotentRequest(subjectKey, IdempotencyKeys.Fingerprint(request)) : null);

        // Not the request's token: once the store is asked, the write goes on even if the client leaves; only the
        // request's deadline stops it (before it is stored, or while its summary moves: the relay moves it then).
        switch (await services.Writer.CreateAsync(workflow, RequestDeadline.Of(http)))
        {
            case CreateOutcome.Created created:
                return CreatedAnswer(http, services, created.State);
            case CreateOutcome.Replayed replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return CreatedAnswer(http, services, replayed.State);
            case CreateOutcome.KeyReused:
                return WorkflowProblems.KeyReused();
            default:
                throw new InvalidOperationException("Unknown create outcome.");
        }
    }

    /// <summary>PATCH /api/workflows/{id}: one accepted PATCH is exactly one new version.</summary>
    public static async Task<Results<Ok<WorkflowState>, Ok<WriteReceipt>, ValidationProblem, ProblemHttpResult>> UpdateWorkflow(
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

        if (!IdempotencyKeys.TryRead(http.Request, services.Validator, services.Access, out var key, out var keyProblem))
        {
            return keyProblem!;
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
        var idempotency = key is { } subjectKey ? new IdempotentRequest(subjectKey, IdempotencyKeys.Fingerprint(id, expectedVersion, request)) : null;
        // Not the request's token: once the store is asked, the write goes on even if the client leaves; only the
        // request's deadline stops it (before it is stored, or while its summary moves: the relay moves it then).
        var readable = services.Access.CanRead(http.User, id);
        switch (await services.Writer.UpdateAsync(id, change, expectedVersion, idempotency, RequestDeadline.Of(http)))
        {
            case UpdateOutcome.Applied applied:
                return UpdatedAnswer(http, readable, applied.State);
            case UpdateOutcome.Replayed replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return UpdatedAnswer(http, readable, replayed.State);
            case UpdateOutcome.KeyReused:
                return WorkflowProblems.KeyReused();
            case UpdateOutcome.NotFound:
                return WorkflowProblems.NotFound(id);
            case UpdateOutcome.VersionMismatch mismatch when readable:
                http.Response.Headers.ETag = EntityTags.For(mismatch.CurrentVersion);
                return WorkflowProblems.VersionMismatch(expectedVersion, mismatch.CurrentVersion);
            case UpdateOutcome.VersionMismatch:
                return WorkflowProblems.VersionMismatch(expectedVersion, current: null);
            case UpdateOutcome.Rejected { Reason.Kind: ChangeRejectionKind.IllegalTransition } rejected:
                return WorkflowProblems.IllegalTransition(readable ? rejected.Reason.Detail : rejected.Reason.DetailWithoutState);
            case UpdateOutcome.Rejected rejected:
                return WorkflowProblems.Invalid(rejected.Reason.Field, readable ? rejected.Reason.Detail : rejected.Reason.DetailWithoutState);
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

        var state = await services.Rules.GetAsync(id, http.RequestAborted);
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

        return TypedResults.Ok(await services.Rules.ListAsync(statusFilter, cursor, pageSize, http.RequestAborted));
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

        return await services.Rules.GetHistoryAsync(id, afterVersion, count, http.RequestAborted) switch
        {
            HistoryOutcome.Found found => new UpdateLogResult(found.Updates),
            _ => WorkflowProblems.NotFound(id),
        };
    }

    // An accepted create's ETag is version 1; its body is the state only for a caller that may read the workflow
    // (writing does not grant reading), else a receipt.
    private static Results<Created<WorkflowState>, Created<WriteReceipt>, ValidationProblem, ProblemHttpResult> CreatedAnswer(
        HttpContext http, WorkflowServices services, WorkflowState state)
    {
        http.Response.Headers.ETag = EntityTags.For(state.Version);
        if (!services.Access.CanRead(http.User, state.WorkflowId))
        {
            return TypedResults.Created(LocationOf(state.WorkflowId), WriteReceipt.Of(state));
        }

        return TypedResults.Created(LocationOf(state.WorkflowId), state);
    }

    // An accepted PATCH's ETag is the version it made; its body is the state only for a caller that may read the workflow.
    private static Results<Ok<WorkflowState>, Ok<WriteReceipt>, ValidationProblem, ProblemHttpResult> UpdatedAnswer(
        HttpContext http, bool readable, WorkflowState state)
    {
        http.Response.Headers.ETag = EntityTags.For(state.Version);
        return readable ? TypedResults.Ok(state) : TypedResults.Ok(WriteReceipt.Of(state));
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
}
