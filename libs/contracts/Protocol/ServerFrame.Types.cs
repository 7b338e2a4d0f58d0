namespace Vapora.Contracts.Protocol;

public sealed partial record ServerFrame
{
    /// <summary>Frame type names.</summary>
    public static class Types
    {
        /// <summary>An update; its <c>data</c> is a <see cref="WorkflowUpdate"/> (or the state, first).</summary>
        public const string Update = "update";
        /// <summary>A subscription is registered; catch-up and live updates follow.</summary>
        public const string Subscribed = "subscribed";
        /// <summary>A subscription was removed.</summary>
        public const string Unsubscribed = "unsubscribed";
        /// <summary>A request failed; the socket stays open.</summary>
        public const string Error = "error";
        /// <summary>Answer to ping.</summary>
        public const string Pong = "pong";
    }
}
