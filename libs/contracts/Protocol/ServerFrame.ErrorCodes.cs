namespace Vapora.Contracts.Protocol;

public sealed partial record ServerFrame
{
    /// <summary>Error codes carried by error frames.</summary>
    public static class ErrorCodes
    {
        /// <summary>The frame is not valid JSON or not a known command.</summary>
        public const string BadFrame = "bad_frame";
        /// <summary>The workflow does not exist.</summary>
        public const string NotFound = "not_found";
        /// <summary>The token does not allow this workflow.</summary>
        public const string Forbidden = "forbidden";
        /// <summary>The connection has reached its subscription limit.</summary>
        public const string TooManySubscriptions = "too_many_subscriptions";
        /// <summary>
        /// This connection's subscribes failed too often (unknown or forbidden workflows): it may subscribe again once
        /// its budget refills (<c>Gateway:FailedSubscribeRefill</c>). Nothing was asked of Redis or the API.
        /// </summary>
        public const string RateLimited = "rate_limited";

        /// <summary>A token sent in-band is not valid (or names another subject): nothing changed, the old token still stands.</summary>
        public const string Unauthorized = "unauthorized";
        /// <summary>The gateway cannot serve the subscription right now; retry.</summary>
        public const string Unavailable = "unavailable";
    }
}
