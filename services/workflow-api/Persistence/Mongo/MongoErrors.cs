using MongoDB.Driver;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// Tells an outage from a defect among what the driver throws. An outage goes away by itself or once MongoDB is back
/// (no server selected in time, a connection lost or refused, an election, a write a majority did not confirm within
/// wtimeout, a full connection pool): 503 with Retry-After. A defect does not (the API's user may not do what it does,
/// a document validator refuses the API's documents, a bad command, an index that cannot be built, data that does not
/// deserialize): 500, and it pages someone.
/// </summary>
internal static class MongoErrors
{
    // MongoDB's error codes of the conditions retrying cures: network and host errors, elections and shutdowns, time
    // limits, write concern failures, shard routing that is being refreshed, lock and write conflicts, a full disk
    // (space can be freed without the API changing).
    private static readonly HashSet<int> OutageCodes =
    [
        6, 7, 89, 9001, // HostUnreachable, HostNotFound, NetworkTimeout, SocketException
        91, 189, 10107, 11600, 11602, 13435, 13436, // ShutdownInProgress, PrimarySteppedDown, NotWritablePrimary, Interrupted…, NotPrimary…
        50, 262, 202, // MaxTimeMSExpired, ExceededTimeLimit, NetworkInterfaceExceededTimeLimit
        64, 100, // WriteConcernFailed, UnsatisfiableWriteConcern (a majority not reachable now)
        133, 63, 150, 13388, // FailedToSatisfyReadPreference, StaleShardVersion, StaleEpoch, StaleConfig
        24, 112, 14031, // LockTimeout, WriteConflict, OutOfDiskSpace
    ];

    // Error labels the server or driver puts on errors a retry can cure.
    private static readonly string[] OutageLabels = ["RetryableWriteError", "TransientTransactionError", "SystemOverloadedError", "RetryableError"];

    public static bool IsOutage(Exception exception) => exception switch
    {
        // Before its base class: a refused login does not cure itself.
        MongoAuthenticationException => false,
        TimeoutException or MongoConnectionException or MongoWaitQueueFullException or MongoNotPrimaryException
            or MongoNodeIsRecoveringException or MongoWriteConcernException or MongoExecutionTimeoutException or MongoCursorNotFoundException => true,
        MongoException mongo when OutageLabels.Any(mongo.HasErrorLabel) => true,
        MongoWriteException write => write.WriteError is { } error ? OutageCodes.Contains(error.Code) : write.WriteConcernError is not null,
        MongoBulkWriteException bulk => bulk.WriteErrors.Count == 0
            ? bulk.WriteConcernError is not null
            : bulk.WriteErrors.All(e => OutageCodes.Contains(e.Code)),
        MongoCommandException command => OutageCodes.Contains(command.Code),
        _ => false,
    };
}
