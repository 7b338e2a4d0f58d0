using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Connections;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// Gateway:MaxConcurrentAdmissions: connections past the limit wait their turn in order, one that waits too long or finds
/// the queue full is answered 503 with Retry-After, a client gone while waiting is let go at its turn, and every turn is
/// given back once: when the first subscribe ends, or by the pacer after Gateway:AdmissionHoldLimit.
/// </summary>
public sealed class AdmissionPacerTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TestMetrics _metrics = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    public void Dispose()
    {
        _metrics.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task Connections_past_the_limit_wait_their_turn_in_arrival_order()
    {
        using var pacer = Pacer(new ConnectionOptions { MaxConcurrentAdmissions = 2, AdmissionHoldLimit = TimeSpan.FromMinutes(1) });
        var first = await pacer.EnterAsync(Request());
        var second = await pacer.EnterAsync(Request());
        var third = pacer.EnterAsync(Request()).AsTask();
        var fourth = pacer.EnterAsync(Request()).AsTask();
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.False(third.IsCompleted);
        Assert.False(fourth.IsCompleted);

        first.Release();
        var thirdTicket = await third.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.NotNull(thirdTicket);
        Assert.False(fourth.IsCompleted);

        // Released twice, a turn is given back once: the fourth still waits for a turn of its own.
        first.Release();
        Assert.Equal(1, pacer.Waiting);
        second.Release();
        Assert.Equal(0, pacer.Waiting);
        Assert.NotNull(await fourth.WaitAsync(Deadline, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task One_that_waits_past_the_queue_timeout_is_answered_503_with_retry_after_and_counted()
    {
        using var pacer = Pacer(new ConnectionOptions { MaxConcurrentAdmissions = 1, AdmissionQueueTimeout = TimeSpan.FromMilliseconds(100), AdmissionHoldLimit = TimeSpan.FromMinutes(1) });
        var held = await pacer.EnterAsync(Request());
        var late = Request();

        Assert.Null(await pacer.EnterAsync(late));

        Assert.NotNull(held);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, late.Response.StatusCode);
        Assert.Equal("1", late.Response.Headers.RetryAfter.ToString());
        Assert.Contains("MaxConcurrentAdmissions", Body(late), StringComparison.Ordinal);
        Assert.Equal(1, _metrics.Total("vapora.gateway.inbound.rejected"));
    }

    [Fact]
    public async Task A_full_queue_answers_503_at_once()
    {
        using var pacer = Pacer(new ConnectionOptions { MaxConcurrentAdmissions = 1, AdmissionQueueLimit = 1, AdmissionQueueTimeout = TimeSpan.FromMinutes(1), AdmissionHoldLimit = TimeSpan.FromMinutes(1) });
        var held = await pacer.EnterAsync(Request());
        var waiting = pacer.EnterAsync(Request()).AsTask();
        var refused = Request();

        var answer = pacer.EnterAsync(refused).AsTask();

        Assert.Null(await answer.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.Response.StatusCode);
        Assert.False(waiting.IsCompleted);
        held!.Release();
        Assert.NotNull(await waiting.WaitAsync(Deadline, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_client_gone_while_waiting_is_let_go_at_its_turn_without_an_answer_and_the_turn_goes_on()
    {
        using var pacer = Pacer(new ConnectionOptions { MaxConcurrentAdmissions = 1, AdmissionQueueTimeout = TimeSpan.FromMinutes(1), AdmissionHoldLimit = TimeSpan.FromMinutes(1) });
        var held = await pacer.EnterAsync(Request());
        using var gone = new CancellationTokenSource();
        var leaving = RequestAbortedBy(gone.Token);
        var waiting = pacer.EnterAsync(leaving).AsTask();
        var next = pacer.EnterAsync(Request()).AsTask();

        await gone.CancelAsync();
        held!.Release();

        Assert.Null(await waiting.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        Assert.Equal(StatusCodes.Status200OK, leaving.Response.StatusCode);
        Assert.Equal(0, _metrics.Total("vapora.gateway.inbound.rejected"));
        Assert.NotNull(await next.WaitAsync(Deadline, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_start_gives_its_turn_back_when_it_ends_and_when_it_fails()
    {
        using var pacer = Pacer(new ConnectionOptions { MaxConcurrentAdmissions = 1, AdmissionHoldLimit = TimeSpan.FromMinutes(1) });
        var ticket = await pacer.EnterAsync(Request());
        var finish = new TaskCompletionSource();
        var start = ticket!.Around(_ => finish.Task);
        var running = start(null!);
        var next = pacer.EnterAsync(Request()).AsTask();
        Assert.False(next.IsCompleted);

        finish.SetException(new InvalidOperationException("the subscribe failed"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => running);
        var nextTicket = await next.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var after = pacer.EnterAsync(Request()).AsTask();
        Assert.False(after.IsCompleted);
        await nextTicket!.Around(_ => Task.CompletedTask)(null!);
        Assert.NotNull(await after.WaitAsync(Deadline, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_start_that_waits_past_the_hold_limit_gives_its_turn_on_and_still_runs_to_its_end()
    {
        using var pacer = Pacer(new ConnectionOptions { MaxConcurrentAdmissions = 1, AdmissionHoldLimit = TimeSpan.FromMilliseconds(50) });
        var ticket = await pacer.EnterAsync(Request());
        var api = new TaskCompletionSource();
        var running = ticket!.Around(_ => api.Task)(null!);

        var next = await pacer.EnterAsync(Request()).AsTask().WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.NotNull(next);
        Assert.False(running.IsCompleted);
        api.SetResult();
        await running.WaitAsync(Deadline, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_hold_limit_holds_again_after_every_turn_was_given_back()
    {
        using var pacer = Pacer(new ConnectionOptions { MaxConcurrentAdmissions = 1, AdmissionHoldLimit = TimeSpan.FromMilliseconds(20) });
        var stuck = new TaskCompletionSource();
        for (var round = 0; round < 20; round++)
        {
            // A start that never ends holds the only turn; the pacer gives it on after the hold limit.
            var held = await pacer.EnterAsync(Request());
            _ = held!.Around(_ => stuck.Task)(null!);
            var next = await pacer.EnterAsync(Request()).AsTask().WaitAsync(Deadline, TestContext.Current.CancellationToken);

            // Given back at once: nothing is held, and the pacer's timer stops until the next round takes a turn.
            next!.Release();
            await Poll.UntilAsync(() => pacer.Held == 0, Deadline, "the pacer to forget the turns given back");
        }
    }

    [Fact]
    public async Task Zero_turns_means_no_pacing()
    {
        using var pacer = Pacer(new ConnectionOptions { MaxConcurrentAdmissions = 0 });

        for (var i = 0; i < 1000; i++)
        {
            var entering = pacer.EnterAsync(Request());
            Assert.True(entering.IsCompletedSuccessfully);
            Assert.Same(AdmissionTicket.Unpaced, await entering);
        }
    }

    private AdmissionPacer Pacer(ConnectionOptions options) => new(Options.Create(options), TimeProvider.System, _metrics.Metrics);

    private DefaultHttpContext Request() => new()
    {
        RequestServices = _services,
        Response = { Body = new MemoryStream() },
    };

    private DefaultHttpContext RequestAbortedBy(CancellationToken aborted)
    {
        var request = Request();
        request.RequestAborted = aborted;
        return request;
    }

    private static string Body(HttpContext http) => Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray());
}
