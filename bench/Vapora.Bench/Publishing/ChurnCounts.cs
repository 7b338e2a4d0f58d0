namespace Vapora.Bench.Publishing;

/// <summary>Running totals of the churn: completed subscribe + unsubscribe pairs, and Redis's SUBSCRIBE / UNSUBSCRIBE calls.</summary>
internal readonly record struct ChurnCounts(long Pairs, long RedisSubscribes, long RedisUnsubscribes);
