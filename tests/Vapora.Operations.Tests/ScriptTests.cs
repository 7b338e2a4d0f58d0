using System.Diagnostics;
using System.Net.Http.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Operations.Tests;

/// <summary>
/// The README's two commands on a machine that lacks something, and <c>run-local.sh</c> as a newcomer runs it:
/// the real scripts, real processes.
/// </summary>
public sealed class ScriptTests
{
    [Theory]
    [InlineData("run")]
    [InlineData("test")]
    public async Task Missing_redis_server_is_named_with_the_command_that_installs_it_before_anything_is_built(string profile)
    {
        using var path = PathWithout("redis-server", "redis-cli", "redis-sentinel");

        var (exitCode, output) = await RunBashAsync(
            $"source scripts/lib/prerequisites.sh && vapora_prepare {profile} && echo PREPARED",
            new() { ["PATH"] = path.Directory, ["VAPORA_SKIP_INSTALL"] = "1" });

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("PREPARED", output, StringComparison.Ordinal);
        Assert.Contains("Missing prerequisites", output, StringComparison.Ordinal);
        Assert.Contains("redis-server (Debian package redis-server)", output, StringComparison.Ordinal);
        var install = output.Split('\n').Single(line => line.Contains("apt-get install -y", StringComparison.Ordinal));
        Assert.Contains(" redis-server", install, StringComparison.Ordinal);
        if (profile == "test")
        {
            Assert.Contains(" redis-tools", install, StringComparison.Ordinal);
            Assert.Contains(" redis-sentinel", install, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_prepared_machine_passes_the_check_without_installing_anything()
    {
        var (exitCode, output) = await RunBashAsync("source scripts/lib/prerequisites.sh && vapora_prepare test && echo PREPARED",
            new() { ["VAPORA_SKIP_INSTALL"] = "1" });

        Assert.True(exitCode == 0, output);
        Assert.Equal("PREPARED", output.Trim());
    }

    [Fact]
    public async Task Run_local_serves_the_api_both_gateways_and_the_page_and_keeps_workflows_across_a_restart()
    {
        var runDirectory = Directory.CreateTempSubdirectory("vapora-run-local-").FullName;
        var apiPort = TestPorts.GetFree();
        int[] gatewayPorts = [TestPorts.GetFree(), TestPorts.GetFree()];
        var environment = new Dictionary<string, string?>
        {
            ["VAPORA_RUN_DIR"] = runDirectory,
            ["VAPORA_NO_BUILD"] = "1",
            ["VAPORA_CONFIGURATION"] = RepositoryPaths.Configuration,
            ["VAPORA_SKIP_INSTALL"] = "1",
            ["VAPORA_API_PORT"] = apiPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["VAPORA_GATEWAY_PORTS"] = string.Join(' ', gatewayPorts),
            ["VAPORA_REDIS_PORT"] = TestPorts.GetFree().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ConnectionStrings__redis"] = null,
            ["ConnectionStrings__mongodb"] = null,
            ["VAPORA_STORE"] = null,
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var api = new WorkflowApiClient(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(10) });
        try
        {
            WorkflowState created;
            await using (var script = await StartRunLocalAsync(environment))
            {
                Assert.Contains("store: SQLite", script.Tail(), StringComparison.Ordinal);
                created = await api.CreateAsync("run-local", totalSteps: 3);
                foreach (var port in gatewayPorts)
                {
                    var page = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), TestContext.Current.CancellationToken);
                    Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
                    await using var socket = await TestSocket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/api/workflows/{created.WorkflowId}/updates"));
                    var state = await socket.NextJsonAsync();
                    Assert.Equal(created.WorkflowId, state.GetProperty("workflow_id").GetString());
                }

                await api.ProgressAsync(created.WorkflowId, 1, "stored before the restart");
                await StopAsync(script);
            }

            await Poll.UntilAsync(() => !Listening(apiPort) && gatewayPorts.All(port => !Listening(port)),
                TimeSpan.FromSeconds(20), "every process run-local.sh started to stop with it");

            await using (var script = await StartRunLocalAsync(environment))
            {
                var state = await api.Http.GetFromJsonAsync($"api/workflows/{created.WorkflowId}", VaporaJsonContext.Default.WorkflowState, TestContext.Current.CancellationToken);
                Assert.Equal(2, state!.Version);
                Assert.Equal("stored before the restart", state.Message);
                await StopAsync(script);
            }
        }
        finally
        {
            Directory.Delete(runDirectory, recursive: true);
        }
    }

    private static async Task<ManagedProcess> StartRunLocalAsync(Dictionary<string, string?> environment)
    {
        var script = ManagedProcess.Start("run-local", Path.Combine(RepositoryPaths.Root, "scripts", "run-local.sh"), [], environment);
        await Poll.UntilAsync(() =>
        {
            if (script.HasExited)
            {
                throw new PollFailedException("run-local.sh exited: " + script.Tail());
            }

            return script.Tail().Contains("Vapora is running", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), "run-local.sh to report that everything is ready");
        return script;
    }

    private static async Task StopAsync(ManagedProcess script)
    {
        script.Terminate();
        Assert.True(await script.WaitForExitAsync(TimeSpan.FromSeconds(20)), "run-local.sh did not stop on SIGTERM: " + script.Tail());
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunBashAsync(string command, Dictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo("/bin/bash", ["-c", command])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A PATH folder with every command of this machine except <paramref name="excluded"/> (symbolic links).</summary>
    private static TemporaryPath PathWithout(params string[] excluded)
    {
        var directory = Directory.CreateTempSubdirectory("vapora-path-").FullName;
        foreach (var folder in new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var link = Path.Combine(directory, Path.GetFileName(file));
                if (!excluded.Contains(Path.GetFileName(file)) && !File.Exists(link))
                {
                    File.CreateSymbolicLink(link, file);
                }
            }
        }

        return new TemporaryPath(directory);
    }

    private sealed class TemporaryPath(string directory) : IDisposable
    {
        public string Directory { get; } = directory;

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
