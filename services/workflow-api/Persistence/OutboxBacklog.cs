namespace Vapora.WorkflowApi.Persistence;

/// <summary>What the outbox holds: how many entries (up to a cap) and when the oldest of them was accepted.</summary>
/// <param name="Count">Unpublished entries, counted up to the cap the caller gave.</param>
/// <param name="OldestAcceptedAt">
/// When the store accepted the oldest of all of them (its <c>accepted_at</c>, taken by the accepting replica's clock),
/// found beyond the cap too; null when there are none.
/// </param>
public readonly record struct OutboxBacklog(long Count, DateTimeOffset? OldestAcceptedAt);
