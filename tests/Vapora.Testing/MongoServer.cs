using Testcontainers.MongoDb;

namespace Vapora.Testing;

/// <summary>
/// A real MongoDB for tests when one is reachable: <c>VAPORA_TEST_MONGO</c>, else Testcontainers where Docker works,
/// else a <c>mongod</c> on PATH. Otherwise <see cref="SkipReason"/> says why there is none.
/// </summary>
public sealed class MongoServer : IAsyncDisposable
{
    private ManagedProcess? _process;
    private MongoDbContainer? _container;
    private string? _dataDirectory;

    public string? ConnectionString { get; private set; }

    /// <summary>Set when no MongoDB is reachable; tests that need one skip with this reason.</summary>
    public string? SkipReason { get; private set; }

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
                var container = new MongoDbBuilder("mongo:7").Build();
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

        var mongod = FindOnPath("mongod");
        if (mongod is null)
        {
            server.SkipReason = "No MongoDB reachable: VAPORA_TEST_MONGO is not set, " + DockerAvailability.Reason
                + ", and no mongod on PATH. The same contract suite runs against the in-memory store.";
            return server;
        }

        var port = TestPorts.GetFree();
        server._dataDirectory = Directory.CreateTempSubdirectory("vapora-mongo-").FullName;
        server._process = ManagedProcess.Start($"mongod-{port}", mongod,
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind_ip", "127.0.0.1", "--dbpath", server._dataDirectory]);
        server.ConnectionString = $"mongodb://127.0.0.1:{port}";
        await Poll.UntilAsync(() =>
        {
            if (server._process.HasExited)
            {
                throw new PollFailedException("mongod exited: " + server._process.Tail());
            }

            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }, TimeSpan.FromSeconds(30), $"mongod to listen on {port}");
        return server;
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

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
