using System.Globalization;
using System.Text;

namespace Vapora.Testing;

/// <summary>
/// A real nginx in front of the gateways and the API, on a free loopback port: plain round-robin, no affinity,
/// routing exactly as the architecture says (socket paths to gateways, the rest of /api/ to the API).
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    private readonly string _directory;
    private ManagedProcess? _process;

    private NginxServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The nginx master process (its worker is its child).</summary>
    public int Pid => _process!.Pid;

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    public Uri WebSocketUrl(string path) => new($"ws://127.0.0.1:{Port}{path}");

    /// <param name="gatewayPorts">The gateways, round-robin.</param>
    /// <param name="apiPort">workflow-api.</param>
    /// <param name="workerProcesses">
    /// nginx workers; each holds at most ~9,000 connections (the open-file limit), two per proxied socket, so more
    /// than ~4,000 sockets need more workers (the kernel spreads new connections over them: <c>reuseport</c>).
    /// </param>
    /// <param name="refuseWebSockets">Answer every WebSocket upgrade with 403, as some corporate proxies do (the rest is routed as usual).</param>
    public static async Task<NginxServer> StartAsync(IEnumerable<int> gatewayPorts, int apiPort, int workerProcesses = 1, bool refuseWebSockets = false)
    {
        var directory = Directory.CreateTempSubdirectory("vapora-nginx-").FullName;
        var server = new NginxServer(directory, TestPorts.GetFree());
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, server.Configuration(gatewayPorts, apiPort, workerProcesses, refuseWebSockets));
        foreach (var include in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "deploy", "nginx"), "vapora-*.conf"))
        {
            File.Copy(include, Path.Combine(directory, Path.GetFileName(include)));
        }

        server._process = ManagedProcess.Start($"nginx-{server.Port}", Executable(), ["-p", directory, "-c", config, "-e", Path.Combine(directory, "error.log")]);
        await Poll.UntilAsync(() =>
        {
            if (server._process.HasExited)
            {
                throw new PollFailedException("nginx exited: " + server._process.Tail() + File.ReadAllText(Path.Combine(directory, "error.log")));
            }

            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("127.0.0.1", server.Port);
            return true;
        }, TimeSpan.FromSeconds(20), $"nginx to listen on {server.Port}");
        return server;
    }

    private string Listen(int workerProcesses) => workerProcesses > 1 ? $"127.0.0.1:{Port} reuseport" : $"127.0.0.1:{Port}";

    // nginx lives in /usr/sbin, which is not on every user's PATH.
    private static string Executable() => File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

    private string Configuration(IEnumerable<int> gatewayPorts, int apiPort, int workerProcesses, bool refuseWebSockets)
    {
        var upstreams = new StringBuilder();
        foreach (var port in gatewayPorts)
        {
            upstreams.Append(CultureInfo.InvariantCulture, $"        server 127.0.0.1:{port} max_fails=0;\n");
        }

        var user = Environment.UserName == "root" ? "user root;" : string.Empty;
        var template = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "nginx", "vapora-routes.conf"));
        var routes = template
            .Replace("${VAPORA_LISTEN}", Listen(workerProcesses), StringComparison.Ordinal)
            .Replace("${VAPORA_GATEWAY_SERVERS}", upstreams.ToString().Trim(), StringComparison.Ordinal)
            .Replace("${VAPORA_API_SERVER}", $"127.0.0.1:{apiPort}", StringComparison.Ordinal);
        if (refuseWebSockets)
        {
            var listen = $"listen {Listen(workerProcesses)};";
            routes = routes.Replace(listen, listen + "\n    if ($http_upgrade ~* websocket) { return 403; }", StringComparison.Ordinal);
        }

        return $$"""
            {{user}}
            worker_processes {{workerProcesses}};
            {{(workerProcesses > 1 ? "worker_rlimit_nofile 19500;" : string.Empty)}}
            daemon off;
            pid {{_directory}}/nginx.pid;
            error_log {{_directory}}/error.log warn;
            events { worker_connections {{(workerProcesses > 1 ? 9500 : 8192)}}; }
            http {
                access_log off;
                client_body_temp_path {{_directory}}/client_body;
                proxy_temp_path {{_directory}}/proxy;
                fastcgi_temp_path {{_directory}}/fastcgi;
                uwsgi_temp_path {{_directory}}/uwsgi;
                scgi_temp_path {{_directory}}/scgi;
            {{routes}}
            }
            """;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            var errors = Path.Combine(_directory, "error.log");
            if (File.Exists(errors))
            {
                File.Copy(errors, Path.ChangeExtension(_process.LogPath, ".error.log"), overwrite: true);
            }
        }

        Directory.Delete(_directory, recursive: true);
    }
}
