namespace Vapora.Bench.Publishing;

/// <summary>Sends updates into the system under test, one workflow at a time.</summary>
internal interface IUpdatePublisher : IAsyncDisposable
{
    /// <summary>
    /// Sends the next update of <paramref name="workflow"/>, stamped with the current time. Called from the pacer's
    /// one thread, in order; must not block (the send completes in the background).
    /// </summary>
    void Publish(int workflow);

    /// <summary>Updates of <paramref name="workflow"/> that went out: its watchers expect versions 2 to 1 + this.</summary>
    long Accepted(int workflow);

    /// <summary>Sends that failed (they are not expected by anyone).</summary>
    long Failed { get; }

    /// <summary>The first failure, for the report.</summary>
    string? FirstError { get; }

    /// <summary>Updates handed to <see cref="Publish"/> whose send has not finished: a growing backlog means the publishing side is the limit.</summary>
    long Backlog { get; }

    /// <summary>Waits until every update handed to <see cref="Publish"/> has been sent or has failed.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
