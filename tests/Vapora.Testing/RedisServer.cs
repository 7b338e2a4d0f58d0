using StackExchange.Redis;
using Testcontainers.Redis;

namespace Vapora.Testing;

/// <summary>
/// A real Redis for tests: <c>VAPORA_TEST_REDIS</c> if set, else a Testcontainers container where Docker works,
/// else a throwaway <c>redis-server</c> process on a free loopback port.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private ManagedProcess? _process;
    private RedisContainer? _container;
    private ConnectionMultiplexer? _admin;

    private RedisServer(string connectionString) => ConnectionString = connectionString;

    /// <summary>host:port, as a StackExchange.Redis configuration string.</summary>
    public string ConnectionString { get; private set; }

    public int Port { get; private set; }

    /// <summary>True when this object runs the server itself (so it can stop and restart it).</summary>
    public bool IsOwnedProcess => _process is not null;

    /// <summary>The redis-server process this object runs; null for a Redis from outside.</summary>
    public int? Pid => _process?.Pid;

    /// <summary>Where the server came from, for test output.</summary>
    public string Source { get; private set; } = string.Empty;

    /// <summary>Gets a Redis per the order above.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("VAPORA_TEST_REDIS");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new RedisServer(configured) { Source = "VAPORA_TEST_REDIS" };
        }

        if (DockerAvailability.IsLikelyAvailable)
        {
            try
            {
                var container = new RedisBuilder("redis:7-alpine").Build();
                await container.StartAsync().WaitAsync(TimeSpan.FromMinutes(2));
                return new RedisServer(container.GetConnectionString()) { _container = container, Source = "Testcontainers" };
            }
            catch (Exception)
            {
                // No usable Docker after all: fall back to a local process.
            }
        }

        return await StartProcessAsync();
    }

    /// <summary>
    /// Always a local redis-server process, for tests that stop or restart Redis. <paramref name="adminOptions"/> lets the
    /// fixture's own connections (readiness probe, <see cref="AdminAsync"/>) log in or use TLS; with
    /// <paramref name="tlsOnly"/> the server listens with TLS only (the arguments must configure its certificates).
    /// </summary>
    public static async Task<RedisServer> StartProcessAsync(IEnumerable<string>? extraArguments = null,
        Action<ConfigurationOptions>? adminOptions = null, bool tlsOnly = false)
    {
        var server = new RedisServer(string.Empty) { Source = "redis-server process" };
        server.Port = TestPorts.GetFree();
        server.ConnectionString = $"127.0.0.1:{server.Port}";
        server._extraArguments = extraArguments?.ToArray() ?? [];
        server._adminOptions = adminOptions;
        server._tlsOnly = tlsOnly;
        server._directory = Directory.CreateTempSubdirectory("vapora-redis-").FullName;
        await server.StartProcessAgainAsync();
        return server;
    }

    /// <summary>A redis-server that loads <c>deploy/redis/users.acl</c>; the fixture logs in as its admin user.</summary>
    public static Task<RedisServer> StartWithAclAsync(IEnumerable<string>? extraArguments = null) =>
        StartProcessAsync([.. RedisAcl.ServerArguments(), .. extraArguments ?? []], options =>
        {
            options.User = RedisAcl.AdminUser;
            options.Password = RedisAcl.PasswordOf(RedisAcl.AdminUser);
        });

    private string[] _extraArguments = [];

    // Its own working directory: a replica writes the snapshot it receives from its primary to disk.
    private string _directory = string.Empty;
    private Action<ConfigurationOptions>? _adminOptions;
    private bool _tlsOnly;

    /// <summary>Starts the owned process (again) on the same port.</summary>
    public async Task StartProcessAgainAsync()
    {
        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _process = ManagedProcess.Start($"redis-{Port}", "redis-server",
        [
            .. _tlsOnly ? ["--port", "0", "--tls-port", port] : new[] { "--port", port },
            "--bind", "127.0.0.1",
            "--dir", _directory,
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "no",
            .. _extraArguments,
        ]);
        await Poll.UntilAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new PollFailedException("redis-server exited: " + _process.Tail());
            }

            await using var probe = await ConnectionMultiplexer.ConnectAsync(AdminOptions(",abortConnect=false,connectTimeout=500"));
            return probe.IsConnected && await probe.GetDatabase().PingAsync() >= TimeSpan.Zero;
        }, TimeSpan.FromSeconds(20), $"redis-server on port {Port} to answer PING");
    }

    /// <summary>Stops the owned process abruptly (kill -9).</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Only an owned redis-server can be killed.");
        process.Kill();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await process.DisposeAsync();
        _process = null;
        _admin?.Dispose();
        _admin = null;
    }

    /// <summary>A connection for test assertions (PUBSUB NUMSUB, publishing garbage, CLIENT KILL).</summary>
    public async Task<IConnectionMultiplexer> AdminAsync() =>
        _admin ??= await ConnectionMultiplexer.ConnectAsync(AdminOptions(",abortConnect=false,allowAdmin=true"));

    private ConfigurationOptions AdminOptions(string settings)
    {
        var options = ConfigurationOptions.Parse(ConnectionString + settings);
        _adminOptions?.Invoke(options);
        return options;
    }

    /// <summary>Number of subscribers of a channel (PUBSUB NUMSUB).</summary>
    public async Task<long> SubscriberCountAsync(string channel)
    {
        var admin = await AdminAsync();
        var result = await admin.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel);
        var parts = (RedisResult[])result!;
        return (long)parts[1];
    }

    /// <summary>Channels with at least one subscriber that start with <paramref name="prefix"/> (PUBSUB CHANNELS).</summary>
    public async Task<string[]> ChannelsAsync(string prefix)
    {
        var admin = await AdminAsync();
        var result = await admin.GetDatabase().ExecuteAsync("PUBSUB", "CHANNELS", prefix + "*");
        return ((RedisResult[])result!).Select(r => (string)r!).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _admin?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        if (_directory.Length > 0)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
