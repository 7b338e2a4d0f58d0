using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;
using Vapora.WorkflowApi.Persistence.Mongo;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// MongoDB errors split into outage (503 with Retry-After: MongoDB cannot be reached, is electing, or did not confirm
/// in time) and defect (500 that pages someone: the API is not allowed to do what it does, or sends what MongoDB
/// refuses). Issue 25, finding 8. The errors are built as the driver builds them from MongoDB's answers.
/// </summary>
public sealed class MongoErrorKindTests
{
    private static readonly ConnectionId Connection = new(new ServerId(new ClusterId(), new DnsEndPoint("db-0", 27017)));

    public static TheoryData<string, bool> Errors => new()
    {
        { "server selection timed out", true },
        { "connection reset", true },
        { "ShutdownInProgress", true },
        { "PrimarySteppedDown", true },
        { "NotWritablePrimary", true },
        { "InterruptedDueToReplStateChange", true },
        { "write concern timed out", true },
        { "RetryableWriteError label", true },
        { "connection pool full", true },
        { "Unauthorized", false },
        { "authentication failed", false },
        { "DocumentValidationFailure", false },
        { "BadValue", false },
        { "CannotCreateIndex", false },
        { "unreadable document", false },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void An_error_is_an_outage_only_when_retrying_can_help(string error, bool outage)
    {
        var database = new MongoClient("mongodb://127.0.0.1:1/?directConnection=true").GetDatabase("vapora");
        var storage = new MongoStorage(database, new MongoIndexes(database, NullLogger<MongoIndexes>.Instance), TimeProvider.System);

        Assert.Equal(outage, storage.IsUnavailable(Build(error)));
    }

    private static Exception Build(string error) => error switch
    {
        "server selection timed out" => new TimeoutException("A timeout occurred after 3000ms selecting a server."),
        "connection reset" => new MongoConnectionException(Connection, "An exception occurred while receiving a message from the server.", new IOException("reset")),
        "ShutdownInProgress" => new MongoNodeIsRecoveringException(Connection, Insert(), Result(91, error)),
        "PrimarySteppedDown" => new MongoNodeIsRecoveringException(Connection, Insert(), Result(189, error)),
        "NotWritablePrimary" => new MongoNotPrimaryException(Connection, Insert(), Result(10107, error)),
        "InterruptedDueToReplStateChange" => Command(11602, error),
        "write concern timed out" => new MongoWriteConcernException(Connection, "waiting for replication timed out",
            new WriteConcernResult(new BsonDocument { ["ok"] = 1, ["n"] = 1, ["writeConcernError"] = new BsonDocument { ["code"] = 64, ["codeName"] = "WriteConcernFailed", ["errmsg"] = "waiting for replication timed out", ["errInfo"] = new BsonDocument("wtimeout", true) } })),
        "RetryableWriteError label" => WithLabel(Command(9999, "SomethingNew"), "RetryableWriteError"),
        "connection pool full" => new MongoWaitQueueFullException("The wait queue for acquiring a connection to server db-0:27017 is full."),
        "Unauthorized" => Command(13, error),
        "authentication failed" => new MongoAuthenticationException(Connection, "Unable to authenticate using sasl protocol mechanism SCRAM-SHA-256."),
        "DocumentValidationFailure" => WriteFailure(121, "Document failed validation"),
        "BadValue" => Command(2, error),
        "CannotCreateIndex" => Command(67, error),
        "unreadable document" => new FormatException("An error occurred while deserializing the Payload property."),
        _ => throw new ArgumentOutOfRangeException(nameof(error)),
    };

    private static BsonDocument Insert() => new("insert", "workflow_updates");

    private static BsonDocument Result(int code, string name) => new() { ["ok"] = 0, ["code"] = code, ["codeName"] = name, ["errmsg"] = name };

    private static MongoCommandException Command(int code, string name) => new(Connection, name, Insert(), Result(code, name));

    private static MongoException WithLabel(MongoException exception, string label)
    {
        typeof(MongoException).GetMethod("AddErrorLabel", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.Invoke(exception, [label]);
        return exception;
    }

    // WriteError has no public constructor: the driver makes it from a write's answer.
    private static MongoWriteException WriteFailure(int code, string message)
    {
        var writeError = (WriteError)typeof(WriteError).GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic)[0]
            .Invoke([ServerErrorCategory.Uncategorized, code, message, new BsonDocument()]);
        return new MongoWriteException(Connection, writeError, null!, null!);
    }
}
