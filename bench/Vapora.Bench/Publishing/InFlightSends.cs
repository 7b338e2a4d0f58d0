namespace Vapora.Bench.Publishing;

/// <summary>Sends started but not finished. Lets the pacer fire sends without awaiting them and still count failures.</summary>
internal sealed class InFlightSends
{
    private long _pending;

    public SendFailures Failures { get; } = new();

    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Watches <paramref name="send"/>; <paramref name="onFailure"/> runs if it fails.</summary>
    public void Track(Task send, Action onFailure)
    {
        if (send.IsCompletedSuccessfully)
        {
            return;
        }

        Interlocked.Increment(ref _pending);
        send.ContinueWith(
            static (completed, state) =>
            {
                var (self, failure) = ((InFlightSends, Action))state!;
                if (!completed.IsCompletedSuccessfully)
                {
                    self.Failures.Record(completed.Exception?.GetBaseException().Message ?? "cancelled");
                    failure();
                }

                Interlocked.Decrement(ref self._pending);
            },
            (this, onFailure),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Polls until nothing is in flight.</summary>
    public async Task WaitIdleAsync(CancellationToken cancellationToken)
    {
        while (Pending > 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
