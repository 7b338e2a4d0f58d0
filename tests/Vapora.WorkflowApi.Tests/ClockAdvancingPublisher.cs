using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Publishes after the clock moved on by <paramref name="stall"/>: a publish that outlasts a request's deadline.</summary>
internal sealed class ClockAdvancingPublisher(FakeTimeProvider clock, TimeSpan stall) : IUpdatePublisher
{
    public Task PublishAsync(StoredUpdate update, CancellationToken cancellationToken)
    {
        clock.Advance(stall);
        return Task.CompletedTask;
    }
}
