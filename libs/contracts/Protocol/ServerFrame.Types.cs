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
        /// <summary>A token sent in-band was accepted; the connection now lasts until its <c>expires_at</c>.</summary>
        public const string TokenAccepted = "token_accepted";
        /// <summary>The connection's token expires at <c>expires_at</c>: send a fresh one before then, or be closed with 4401.</summary>
        public const string TokenExpiring = "token_expiring";
        /// <summary>Answer to ping.</summary>
        public const string Pong = "pong";
    }
}
