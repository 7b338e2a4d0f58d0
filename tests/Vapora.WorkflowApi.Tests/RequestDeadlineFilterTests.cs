using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// The request deadline on a fake clock: wherever it fires (inside a store call, in the summary move, during the
/// publish, after the answer is ready) the request answers 503 or its real answer, never 500, and never half an answer.
/// </summary>
public sealed class RequestDeadlineFilterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void A_deadline_that_passed_cancels_its_token_after_saying_so_and_cannot_be_stopped_any_more()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new RequestDeadline(Timeout, clock);
        var passedWhenCancelled = false;
        using var registration = deadline.Token.Register(() => passedWhenCancelled = deadline.HasPassed);

        clock.Advance(Timeout);

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.True(passedWhenCancelled);
        Assert.False(deadline.TryStop());
    }

    [Fact]
    public void A_stopped_deadline_never_cancels_when_its_time_comes()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new RequestDeadline(Timeout, clock);

        var stopped = deadline.TryStop();
        clock.Advance(Timeout * 3);

        Assert.True(stopped);
        Assert.False(deadline.Token.IsCancellationRequested);
        Assert.False(deadline.HasPassed);
        Assert.True(deadline.TryStop());
    }

    [Fact]
    public async Task A_store_call_cancelled_by_the_deadline_answers_503_with_retry_after_not_500()
    {
        var clock = new FakeTimeProvider();
        var http = Request();

        // The store call's own cancellation is the first to run when the deadline fires: it unwinds the handler
        // before anything else hears of the deadline.
        var result = await InvokeAsync(clock, http, async context =>
        {
            var token = RequestDeadline.Of(context.HttpContext).Token;
            var call = Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, token);
            clock.Advance(Timeout);
            await call;
            return Results.Ok();
        });

        await AssertDeadlineAnswerAsync(http, result);
    }

    [Fact]
    public async Task An_answer_ready_after_the_deadline_passed_is_replaced_by_503_without_the_headers_it_set()
    {
        var clock = new FakeTimeProvider();
        var http = Request();

        var result = await InvokeAsync(clock, http, context =>
        {
            context.HttpContext.Response.Headers.ETag = "\"2\"";
            clock.Advance(Timeout);
            return ValueTask.FromResult<object?>(Results.Ok());
        });

        await AssertDeadlineAnswerAsync(http, result);
        Assert.False(http.Response.Headers.ContainsKey("ETag"));
    }

    [Fact]
    public async Task Once_the_handler_has_its_answer_the_deadline_cannot_cut_it_while_it_is_written()
    {
        var clock = new FakeTimeProvider();
        var http = Request();
        using var client = new CancellationTokenSource();
        http.RequestAborted = client.Token;
        var tokenDuringHandler = CancellationToken.None;
        var ok = Results.Ok();

        var result = await InvokeAsync(clock, http, context =>
        {
            tokenDuringHandler = context.HttpContext.RequestAborted;
            return ValueTask.FromResult<object?>(ok);
        });
        clock.Advance(Timeout * 2);

        Assert.Same(ok, result);
        Assert.Equal(client.Token, http.RequestAborted);
        Assert.NotEqual(client.Token, tokenDuringHandler); // the body read stopped at the deadline too
        Assert.False(http.RequestAborted.IsCancellationRequested);
    }

    [Fact]
    public async Task A_write_whose_publish_outlasts_the_deadline_is_answered_as_written()
    {
        var clock = new FakeTimeProvider();
        var storage = Memory(clock);
        var id = ((CreateOutcome.Created)await Rules(storage, time: clock).CreateAsync(NewWorkflow(), Ct)).First.WorkflowId;
        using var deadline = new RequestDeadline(Timeout, clock);
        var writer = UpdateWriter(storage, new ClockAdvancingPublisher(clock, Timeout * 2), clock);

        var outcome = await writer.UpdateAsync(id, Step(1), null, null, deadline);

        Assert.IsType<UpdateOutcome.Applied>(outcome);
        Assert.True(deadline.TryStop());
        Assert.False(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task A_write_whose_deadline_passes_while_its_summary_moves_is_stored_published_and_left_to_the_relay()
    {
        var clock = new FakeTimeProvider();
        var storage = Memory(clock);
        var id = ((CreateOutcome.Created)await WritePath(storage, time: clock).CreateAsync(NewWorkflow())).First.WorkflowId;
        using var deadline = new RequestDeadline(Timeout, clock);
        var publisher = new RecordingPublisher();
        var writer = UpdateWriter(new SummaryStallingStorage(storage, clock, Timeout), publisher, clock);

        var outcome = await writer.UpdateAsync(id, Step(1), null, null, deadline);

        var applied = Assert.IsType<UpdateOutcome.Applied>(outcome);
        Assert.True(deadline.HasPassed); // the filter answers 503: the client retries with If-Match and gets 412
        Assert.Contains(applied.Entry.Key, publisher.Published);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Contains(applied.Entry.Key, (await storage.ScanUnpublishedAsync(clock.GetUtcNow(), 10, Ct)).Select(e => e.Key));
    }

    private static DefaultHttpContext Request()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        return new DefaultHttpContext { RequestServices = services, Response = { Body = new MemoryStream() } };
    }

    private static ValueTask<object?> InvokeAsync(FakeTimeProvider clock, HttpContext http, EndpointFilterDelegate handler)
    {
        var options = Options.Create(new StorageOptions { RequestTimeout = Timeout });
        var responder = new RequestDeadlineResponder(http.RequestServices.GetRequiredService<IProblemDetailsService>(), options, Metrics(), clock,
            NullLogger<RequestDeadlineResponder>.Instance);
        return new RequestDeadlineFilter(options, clock, responder).InvokeAsync(EndpointFilterInvocationContext.Create(http), handler);
    }

    private static async Task AssertDeadlineAnswerAsync(HttpContext http, object? result)
    {
        await Assert.IsAssignableFrom<IResult>(result).ExecuteAsync(http);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal("1", http.Response.Headers.RetryAfter.ToString());
        Assert.StartsWith("application/problem+json", http.Response.ContentType, StringComparison.Ordinal);
    }
}
