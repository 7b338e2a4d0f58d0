using System.Globalization;
using MongoDB.Bson;
using MongoDB.Driver;
using Testcontainers.MongoDb;

namespace Vapora.Testing;

/// <summary>
/// A real MongoDB replica set for tests when one is reachable: <c>VAPORA_TEST_MONGO</c> (a replica set's connection
/// string), else Testcontainers (<c>WithReplicaSet</c>) where Docker works, else a <c>mongod</c> on PATH started with
/// <c>--replSet</c> and initiated through the driver. Otherwise <see cref="SkipReason"/> says why there is none.
/// A replica set, because majority write and read concerns behave there as in production.
/// </summary>
public sealed class MongoServer : IAsyncDisposable
{
    private const string ReplicaSet = "rs0";
    private string? _mongod;
    private int _port;
    private ManagedProcess? _process;
    private MongoDbContainer? _container;
    private string? _dataDirectory;

    public string? ConnectionString { get; private set; }

    /// <summary>Set when no MongoDB is reachable; tests that need one skip with this reason.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Set when this server cannot be killed and restarted by the tests (an external or container server).</summary>
    public string? CannotRestartReason => _process is null ? "only a mongod started by the tests can be restarted by them" : null;

    public static async Task<MongoServer> StartAsync()
    {
        var server = new MongoServer();
        var configured = Environment.GetEnvironmentVariable("VAPORA_TEST_MONGO");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            server.ConnectionString = configured;
            return server;
        }

        if (DockerAvailability.IsLikelyAvailable)
        {
            try
            {
                var container = new MongoDbBuilder("mongo:7").WithReplicaSet(ReplicaSet).Build();
                await container.StartAsync().WaitAsync(TimeSpan.FromMinutes(3));
                server._container = container;
                server.ConnectionString = container.GetConnectionString();
                return server;
            }
            catch (Exception)
            {
                // Fall through to mongod.
            }
        }

        server._mongod = FindOnPath("mongod");
        if (server._mongod is null)
        {
            server.SkipReason = "No MongoDB reachable: VAPORA_TEST_MONGO is not set, " + DockerAvailability.Reason
                + ", and no mongod on PATH. The same contract suite runs against the in-memory and SQLite stores.";
            return server;
        }

        server._port = TestPorts.GetFree();
        server._dataDirectory = Directory.CreateTempSubdirectory("vapora-mongo-").FullName;
        server.ConnectionString = $"mongodb://127.0.0.1:{server._port}/?replicaSet={ReplicaSet}";
        await server.LaunchAsync(initiate: true);
        return server;
    }

    /// <summary>kill -9 the mongod and start it again on the same data and port; returns once it is primary again.</summary>
    public async Task RestartAsync()
    {
        if (_process is null)
        {
            throw new InvalidOperationException(CannotRestartReason);
        }

        _process.Kill();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await _process.DisposeAsync();
        await LaunchAsync(initiate: false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        if (_dataDirectory is not null)
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private async Task LaunchAsync(bool initiate)
    {
        var port = _port.ToString(CultureInfo.InvariantCulture);
        _process = ManagedProcess.Start($"mongod-{port}", _mongod!,
            ["--port", port, "--bind_ip", "127.0.0.1", "--dbpath", _dataDirectory!, "--replSet", ReplicaSet]);
        // Talk to this one member directly until the replica set exists.
        using var direct = new MongoClient($"mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=1000");
        var admin = direct.GetDatabase("admin");
        await Poll.UntilAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new PollFailedException("mongod exited: " + _process.Tail());
            }

            await admin.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
            return true;
        }, TimeSpan.FromSeconds(30), $"mongod to answer on {port}");

        if (initiate)
        {
            await admin.RunCommandAsync<BsonDocument>(new BsonDocument("replSetInitiate", new BsonDocument
            {
                ["_id"] = ReplicaSet,
                ["members"] = new BsonArray { new BsonDocument { ["_id"] = 0, ["host"] = $"127.0.0.1:{port}" } },
            }));
        }

        await Poll.UntilAsync(async () =>
        {
            var hello = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1));
            return hello.GetValue("isWritablePrimary", false).ToBoolean();
        }, TimeSpan.FromSeconds(60), $"mongod on {port} to become primary of {ReplicaSet}");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
