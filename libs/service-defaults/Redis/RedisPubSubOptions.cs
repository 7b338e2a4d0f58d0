using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vapora.Contracts;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>How workflow updates travel through Redis (section <c>Redis</c>).</summary>
public sealed class RedisPubSubOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Redis";

    /// <summary>
    /// <c>classic</c> (default) or <c>sharded</c>, in any case; anything else stops the process at start-up.
    /// API and gateways must use the same mode.
    /// </summary>
    public RedisPubSubMode PubSub { get; set; } = RedisPubSubMode.Classic;
}
