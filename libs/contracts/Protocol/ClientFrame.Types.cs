namespace Vapora.Contracts.Protocol;

public sealed partial record ClientFrame
{
    /// <summary>Frame type names.</summary>
    public static class Types
    {
        /// <summary>Start watching a workflow.</summary>
        public const string Subscribe = "subscribe";
        /// <summary>Stop watching a workflow.</summary>
        public const string Unsubscribe = "unsubscribe";
        /// <summary>Replace the connection's token in-band (answered with token_accepted or an unauthorized error).</summary>
        public const string Token = "token";
        /// <summary>Application-level ping; answered with pong.</summary>
        public const string Ping = "ping";
    }
}
